// What the runners' decisions rest on, measured on PostgreSQL (docs/locking.md, "Runners"):
// - temporal-sql-tool goes on past an error whose message contains "already exist" (updatetask.go, execStmts), so
//   a CREATE that meets its object on a re-run cannot stop it; a DROP of what is gone, a rename done already, or
//   a duplicate row say something else and stop it.
// - An extension script runs inside the transaction of CREATE/ALTER EXTENSION (a failing statement undoes the
//   ones before it; CREATE INDEX CONCURRENTLY is refused), and @extschema@ is the extension's schema;
//   pg_extension_config_dump() runs there and is refused anywhere else.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <libpq-fe.h>
#include <string>

#include "pg_server.hpp"

namespace {

struct Conn {
  PGconn* c;
  explicit Conn(const std::string& info) : c(PQconnectdb(info.c_str())) {
    REQUIRE(PQstatus(c) == CONNECTION_OK);
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // CREATE PUBLICATION's wal_level warning
  }
  ~Conn() { PQfinish(c); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
};

// The first value of a query's first row.
std::string value_of(Conn& c, const std::string& sql) {
  PGresult* r = PQexec(c.c, sql.c_str());
  std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return v;
}

// The primary message of the error PostgreSQL raises for `sql` ("" when it succeeds): what a Go driver's
// Error() carries (lib/pq: "pq: " + message; pgx: severity, message and SQLSTATE), without the DETAIL line.
std::string error_of(Conn& c, const std::string& sql) {
  PGresult* r = PQexec(c.c, sql.c_str());
  std::string message;
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    const char* m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    message = m != nullptr ? m : PQresultErrorMessage(r);
  }
  PQclear(r);
  return message;
}

}  // namespace

TEST_CASE("runner oracle: a re-run CREATE fails with \"already exists\", a re-run DROP, rename or INSERT does not",
          "[runner][oracle][pg]") {
  Conn c(dgtest::pg::fresh_database("runner"));
  // Each statement the create rules (require-if-not-exists, unguarded-create, require-or-replace) report, run twice.
  const char* creates[] = {
      "CREATE TABLE t (id bigint PRIMARY KEY)",
      "CREATE INDEX t_id ON t (id)",
      "CREATE UNIQUE INDEX t_u ON t (id)",
      "ALTER TABLE t ADD COLUMN c text",
      "ALTER TABLE t ADD CONSTRAINT t_c CHECK (c <> '')",
      "CREATE SEQUENCE s",
      "CREATE VIEW v AS SELECT id FROM t",
      "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t",
      "CREATE SCHEMA app",
      "CREATE TYPE mood AS ENUM ('ok')",
      "ALTER TYPE mood ADD VALUE 'sad'",
      "CREATE TYPE pair AS (a int, b int)",
      "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
      "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
      "CREATE POLICY pol ON t USING (true)",
      "CREATE RULE r AS ON DELETE TO v DO INSTEAD NOTHING",
      "CREATE EXTENSION citext",
      "CREATE ROLE runner_oracle_role",
      "CREATE PUBLICATION pub",
  };
  for (const char* sql : creates) {
    INFO(sql);
    REQUIRE(error_of(c, sql).empty());
    std::string again = error_of(c, sql);
    CHECK(again.find("already exist") != std::string::npos);
  }
  error_of(c, "DROP ROLE runner_oracle_role");
  // What stops the tool on a re-run: none of these says "already exist" or "not found".
  REQUIRE(error_of(c, "DROP INDEX t_u").empty());
  REQUIRE(error_of(c, "ALTER TABLE t RENAME COLUMN c TO d").empty());
  REQUIRE(error_of(c, "INSERT INTO t (id) VALUES (1)").empty());
  for (const char* sql : {"DROP INDEX t_u", "ALTER TABLE t RENAME COLUMN c TO d", "INSERT INTO t (id) VALUES (1)",
                          "ALTER TABLE t ADD PRIMARY KEY (id)"}) {
    INFO(sql);
    std::string again = error_of(c, sql);
    REQUIRE_FALSE(again.empty());
    CHECK(again.find("already exist") == std::string::npos);
    CHECK(again.find("not found") == std::string::npos);
  }
}

TEST_CASE("runner oracle: an extension script runs in the transaction of CREATE/ALTER EXTENSION",
          "[runner][oracle][pg]") {
  Conn c(dgtest::pg::fresh_database("extension"));
  const std::string share = value_of(c, "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'");
  REQUIRE_FALSE(share.empty());
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(share) / "extension";
  const std::string name = "driftguard_probe_" + std::to_string(::getpid());
  // The server reads extension scripts from its own share directory only (PostgreSQL 15 has no search path for
  // them); where the tests may not write there, this cannot be measured.
  {
    std::ofstream control(dir / (name + ".control"));
    if (!control) {
      WARN("cannot write to " << dir.string() << ": extension scripts not measured");
      return;
    }
    control << "default_version = '1'\nrelocatable = false\nschema = ext\n";
  }
  struct Cleanup {
    fs::path dir;
    std::string name;
    ~Cleanup() {
      std::error_code ec;
      for (const char* f : {".control", "--1.sql", "--1--2.sql", "--1--3.sql", "--1--4.sql"}) fs::remove(dir / (name + f), ec);
    }
  } cleanup{dir, name};
  auto write = [&](const std::string& file, const std::string& text) { std::ofstream(dir / (name + file)) << text; };
  write("--1.sql", "CREATE TABLE @extschema@.t (id bigint);\n");
  // The update's second statement fails: the first is undone with it.
  write("--1--2.sql", "CREATE TABLE @extschema@.u (id bigint);\nCREATE TABLE @extschema@.t (id bigint);\n");
  write("--1--3.sql", "CREATE INDEX CONCURRENTLY t_id ON @extschema@.t (id);\n");
  REQUIRE(error_of(c, "CREATE SCHEMA ext").empty());
  REQUIRE(error_of(c, "CREATE EXTENSION " + name).empty());
  auto count = [&](const std::string& rel) {
    return value_of(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + rel + "')");
  };
  CHECK(count("ext.t") == "1");  // @extschema@ is the extension's schema
  CHECK(error_of(c, "ALTER EXTENSION " + name + " UPDATE TO '2'").find("already exists") != std::string::npos);
  CHECK(count("ext.u") == "0");
  std::string concurrently = error_of(c, "ALTER EXTENSION " + name + " UPDATE TO '3'");
  INFO(concurrently);
  CHECK(concurrently.find("CREATE INDEX CONCURRENTLY cannot") == 0);
  // pg_extension_config_dump() works in an extension script and nowhere else: a file that calls it is a piece of
  // one (runner detection, docs/locking.md).
  write("--1--4.sql", "CREATE TABLE @extschema@.cfg (id bigint);\n"
                      "SELECT pg_catalog.pg_extension_config_dump('@extschema@.cfg', '');\n");
  CHECK(error_of(c, "ALTER EXTENSION " + name + " UPDATE TO '4'").empty());
  CHECK(count("ext.cfg") == "1");
  CHECK(error_of(c, "CREATE TABLE cfg2 (id bigint)").empty());
  CHECK(error_of(c, "SELECT pg_catalog.pg_extension_config_dump('cfg2', '')") ==
        "pg_extension_config_dump() can only be called from an SQL script executed by CREATE EXTENSION");
  CHECK(error_of(c, "DROP EXTENSION " + name).empty());
}

TEST_CASE("runner oracle: the pieces drizzle's migrator cuts a string or dollar quote into are refused",
          "[runner][oracle][pg]") {
  Conn c(dgtest::pg::fresh_database("drizzle_pieces"));
  // "CREATE TABLE a (id integer);\nSELECT 'x--> statement-breakpoint y';\nCREATE FUNCTION f() ... $$ SELECT 1
  // --> statement-breakpoint\n$$;\n" split as readMigrationFiles splits it (tests/test_runners.cpp lints it).
  CHECK(error_of(c, "CREATE TABLE \"a\" (\"id\" integer);\nSELECT 'x") == "unterminated quoted string at or near \"'x\"");
  CHECK(error_of(c, " y';\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 ") == "syntax error at or near \"y\"");
  CHECK(error_of(c, "\n$$;\n") == "unterminated dollar-quoted string at or near \"$$;\n\"");
  // Nothing of the first piece ran: PostgreSQL parses the whole query before it runs any of it.
  CHECK(value_of(c, "SELECT count(*) FROM pg_class WHERE relname = 'a'") == "0");
}
