package dev.loupe.storage;

import java.net.URI;
import java.util.UUID;

/** The fake keeps the contract, so tests that use it mean what they say. */
class InMemoryBlobStoreTest extends BlobStoreContract {
  private final InMemoryBlobStore store = new InMemoryBlobStore();

  @Override
  protected BlobStore store() {
    return store;
  }

  @Override
  protected URI newRoot() {
    return URI.create("s3://fake-bucket/" + UUID.randomUUID() + "/");
  }
}
