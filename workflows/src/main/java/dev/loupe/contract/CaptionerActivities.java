package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The GPU captioner pool, served on {@link TaskQueues#CAPTIONER} by workers that host a captioner
 * model (a fine-tuned Share-Captioner style model behind vLLM or SGLang on the same host).
 */
@ActivityInterface(namePrefix = "Captioner")
public interface CaptionerActivities {

  /** A detailed caption from the locally hosted captioner model. */
  @ActivityMethod
  CaptionResult describe(DescribeRequest request);
}
