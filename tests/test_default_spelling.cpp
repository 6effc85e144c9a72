// Spellings of one default that PostgreSQL keeps apart (issue 10, harness 4's "dump" view): ARRAY[]::text[] and
// '{}'::text[] are the same value, and so are now() and CURRENT_TIMESTAMP, but pg_dump shows what was written. The
// model keeps the history's spelling for `schema` (SQL out) and compares the canonical form (docs/drift.md).
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include <sstream>
#include <string>
#include <vector>

#include "analyzer/model/model.hpp"
#include "git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"

using namespace driftguard;

namespace {

// One value of a query on the test server.
std::string query1(const std::string& conn, const std::string& sql) {
  pqxx::connection c(conn);
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(sql);
  return r.at(0).at(0).c_str();
}

// The column lines of pg_dump --schema-only (what differs in spelling shows there).
std::vector<std::string> dumped_columns(const std::string& conn) {
  auto r = dgtest::run_shell("pg_dump --schema-only --no-owner --no-privileges -d " + dgtest::shell_quote(conn) +
                             " < /dev/null");
  REQUIRE(r.code == 0);
  std::vector<std::string> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("    ", 0) == 0 && line.find("DEFAULT") != std::string::npos) out.push_back(line);
  }
  return out;
}

const std::string kHistory =
    "CREATE TYPE \"Kind\" AS ENUM ('A', 'B');\n"
    "CREATE TABLE t (\n"
    "  id integer PRIMARY KEY,\n"
    "  a text[] DEFAULT ARRAY[]::text[],\n"
    "  b text[] DEFAULT '{}'::text[],\n"
    "  c \"Kind\"[] DEFAULT ARRAY[]::\"Kind\"[],\n"
    "  d timestamp(3) DEFAULT now(),\n"
    "  e timestamptz DEFAULT CURRENT_TIMESTAMP,\n"
    "  f timestamptz DEFAULT (now() + interval '1 day'),\n"
    "  g integer[] DEFAULT '{}'\n"
    ");\n"
    "ALTER TABLE t ALTER COLUMN g SET DEFAULT ARRAY[]::integer[];\n"
    "ALTER TABLE t ADD COLUMN h timestamptz DEFAULT transaction_timestamp();\n";

// The same values, each written the other way.
const std::string kOtherSpelling =
    "CREATE TYPE \"Kind\" AS ENUM ('A', 'B');\n"
    "CREATE TABLE t (\n"
    "  id integer PRIMARY KEY,\n"
    "  a text[] DEFAULT '{}'::text[],\n"
    "  b text[] DEFAULT ARRAY[]::text[],\n"
    "  c \"Kind\"[] DEFAULT '{}',\n"
    "  d timestamp(3) DEFAULT CURRENT_TIMESTAMP,\n"
    "  e timestamptz DEFAULT now(),\n"
    "  f timestamptz DEFAULT (CURRENT_TIMESTAMP + interval '1 day'),\n"
    "  g integer[] DEFAULT '{}',\n"
    "  h timestamptz DEFAULT now()\n"
    ");\n";

}  // namespace

TEST_CASE("PostgreSQL keeps the spellings of one default apart, and they are the same value", "[drift][pg]") {
  std::string db = dgtest::pg::fresh_database("spell");
  // the same value
  CHECK(query1(db, "SELECT '{}'::text[] = ARRAY[]::text[] AND now() = CURRENT_TIMESTAMP AND "
                   "now() = transaction_timestamp()") == "t");
  // kept as written
  dgtest::pg::exec(db, kHistory);
  CHECK(query1(db, "SELECT string_agg(a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid), '; ' ORDER BY a.attnum) "
                   "FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                   "WHERE d.adrelid = 't'::regclass") ==
        "a ARRAY[]::text[]; b '{}'::text[]; c ARRAY[]::\"Kind\"[]; d now(); e CURRENT_TIMESTAMP; "
        "f (now() + '1 day'::interval); g ARRAY[]::integer[]; h transaction_timestamp()");
}

TEST_CASE("schema --from prints a default as the history spelled it, drift treats the spellings as equal",
          "[drift][schema][pg]") {
  dgtest::Repo repo;
  repo.write("migrations/20240101000000_init/migration.sql", kHistory);
  auto schema = repo.driftguard("schema --from migrations:migrations");
  INFO(schema.err);
  REQUIRE(schema.code == 0);
  CHECK(schema.out.find("  a text[] DEFAULT ARRAY[]::text[],\n"
                        "  b text[] DEFAULT '{}',\n"
                        "  c \"Kind\"[] DEFAULT ARRAY[]::\"Kind\"[],\n"
                        "  d timestamp(3) without time zone DEFAULT now(),\n"
                        "  e timestamp with time zone DEFAULT CURRENT_TIMESTAMP,\n"
                        "  f timestamp with time zone DEFAULT now() + '1 day'::interval,\n"
                        "  g integer[] DEFAULT ARRAY[]::integer[],\n"
                        "  h timestamp with time zone DEFAULT transaction_timestamp(),\n") != std::string::npos);
  // The canonical form is what the model compares (and what schema --format json shows).
  auto json = repo.driftguard("schema --from migrations:migrations --format json");
  CHECK(json.out.find("\"default\": \"'{}'\"") != std::string::npos);
  CHECK(json.out.find("ARRAY[]") == std::string::npos);

  // Applied to PostgreSQL, it dumps as the history does.
  std::string real = dgtest::pg::fresh_database("spell_real");
  dgtest::pg::exec(real, kHistory);
  std::string replayed = dgtest::pg::fresh_database("spell_replayed");
  dgtest::pg::exec(replayed, schema.out);
  CHECK(dumped_columns(replayed) == dumped_columns(real));
  CHECK(dumped_columns(real).size() == 8);

  // A database holding the same values spelled the other way has no drift, both ways round.
  std::string other = dgtest::pg::fresh_database("spell_other");
  dgtest::pg::exec(other, kOtherSpelling);
  auto drift = repo.driftguard("drift --migrations migrations --database-url " + dgtest::shell_quote(other));
  INFO(drift.out << drift.err);
  CHECK(drift.code == 0);
  CHECK(drift.out.find("0 drift items") != std::string::npos);
  repo.write("other.sql", kOtherSpelling);
  auto from_db = repo.driftguard("drift --sql other.sql --database-url " + dgtest::shell_quote(real));
  CHECK(from_db.code == 0);
  CHECK(from_db.out.find("0 drift items") != std::string::npos);
  // schema --from database: prints what PostgreSQL holds, spelling included
  auto live = repo.driftguard("schema --from " + dgtest::shell_quote("database:" + other));
  CHECK(live.out.find("  a text[] DEFAULT '{}',\n  b text[] DEFAULT ARRAY[]::text[],\n") != std::string::npos);
  CHECK(live.out.find("  e timestamp with time zone DEFAULT now(),\n") != std::string::npos);
}

TEST_CASE("a kept spelling is dropped once the canonical default changes", "[model]") {
  model::Column c;
  c.set_default("CURRENT_TIMESTAMP", "now()");
  CHECK(c.default_sql() == "now()");
  c.default_expr = "'2020-01-01 00:00:00'";  // as a rename or a retype rewrites it in place
  CHECK(c.default_sql() == "'2020-01-01 00:00:00'");
  c.set_default("'{}'", "'{}'");  // the same spelling: nothing kept
  CHECK(!c.spelling);
  CHECK(c.default_sql() == "'{}'");
}
