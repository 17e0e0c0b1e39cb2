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
  API,
  /** {@code loupe-captioner}: a GPU host's captioner model, hosted by this worker. */
  CAPTIONER;

  private static final String NAMES = "workflows, cpu, api, captioner or all";

  /**
   * Parses {@code --pool} values; {@code all} means every pool, the captioner only on a host that
   * has a captioner model configured.
   *
   * @throws IllegalArgumentException naming the unknown pool
   */
  public static Set<Pool> parse(List<String> names, boolean captionerConfigured) {
    Set<Pool> pools = EnumSet.noneOf(Pool.class);
    for (String name : names) {
      for (String part : name.split(",")) {
        String normalized = part.strip().toLowerCase(Locale.ROOT);
        if (normalized.equals("all")) {
          pools.addAll(EnumSet.of(WORKFLOWS, CPU, API));
          if (captionerConfigured) {
            pools.add(CAPTIONER);
          }
          continue;
        }
        try {
          pools.add(Pool.valueOf(normalized.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
          throw new IllegalArgumentException("unknown pool '" + part + "': use " + NAMES);
        }
      }
    }
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("give at least one --pool (" + NAMES + ")");
    }
    return pools;
  }

  /** Parses {@code --pool} values on a host without a captioner model. */
  public static Set<Pool> parse(List<String> names) {
    return parse(names, false);
  }

  /** The name used on the command line and in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
