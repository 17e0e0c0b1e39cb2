package dev.loupe.image;

import java.util.concurrent.Semaphore;

/**
 * Bounds the memory that full-size decodes hold at once in one worker. Each decode asks for what
 * its pixels will take (the decoded raster and one converted copy, {@value #BYTES_PER_PIXEL} bytes
 * a pixel) and waits until that much of the budget is free; a decode larger than the whole budget
 * waits until it runs alone. So many large images arriving together queue instead of exhausting the
 * heap, while small ones run side by side.
 */
public final class DecodeBudget {
  /** A decoded ARGB raster plus the RGB or scaled copy made from it. */
  static final int BYTES_PER_PIXEL = 8;

  private static final long UNIT_BYTES = 1024;

  private final Semaphore units;
  private final int capacity;

  /**
   * @param bytes how much memory decodes may hold together
   */
  public DecodeBudget(long bytes) {
    if (bytes < UNIT_BYTES) {
      throw new IllegalArgumentException("a decode budget needs at least 1 KiB: " + bytes);
    }
    this.capacity = (int) Math.min(Integer.MAX_VALUE, bytes / UNIT_BYTES);
    this.units = new Semaphore(capacity, true);
  }

  /** Half the heap this JVM may grow to: the rest is for everything else a worker holds. */
  public static DecodeBudget halfOfHeap() {
    return new DecodeBudget(Runtime.getRuntime().maxMemory() / 2);
  }

  /** The budget in bytes. */
  public long bytes() {
    return capacity * UNIT_BYTES;
  }

  /**
   * Waits until a decode of {@code pixels} fits, and takes its share until the permit is closed.
   */
  public Permit acquire(long pixels) {
    long wanted = Math.max(1, (pixels * BYTES_PER_PIXEL + UNIT_BYTES - 1) / UNIT_BYTES);
    int taken = (int) Math.min(capacity, wanted);
    units.acquireUninterruptibly(taken);
    return new Permit(this, taken);
  }

  /** What decodes hold now, in bytes; for tests and metrics. */
  public long bytesInUse() {
    return (capacity - (long) units.availablePermits()) * UNIT_BYTES;
  }

  /** A decode's share of the budget, given back on close. */
  public static final class Permit implements AutoCloseable {
    private final DecodeBudget budget;
    private final int units;
    private boolean closed;

    private Permit(DecodeBudget budget, int units) {
      this.budget = budget;
      this.units = units;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        budget.units.release(units);
      }
    }
  }
}
