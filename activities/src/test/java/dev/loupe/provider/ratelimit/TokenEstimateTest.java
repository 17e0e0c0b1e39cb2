package dev.loupe.provider.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.PreparedImage;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {

  @Test
  void promptAtFourCharactersATokenPlusTheOutputCap() {
    ModelRequest request = new ModelRequest("m", "12345678", "123456789", null, null, 100);

    assertThat(TokenEstimate.of(request)).isEqualTo(5 + 100);
  }

  @Test
  void imageCostsItsAreaOver750CappedAt1600() {
    PreparedImage small = new PreparedImage(new byte[1], "image/png", 300, 250);
    PreparedImage large = new PreparedImage(new byte[1], "image/png", 2048, 1536);

    assertThat(TokenEstimate.of(new ModelRequest("m", null, "", small, null, 1)))
        .isEqualTo(100 + 1);
    assertThat(TokenEstimate.of(new ModelRequest("m", null, "", large, null, 1)))
        .isEqualTo(1600 + 1);
  }
}
