package dev.loupe.worker;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A worker pool: which task queues a worker process polls. */
public enum Pool {
  /** {@code loupe-workflows}: DatasetWorkflow and ImageWorkflow tasks. */
  WORKFLOWS,
  /** {@code loupe-cpu}: planning, listing, probing, persisting, export. */
  CPU,
  /** {@code loupe-api-<endpoint>}: one queue per configured endpoint. */
  API;

  /**
   * Parses {@code --pool} values; {@code all} means every pool.
   *
   * @throws IllegalArgumentException naming the unknown pool
   */
  public static Set<Pool> parse(List<String> names) {
    Set<Pool> pools = EnumSet.noneOf(Pool.class);
    for (String name : names) {
      for (String part : name.split(",")) {
        String normalized = part.strip().toLowerCase(Locale.ROOT);
        if (normalized.equals("all")) {
          pools.addAll(EnumSet.allOf(Pool.class));
          continue;
        }
        try {
          pools.add(Pool.valueOf(normalized.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
          throw new IllegalArgumentException(
              "unknown pool '" + part + "': use workflows, cpu, api or all");
        }
      }
    }
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("give at least one --pool (workflows, cpu, api or all)");
    }
    return pools;
  }
}
