package dev.loupe.export;

import dev.loupe.contract.ShortTask;
import java.util.List;

/**
 * The human turns of short-form training samples, after InstructBLIP: every task is asked in 10–15
 * wordings, and a dataset whose answers are short says so in its instruction ("a short answer", "a
 * word or phrase"), so that a model trained on a mix of long-form and short-form data learns when
 * to answer briefly instead of always answering briefly. A wording is chosen from the image's
 * SHA-256 and the sample's position (the same export gives the same wordings), in the language of
 * the text it frames.
 */
final class TaskInstructions {
  /** InstructBLIP's captioning templates (appendix), without the image token. */
  static final List<String> BRIEF_CAPTION_ENGLISH =
      List.of(
          "A short image caption:",
          "A short image description:",
          "A photo of",
          "An image that shows",
          "Write a short description for the image.",
          "Write a description for the photo.",
          "Provide a description of what is presented in the photo.",
          "Briefly describe the content of the image.",
          "Can you briefly explain what you see in the image?",
          "Could you use a few words to describe what you perceive in the photo?",
          "Please provide a short depiction of the picture.",
          "Using language, provide a short account of the image.",
          "Use a few words to illustrate what is happening in the picture.");

  static final List<String> BRIEF_CAPTION_CHINESE =
      List.of(
          "简短的图片说明：",
          "用一句话描述这张图片。",
          "请简要描述图片的内容。",
          "这张图片展示了",
          "请为这张图片写一句简短的描述。",
          "用几个词说说图中发生了什么。",
          "请简单说明你在图中看到了什么。",
          "请给这张照片配一句简短的说明。",
          "简要概括这张图片。",
          "请用简短的语言描绘这幅画面。");

  /** InstructBLIP's VQA templates; {@code {}} is the question. */
  static final List<String> SHORT_ANSWER_ENGLISH =
      List.of(
          "{}",
          "Question: {}",
          "{} A short answer to the question is",
          "Q: {} A:",
          "Question: {} Short answer:",
          "Given the image, answer the following question with no more than three words. {}",
          "Based on the image, respond to this question with a short answer: {} Answer:",
          "Use the provided image to answer the question: {} Provide your answer as short as"
              + " possible:",
          "What is the answer to the following question? \"{}\"",
          "The question \"{}\" can be answered using the image. A short answer is",
          "{}\nAnswer the question using a single word or phrase.");

  static final List<String> SHORT_ANSWER_CHINESE =
      List.of(
          "{}",
          "问题：{}",
          "{} 简短的回答是",
          "问：{} 答：",
          "问题：{} 简答：",
          "根据图片，用不超过三个词回答下面的问题。{}",
          "请根据图片简短地回答这个问题：{} 答案：",
          "请看图回答问题：{} 回答尽量简短：",
          "下面这个问题的答案是什么？“{}”",
          "{}\n请用一个词或短语回答这个问题。");

  /** Multiple-choice wordings; {@code {}} is the question with its lettered options. */
  static final List<String> MULTIPLE_CHOICE_ENGLISH =
      List.of(
          "{}\nAnswer with the option's letter from the given choices directly.",
          "{}\nAnswer with the letter of the correct option.",
          "Question: {}\nAnswer:",
          "{}\nChoose the correct option and reply with its letter only.",
          "Look at the image and pick the right answer.\n{}",
          "{}\nWhich option is correct? Give the letter.",
          "Select the best answer to the question about the image.\n{}",
          "{}\nThe answer is option",
          "Based on the image, which of the options answers the question? {}",
          "{}\nReply with a single letter.");

  static final List<String> MULTIPLE_CHOICE_CHINESE =
      List.of(
          "{}\n请直接回答正确选项的字母。",
          "{}\n请选出正确答案，只回复字母。",
          "问题：{}\n答案：",
          "请看图，选出正确的选项。\n{}",
          "{}\n哪个选项是正确的？请给出字母。",
          "根据图片，下列哪个选项回答了问题？{}",
          "{}\n正确答案是选项",
          "请选择最符合图片的答案。\n{}",
          "{}\n只需回答一个字母。",
          "单项选择：{}");

  private TaskInstructions() {}

  /** A brief caption's instruction, in the caption's language. */
  static String briefCaption(String imageSha256, String caption) {
    List<String> wordings =
        CaptionInstructions.isChinese(caption) ? BRIEF_CAPTION_CHINESE : BRIEF_CAPTION_ENGLISH;
    return wordings.get(index(imageSha256, 0, wordings.size()));
  }

  /**
   * A short-form question's human turn: the question framed by one of the task's wordings.
   *
   * @param position the pair's position among the image's pairs, so pairs vary
   */
  static String question(String task, String imageSha256, int position, String question) {
    boolean chinese = CaptionInstructions.isChinese(question);
    List<String> wordings =
        switch (task) {
          case ShortTask.SHORT_ANSWER -> chinese ? SHORT_ANSWER_CHINESE : SHORT_ANSWER_ENGLISH;
          case ShortTask.MULTIPLE_CHOICE ->
              chinese ? MULTIPLE_CHOICE_CHINESE : MULTIPLE_CHOICE_ENGLISH;
          default -> List.of("{}");
        };
    return wordings.get(index(imageSha256, position + 1, wordings.size())).replace("{}", question);
  }

  private static int index(String sha256, int salt, int size) {
    String digits = sha256.length() > 15 ? sha256.substring(0, 15) : sha256;
    long seed;
    try {
      seed = Long.parseLong(digits, 16);
    } catch (NumberFormatException notHex) {
      seed = sha256.hashCode();
    }
    return Math.floorMod(seed + 7919L * salt, size);
  }
}
