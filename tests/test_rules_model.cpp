// Lint reads the replay's schema model (issue 15, "one model"): what the model knows and the old per-rule tracking
// did not (objects moved to another schema, renamed in an earlier file, created by CREATE TABLE AS or LIKE), the
// schema at the end of the history for foreign-key-without-index (through `lint` itself), and a replay failure
// that costs one statement only.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "git_repo.hpp"
#include "first_line.hpp"
#include "helpers.hpp"

using namespace driftguard;

namespace {

std::vector<Finding> lint_files(const std::string& rule, const std::vector<std::string>& files) {
  RuleSelection sel;
  sel.only = {rule};
  Engine engine(Settings{}, sel);
  RunState run;
  std::vector<Finding> out;
  int i = 0;
  for (const auto& sql : files) {
    auto src = make_source("migrations/000" + std::to_string(++i) + "_m.sql", sql);
    for (auto& f : engine.lint(src, run).findings) out.push_back(std::move(f));
  }
  return out;
}

std::string where(const Finding& f) {
  return f.file + ":" + std::to_string(f.start.line) + ":" + std::to_string(f.start.column) + " " + f.rule;
}

}  // namespace

TEST_CASE("one model: a column's type follows the table into another schema", "[rules][model]") {
  auto f = lint_files("changing-column-type", {"CREATE TABLE t (code varchar(20));\nCREATE SCHEMA app;",
                                               "ALTER TABLE t SET SCHEMA app;",
                                               "ALTER TABLE app.t ALTER COLUMN code TYPE varchar(10);"});
  REQUIRE(f.size() == 1);
  CHECK(where(f[0]) == "migrations/0003_m.sql:1:19 changing-column-type");
  CHECK(dgtest::with_notes(f[0]) ==
        "ALTER COLUMN code TYPE varchar(10) rewrites app.t under ACCESS EXCLUSIVE\n"
        "note: changes the type of column code of app.t from varchar(20) to varchar(10): PostgreSQL rewrites the "
        "table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, and clients see the new type");
}

TEST_CASE("one model: a column's type declared by CREATE TABLE ... LIKE", "[rules][model]") {
  auto f = lint_files("changing-column-type", {"CREATE TABLE a (n numeric(10,2));\nCREATE TABLE b (LIKE a);",
                                               "ALTER TABLE b ALTER COLUMN n TYPE numeric(12,2);"});
  REQUIRE(f.size() == 1);
  CHECK(dgtest::with_notes(f[0]) ==
        "ALTER COLUMN n TYPE numeric(12,2) on b changes what clients see\n"
        "note: changes the type of column n of b from numeric(10,2) to numeric(12,2): binary-compatible, so the "
        "table is not rewritten, but clients see the new type");
}

TEST_CASE("one model: a table renamed in the same file is new under its new name", "[rules][model]") {
  auto f = lint_files("require-concurrent-index-creation",
                      {"CREATE TABLE old_items (id bigint);\nALTER TABLE old_items RENAME TO items;\n"
                       "CREATE INDEX items_id_idx ON items (id);",
                       "CREATE INDEX items_id2_idx ON items (id);"});
  REQUIRE(f.size() == 1);
  CHECK(where(f[0]) == "migrations/0002_m.sql:1:1 require-concurrent-index-creation");
}

TEST_CASE("one model: a refused statement is lost alone, the rest of the file still builds the model",
          "[rules][model]") {
  // users is not in the linted history (the replay refuses the ALTER); orders, created after it in the same
  // transaction, is still new: no finding on its index.
  auto f = lint_files("require-concurrent-index-creation",
                      {"BEGIN;\nALTER TABLE users ADD COLUMN x int;\nCREATE TABLE orders (id bigint);\n"
                       "CREATE INDEX orders_id_idx ON orders (id);\nCOMMIT;"});
  CHECK(f.empty());
}

// Lint copies the model at a BEGIN after the file's first change only when something in the file can roll the
// block back (replay.cpp, may_restore): a ROLLBACK, or a BEGIN / COMMIT AND CHAIN left open at the end of the file.
// What the next file sees, for each way a block ends (the replay throws if a block without a copy is restored).
TEST_CASE("one model: a block begun after the file's first change, rolled back or kept", "[rules][model]") {
  auto from = [](const std::string& file) {
    auto f = lint_files("changing-column-type", {file, "ALTER TABLE t ALTER COLUMN code TYPE varchar(10);"});
    std::vector<std::string> out;
    for (const auto& x : f) {
      // the old type the model gave the column is in the finding's note
      if (x.file != "migrations/0002_m.sql") continue;
      const std::string& note = x.notes.at(0).message;
      out.push_back(note.substr(0, note.find(':')));
    }
    return out;
  };
  const std::string create = "CREATE TABLE t (code varchar(20));\n";
  const std::string to30 = "ALTER TABLE t ALTER COLUMN code TYPE varchar(30);\n";
  const std::vector<std::string> kept20{"changes the type of column code of t from varchar(20) to varchar(10)"};
  const std::vector<std::string> kept30{"changes the type of column code of t from varchar(30) to varchar(10)"};
  CHECK(from(create + "BEGIN;\n" + to30 + "ROLLBACK;\n") == kept20);
  CHECK(from(create + "BEGIN;\n" + to30 + "ABORT;\n") == kept20);
  CHECK(from(create + "BEGIN;\n" + to30) == kept20);  // left open: psql's session ends, the block rolls back
  CHECK(from(create + "START TRANSACTION;\n" + to30 + "SAVEPOINT s;\n") == kept20);
  CHECK(from(create + "BEGIN;\n" + to30 + "COMMIT;\n") == kept30);
  CHECK(from(create + "BEGIN;\n" + to30 + "COMMIT;\nBEGIN;\nCOMMIT;\n") == kept30);
  // COMMIT AND CHAIN opens the next block at once; left open, it rolls back to the chain.
  CHECK(from(create + "BEGIN;\n" + to30 + "COMMIT AND CHAIN;\nALTER TABLE t ALTER COLUMN code TYPE varchar(40);\n") ==
        kept30);
  CHECK(from(create + "BEGIN;\n" + to30 + "COMMIT AND CHAIN;\nCOMMIT;\n") == kept30);
}

TEST_CASE("foreign-key-without-index: lint judges a folder by the end of its history", "[rules][model][cli]") {
  dgtest::Repo repo;
  repo.write("migrations/0001_orders.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY);\n"
             "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n");
  repo.write("migrations/0002_index.sql", "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);\n");
  auto clean = repo.driftguard("lint migrations --rule foreign-key-without-index --format gcc");
  CHECK(clean.out == "");
  CHECK(clean.code == 0);
  // The file alone: its own end has no index.
  auto alone = repo.driftguard("lint migrations/0001_orders.sql --rule foreign-key-without-index --format gcc");
  CHECK(alone.out ==
        "migrations/0001_orders.sql:2:60: warning: foreign key orders_user_id_fkey on public.orders has no index "
        "[foreign-key-without-index]\n");
  // gcc shows the first line; the note (text format) says which columns and why it matters
  auto text = repo.driftguard("lint migrations/0001_orders.sql --rule foreign-key-without-index --color never");
  CHECK(text.out.find("\n  = note: no index of public.orders has (user_id) as its leading columns at the end of the "
                      "migration history: each DELETE from public.users, and each UPDATE of its key, scans "
                      "public.orders for referencing rows\n") != std::string::npos);
  // A later migration drops the index: reported again, at the key's creation in 0001.
  repo.write("migrations/0003_drop.sql", "DROP INDEX CONCURRENTLY orders_user_id_idx;\n");
  auto dropped = repo.driftguard("lint migrations --rule foreign-key-without-index --format gcc");
  CHECK(dropped.out == alone.out);
}
