package dev.loupe.captioner;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A polling switch that records what the supervisor asked of it, in order. */
final class RecordingSwitch implements PollingSwitch {
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void suspend() {
    events.add("suspend");
  }

  @Override
  public void resume() {
    events.add("resume");
  }

  long count(String event) {
    return events.stream().filter(event::equals).count();
  }

  /** Waits until {@code event} happened {@code times} times. */
  void await(String event, int times, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(event) < times) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "expected " + times + " × " + event + " within " + timeout + ", got " + events);
      }
      Thread.sleep(20);
    }
  }

  String last() {
    return events.isEmpty() ? "" : events.get(events.size() - 1);
  }
}
