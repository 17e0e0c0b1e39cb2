#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to date (idempotent),
# run once by the temporal-schema service before the server starts.
set -eu
: "${POSTGRES_SEEDS:=postgresql}" "${DB_PORT:=5432}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
  sleep 1
done
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=$schema/temporal/versioned
  [ "$db" = temporal_visibility ] && dir=$schema/visibility/versioned
  tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
      -u "$POSTGRES_USER" --db "$db" "$@"
  }
  tool create || true # exists already on a restart
  tool setup-schema -v 0.0 || true # the same
  tool update-schema -d "$dir"
done
echo "Temporal schemas are up to date"
