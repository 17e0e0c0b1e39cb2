package dev.loupe.metrics;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;

/**
 * Records {@link CallMetrics} around every activity this worker executes: results that carry a
 * {@code ModelCallResult} give tokens, cost and latency; failures give their {@code FailureType}.
 */
public final class CallMetricsInterceptor extends WorkerInterceptorBase {
  private final CallMetrics metrics;

  public CallMetricsInterceptor(CallMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new Recording(next);
  }

  private final class Recording extends ActivityInboundCallsInterceptorBase {
    private ActivityNames names;

    Recording(ActivityInboundCallsInterceptor next) {
      super(next);
    }

    @Override
    public void init(ActivityExecutionContext context) {
      ActivityInfo info = context.getInfo();
      names = ActivityNames.of(info.getActivityType(), info.getActivityTaskQueue());
      super.init(context);
    }

    @Override
    public ActivityOutput execute(ActivityInput input) {
      long start = metrics.started(names);
      try {
        ActivityOutput output = super.execute(input);
        metrics.succeeded(names, start, output.getResult());
        return output;
      } catch (RuntimeException | Error failure) {
        metrics.failed(names, start, failure);
        throw failure;
      }
    }
  }
}
