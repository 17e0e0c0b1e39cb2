package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.image.ContentHash;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptionInstructionsTest {
  private static String sha(int i) {
    return ContentHash.sha256Hex(("image " + i).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSameImageAlwaysGetsTheSameWording() {
    for (int i = 0; i < 50; i++) {
      assertThat(CaptionInstructions.forImage(sha(i), "A red kite over a beach."))
          .isEqualTo(CaptionInstructions.forImage(sha(i), "A red kite over a beach."));
    }
  }

  @Test
  void imagesAreSpreadOverEveryWording() {
    Set<String> english = new HashSet<>();
    Set<String> chinese = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      english.add(CaptionInstructions.forImage(sha(i), "A red kite over a beach."));
      chinese.add(CaptionInstructions.forImage(sha(i), "海滩上空有一只红色的风筝。"));
    }
    assertThat(english).containsExactlyInAnyOrderElementsOf(CaptionInstructions.ENGLISH);
    assertThat(chinese).containsExactlyInAnyOrderElementsOf(CaptionInstructions.CHINESE);
  }

  @Test
  void theCaptionsLanguageChoosesTheList() {
    assertThat(CaptionInstructions.forImage(sha(1), "收据上写着：合计 42.00 元，日期 2024 年 3 月。"))
        .isIn(CaptionInstructions.CHINESE);
    // A few Chinese characters quoted in an English caption keep it English.
    assertThat(
            CaptionInstructions.forImage(
                sha(1), "A shop sign that reads 北京 above a door, with bicycles parked below it."))
        .isIn(CaptionInstructions.ENGLISH);
    assertThat(CaptionInstructions.forImage(sha(1), "12 345")).isIn(CaptionInstructions.ENGLISH);
  }
}
