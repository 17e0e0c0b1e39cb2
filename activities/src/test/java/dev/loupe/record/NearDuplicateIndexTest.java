package dev.loupe.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.image.PerceptualHash;
import dev.loupe.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NearDuplicateIndexTest {
  @TempDir Path out;

  private final NearDuplicateIndex index = new NearDuplicateIndex(new LocalBlobStore());

  @Test
  void findsEveryHashWithinTheDistanceAndNoneBeyond() throws IOException {
    String output = out.toUri().toString();
    Random random = new Random(7);
    long base = random.nextLong();
    index.add(output, sha('a'), new PerceptualHash(base), 4);
    for (int trial = 0; trial < 200; trial++) {
      int flips = trial % 9;
      long probe = flipBits(base, flips, random);
      var match = index.find(output, sha('b'), new PerceptualHash(probe), 4);
      if (flips <= 4) {
        assertThat(match)
            .as("%d bits away", flips)
            .hasValueSatisfying(
                m -> {
                  assertThat(m.sha256()).isEqualTo(sha('a'));
                  assertThat(m.distance()).isEqualTo(flips);
                });
      } else {
        assertThat(match).as("%d bits away", flips).isEmpty();
      }
    }
  }

  @Test
  void anImageIsNotItsOwnNearDuplicate() throws IOException {
    String output = out.toUri().toString();
    index.add(output, sha('a'), new PerceptualHash(42), 4);
    assertThat(index.find(output, sha('a'), new PerceptualHash(42), 4)).isEmpty();
  }

  private static long flipBits(long value, int count, Random random) {
    long result = value;
    Set<Integer> flipped = new HashSet<>();
    while (flipped.size() < count) {
      int bit = random.nextInt(64);
      if (flipped.add(bit)) {
        result ^= 1L << bit;
      }
    }
    return result;
  }

  private static String sha(char c) {
    return String.valueOf(c).repeat(64);
  }
}
