package dev.loupe.storage;

import java.net.URI;
import java.util.Locale;

/** A bucket and a decoded key, parsed from {@code s3://bucket/key}. */
record S3Location(String bucket, String key) {

  static S3Location parse(URI uri) {
    if (uri.getScheme() == null
        || !uri.getScheme().toLowerCase(Locale.ROOT).equals("s3")
        || uri.isOpaque()
        || uri.getAuthority() == null
        || uri.getAuthority().isEmpty()
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw new IllegalArgumentException("not an S3 URI (s3://bucket/key): " + uri);
    }
    String path = uri.getPath();
    return new S3Location(uri.getAuthority(), path.isEmpty() ? "" : path.substring(1));
  }

  /** Parses the URI of a single object: its key must not be empty or end with '/'. */
  static S3Location parseBlob(URI uri) {
    S3Location location = parse(uri);
    if (location.key().isEmpty() || location.key().endsWith("/")) {
      throw new IllegalArgumentException("not a blob but a prefix: " + uri);
    }
    return location;
  }

  S3Location withKey(String otherKey) {
    return new S3Location(bucket, otherKey);
  }

  URI toUri() {
    return Locations.uri("s3", bucket, "/" + key);
  }
}
