package dev.loupe.activity;

import dev.loupe.contract.AgreementResult;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CombinedResult;
import dev.loupe.contract.GrammarResult;
import dev.loupe.contract.ModelCallResult;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.VerdictResult;

/**
 * The model-call activities by the result each one returns, so that a result can be assembled from
 * the model's output the same way online and when a batch line's answer arrives.
 */
public enum ApiMethod {
  DESCRIBE(CaptionResult.class),
  ASK(QuestionsResult.class),
  ANSWER(AnswerResult.class),
  EVALUATE(VerdictResult.class),
  CAPTION_QA(CombinedResult.class),
  FUSE(CaptionResult.class),
  REASON(AnswerResult.class),
  COMPARE(AgreementResult.class),
  GRAMMAR(GrammarResult.class);

  private final Class<? extends ModelCallResult> resultType;

  ApiMethod(Class<? extends ModelCallResult> resultType) {
    this.resultType = resultType;
  }

  public Class<? extends ModelCallResult> resultType() {
    return resultType;
  }
}
