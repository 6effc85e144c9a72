#!/bin/sh
# Regenerates fixtures/pg-dump/: each fixtures/prisma/**/expected.sql applied to a real PostgreSQL server,
# then dumped with pg_dump --schema-only. The model built from the dump must equal the model built from
# expected.sql (tests/test_model_fixtures.cpp): this is how normalization is checked against what PostgreSQL
# stores. Needs psql and pg_dump reaching a server (PGHOST, PGPORT, PGUSER) that may create databases.
# Objects a fixture needs but does not create (citext, pg_trgm, nanoid()) are created first and ignored by the test.
set -eu
cd "$(dirname "$0")/.."
out=fixtures/pg-dump
mkdir -p "$out"
db=driftguard_pg_dump_fixture
psql="psql -q -v ON_ERROR_STOP=1 -X"
for f in $(find fixtures/prisma -name expected.sql | sort); do
  name=$(echo "$f" | sed 's|fixtures/prisma/||; s|/expected.sql||; s|/|__|g')
  $psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  $psql -d $db -c "CREATE EXTENSION IF NOT EXISTS citext" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" \
    -c "CREATE FUNCTION nanoid() RETURNS text LANGUAGE sql AS 'SELECT md5(random()::text)'" >/dev/null
  if $psql -d $db -f "$f" >/dev/null 2>"$out/.err"; then
    pg_dump -s --no-owner --no-privileges -d $db | grep -v '^-- Dumped \(from\|by\)\|^\\\(un\)\?restrict ' > "$out/$name.sql"
    echo "$name: dumped"
  else
    echo "$name: skipped ($(grep ERROR "$out/.err" | head -1))"
  fi
done
rm -f "$out/.err"
$psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
