package dev.loupe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

  @Test
  void missingRegionMeansTheDefaultRegion() {
    assertThat(new S3Settings(null, null, false).region()).isEqualTo("us-east-1");
  }

  @Test
  void compatibleServerUsesPathStyle() {
    S3Settings settings = S3Settings.compatible(URI.create("http://127.0.0.1:9000"));

    assertThat(settings.pathStyle()).isTrue();
    assertThat(settings.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
  }

  @Test
  void endpointMustBeAnHttpUrlWithAHost() {
    for (String endpoint : new String[] {"s3://bucket", "127.0.0.1:9000", "http:///x", "ftp://h"}) {
      assertThatThrownBy(() -> new S3Settings(URI.create(endpoint), null, true))
          .as(endpoint)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(endpoint);
    }
  }

  @Test
  void blankOrPaddedRegionIsRejected() {
    assertThatThrownBy(() -> new S3Settings(null, " ", false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new S3Settings(null, "eu-west-1 ", false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
