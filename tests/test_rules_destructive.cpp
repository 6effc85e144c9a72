// Message-level checks for the destructive and breaking rules: what the fixtures (positions only) cannot show —
// the rewrite verdict of changing-column-type, types carried across files of a run, and what each message names.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "first_line.hpp"
#include "helpers.hpp"

using namespace driftguard;

namespace {

std::vector<Finding> run_rule(const std::string& rule, const std::vector<std::string>& files, Settings settings = {}) {
  RuleSelection sel;
  sel.only = {rule};
  Engine engine(settings, sel);
  RunState run;
  std::vector<Finding> out;
  int i = 0;
  for (const auto& sql : files) {
    auto src = make_source("migrations/000" + std::to_string(++i) + "_m.sql", sql);
    for (auto& f : engine.lint(src, run).findings) {
      if (f.rule == rule) out.push_back(std::move(f));
    }
  }
  return out;
}

std::string one_message(const std::string& rule, const std::vector<std::string>& files, Settings settings = {}) {
  auto f = run_rule(rule, files, settings);
  INFO("findings: " << f.size());
  REQUIRE(f.size() == 1);
  return dgtest::with_notes(f[0]);  // the first line and its notes
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("changing-column-type: binary-compatible changes say so", "[rules][changing-column-type]") {
  struct Case {
    const char* column;
    const char* to;
  };
  const std::string create =
      "CREATE TABLE t (a varchar(20), b text, c numeric(10,2), d varbit(8), e timestamp(3), f timestamptz(0), "
      "g time, h interval day to second(2), i cidr, j varchar);";
  for (const Case& c : {Case{"a", "varchar(20)"}, Case{"a", "varchar(30)"}, Case{"a", "varchar"}, Case{"a", "text"},
                        Case{"b", "varchar"}, Case{"c", "numeric(12,2)"}, Case{"c", "numeric"}, Case{"d", "varbit(9)"},
                        Case{"d", "varbit"}, Case{"e", "timestamp(6)"}, Case{"e", "timestamp"},
                        Case{"f", "timestamptz(3)"}, Case{"g", "time(6)"}, Case{"h", "interval"},
                        Case{"h", "interval day to second(4)"}, Case{"i", "inet"}, Case{"j", "text"}}) {
    std::string alter = std::string("ALTER TABLE t ALTER COLUMN ") + c.column + " TYPE " + c.to + ";";
    INFO(alter);
    auto f = run_rule("changing-column-type", {create, alter});
    if (std::string(c.column) == "a" && std::string(c.to) == "varchar(20)") {
      CHECK(f.empty());  // no change at all
      continue;
    }
    REQUIRE(f.size() == 1);
    CHECK(has(dgtest::with_notes(f[0]), "binary-compatible, so the table is not rewritten"));
    CHECK(has(dgtest::with_notes(f[0]), "clients see the new type"));
  }
}

TEST_CASE("changing-column-type: rewriting changes say so", "[rules][changing-column-type]") {
  const std::string create =
      "CREATE TABLE t (a varchar(20), b text, c numeric(10,2), d varbit(8), e timestamp(3), g time(3), n integer, "
      "s serial, k char(3), arr varchar(10)[], h interval);";
  for (const char* change :
       {"a TYPE varchar(10)", "b TYPE varchar(50)", "c TYPE numeric(12,3)", "c TYPE numeric(9,2)", "d TYPE varbit(4)",
        "e TYPE timestamp(2)", "g TYPE time(1)", "n TYPE bigint", "s TYPE bigint", "k TYPE char(5)", "k TYPE text",
        "arr TYPE text[]", "a TYPE varchar(30) USING trim(a)", "n TYPE integer USING n + 1", "a TYPE integer USING a::integer",
        "h TYPE interval hour to second(3)"}) {
    std::string alter = std::string("ALTER TABLE t ALTER COLUMN ") + change + ";";
    INFO(alter);
    auto m = one_message("changing-column-type", {create, alter});
    CHECK(has(m, "PostgreSQL rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock"));
    CHECK(has(m, " from "));
  }
}

TEST_CASE("changing-column-type: timestamp to timestamptz depends on the time zone", "[rules][changing-column-type]") {
  auto m = one_message("changing-column-type",
                       {"CREATE TABLE t (at timestamp);", "ALTER TABLE t ALTER COLUMN at TYPE timestamptz;"});
  CHECK(has(m, "from timestamp to timestamptz"));
  CHECK(has(m, "unless the session time zone is UTC"));
  Settings old;
  old.pg_version = 11;
  m = one_message("changing-column-type",
                  {"CREATE TABLE t (at timestamp);", "ALTER TABLE t ALTER COLUMN at TYPE timestamptz;"}, old);
  CHECK_FALSE(has(m, "UTC"));
}

TEST_CASE("changing-column-type: types carry across files, renames and earlier changes", "[rules][changing-column-type]") {
  // declared in the first file, renamed and changed in the second, changed again in the third
  auto f = run_rule("changing-column-type",
                    {"CREATE TABLE accounts (handle varchar(20));",
                     "ALTER TABLE accounts RENAME COLUMN handle TO login; ALTER TABLE accounts RENAME TO users;"
                     "ALTER TABLE users ALTER COLUMN login TYPE varchar(40);",
                     "ALTER TABLE users ALTER COLUMN login TYPE varchar(30);"});
  REQUIRE(f.size() == 2);
  CHECK(has(dgtest::with_notes(f[0]), "from varchar(20) to varchar(40): binary-compatible"));
  CHECK(has(dgtest::with_notes(f[1]), "from varchar(40) to varchar(30): PostgreSQL rewrites"));
}

TEST_CASE("changing-column-type: unknown old type says so and guesses", "[rules][changing-column-type]") {
  auto m = one_message("changing-column-type", {"ALTER TABLE t ALTER COLUMN c TYPE text;"});
  CHECK(has(m, "its current type is not declared"));
  CHECK(has(m, "probably binary-compatible"));
  CHECK(has(m, "varchar(n) to text"));
  m = one_message("changing-column-type", {"ALTER TABLE t ALTER COLUMN c TYPE bigint;"});
  CHECK(has(m, "its current type is not declared"));
  CHECK(has(m, "rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock unless the change is "
               "binary-compatible"));
  m = one_message("changing-column-type", {"ALTER TABLE t ALTER COLUMN c TYPE text USING trim(c);"});
  CHECK(has(m, "with a USING clause: PostgreSQL rewrites"));
}

TEST_CASE("changing-column-type: not tables, created tables and no-ops are quiet", "[rules][changing-column-type]") {
  CHECK(run_rule("changing-column-type", {"ALTER TYPE addr ALTER ATTRIBUTE zip TYPE text;"}).empty());
  CHECK(run_rule("changing-column-type", {"CREATE TABLE t (a int); ALTER TABLE t ALTER a TYPE bigint;"}).empty());
  CHECK(run_rule("changing-column-type", {"CREATE TABLE t (a serial);", "ALTER TABLE t ALTER a TYPE integer;"}).empty());
  auto m = one_message("changing-column-type", {"CREATE TABLE t (a text);", "ALTER TABLE t ALTER a TYPE text COLLATE \"C\";"});
  CHECK(has(m, "collation"));
  m = one_message("changing-column-type", {"ALTER FOREIGN TABLE ft ALTER c TYPE bigint;"});
  CHECK(has(m, "foreign table stores no rows"));
}

TEST_CASE("ban-drop-table: a foreign table's data stays on the remote server", "[rules][ban-drop-table]") {
  CHECK(one_message("ban-drop-table", {"DROP FOREIGN TABLE remote_orders;"}) ==
        "drops foreign table remote_orders\nnote: the remote data stays, but code that still reads it fails");
  CHECK(one_message("ban-drop-table", {"DROP TABLE orders;"}) ==
        "drops table orders\nnote: every row is deleted and code that still reads it fails");
}

TEST_CASE("ban-truncate names existing tables and CASCADE", "[rules][ban-truncate]") {
  auto m = one_message("ban-truncate", {"CREATE TABLE s (id int); TRUNCATE s, orders CASCADE;"});
  CHECK(has(m, "truncates table orders\n"));
  CHECK(has(m, "CASCADE also empties every table with a foreign key to it"));
  m = one_message("ban-truncate", {"TRUNCATE a, b;"});
  CHECK(has(m, "truncates tables a and b"));
  CHECK_FALSE(has(m, "CASCADE"));
  CHECK(run_rule("ban-truncate", {"CREATE TABLE s (id int); TRUNCATE s CASCADE;"}).empty());
}

TEST_CASE("DML rules skip statements that do not run and tables created in the file", "[rules][dml]") {
  for (const char* rule : {"ban-delete-without-where", "ban-update-without-where"}) {
    INFO(rule);
    bool del = std::string(rule) == "ban-delete-without-where";
    std::string stmt = del ? "DELETE FROM t" : "UPDATE t SET a = 1";
    CHECK(run_rule(rule, {stmt + ";"}).size() == 1);
    CHECK(run_rule(rule, {"EXPLAIN ANALYZE " + stmt + ";"}).size() == 1);
    CHECK(run_rule(rule, {"EXPLAIN (ANALYZE on, BUFFERS) " + stmt + ";"}).size() == 1);
    CHECK(run_rule(rule, {"EXPLAIN " + stmt + ";"}).empty());
    CHECK(run_rule(rule, {"EXPLAIN (ANALYZE off) " + stmt + ";"}).empty());
    CHECK(run_rule(rule, {"PREPARE p AS " + stmt + ";"}).empty());
    CHECK(run_rule(rule, {"CREATE RULE r AS ON INSERT TO v DO INSTEAD " + stmt + ";"}).empty());
    CHECK(run_rule(rule, {"CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC " + stmt + "; END;"}).empty());
    CHECK(run_rule(rule, {"CREATE TABLE t (a int); " + stmt + ";"}).empty());
    CHECK(run_rule(rule, {stmt + " WHERE a > 0;"}).empty());
  }
}

TEST_CASE("ban-update-without-where: a backfill of columns added in the file says so", "[rules][dml]") {
  auto m = one_message("ban-update-without-where",
                       {"ALTER TABLE users ADD COLUMN plan text; UPDATE users SET plan = 'free';"});
  CHECK(has(m, "backfills every row of users"));
  CHECK(has(m, "\nnote: it sets plan, added in this file"));
  CHECK_FALSE(has(m, "old values are lost"));
  m = one_message("ban-update-without-where",
                  {"ALTER TABLE users ADD COLUMN plan text; UPDATE users SET plan = 'free', name = lower(name);"});
  CHECK(has(m, "overwrites every row of users\nnote: the old values of plan and name are lost"));
  m = one_message("ban-update-without-where", {"ALTER TABLE users ADD COLUMN plan text;", "UPDATE users SET plan = 'x';"});
  CHECK(has(m, "the old values of plan are lost"));
}

TEST_CASE("rename rules name old and new names", "[rules][renaming]") {
  auto m = one_message("renaming-table", {"ALTER TABLE sales.orders RENAME TO purchases;"});
  CHECK(has(m, "renames table sales.orders to purchases"));
  auto f = run_rule("renaming-table", {"ALTER TABLE sales.orders RENAME TO purchases;"});
  CHECK(has(f[0].help, "CREATE VIEW sales.orders AS SELECT * FROM sales.purchases"));
  m = one_message("renaming-column", {"ALTER TABLE \"User\" RENAME \"createdAt\" TO created_at;"});
  CHECK(has(m, "renames column \"createdAt\" of table \"User\" to created_at"));
  m = one_message("renaming-object", {"ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';"});
  CHECK(has(m, "renames value 'sad' of enum mood to 'unhappy'"));
  CHECK(run_rule("renaming-object", {"ALTER TYPE mood ADD VALUE 'meh';"}).empty());
  CHECK(run_rule("renaming-object", {"CREATE TYPE mood AS ENUM ('sad'); ALTER TYPE mood RENAME VALUE 'sad' TO 'x';"})
            .empty());
  CHECK(run_rule("renaming-object", {"ALTER INDEX i RENAME TO j;"}).empty());
  CHECK(run_rule("renaming-object", {"ALTER TABLE t RENAME TO u;"}).empty());
  CHECK(run_rule("renaming-table", {"ALTER VIEW v RENAME TO w;"}).empty());
}

TEST_CASE("rename rules: the old name taken by a later CREATE is not a break", "[rules][renaming]") {
  CHECK(run_rule("renaming-object", {"ALTER TYPE \"Role\" RENAME TO \"Role_old\"; CREATE TYPE \"Role\" AS ENUM ('A');"})
            .empty());
  CHECK(run_rule("renaming-object", {"ALTER TYPE \"Role\" RENAME TO \"Role_old\"; CREATE TYPE role AS ENUM ('A');"})
            .size() == 1);  // a different (case-folded) name
  CHECK(run_rule("renaming-object", {"ALTER TYPE \"Role\" RENAME TO r2;", "CREATE TYPE \"Role\" AS ENUM ('A');"})
            .size() == 1);  // another file
  CHECK(run_rule("renaming-object", {"CREATE TYPE \"Role_new\" AS ENUM ('A'); ALTER TYPE \"Role\" RENAME TO \"Role_old\";"
                                     " ALTER TYPE \"Role_new\" RENAME TO \"Role\"; DROP TYPE \"Role_old\";"})
            .empty());
  CHECK(run_rule("renaming-object", {"ALTER TYPE a.r RENAME TO r_old; ALTER TYPE b.r_new RENAME TO r;"}).size() == 2);
  CHECK(run_rule("renaming-object", {"ALTER TYPE r RENAME TO r_old; ALTER TYPE r_new RENAME VALUE 'x' TO r;"}).size() ==
        1);
  CHECK(run_rule("renaming-object", {"ALTER SCHEMA s RENAME TO s_old; CREATE SCHEMA IF NOT EXISTS \"s\";"}).empty());
  CHECK(run_rule("renaming-table", {"ALTER TABLE a.t RENAME TO u; CREATE OR REPLACE VIEW a.t AS SELECT * FROM a.u;"})
            .empty());
  CHECK(run_rule("renaming-table", {"ALTER TABLE a.t RENAME TO u; CREATE VIEW t AS SELECT * FROM a.u;"}).size() == 1);
  auto f = run_rule("renaming-table", {"ALTER TABLE t RENAME TO t_old; ALTER TABLE IF EXISTS ONLY t_new RENAME TO t;"});
  REQUIRE(f.size() == 1);  // only the second rename: t keeps a table
  CHECK(has(dgtest::with_notes(f[0]), "renames table t_new to t"));
  CHECK(run_rule("renaming-table", {"ALTER TABLE t RENAME TO t_old; ALTER TABLE x RENAME COLUMN t_new TO t;"}).size() ==
        1);
  CHECK(run_rule("renaming-table", {"ALTER TABLE t RENAME TO u; SELECT 'CREATE VIEW t'; -- CREATE VIEW t\n"}).size() == 1);
  CHECK(run_rule("renaming-table",
                 {"ALTER TABLE t RENAME TO u; CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ CREATE VIEW t AS "
                  "SELECT 1 $$;"})
            .size() == 1);
}

TEST_CASE("adding-required-field: what gives old rows and inserts a value", "[rules][adding-required-field]") {
  const char* rule = "adding-required-field";
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int NOT NULL;"}).size() == 1);
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int NOT NULL DEFAULT NULL;"}).size() == 1);
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int PRIMARY KEY;"}).size() == 1);
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int NOT NULL DEFAULT 0;"}).empty());
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int;"}).empty());
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c serial NOT NULL;"}).empty());
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c bigserial PRIMARY KEY;"}).empty());
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int NOT NULL GENERATED BY DEFAULT AS IDENTITY;"}).empty());
  CHECK(run_rule(rule, {"ALTER TABLE t ADD c int NOT NULL GENERATED ALWAYS AS (1) STORED;"}).empty());
  CHECK(run_rule(rule, {"CREATE TABLE t (a int); ALTER TABLE t ADD c int NOT NULL;"}).empty());
  CHECK(run_rule(rule, {"ALTER TYPE comp ADD ATTRIBUTE c int;"}).empty());
}
