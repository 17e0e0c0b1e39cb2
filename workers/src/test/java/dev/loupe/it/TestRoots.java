package dev.loupe.it;

import dev.loupe.config.LoupeConfig;
import java.util.List;

/**
 * The roots of workers that integration tests run in their own JVM: the tests keep images and
 * outputs in JUnit temporary directories, under the system temporary directory, which is outside
 * the working directory that workers allow by default.
 */
final class TestRoots {
  private TestRoots() {}

  /** The configuration with the system temporary directory as one more input and output root. */
  static LoupeConfig withTemporaryDirectory(LoupeConfig config) {
    String temporary = System.getProperty("java.io.tmpdir");
    return config.withMoreRoots(List.of(temporary), List.of(temporary));
  }
}
