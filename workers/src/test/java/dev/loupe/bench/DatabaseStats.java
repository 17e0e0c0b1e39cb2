package dev.loupe.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What PostgreSQL holds for the Temporal server at one moment ({@code scripts/temporal-postgres
 * stats}), or what changed between two moments ({@link #minus}).
 *
 * @param tables by {@code database.table}
 * @param walBytes the WAL position in bytes (cluster-wide): its difference is the WAL written
 */
public record DatabaseStats(Map<String, Table> tables, long walBytes) {

  /**
   * One table.
   *
   * @param inserted rows inserted ({@code pg_stat_user_tables.n_tup_ins})
   * @param updated rows updated ({@code n_tup_upd})
   * @param deleted rows deleted ({@code n_tup_del})
   * @param rows rows it holds ({@code count(*)})
   * @param bytes its size with indexes and TOAST ({@code pg_total_relation_size})
   */
  public record Table(long inserted, long updated, long deleted, long rows, long bytes) {
    Table minus(Table earlier) {
      return new Table(
          inserted - earlier.inserted,
          updated - earlier.updated,
          deleted - earlier.deleted,
          rows - earlier.rows,
          bytes - earlier.bytes);
    }

    Table plus(Table other) {
      return new Table(
          inserted + other.inserted,
          updated + other.updated,
          deleted + other.deleted,
          rows + other.rows,
          bytes + other.bytes);
    }
  }

  private static final Table NONE = new Table(0, 0, 0, 0, 0);

  /** Parses the script's {@code stats.tsv}. */
  static DatabaseStats parse(List<String> lines) {
    Map<String, Table> tables = new TreeMap<>();
    long wal = -1;
    for (String line : lines) {
      String[] fields = line.split("\t");
      if (fields.length == 2 && fields[0].equals("wal")) {
        wal = Long.parseLong(fields[1].strip());
      } else if (fields.length == 7) {
        tables.put(
            fields[0] + "." + fields[1],
            new Table(
                Long.parseLong(fields[2]),
                Long.parseLong(fields[3]),
                Long.parseLong(fields[4]),
                Long.parseLong(fields[5]),
                Long.parseLong(fields[6])));
      } else if (!line.isBlank()) {
        throw new IllegalArgumentException("unexpected line in stats.tsv: " + line);
      }
    }
    if (wal < 0) {
      throw new IllegalArgumentException("stats.tsv has no wal line");
    }
    return new DatabaseStats(tables, wal);
  }

  /** What changed since {@code earlier}, table by table. */
  public DatabaseStats minus(DatabaseStats earlier) {
    Map<String, Table> changed = new TreeMap<>();
    tables.forEach(
        (name, table) -> changed.put(name, table.minus(earlier.tables.getOrDefault(name, NONE))));
    return new DatabaseStats(changed, walBytes - earlier.walBytes);
  }

  /** The sum over the tables of {@code database}. */
  public Table database(String database) {
    return tables.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(database + "."))
        .map(Map.Entry::getValue)
        .reduce(NONE, Table::plus);
  }

  /** The sum over every table. */
  public Table total() {
    return tables.values().stream().reduce(NONE, Table::plus);
  }

  /** The {@code limit} tables with the most rows written (inserted + updated + deleted). */
  public List<Map.Entry<String, Table>> busiest(int limit) {
    return tables.entrySet().stream()
        .sorted(
            Comparator.comparingLong(
                    (Map.Entry<String, Table> entry) ->
                        entry.getValue().inserted()
                            + entry.getValue().updated()
                            + entry.getValue().deleted())
                .reversed())
        .limit(limit)
        .toList();
  }
}
