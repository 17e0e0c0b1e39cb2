package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DecodeBudgetTest {
  @Test
  void aDecodeThatDoesNotFitWaitsUntilAnotherEnds() throws Exception {
    // Room for two decodes of 1,000 × 1,000 pixels (8 MB each), not three.
    DecodeBudget budget = new DecodeBudget(17L * 1000 * 1000);
    DecodeBudget.Permit first = budget.acquire(1_000_000);
    DecodeBudget.Permit second = budget.acquire(1_000_000);
    CountDownLatch third = new CountDownLatch(1);
    Thread waiting =
        Thread.ofVirtual()
            .start(
                () -> {
                  budget.acquire(1_000_000).close();
                  third.countDown();
                });

    assertThat(third.await(200, TimeUnit.MILLISECONDS)).isFalse();
    first.close();
    assertThat(third.await(5, TimeUnit.SECONDS)).isTrue();
    second.close();
    waiting.join();
    assertThat(budget.bytesInUse()).isZero();
  }

  @Test
  void aDecodeLargerThanTheWholeBudgetRunsAloneInsteadOfNever() {
    DecodeBudget budget = new DecodeBudget(1024 * 1024);

    DecodeBudget.Permit huge = budget.acquire(100_000_000);
    assertThat(budget.bytesInUse()).isEqualTo(budget.bytes());
    huge.close();
    assertThat(budget.bytesInUse()).isZero();
  }

  @Test
  void closingAPermitTwiceGivesBackItsShareOnce() {
    DecodeBudget budget = new DecodeBudget(1024 * 1024);
    DecodeBudget.Permit permit = budget.acquire(1000);
    DecodeBudget.Permit other = budget.acquire(1000);
    permit.close();
    permit.close();

    assertThat(budget.bytesInUse()).isEqualTo(8 * 1024);
    other.close();
  }

  @Test
  void manyLargeImagesPreparedAtOnceStayWithinTheBudget() throws Exception {
    byte[] png = TestImages.png(TestScenes.photoScene(1200, 1000));
    long onePrepare = 1200L * 1000 * DecodeBudget.BYTES_PER_PIXEL;
    DecodeBudget budget = new DecodeBudget(2 * onePrepare + 1024);
    ImagePreparer preparer = new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS, budget);
    AtomicInteger peak = new AtomicInteger();
    List<Future<?>> prepares = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 16; i++) {
        prepares.add(
            pool.submit(
                () -> {
                  preparer.prepare(
                      png, new ProviderImageLimits(512, 1 << 20, Set.of("image/jpeg")));
                  return null;
                }));
      }
      while (prepares.stream().anyMatch(f -> !f.isDone())) {
        peak.accumulateAndGet((int) (budget.bytesInUse() / onePrepare), Math::max);
        Thread.onSpinWait();
      }
      for (Future<?> prepare : prepares) {
        prepare.get();
      }
    }

    assertThat(peak.get()).isBetween(1, 2);
    assertThat(budget.bytesInUse()).isZero();
  }

  @Test
  void aBudgetBelowOneKibibyteIsRefused() {
    assertThatThrownBy(() -> new DecodeBudget(10)).isInstanceOf(IllegalArgumentException.class);
  }
}
