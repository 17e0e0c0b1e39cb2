package dev.loupe.storage;

import software.amazon.awssdk.services.s3.S3Client;

/** S3 stores with test-only settings, for tests outside this package. */
public final class S3BlobStoreForTests {
  private S3BlobStoreForTests() {}

  /** Uploads files past 5 MiB (S3's smallest part) in parts, so small tests reach multipart. */
  public static BlobStore withSmallestParts(S3Client s3) {
    return new S3BlobStore(s3, S3BlobStore.MAX_KEYS_PER_REQUEST, S3BlobStore.MIN_PART_BYTES);
  }
}
