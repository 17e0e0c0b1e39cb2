package dev.loupe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocationsTest {

  @Test
  void absolutePathBecomesAFileUri() {
    assertThat(Locations.of("/data/images")).isEqualTo(URI.create("file:///data/images"));
  }

  @Test
  void relativePathIsResolvedAgainstTheWorkingDirectory() {
    String workingDirectory = Path.of("").toAbsolutePath().toString();

    assertThat(Locations.of("images/").getPath()).isEqualTo(workingDirectory + "/images/");
  }

  @Test
  void pathIsNormalizedAndKeepsATrailingSlash() {
    assertThat(Locations.of("/data/./a/../b/")).isEqualTo(URI.create("file:///data/b/"));
  }

  @Test
  void pathWithSpacesIsTakenLiterallyAndEncoded() {
    URI location = Locations.of("/data/my images/");

    assertThat(location).isEqualTo(URI.create("file:///data/my%20images/"));
    assertThat(location.getPath()).isEqualTo("/data/my images/");
  }

  @Test
  void pathWithAColonInANameIsAPathNotAScheme() {
    assertThat(Locations.of("/shots:2024/a.jpg").getPath()).isEqualTo("/shots:2024/a.jpg");
    assertThat(Locations.of("shots:2024/").getScheme()).isEqualTo("file");
  }

  @Test
  void fileUriIsKeptAndItsEscapesDecoded() {
    assertThat(Locations.of("file:///data/x/")).isEqualTo(URI.create("file:///data/x/"));
    assertThat(Locations.of("file:///data/a%20b.jpg").getPath()).isEqualTo("/data/a b.jpg");
    assertThat(Locations.of("file:/data/x")).isEqualTo(URI.create("file:///data/x"));
    assertThat(Locations.of("file://localhost/data/x")).isEqualTo(URI.create("file:///data/x"));
  }

  @Test
  void fileUriThatIsNotAValidUriIsTakenLiterally() {
    assertThat(Locations.of("file:///data/my images/").getPath()).isEqualTo("/data/my images/");
  }

  @Test
  void fileUriOnAnotherHostIsRejected() {
    assertThatThrownBy(() -> Locations.of("file://server/share/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server");
  }

  @Test
  void s3UriIsKept() {
    assertThat(Locations.of("s3://bucket/images/a.jpg"))
        .isEqualTo(URI.create("s3://bucket/images/a.jpg"));
    assertThat(Locations.of("S3://bucket/images/")).isEqualTo(URI.create("s3://bucket/images/"));
    assertThat(Locations.of("s3://bucket")).isEqualTo(URI.create("s3://bucket"));
  }

  @Test
  void s3UriWithSpacesIsTakenLiterally() {
    URI location = Locations.of("s3://bucket/my images/é.jpg");

    assertThat(location.toString()).isEqualTo("s3://bucket/my%20images/%C3%A9.jpg");
    assertThat(location.getPath()).isEqualTo("/my images/é.jpg");
  }

  @Test
  void s3UriWithoutABucketIsRejected() {
    assertThatThrownBy(() -> Locations.of("s3:///images/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no bucket");
    assertThatThrownBy(() -> Locations.of("s3:bucket/images/"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otherSchemesAreRejectedNamingTheLocation() {
    assertThatThrownBy(() -> Locations.of("gs://bucket/images/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gs://bucket/images/");
    assertThatThrownBy(() -> Locations.of("https://example.com/a.jpg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://example.com/a.jpg");
  }

  @Test
  void blankLocationIsRejected() {
    assertThatThrownBy(() -> Locations.of("  ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void asDirectoryAddsOneTrailingSlash() {
    assertThat(Locations.asDirectory(URI.create("file:///data/x")))
        .isEqualTo(URI.create("file:///data/x/"));
    assertThat(Locations.asDirectory(URI.create("file:///data/x/")))
        .isEqualTo(URI.create("file:///data/x/"));
    assertThat(Locations.asDirectory(URI.create("s3://bucket/run-1")))
        .isEqualTo(URI.create("s3://bucket/run-1/"));
    assertThat(Locations.asDirectory(URI.create("s3://bucket")))
        .isEqualTo(URI.create("s3://bucket/"));
  }

  @Test
  void resolveAppendsARelativeNameToADirectory() {
    assertThat(Locations.resolve(URI.create("s3://bucket/run-1/"), "shards/samples.jsonl"))
        .isEqualTo(URI.create("s3://bucket/run-1/shards/samples.jsonl"));
    assertThat(Locations.resolve(URI.create("file:///out/run-1"), "stats.json"))
        .isEqualTo(URI.create("file:///out/run-1/stats.json"));
    assertThat(Locations.resolve(URI.create("s3://bucket"), "a.jpg"))
        .isEqualTo(URI.create("s3://bucket/a.jpg"));
    assertThat(Locations.resolve(URI.create("s3://bucket/run-1/"), "images/"))
        .isEqualTo(URI.create("s3://bucket/run-1/images/"));
  }

  @Test
  void resolveEncodesCharactersThatAreNotAllowedInUris() {
    URI resolved = Locations.resolve(URI.create("file:///out/"), "a b#c?d%e.jpg");

    assertThat(resolved.toString()).isEqualTo("file:///out/a%20b%23c%3Fd%25e.jpg");
    assertThat(resolved.getPath()).isEqualTo("/out/a b#c?d%e.jpg");
  }

  @Test
  void resolveRejectsNamesThatLeaveTheDirectory() {
    URI directory = URI.create("s3://bucket/run-1/");

    for (String name : new String[] {"/abs", "../up", "a/../../b", "a//b", "./a", "", "/", "a//"}) {
      assertThatThrownBy(() -> Locations.resolve(directory, name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void fileOfAPathIsAbsoluteAndNormalized() {
    assertThat(Locations.file(Path.of("/data/a/../b.jpg")))
        .isEqualTo(URI.create("file:///data/b.jpg"));
  }
}
