package dev.loupe.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the locations people type (a path, {@code file://…}, {@code s3://bucket/prefix}) into the
 * normalized URIs that {@link BlobStore}s take: {@code file:///absolute/path} or {@code
 * s3://bucket/key}, always in ASCII form (other characters percent-encoded), so two spellings of
 * one place compare equal.
 */
public final class Locations {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):(//)?");

  private Locations() {}

  /**
   * Normalizes a user-given location. A plain path (absolute, or relative to the working directory)
   * becomes a {@code file://} URI; {@code file://} and {@code s3://} locations are kept. A location
   * that is a valid URI keeps its percent-escapes; one that is not (a space, say) is taken
   * literally. A trailing '/' is kept; see {@link #asDirectory(URI)} to add one.
   *
   * @throws IllegalArgumentException for a blank location, an {@code s3://} location without a
   *     bucket, a {@code file://} location on another host, or any other scheme
   */
  public static URI of(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("location must not be blank");
    }
    String trimmed = location.strip();
    var scheme = SCHEME.matcher(trimmed);
    String name = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
    if (name.equals("file")) {
      return ofFileUri(trimmed);
    }
    if (name.equals("s3")) {
      return ofS3Uri(trimmed);
    }
    if (!name.isEmpty() && scheme.group(2) != null) {
      throw new IllegalArgumentException(
          "unsupported location '"
              + location
              + "': use a directory path, a file:// URI or an s3://bucket/prefix URI");
    }
    // A path, possibly with a ':' in a file name ("shots:2024/").
    return file(pathString(Path.of(trimmed), trimmed.endsWith("/")));
  }

  /** The same location as a directory (or S3 prefix): its path ends with exactly one '/'. */
  public static URI asDirectory(URI location) {
    String path = pathOf(location);
    return path.endsWith("/")
        ? location
        : uri(location.getScheme(), authorityOf(location), path + "/");
  }

  /**
   * Appends a relative, '/'-separated name to a directory location: {@code resolve(s3://b/run/,
   * "a/b.json")} is {@code s3://b/run/a/b.json}. The name is taken literally (a space stays a space
   * in the key) and must not be absolute, empty, or contain {@code .}, {@code ..} or empty
   * segments, so the result always lies under {@code directory}; a trailing '/' names a
   * subdirectory.
   */
  public static URI resolve(URI directory, String relativeName) {
    if (relativeName == null || relativeName.isEmpty() || relativeName.startsWith("/")) {
      throw new IllegalArgumentException(
          "not a relative name: '" + relativeName + "' (to resolve against " + directory + ")");
    }
    String name =
        relativeName.endsWith("/")
            ? relativeName.substring(0, relativeName.length() - 1)
            : relativeName;
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "relative name '" + relativeName + "' has an empty, '.' or '..' segment");
      }
    }
    URI base = asDirectory(directory);
    return uri(base.getScheme(), authorityOf(base), pathOf(base) + relativeName);
  }

  /** The {@code file://} URI of a local path (made absolute and normalized). */
  public static URI file(Path path) {
    return file(pathString(path, false));
  }

  /** The {@code file://} URI of an absolute, '/'-separated path string. */
  static URI file(String absolutePath) {
    return uri("file", "", absolutePath);
  }

  /** Builds a URI from decoded parts, quoting what needs quoting, in ASCII form. */
  static URI uri(String scheme, String authority, String decodedPath) {
    try {
      return URI.create(new URI(scheme, authority, decodedPath, null, null).toASCIIString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "cannot build a " + scheme + " URI for '" + decodedPath + "': " + e.getMessage(), e);
    }
  }

  private static URI ofFileUri(String location) {
    URI parsed = parseLeniently(location, "file");
    String authority = parsed.getAuthority();
    if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
      throw new IllegalArgumentException(
          "file location '" + location + "' names host '" + authority + "': only local files");
    }
    String path = parsed.getPath();
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("file location '" + location + "' is not absolute");
    }
    return file(pathString(Path.of(path), path.endsWith("/")));
  }

  private static URI ofS3Uri(String location) {
    URI parsed = parseLeniently(location, "s3");
    String bucket = parsed.getAuthority();
    if (bucket == null || bucket.isEmpty() || parsed.getPath() == null) {
      throw new IllegalArgumentException(
          "S3 location '" + location + "' has no bucket: use s3://bucket/prefix");
    }
    if (parsed.getQuery() != null || parsed.getFragment() != null) {
      throw new IllegalArgumentException(
          "S3 location '" + location + "' has a query or fragment; S3 keys are plain paths");
    }
    return uri("s3", bucket, parsed.getPath());
  }

  /**
   * Parses {@code scheme://authority/path}: as a URI when it is one (keeping its escapes), else
   * literally, as a person typed it.
   */
  private static URI parseLeniently(String location, String scheme) {
    try {
      URI parsed = new URI(location);
      if (!parsed.isOpaque()) {
        return parsed;
      }
    } catch (URISyntaxException e) {
      // Not a valid URI (a space, say): take the rest literally, below.
    }
    String rest = location.substring(location.indexOf(':') + 1);
    if (!rest.startsWith("//")) {
      throw new IllegalArgumentException(
          "location '" + location + "' is not of the form " + scheme + "://…");
    }
    int slash = rest.indexOf('/', 2);
    String authority = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    try {
      return new URI(scheme, authority, path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("location '" + location + "': " + e.getMessage(), e);
    }
  }

  private static String pathString(Path path, boolean directory) {
    String absolute = path.toAbsolutePath().normalize().toString();
    return directory && !absolute.endsWith("/") ? absolute + "/" : absolute;
  }

  private static String pathOf(URI location) {
    if (location.getScheme() == null || location.isOpaque() || location.getPath() == null) {
      throw new IllegalArgumentException("not a file:// or s3:// location: " + location);
    }
    return location.getPath();
  }

  private static String authorityOf(URI location) {
    return location.getAuthority() == null ? "" : location.getAuthority();
  }
}
