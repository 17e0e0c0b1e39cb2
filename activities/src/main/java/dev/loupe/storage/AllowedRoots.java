package dev.loupe.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a worker may read sources and write outputs: local directories and {@code
 * s3://bucket/prefix} prefixes, from the worker configuration ({@code inputRoots}, {@code
 * outputRoots}). Every location a dataset names (its source, its output, each manifest entry and
 * each listed item) is checked here before it is read or written.
 *
 * <p>Local locations are compared by their real path, with every symbolic link resolved, so a link
 * inside a root cannot lead out of it. An S3 location is inside a root when it is in the root's
 * bucket under its prefix; keys with {@code .} or {@code ..} segments are refused, since some HTTP
 * layers normalize them away.
 */
public final class AllowedRoots {
  private final List<Root> inputs;
  private final List<Root> outputs;

  private AllowedRoots(List<Root> inputs, List<Root> outputs) {
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
  }

  /**
   * @param inputs locations as people type them (paths relative to the working directory, {@code
   *     file://} or {@code s3://} URIs) under which sources may be read
   * @param outputs the same, for outputs
   * @throws IllegalArgumentException for a location {@link Locations#of} does not take
   */
  public static AllowedRoots of(List<String> inputs, List<String> outputs) {
    return new AllowedRoots(roots(inputs), roots(outputs));
  }

  /**
   * Checks a location to be read.
   *
   * @param field what the location is, for the message: {@code source}, {@code manifest entry}, …
   * @return the location to read: for a local one its real path, so that a link swapped after this
   *     check is not followed
   * @throws RefusedBlobException {@link RefusedBlobException#OUTSIDE_ROOTS}
   */
  public URI requireInput(String field, URI location) throws RefusedBlobException {
    return require(field, location, "input", inputs);
  }

  /** Checks a location to be written under; see {@link #requireInput}. */
  public URI requireOutput(String field, URI location) throws RefusedBlobException {
    return require(field, location, "output", outputs);
  }

  /** The input roots, as URIs, for messages. */
  public List<String> inputs() {
    return inputs.stream().map(Root::display).toList();
  }

  /** The output roots, as URIs, for messages. */
  public List<String> outputs() {
    return outputs.stream().map(Root::display).toList();
  }

  @Override
  public String toString() {
    return "AllowedRoots[inputs=" + inputs() + ", outputs=" + outputs() + "]";
  }

  private static URI require(String field, URI location, String kind, List<Root> roots)
      throws RefusedBlobException {
    String scheme =
        location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
    URI resolved =
        switch (scheme) {
          case "file" -> realLocation(location);
          case "s3" -> plainS3Location(location);
          default -> null;
        };
    if (resolved != null) {
      for (Root root : roots) {
        if (root.contains(resolved)) {
          return resolved;
        }
      }
    }
    throw RefusedBlobException.outsideRoots(
        field, location, kind, roots.stream().map(Root::display).toList());
  }

  private static List<Root> roots(List<String> locations) {
    List<Root> roots = new ArrayList<>();
    for (String location : locations) {
      URI uri = Locations.asDirectory(Locations.of(location));
      if ("s3".equals(uri.getScheme())) {
        roots.add(new S3Root(S3Location.parse(uri)));
      } else {
        URI real = realLocation(uri);
        roots.add(new FileRoot(Path.of(real == null ? uri : real)));
      }
    }
    return roots;
  }

  /**
   * The real path of a local location: its deepest existing ancestor with every link resolved, then
   * the names below it that do not exist yet (an output directory not yet created). Null for a
   * location that cannot be resolved at all.
   */
  private static URI realLocation(URI location) {
    Path path;
    try {
      path = Path.of(location).normalize();
    } catch (IllegalArgumentException notAFileUri) {
      return null;
    }
    Path existing = path;
    List<Path> missing = new ArrayList<>();
    while (existing != null) {
      try {
        Path real = existing.toRealPath();
        for (int i = missing.size() - 1; i >= 0; i--) {
          real = real.resolve(missing.get(i));
        }
        URI uri = Locations.file(real);
        return location.getPath().endsWith("/") ? Locations.asDirectory(uri) : uri;
      } catch (NoSuchFileException notYet) {
        if (Files.isSymbolicLink(existing)) {
          return null; // a dangling link: where it would lead is not known
        }
        if (existing.getFileName() != null) {
          missing.add(existing.getFileName());
        }
        existing = existing.getParent();
      } catch (IOException unreadable) {
        return null;
      }
    }
    return null;
  }

  /** The location when it is a well-formed S3 URI without '.' or '..' key segments, else null. */
  private static URI plainS3Location(URI location) {
    try {
      S3Location.parse(location);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
    for (String segment : location.getPath().split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return null;
      }
    }
    return location;
  }

  private sealed interface Root permits FileRoot, S3Root {
    boolean contains(URI location);

    String display();
  }

  private record FileRoot(Path directory) implements Root {
    @Override
    public boolean contains(URI location) {
      return "file".equals(location.getScheme()) && Path.of(location).startsWith(directory);
    }

    @Override
    public String display() {
      return Locations.asDirectory(Locations.file(directory)).toString();
    }
  }

  private record S3Root(S3Location prefix) implements Root {
    @Override
    public boolean contains(URI location) {
      if (!"s3".equals(location.getScheme())) {
        return false;
      }
      S3Location candidate = S3Location.parse(location);
      String key = candidate.key();
      String rootKey = prefix.key();
      return candidate.bucket().equals(prefix.bucket())
          && (key.startsWith(rootKey) || (key + "/").equals(rootKey));
    }

    @Override
    public String display() {
      return prefix.toUri().toString();
    }
  }
}
