package dev.loupe.workflow;

import io.temporal.workflow.Workflow;

/**
 * Worker-set knobs that decide what a workflow does next (when it continues as new, how many
 * activities run at once, how often it heartbeats) are fixed for the life of a run: the first run
 * records the values of the worker that started it in a side-effect marker, and later runs get them
 * in their continue-as-new input. A worker with other values, or a build with other defaults,
 * replays and continues the run with the values it started with (docs/versioning.md).
 */
final class RunKnobs {
  private RunKnobs() {}

  /**
   * The run's values of a knob.
   *
   * @param changeId the version marker that says the run records this knob; runs started before it
   *     existed have none and keep reading the worker's values, as they did
   * @param carried the values carried over continue-as-new, or null in a first run
   * @param worker this worker's values
   */
  static <T> T fixed(String changeId, Class<T> type, T carried, T worker) {
    if (carried != null) {
      return carried;
    }
    if (Workflow.getVersion(changeId, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return worker;
    }
    return Workflow.sideEffect(type, () -> worker);
  }
}
