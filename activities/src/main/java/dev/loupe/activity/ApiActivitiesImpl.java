package dev.loupe.activity;

import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.VerdictResult;
import dev.loupe.image.BadImageException;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import java.io.IOException;
import java.util.Map;

/** Model calls of the API pool: unpack, run the stage, parse, classify failures once. */
public final class ApiActivitiesImpl implements ApiActivities {
  private final StageRunner runner;
  private final StructuredOutputs outputs;

  public ApiActivitiesImpl(StageRunner runner, StructuredOutputs outputs) {
    this.runner = runner;
    this.outputs = outputs;
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    return call(
        () -> {
          StageRunner.Output output =
              runner.run(
                  RunPlan.DESCRIBE,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  Map.of("alt_text", nullToEmpty(request.altText())),
                  null);
          return new CaptionResult(output.text().strip(), output.call());
        });
  }

  @Override
  public QuestionsResult ask(AskRequest request) {
    return call(
        () -> {
          StageRunner.Output output =
              runner.run(
                  RunPlan.ASK,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  Map.of(
                      "caption", nullToEmpty(request.caption()),
                      "count", Integer.toString(request.stage().questions())),
                  outputs.questionsSchema());
          return new QuestionsResult(
              outputs.parseQuestions(output.text(), request.stage().questions()), output.call());
        });
  }

  @Override
  public AnswerResult answer(AnswerRequest request) {
    return call(
        () -> {
          StageRunner.Output output =
              runner.run(
                  RunPlan.ANSWER,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  Map.of(
                      "caption", nullToEmpty(request.caption()),
                      "question", request.question().text()),
                  null);
          return new AnswerResult(output.text().strip(), output.call());
        });
  }

  @Override
  public VerdictResult evaluate(EvaluateRequest request) {
    return call(
        () -> {
          StageRunner.Output output =
              runner.run(
                  RunPlan.EVALUATE,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  Map.of(
                      "caption", nullToEmpty(request.caption()),
                      "question", request.question().text(),
                      "answer", request.answer()),
                  outputs.verdictSchema());
          StructuredOutputs.Verdict verdict = outputs.parseVerdict(output.text());
          return new VerdictResult(
              verdict.meaningful(), verdict.correct(), verdict.detail(), output.call());
        });
  }

  private interface Call<T> {
    T run() throws ProviderException, BadImageException, IOException;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    } catch (BadImageException e) {
      throw ActivityFailures.of(e);
    } catch (IOException e) {
      throw ActivityFailures.storage("reading the image", e);
    }
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
