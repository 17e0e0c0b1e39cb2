package dev.loupe.bench;

/** Placeholder, filled in below. */
final class PeerBench {
  private final Bench bench;

  PeerBench(Bench bench) {
    this.bench = bench;
  }

  void run() {
    throw new UnsupportedOperationException(bench.toString());
  }
}
