package dev.loupe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowedRootsTest {
  @TempDir Path directory;

  private AllowedRoots localRoots() throws IOException {
    Path in = Files.createDirectories(directory.resolve("in"));
    Path out = Files.createDirectories(directory.resolve("out"));
    return AllowedRoots.of(List.of(in.toString()), List.of(out.toString()));
  }

  @Test
  void locationsUnderARootPassAndOthersAreRefusedNamingFieldAndRoots() throws Exception {
    AllowedRoots roots = localRoots();
    URI inside = Locations.file(directory.resolve("in/a/cat.jpg"));

    assertThat(roots.requireInput("image", inside)).isEqualTo(realFile("in/a/cat.jpg"));
    assertThatThrownBy(() -> roots.requireInput("source", Locations.of("/home/")))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageContaining("source file:///home/ is outside the input roots [file://")
        .hasMessageContaining("in/]")
        .hasMessageContaining("inputRoots")
        .extracting(e -> ((RefusedBlobException) e).reason())
        .isEqualTo(RefusedBlobException.OUTSIDE_ROOTS);
    assertThatThrownBy(() -> roots.requireOutput("output", Locations.of("/var/www/x/")))
        .hasMessageContaining("output file:///var/www/x/ is outside the output roots");
  }

  @Test
  void inputAndOutputRootsAreSeparate() throws Exception {
    AllowedRoots roots = localRoots();
    URI underOut = Locations.file(directory.resolve("out/run/"));

    assertThat(roots.requireOutput("output", underOut)).isNotNull();
    assertThatThrownBy(() -> roots.requireInput("source", underOut))
        .isInstanceOf(RefusedBlobException.class);
  }

  @Test
  void aSiblingWhoseNameStartsLikeTheRootIsOutside() throws Exception {
    AllowedRoots roots = localRoots();
    Files.createDirectories(directory.resolve("in-other"));

    assertThatThrownBy(
            () -> roots.requireInput("source", Locations.file(directory.resolve("in-other"))))
        .isInstanceOf(RefusedBlobException.class);
  }

  @Test
  void aSymbolicLinkOutOfARootIsRefusedAndOneWithinItIsFollowed() throws Exception {
    AllowedRoots roots = localRoots();
    Path secret = Files.writeString(directory.resolve("secret.jpg"), "s");
    Path inside = Files.writeString(directory.resolve("in/real.jpg"), "r");
    Files.createSymbolicLink(directory.resolve("in/escape.jpg"), secret);
    Files.createSymbolicLink(directory.resolve("in/alias.jpg"), inside);
    Files.createSymbolicLink(directory.resolve("in/up"), directory);

    assertThatThrownBy(
            () -> roots.requireInput("image", Locations.file(directory.resolve("in/escape.jpg"))))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageContaining("symbolic links are resolved");
    assertThatThrownBy(
            () ->
                roots.requireInput("image", Locations.file(directory.resolve("in/up/secret.jpg"))))
        .isInstanceOf(RefusedBlobException.class);
    assertThat(roots.requireInput("image", Locations.file(directory.resolve("in/alias.jpg"))))
        .isEqualTo(realFile("in/real.jpg"));
  }

  @Test
  void anOutputThatDoesNotExistYetIsCheckedByItsExistingAncestor() throws Exception {
    AllowedRoots roots = localRoots();
    Files.createSymbolicLink(directory.resolve("out/link"), Path.of("/tmp"));

    assertThat(roots.requireOutput("output", Locations.file(directory.resolve("out/new/run/"))))
        .isNotNull();
    assertThatThrownBy(
            () -> roots.requireOutput("output", Locations.file(directory.resolve("out/link/x/"))))
        .isInstanceOf(RefusedBlobException.class);
  }

  @Test
  void s3LocationsMustBeInTheRootsBucketUnderItsPrefix() throws Exception {
    AllowedRoots roots = AllowedRoots.of(List.of("s3://data/images"), List.of("s3://out"));

    assertThat(roots.requireInput("source", URI.create("s3://data/images/"))).isNotNull();
    assertThat(roots.requireInput("source", URI.create("s3://data/images"))).isNotNull();
    assertThat(roots.requireInput("image", URI.create("s3://data/images/a/b.jpg"))).isNotNull();
    assertThat(roots.requireOutput("output", URI.create("s3://out/any/run/"))).isNotNull();
    for (String refused :
        List.of(
            "s3://data/images-private/a.jpg",
            "s3://data/other/a.jpg",
            "s3://other/images/a.jpg",
            "s3://data/images/../secret/a.jpg",
            "file:///data/images/a.jpg")) {
      assertThatThrownBy(() -> roots.requireInput("image", URI.create(refused)))
          .as(refused)
          .isInstanceOf(RefusedBlobException.class)
          .hasMessageContaining("[s3://data/images/]");
    }
  }

  @Test
  void theRootsAreListedForMessages() throws Exception {
    AllowedRoots roots = AllowedRoots.of(List.of("s3://extra", "/srv/in"), List.of("/srv/out/"));

    assertThat(roots.inputs()).containsExactly("s3://extra/", "file:///srv/in/");
    assertThat(roots.outputs()).containsExactly("file:///srv/out/");
  }

  private URI realFile(String relative) throws IOException {
    Path real = directory.toRealPath().resolve(relative);
    return Locations.file(real);
  }
}
