package dev.loupe.captioner;

import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@link FakeOpenAiServer#main} with one more argument: every answer comes after that many
 * milliseconds, as a GPU's would, so that a test can kill the server while captions are in flight.
 */
public final class DelayedFakeModel {
  private DelayedFakeModel() {}

  public static void main(String[] args) throws Exception {
    FakeOpenAiServer fake = FakeOpenAiServer.start(Integer.parseInt(args[0]), null);
    Duration delay = Duration.ofMillis(Long.parseLong(args[1]));
    fake.setRule(request -> Optional.of(FakeReply.delay(delay)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  fake.close();
                  stopped.countDown();
                }));
    System.out.println("FAKE_OPENAI_BASE_URL=" + fake.baseUrl());
    System.out.flush();
    stopped.await();
  }
}
