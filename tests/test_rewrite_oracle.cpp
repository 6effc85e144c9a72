// The rewrite oracle: for each ALTER COLUMN ... TYPE change that changing-column-type classifies, the rule's
// message (catalog-only, scans every row, or rewrites the table) must be what PostgreSQL does. PostgreSQL is run
// with client_min_messages = debug1, which reports "rewriting table" and "verifying table", and pg_class.relfilenode
// is compared before and after (a rewrite writes a new file).
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <string>
#include <vector>

#include "first_line.hpp"
#include "helpers.hpp"
#include "pg_server.hpp"

using namespace driftguard;

namespace {

struct Case {
  const char* column;  // the column's definition
  const char* change;  // after ALTER TABLE rw ALTER COLUMN c
  const char* before = "";  // statements earlier in the migration (SET TIME ZONE ...)
};

// What the rule says happens: "catalog", "scan" or "rewrite" (no finding: nothing happens, "catalog").
std::string rule_class(const Case& c) {
  RuleSelection sel;
  sel.only = {"changing-column-type"};
  Engine engine(Settings{}, sel);
  RunState run;
  std::vector<Finding> found;
  int n = 0;
  for (const std::string& sql : {"CREATE TABLE rw (id int, c " + std::string(c.column) + ");",
                                 std::string(c.before) + " ALTER TABLE rw ALTER COLUMN c " + c.change + ";"}) {
    auto src = make_source("migrations/000" + std::to_string(++n) + "_m.sql", sql);
    for (auto& f : engine.lint(src, run).findings) found.push_back(std::move(f));
  }
  REQUIRE(found.size() <= 1);
  if (found.empty()) return "catalog";
  // The first line says what the ALTER does; the note says why (rewrite, scan, or neither).
  const std::string m = dgtest::with_notes(found[0]);
  INFO(m);
  if (m.find("scans every row") != std::string::npos) return "scan";
  if (m.find("so the table is not rewritten") != std::string::npos) return "catalog";
  REQUIRE(m.find("rewrites the table") != std::string::npos);
  return "rewrite";
}

void collect(void* arg, const char* message) { static_cast<std::string*>(arg)->append(message); }

std::string exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string err = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK
                        ? ""
                        : PQresultErrorMessage(r);
  std::string value = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  INFO(sql);
  REQUIRE(err.empty());
  return value;
}

// What PostgreSQL does, in a session whose time zone is not UTC (the database's default) unless `before` sets it.
std::string pg_class_of(const std::string& conninfo, const Case& c) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  std::string notices;
  PQsetNoticeProcessor(conn, collect, &notices);
  exec(conn, "DROP TABLE IF EXISTS rw");
  exec(conn, "CREATE TABLE rw (id int, c " + std::string(c.column) + ")");
  exec(conn, "INSERT INTO rw (id) VALUES (1)");
  std::string file = exec(conn, "SELECT relfilenode FROM pg_class WHERE oid = 'rw'::regclass");
  if (*c.before != '\0') exec(conn, c.before);
  exec(conn, "SET client_min_messages = debug1");
  notices.clear();
  exec(conn, std::string("ALTER TABLE rw ALTER COLUMN c ") + c.change);
  exec(conn, "RESET client_min_messages");
  std::string after = exec(conn, "SELECT relfilenode FROM pg_class WHERE oid = 'rw'::regclass");
  PQfinish(conn);
  INFO(notices);
  if (notices.find("rewriting table") != std::string::npos) {
    CHECK(after != file);
    return "rewrite";
  }
  CHECK(after == file);
  return notices.find("verifying table") != std::string::npos ? "scan" : "catalog";
}

}  // namespace

TEST_CASE("rewrite oracle: changing-column-type says what PostgreSQL does", "[rules][changing-column-type][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("rewrite");
  dgtest::pg::exec(db, "CREATE EXTENSION citext");
  dgtest::pg::exec(db, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), "
                       "'America/New_York'); END $$");
  const Case cases[] = {
      // binary-compatible: catalog-only
      {"varchar(20)", "TYPE varchar(30)"},
      {"varchar(20)", "TYPE varchar"},
      {"varchar(20)", "TYPE text"},
      {"text", "TYPE varchar"},
      {"numeric(10,2)", "TYPE numeric(12,2)"},
      {"numeric(10,2)", "TYPE numeric"},
      {"varbit(8)", "TYPE varbit(9)"},
      {"varbit(8)", "TYPE varbit"},
      {"timestamp(3)", "TYPE timestamp(6)"},
      {"timestamp(3)", "TYPE timestamp"},
      {"timestamptz(0)", "TYPE timestamptz(3)"},
      {"time", "TYPE time(6)"},
      {"interval day to second(2)", "TYPE interval"},
      {"interval day to second(2)", "TYPE interval day to second(4)"},
      {"cidr", "TYPE inet"},
      {"varchar(20) NOT NULL DEFAULT ''", "TYPE varchar(30)"},
      {"varchar(20) UNIQUE", "TYPE varchar(30)"},
      // citext's casts to and from text / varchar are WITHOUT FUNCTION
      {"citext", "TYPE text"},
      {"citext", "TYPE varchar"},
      {"text", "TYPE citext"},
      {"varchar(20)", "TYPE citext"},
      // a USING clause that only reads the column converts nothing
      {"varchar(20)", "TYPE text USING c"},
      {"varchar(20)", "TYPE text USING c::text"},
      {"varchar(20)", "TYPE varchar(30) USING (c)"},
      {"varchar(20)", "TYPE varchar(30) USING c::varchar(30)"},
      {"integer", "TYPE integer USING c"},
      // binary-compatible, but the CHECK constraints on the column are re-checked on every row
      {"varchar(20) CHECK (c <> '')", "TYPE varchar(30)"},
      {"varchar(20) CHECK (c <> '')", "TYPE text"},
      {"text CONSTRAINT k CHECK (length(c) < 100)", "TYPE varchar"},
      // the session time zone decides timestamp <-> timestamptz
      {"timestamp", "TYPE timestamptz"},
      {"timestamptz", "TYPE timestamp"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'UTC';"},
      {"timestamptz", "TYPE timestamp", "SET TIME ZONE 'UTC';"},
      {"timestamp", "TYPE timestamptz", "SET timezone = 'Etc/UTC';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'GMT';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 0;"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'utc';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'Zulu';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'UCT';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'Universal';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'Greenwich';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'GMT0';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'Etc/GMT+0';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'Europe/London';"},
      {"timestamp", "TYPE timestamptz", "SET TIME ZONE 'UTC'; RESET timezone;"},
      {"timestamp", "TYPE timestamptz", "SET LOCAL TIME ZONE 'UTC';"},  // outside a transaction: no effect
      // rewrites
      {"varchar(20)", "TYPE varchar(10)"},
      {"text", "TYPE varchar(50)"},
      {"numeric(10,2)", "TYPE numeric(12,3)"},
      {"numeric(10,2)", "TYPE numeric(9,2)"},
      {"varbit(8)", "TYPE varbit(4)"},
      {"timestamp(3)", "TYPE timestamp(2)"},
      {"time(3)", "TYPE time(1)"},
      {"integer", "TYPE bigint"},
      {"integer CHECK (c > 0)", "TYPE bigint"},
      {"serial", "TYPE bigint"},
      {"char(3)", "TYPE char(5)"},
      {"char(3)", "TYPE text"},
      {"varchar(10)[]", "TYPE text[]"},
      {"varchar(20)", "TYPE varchar(30) USING trim(c)"},
      {"integer", "TYPE integer USING c + 1"},
      {"varchar(20)", "TYPE integer USING c::integer"},
      {"interval", "TYPE interval hour to second(3)"},
      {"citext", "TYPE varchar(10)"},
  };
  for (const Case& c : cases) {
    INFO(c.column << " -> ALTER COLUMN c " << c.change << " after `" << c.before << "`");
    CHECK(rule_class(c) == pg_class_of(db, c));
  }
}

namespace {

struct KeyCase {
  const char* columns;  // the table's columns
  const char* before;   // statements between CREATE TABLE and the index
  const char* keys;     // the unique index's columns
};

// Does adding-primary-key-constraint report ADD PRIMARY KEY USING INDEX (a scan to set NOT NULL)?
bool rule_reports_scan(const KeyCase& c) {
  RuleSelection sel;
  sel.only = {"adding-primary-key-constraint"};
  Engine engine(Settings{}, sel);
  RunState run;
  std::vector<Finding> found;
  int n = 0;
  for (const std::string& sql :
       {"CREATE TABLE pk (" + std::string(c.columns) + ");", std::string(c.before),
        "CREATE UNIQUE INDEX CONCURRENTLY pk_idx ON pk (" + std::string(c.keys) + ");\n"
        "ALTER TABLE pk ADD CONSTRAINT pk_pkey PRIMARY KEY USING INDEX pk_idx;"}) {
    auto src = make_source("migrations/000" + std::to_string(++n) + "_m.sql", sql);
    for (auto& f : engine.lint(src, run).findings) found.push_back(std::move(f));
  }
  REQUIRE(found.size() <= 1);
  if (found.empty()) return false;
  INFO(found[0].message);
  CHECK(found[0].start.line == 2);
  CHECK(found[0].start.column == 16);
  CHECK(found[0].message.rfind("ADD PRIMARY KEY on pk USING INDEX pk_idx sets column ", 0) == 0);
  CHECK(dgtest::with_notes(found[0]).find(" NOT NULL\nnote: PostgreSQL scans every row to check it while it takes "
                                          "ACCESS EXCLUSIVE on pk") != std::string::npos);
  return true;
}

// What PostgreSQL does: "verifying table" at debug1 is the scan; pg_locks in the transaction gives the lock.
bool pg_scans(const std::string& conninfo, const KeyCase& c) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  std::string notices;
  PQsetNoticeProcessor(conn, collect, &notices);
  exec(conn, "DROP TABLE IF EXISTS pk");
  exec(conn, "CREATE TABLE pk (" + std::string(c.columns) + ")");
  exec(conn, "INSERT INTO pk (id) VALUES (1)");
  if (*c.before != '\0') exec(conn, c.before);
  exec(conn, "CREATE UNIQUE INDEX CONCURRENTLY pk_idx ON pk (" + std::string(c.keys) + ")");
  exec(conn, "BEGIN");
  exec(conn, "SET LOCAL client_min_messages = debug1");
  notices.clear();
  exec(conn, "ALTER TABLE pk ADD CONSTRAINT pk_pkey PRIMARY KEY USING INDEX pk_idx");
  std::string mode = exec(conn, "SELECT string_agg(mode, ',') FROM pg_locks WHERE relation = 'pk'::regclass AND "
                                "pid = pg_backend_pid() AND granted");
  exec(conn, "COMMIT");
  PQfinish(conn);
  INFO(notices);
  CHECK(mode.find("AccessExclusiveLock") != std::string::npos);
  return notices.find("verifying table \"pk\"") != std::string::npos;
}

}  // namespace

TEST_CASE("rewrite oracle: ADD PRIMARY KEY USING INDEX scans to set NOT NULL exactly when the rule says",
          "[rules][adding-primary-key-constraint][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("pkusing");
  const KeyCase cases[] = {
      {"id int", "", "id"},
      {"id int NOT NULL", "", "id"},
      {"id int CHECK (id IS NOT NULL)", "", "id"},
      {"id int", "ALTER TABLE pk ADD CONSTRAINT nn CHECK (id IS NOT NULL) NOT VALID;", "id"},
      {"id int", "ALTER TABLE pk ADD CONSTRAINT nn CHECK (id IS NOT NULL) NOT VALID; "
                 "ALTER TABLE pk VALIDATE CONSTRAINT nn;", "id"},
      {"id int", "ALTER TABLE pk ADD CONSTRAINT nn CHECK (id IS NOT NULL AND id > 0);", "id"},
      {"id int", "ALTER TABLE pk ALTER COLUMN id SET NOT NULL;", "id"},
      {"id int, t int NOT NULL DEFAULT 0", "", "t, id"},
      {"id int NOT NULL, t int NOT NULL DEFAULT 0", "", "t, id"},
  };
  for (const KeyCase& c : cases) {
    INFO("(" << c.columns << ") then `" << c.before << "`, index on (" << c.keys << ")");
    CHECK(rule_reports_scan(c) == pg_scans(db, c));
  }
}
