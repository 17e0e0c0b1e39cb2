package dev.loupe.activity;

import dev.loupe.contract.AgreementResult;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CombinedResult;
import dev.loupe.contract.GrammarResult;
import dev.loupe.contract.ModelCallResult;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.VerdictResult;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;

/**
 * The one place where a model's output becomes an activity's result: free text is stripped,
 * structured output is parsed against its schema (a malformed one is a {@link ProviderException}).
 */
public final class StageResults {
  private final StructuredOutputs outputs;

  public StageResults(StructuredOutputs outputs) {
    this.outputs = outputs;
  }

  public StructuredOutputs outputs() {
    return outputs;
  }

  /**
   * @param questions how many questions an {@code ask} call may keep
   */
  public ModelCallResult assemble(ApiMethod method, StageRunner.Output output, int questions)
      throws ProviderException {
    String text = output.text();
    return switch (method) {
      case DESCRIBE, FUSE -> new CaptionResult(text.strip(), output.call());
      case ANSWER, REASON -> new AnswerResult(text.strip(), output.call());
      case ASK -> new QuestionsResult(outputs.parseQuestions(text, questions), output.call());
      case EVALUATE -> {
        StructuredOutputs.Verdict verdict = outputs.parseVerdict(text);
        yield new VerdictResult(
            verdict.meaningful(), verdict.correct(), verdict.detail(), output.call());
      }
      case CAPTION_QA -> {
        StructuredOutputs.CaptionQa parsed = outputs.parseCaptionQa(text);
        yield new CombinedResult(
            parsed.caption(), parsed.question(), parsed.answer(), output.call());
      }
      case COMPARE -> {
        StructuredOutputs.Agreement agreement = outputs.parseAgreement(text);
        yield new AgreementResult(agreement.agree(), agreement.detail(), output.call());
      }
      case GRAMMAR -> {
        StructuredOutputs.Grammar grammar = outputs.parseGrammar(text);
        yield new GrammarResult(grammar.grammatical(), grammar.errors(), output.call());
      }
    };
  }
}
