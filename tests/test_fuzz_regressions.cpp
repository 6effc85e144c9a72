// What the fuzz targets found (fuzz/README.md, docs/testing.md "Fuzzing"), each as a normal test with the exact
// output; the input itself is kept in fuzz/regressions/TARGET/ and replayed by the fuzz_TARGET tests.
#include <libpq-fe.h>

#include <catch2/catch.hpp>

#include <string>

#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"
#include "tests/prisma_engine.hpp"

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
  CHECK(r.out == "m/001_f.sql:3:1: error: drops table t [ban-drop-table]\n");
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
                     "m/001_do.sql:2:1: error: drops table t [ban-drop-table]\n");
}

// fuzz_prisma: a schema the validator accepts but the DDL generator refuses (an unknown @default function) is a
// positioned error, as Prisma's engine refuses it (fuzz/regressions/prisma/unknown-default-function-after-validation
// .prisma; the harness had not expected generate_ddl's PrismaError).
TEST_CASE("fuzz: an unknown @default function is a positioned error, as Prisma refuses it", "[fuzz][prisma]") {
  const std::string schema = dgtest::read_file(dgtest::source_dir() +
                                               "/fuzz/regressions/prisma/unknown-default-function-after-validation"
                                               ".prisma");
  dgtest::Repo repo;
  repo.write("schema.prisma", schema);
  auto r = repo.driftguard("prisma-ddl schema.prisma");
  CHECK(r.out == "");
  CHECK(r.err == "schema.prisma:8:26: error: unknown default function dDateTimted()\n");
  CHECK(r.code == 2);
  if (!dgtest::prisma_engine::available()) {
    WARN("../shared/tools/prisma-engine is not there: Prisma's own answer not checked");
    return;
  }
  auto refused = dgtest::prisma_engine::run({"sql", (repo.dir() / "schema.prisma").string()});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("Unknown function in @default(): `dDateTimted` is not known.") != std::string::npos);
  CHECK(refused.err.find("schema.prisma:8") != std::string::npos);
}

// fuzz_diff: a column inherited from two parents was two columns of the child, so that the model compared with
// itself showed drift (the differ matched the nullable copy on one side, the NOT NULL one on the other)
// (fuzz/regressions/diff/column-from-two-parents.sql).
TEST_CASE("fuzz: a column inherited from two parents is one column, NOT NULL when either is", "[fuzz][replay][pg]") {
  // Also through LIKE (fuzz_diff again, on PostgreSQL's create_table_like test): a LIKE column merges with the
  // inherited one as a declared column does.
  const std::string history =
      "CREATE TABLE p4 (a text);\nCREATE TABLE p1 (a text NOT NULL);\nCREATE TABLE c () INHERITS (p4, p1);\n"
      "CREATE TABLE c2 (LIKE p4) INHERITS (p1);\n";
  const std::string type_conflict = "CREATE TABLE p2 (a int);\nCREATE TABLE d () INHERITS (p1, p2);\n";
  const std::string collation_conflict = "CREATE TABLE p3 (a text COLLATE \"C\");\nCREATE TABLE e () INHERITS (p1, p3);\n";
  const std::string like_type_conflict = "CREATE TABLE f (LIKE p2) INHERITS (p1);\n";
  const std::string like_twice = "CREATE TABLE g (LIKE p4, LIKE p4);\n";
  // The oracle: one column a, NOT NULL, in c and c2; the conflicts are refused.
  std::string db = dgtest::pg::fresh_database("fuzz");
  CHECK(pg_error(db, history + "DO $$ BEGIN IF (SELECT count(*) FROM pg_attribute WHERE attrelid IN ('c'::regclass, "
                               "'c2'::regclass) AND attnum > 0 AND attname = 'a' AND attnotnull) <> 2 THEN "
                               "RAISE 'not one NOT NULL a each'; END IF; END $$;") == "");
  CHECK(pg_error(db, history + type_conflict) == "inherited column \"a\" has a type conflict");
  CHECK(pg_error(db, history + collation_conflict) == "inherited column \"a\" has a collation conflict");
  CHECK(pg_error(db, history + "CREATE TABLE p2 (a int);\n" + like_type_conflict) ==
        "column \"a\" has a type conflict");
  CHECK(pg_error(db, history + like_twice) == "column \"a\" specified more than once");

  dgtest::Repo repo;
  repo.write("h.sql", history);
  auto same = repo.driftguard("drift --sql h.sql --sql h.sql --format gcc");
  CHECK(same.out == "");
  CHECK(same.code == 0);
  auto schema = repo.driftguard("schema --from sql:h.sql --format sql");
  CHECK(schema.out ==
        "-- Generated by driftguard from a schema model.\nSET check_function_bodies = off;\n\n-- schemas\n\n"
        "CREATE TABLE p1 (\n  a text NOT NULL\n);\n\nCREATE TABLE p4 (\n  a text\n);\n\n"
        "CREATE TABLE c (\n  a text NOT NULL\n) INHERITS (p4, p1);\n\nCREATE TABLE c2 (\n  a text NOT NULL\n) INHERITS (p1);\n");
  repo.write("conflicts.sql", history + type_conflict + collation_conflict + like_type_conflict + like_twice);
  auto refused = repo.driftguard("drift --sql conflicts.sql --sql conflicts.sql --format gcc");
  const std::string errors =
      "conflicts.sql:6:1: error: inherited column \"a\" has a type conflict [replay-error]\n"
      "conflicts.sql:8:1: error: inherited column \"a\" has a collation conflict [replay-error]\n"
      "conflicts.sql:9:1: error: column \"a\" has a type conflict [replay-error]\n"
      "conflicts.sql:10:1: error: column \"a\" specified more than once [replay-error]\n";
  CHECK(refused.out == errors + errors);  // once per side: both replay the file
}
