package dev.loupe.activity;

import java.util.concurrent.Semaphore;

/**
 * The hosted model server's batch: at most {@code slots} captions at the server at once, the rest
 * of a worker's caption activities waiting here, first come first served. A worker runs more
 * caption activities than the server batches so that when one caption ends the next is already
 * here, its task fetched and its image prepared, instead of a round trip to Temporal away; the
 * server stays as full as a client that always has {@code slots} requests out.
 */
public final class EngineSlots {
  private final Semaphore slots;
  private final int size;

  public EngineSlots(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("engine slots must be positive: " + slots);
    }
    this.slots = new Semaphore(slots, true);
    this.size = slots;
  }

  /** Waits for a free slot; the caller must {@link #release} it. */
  void acquire() throws InterruptedException {
    slots.acquire();
  }

  void release() {
    slots.release();
  }

  /** Captions at the server now. */
  public int inUse() {
    return size - slots.availablePermits();
  }

  public int size() {
    return size;
  }
}
