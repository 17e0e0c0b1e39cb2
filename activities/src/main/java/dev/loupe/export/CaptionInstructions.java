package dev.loupe.export;

import java.util.List;

/**
 * The human turn of a detailed-caption training sample. As in InstructBLIP and LLaVA, the same task
 * is asked in many wordings, so that a model trained on the samples follows the task rather than
 * one sentence. The wording is chosen from the image's SHA-256 (the same image always gets the same
 * one, so an export is reproducible), in the caption's language: Chinese when the caption is
 * written in Han characters, English otherwise.
 */
final class CaptionInstructions {
  static final List<String> ENGLISH =
      List.of(
          "Describe this image in detail.",
          "Provide a detailed description of the given image.",
          "Give an elaborate explanation of the image you see.",
          "Share a comprehensive rundown of the presented image.",
          "Offer a thorough analysis of the image.",
          "Explain the various aspects of the image before you.",
          "Clarify the contents of the displayed image with great detail.",
          "Characterize the image using a well-detailed description.",
          "Break down the elements of the image in a detailed manner.",
          "Walk through the important details of the image.",
          "Portray the image with a rich, descriptive narrative.",
          "Narrate the contents of the image with precision.",
          "Analyze the image in a comprehensive and detailed manner.",
          "Illustrate the image through a descriptive explanation.",
          "Examine the image closely and share its details.");

  static final List<String> CHINESE =
      List.of(
          "请详细描述这张图片。",
          "请对这张图片进行详细的描述。",
          "请全面地介绍图片中的内容。",
          "请仔细观察这张图片，并描述其中的细节。",
          "请逐一说明图片中的各个元素。",
          "请用详尽的语言描绘这张图片。",
          "请对图片内容进行全面而细致的分析。",
          "这张图片里有什么？请详细说明。",
          "请详细解释你在图片中看到的内容。",
          "请描述这张图片的主要内容和细节。",
          "请对这张图片作一个完整的说明。",
          "请按从整体到局部的顺序描述这张图片。");

  private CaptionInstructions() {}

  /**
   * @param imageSha256 the image's SHA-256 in hex (the record's id)
   * @param caption the caption the instruction will be paired with
   */
  static String forImage(String imageSha256, String caption) {
    List<String> wordings = isChinese(caption) ? CHINESE : ENGLISH;
    return wordings.get(Math.floorMod(seed(imageSha256), wordings.size()));
  }

  private static long seed(String sha256) {
    // The first 15 hex digits: a non-negative long, uniform over the wordings.
    String digits = sha256.length() > 15 ? sha256.substring(0, 15) : sha256;
    try {
      return Long.parseLong(digits, 16);
    } catch (NumberFormatException notHex) {
      return sha256.hashCode();
    }
  }

  /** Whether Han characters make up at least a fifth of the caption's letters. */
  static boolean isChinese(String text) {
    long letters = 0;
    long han = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      i += Character.charCount(codePoint);
      if (Character.isLetter(codePoint)) {
        letters++;
        if (Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN) {
          han++;
        }
      }
    }
    return letters > 0 && han * 5 >= letters;
  }
}
