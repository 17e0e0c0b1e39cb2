package dev.loupe.contract;

import io.temporal.common.Priority;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How datasets running at the same time share the worker pools: every task a dataset causes (its
 * own workflow tasks, its image workflows and their activities, its batch lane and its export)
 * carries the dataset's workflow ID as Temporal's fairness key and the request's {@code weight} as
 * the fairness weight, so a server with task-queue fairness (Temporal 1.31+ with {@code
 * matching.enableFairness}) dispatches each dataset's backlog in proportion to its weight instead
 * of first come, first served. Children and activities inherit the priority of the workflow that
 * starts them; the dataset sets it on its children itself, so a dataset started from the Temporal
 * UI, which sets no priority, shares fairly too. A server without fairness ignores it.
 */
public final class DatasetFairness {
  /** Temporal's limit on a fairness key. */
  static final int MAX_KEY_BYTES = 64;

  private DatasetFairness() {}

  /** The priority of every task of the dataset {@code datasetId} with this request's weight. */
  public static Priority of(String datasetId, DatasetRequest request) {
    return Priority.newBuilder()
        .setFairnessKey(key(datasetId))
        .setFairnessWeight((float) request.weightOrDefault())
        .build();
  }

  /**
   * The dataset's workflow ID when it fits in 64 bytes; else its first 40 characters, {@code ~} and
   * 16 hex digits of its SHA-256, so long IDs that share a prefix stay apart.
   */
  public static String key(String datasetId) {
    byte[] bytes = datasetId.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_KEY_BYTES) {
      return datasetId;
    }
    String prefix =
        datasetId
            .codePoints()
            .limit(40)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    while (prefix.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES - 17) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "~" + HexFormat.of().formatHex(sha256(bytes), 0, 8);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
