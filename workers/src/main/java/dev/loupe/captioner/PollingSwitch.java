package dev.loupe.captioner;

import io.temporal.worker.Worker;

/** Turns a worker's task-queue polling off and on: the captioner's, while its model is down. */
public interface PollingSwitch {
  void suspend();

  void resume();

  /**
   * The switch of a Temporal worker ({@link Worker#suspendPolling}, {@link Worker#resumePolling}).
   */
  static PollingSwitch of(Worker worker) {
    return new PollingSwitch() {
      @Override
      public void suspend() {
        worker.suspendPolling();
      }

      @Override
      public void resume() {
        worker.resumePolling();
      }
    };
  }
}
