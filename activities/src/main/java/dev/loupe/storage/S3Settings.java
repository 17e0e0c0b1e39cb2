package dev.loupe.storage;

import java.net.URI;
import java.util.Locale;

/**
 * How to reach S3. Credentials are not settings: they come from the AWS SDK's default chain ({@code
 * AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profiles, instance roles).
 *
 * @param endpoint an S3-compatible server to use instead of AWS (MinIO: {@code
 *     http://127.0.0.1:9000}), or null for AWS
 * @param region the signing region; null means {@value #DEFAULT_REGION}
 * @param pathStyle address buckets as {@code endpoint/bucket/key} instead of {@code
 *     bucket.endpoint/key}, as most S3-compatible servers need
 */
public record S3Settings(URI endpoint, String region, boolean pathStyle) {
  public static final String DEFAULT_REGION = "us-east-1";

  public S3Settings {
    if (endpoint != null) {
      String scheme =
          endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "S3 endpoint must be an http:// or https:// URL with a host: " + endpoint);
      }
      if (endpoint.getQuery() != null || endpoint.getFragment() != null) {
        throw new IllegalArgumentException(
            "S3 endpoint must not have a query or fragment: " + endpoint);
      }
    }
    if (region == null) {
      region = DEFAULT_REGION;
    } else if (region.isBlank() || !region.equals(region.strip())) {
      throw new IllegalArgumentException("S3 region must not be blank or padded: '" + region + "'");
    }
  }

  /** AWS itself, in the default region, with virtual-hosted buckets. */
  public static S3Settings aws() {
    return new S3Settings(null, DEFAULT_REGION, false);
  }

  /** An S3-compatible server such as MinIO, with path-style buckets. */
  public static S3Settings compatible(URI endpoint) {
    return new S3Settings(endpoint, DEFAULT_REGION, true);
  }
}
