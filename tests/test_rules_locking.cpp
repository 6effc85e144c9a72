// Locking rules and runner semantics: exact messages, notes and fixes that the fixtures (positions only) cannot show.
#include <catch2/catch.hpp>

#include "analyzer/fix.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "rules/transaction/runner.hpp"

using namespace driftguard;

namespace {
std::vector<Finding> only(const std::string& rule, const std::string& sql, Settings s = {},
                          const std::string& path = "test.sql") {
  RuleSelection sel;
  sel.only = {rule};
  std::vector<Finding> out;
  for (auto& f : dgtest::lint_text(sql, sel, s, path)) {
    if (f.rule == rule) out.push_back(std::move(f));
  }
  return out;
}

FileTransaction tx_of(const std::string& path, const std::string& sql, Runner r = Runner::auto_detect) {
  auto src = make_source(path, sql);
  return file_transaction(r, false, src, parse_sql(sql).statements, 15);
}
}  // namespace

TEST_CASE("runners are detected from layouts and markers", "[locks]") {
  CHECK(tx_of("prisma/migrations/1_a/migration.sql", "SELECT 1; SELECT 2;").runner == Runner::prisma);
  CHECK(tx_of("prisma/migrations/1_a/migration.sql", "SELECT 1; SELECT 2;").mode == TxMode::request);
  CHECK(tx_of("prisma/migrations/1_a/migration.sql", "SELECT 1;").mode == TxMode::none);
  CHECK(tx_of("supabase/migrations/1_a.sql", "SELECT 1;").mode == TxMode::request);
  CHECK(tx_of("db/1_a.sql", "-- +goose Up\nSELECT 1;").mode == TxMode::wrapped);
  CHECK(tx_of("db/1_a.sql", "-- +goose Up\n-- +goose NO TRANSACTION\nSELECT 1;").why == "-- +goose NO TRANSACTION");
  CHECK(tx_of("db/1_a.sql", "-- migrate:up transaction:false\nSELECT 1;").mode == TxMode::none);
  CHECK(tx_of("db/V2__a.sql", "SELECT 1;").mode == TxMode::wrapped);
  CHECK(tx_of("db/V2__a.sql", "VACUUM t;").mode == TxMode::none);
  CHECK(tx_of("db/2_a.up.sql", "SELECT 1; SELECT 2;").runner == Runner::golang_migrate);
  CHECK(tx_of("db/2_a.sql", "SELECT 1; SELECT 2;").mode == TxMode::none);
  CHECK(parse_runner("golang-migrate") == Runner::golang_migrate);
  CHECK_FALSE(parse_runner("auto"));
}

TEST_CASE("ban-concurrent-index-creation-in-transaction says where the transaction comes from", "[locks]") {
  Settings goose;
  goose.runner = Runner::goose;
  auto f = only("ban-concurrent-index-creation-in-transaction", "CREATE INDEX CONCURRENTLY i ON t (a);", goose);
  REQUIRE(f.size() == 1);
  CHECK(dgtest::with_notes(f[0]) ==
        "CREATE INDEX CONCURRENTLY fails inside a transaction block\n"
        "note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the runner's "
        "transaction (goose runs each migration in a transaction): the migration fails");
  f = only("ban-concurrent-index-creation-in-transaction", "BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;");
  REQUIRE(f.size() == 1);
  CHECK(f[0].message == "DROP INDEX CONCURRENTLY fails inside a transaction block");
  REQUIRE(f[0].notes.size() == 2);
  CHECK(f[0].notes[0].message == "the transaction starts here");
  CHECK(f[0].notes[0].start.line == 1);
  CHECK(f[0].notes[1].message ==
        "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the transaction "
        "opened by BEGIN: the migration fails");
}

TEST_CASE("adding-foreign-key-constraint names the lock on both tables", "[locks]") {
  auto f = only("adding-foreign-key-constraint",
                "ALTER TABLE public.orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id);");
  REQUIRE(f.size() == 1);
  CHECK(dgtest::with_notes(f[0]) ==
        "ADD FOREIGN KEY on public.orders checks every existing row\n"
        "note: it takes SHARE ROW EXCLUSIVE on public.orders: blocks writes (reads continue) until the transaction "
        "ends, and takes SHARE ROW EXCLUSIVE on users: blocks writes (reads continue) until the transaction ends");
}

TEST_CASE("adding-foreign-key-constraint: ADD COLUMN ... REFERENCES only when a default makes PostgreSQL validate",
          "[locks]") {
  auto f = only("adding-foreign-key-constraint",
                "ALTER TABLE orders ADD COLUMN u bigint REFERENCES users (id), ADD COLUMN n int DEFAULT 0;");
  REQUIRE(f.size() == 1);
  CHECK(dgtest::with_notes(f[0]) ==
        "ADD COLUMN u with REFERENCES users checks every row of orders\n"
        "note: a column added by this statement has a default, so the foreign key is validated\n"
        "note: it takes ACCESS EXCLUSIVE on orders: blocks reads and writes until the transaction ends, and takes "
        "SHARE ROW EXCLUSIVE on users: blocks writes (reads continue) until the transaction ends");
  CHECK(only("adding-foreign-key-constraint", "ALTER TABLE orders ADD COLUMN u bigint REFERENCES users (id);").empty());
}

TEST_CASE("constraint-missing-not-valid validates after the COMMIT of an explicit transaction", "[locks]") {
  std::string sql = "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\nCOMMIT;\n";
  auto f = only("constraint-missing-not-valid", sql);
  REQUIRE(f.size() == 1);
  REQUIRE(f[0].fix);
  CHECK(apply_fixes(sql, {&*f[0].fix}).text ==
        "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nCOMMIT;\nALTER TABLE t VALIDATE CONSTRAINT c;\n");
}

TEST_CASE("lock timeouts: SET LOCAL counts only inside a transaction, set_config counts", "[locks]") {
  CHECK(only("require-lock-timeout", "SET LOCAL lock_timeout = '1s';\nDROP TABLE t;").size() == 1);
  CHECK(only("require-lock-timeout", "BEGIN;\nSET LOCAL lock_timeout = '1s';\nDROP TABLE t;\nCOMMIT;").empty());
  CHECK(only("require-lock-timeout", "BEGIN;\nSET LOCAL lock_timeout = '1s';\nCOMMIT;\nDROP TABLE t;").size() == 1);
  CHECK(only("require-lock-timeout", "SELECT set_config('lock_timeout', '1s', false);\nDROP TABLE t;").empty());
  auto f = only("require-lock-timeout", "-- header\nBEGIN;\nDROP TABLE t;\nCOMMIT;\n");
  REQUIRE(f.size() == 1);
  REQUIRE(f[0].fix);
  CHECK(apply_fixes("-- header\nBEGIN;\nDROP TABLE t;\nCOMMIT;\n", {&*f[0].fix}).text ==
        "-- header\nBEGIN;\nSET lock_timeout = '5s';\nDROP TABLE t;\nCOMMIT;\n");
}

TEST_CASE("the baseline decides which earlier migrations are deployed", "[locks]") {
  auto run_two = [](const std::string& baseline) {
    Settings s;
    s.baseline = baseline;
    RuleSelection sel;
    sel.only = {"require-concurrent-index-creation"};
    Engine engine(s, sel);
    RunState run;
    engine.lint(make_source("db/0001_a.sql", "CREATE TABLE items (id int);"), run);
    return engine.lint(make_source("db/0002_b.sql", "CREATE INDEX i ON items (id);"), run).findings.size();
  };
  CHECK(run_two("") == 1);      // no baseline: 0001 is deployed
  CHECK(run_two("0001") == 1);  // 0001 is the baseline: deployed
  CHECK(run_two("0000") == 0);  // 0001 is newer than the baseline: items is new
}

TEST_CASE("transaction-nesting: BEGIN in a runner's transaction nests, in a request it does not", "[locks]") {
  Settings s;
  s.runner = Runner::dbmate;
  CHECK(only("transaction-nesting", "BEGIN;\nSELECT 1;\nCOMMIT;", s).size() == 1);
  s.runner = Runner::supabase;
  CHECK(only("transaction-nesting", "BEGIN;\nSELECT 1;\nCOMMIT;", s).empty());
  s.runner = Runner::goose;
  auto f = only("transaction-nesting", "SELECT 1;\nCOMMIT;", s);
  REQUIRE(f.size() == 1);
  CHECK(f[0].start.line == 2);
}
