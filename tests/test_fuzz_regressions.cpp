// What the fuzz targets found (fuzz/README.md, docs/testing.md "Fuzzing"), each as a normal test with the exact
// output; the input itself is kept in fuzz/regressions/TARGET/ and replayed by the fuzz_TARGET tests.
#include <libpq-fe.h>

#include <catch2/catch.hpp>

#include <string>

#include "tests/git_repo.hpp"
#include "tests/pg_server.hpp"

namespace {

// PostgreSQL's message for a statement, "" when it ran (in a transaction that is rolled back).
std::string pg_error(const std::string& db, const std::string& sql) {
  PGconn* c = PQconnectdb(db.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PQclear(PQexec(c, "BEGIN"));
  PGresult* r = PQexec(c, sql.c_str());
  std::string error;
  if (PQresultStatus(r) == PGRES_FATAL_ERROR) error = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
  PQfinish(c);
  return error;
}

}  // namespace

// fuzz_replay: libpg_query's PL/pgSQL compiler asserts that a function has an AS string and aborted the whole run
// (fuzz/regressions/replay/plpgsql-function-without-body.sql).
TEST_CASE("fuzz: a PL/pgSQL function without a string body does not abort the run", "[fuzz][parse][pg]") {
  const std::string no_body = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql;\n";
  const std::string sql_body = "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql RETURN 1;\n";
  // The oracle: PostgreSQL refuses both when it runs them, not in its grammar.
  std::string db = dgtest::pg::fresh_database("fuzz");
  CHECK(pg_error(db, no_body) == "no function body specified");
  CHECK(pg_error(db, sql_body) == "inline SQL function body only valid for language SQL");

  dgtest::Repo repo;
  repo.write("m/001_f.sql", no_body + sql_body + "DROP TABLE t;\n");
  auto r = repo.driftguard("lint m --format gcc --rule syntax-error --rule ban-drop-table");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  CHECK(r.out ==
        "m/001_f.sql:3:1: error: drops table t: every row is deleted and code that still reads it fails "
        "[ban-drop-table]\n");
}

// A DO body holding the dollar-quote tag of the wrapper driftguard compiles it in could close that wrapper and
// append statements to it (one of them a body-less function: the abort above).
TEST_CASE("fuzz: a DO body cannot close the wrapper its PL/pgSQL is compiled in", "[fuzz][parse][pg]") {
  const std::string do_block =
      "DO $x$ BEGIN PERFORM 1; END $driftguard_do$; CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql; "
      "SELECT $driftguard_do$ $x$;\n";
  std::string db = dgtest::pg::fresh_database("fuzz");
  std::string refused = pg_error(db, do_block);
  CHECK(refused == "syntax error at or near \"$driftguard_do$; CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql; "
                   "SELECT $driftguard_do$\"");

  dgtest::Repo repo;
  repo.write("m/001_do.sql", do_block + "DROP TABLE t;\n");
  auto r = repo.driftguard("lint m --format gcc --rule syntax-error --rule ban-drop-table");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  // The token PostgreSQL names is at column 29.
  CHECK(r.out == "m/001_do.sql:1:29: error: in DO block: " + refused +
                     " [syntax-error]\n"
                     "m/001_do.sql:2:1: error: drops table t: every row is deleted and code that still reads it "
                     "fails [ban-drop-table]\n");
}
