// The replay against PostgreSQL 15 itself: each file is applied to a fresh database the way its migration tool
// runs it (Prisma: the whole file as one simple-protocol request, one implicit transaction; a wrapping runner:
// BEGIN, each statement, COMMIT, stopping at the first error; psql -f: each statement on its own, going on after
// errors), the catalog is read back, and the static replay of the same files must refuse what PostgreSQL refused
// (a replay-error at the statement's exact position) and build the model PostgreSQL built (no drift either way).
// Then what both sides must keep (partitions, storage parameters, deferrable constraint triggers): a database
// changed only in that property is found as drift.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "tests/pg_server.hpp"

using namespace driftguard;
using model::FileMode;

namespace {

struct MigrationFile {
  std::string text;
  FileMode mode = FileMode::request;  // Prisma's
};

// PostgreSQL's primary message of an error ("ERROR:  msg\nLINE 1: ..." -> "msg").
std::string primary_message(const std::string& what) {
  std::string line = what.substr(0, what.find('\n'));
  if (line.rfind("ERROR:  ", 0) == 0) line = line.substr(8);
  return line;
}

// The pieces of a file a tool sends one by one: the statements PostgreSQL's grammar accepts and the pieces it
// does not (sent as well: PostgreSQL answers them with a syntax error), in file order.
std::vector<std::string> pieces(const std::string& text) {
  ParsedFile parsed = parse_sql(text);
  std::vector<Span> spans;
  for (const auto& s : parsed.statements) {
    if (s.do_depth == 0) spans.push_back(s.span);
  }
  for (const auto& e : parsed.errors) spans.push_back(e.span);
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<std::string> out;
  for (const auto& s : spans) out.push_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

struct PgOutcome {
  std::vector<std::string> errors;  // PostgreSQL's messages, in order
  model::SchemaModel model;         // the catalog afterwards
};

// Applies the files to a fresh database as their tools do and reads the catalog back.
PgOutcome run_in_postgres(const std::vector<MigrationFile>& files) {
  std::string db = dgtest::pg::fresh_database("oracle");
  PgOutcome out;
  pqxx::connection c(db);
  auto exec = [&](const std::string& sql) {
    try {
      pqxx::nontransaction tx(c);
      tx.exec(sql);
      return true;
    } catch (const pqxx::sql_error& e) {
      out.errors.push_back(primary_message(e.what()));
      return false;
    }
  };
  for (const auto& f : files) {
    if (f.mode == FileMode::request) {
      exec(f.text);
    } else if (f.mode == FileMode::statements) {
      for (const auto& p : pieces(f.text)) exec(p);
    } else {
      exec("BEGIN");
      bool ok = true;
      for (const auto& p : pieces(f.text)) {
        if (!(ok = exec(p))) break;
      }
      exec(ok ? "COMMIT" : "ROLLBACK");
    }
  }
  db::ConnectOptions conn;
  conn.url = db;
  out.model = catalog::read(conn, {});
  return out;
}

struct Replayed {
  std::string findings;  // "m2.sql:2:1: message" lines
  model::SchemaModel model;
};

Replayed replay(const std::vector<MigrationFile>& files) {
  model::Replayer r;
  std::vector<Finding> findings;
  int n = 0;
  for (const auto& f : files) {
    auto src = make_source("m" + std::to_string(++n) + ".sql", f.text);
    r.apply_file(src, parse_sql(src.text), findings, f.mode);
  }
  Replayed out;
  for (const auto& f : findings) {
    out.findings +=
        f.file + ":" + std::to_string(f.start.line) + ":" + std::to_string(f.start.column) + ": " + f.message + "\n";
  }
  out.model = r.take();
  return out;
}

// Drift items, one a line. View definitions are left out: comparing them as PostgreSQL stores them is another
// class of issue 10 (normalization); here the views' existence is what matters.
std::string drift(const model::SchemaModel& expected, const model::SchemaModel& actual) {
  std::string out;
  for (const auto& i : diff::diff(expected, actual)) {
    if (i.kind == "view-definition") continue;
    out += i.kind + " " + i.path + ": " + i.expected.value + " | " + i.actual.value + "\n";
  }
  return out;
}

// The replay built what PostgreSQL built.
void same_model(const Replayed& r, const PgOutcome& pg) {
  INFO("replayed vs PostgreSQL");
  CHECK(drift(r.model, pg.model) == "");
  CHECK(drift(pg.model, r.model) == "");
}

// Runs the files in PostgreSQL and through the replay: PostgreSQL reports exactly `pg_errors`, the replay exactly
// `findings` ("m2.sql:2:1: message" lines), and both build the same model. Returns the replay.
Replayed oracle(const std::vector<MigrationFile>& files, const std::vector<std::string>& pg_errors,
                const std::string& findings) {
  auto pg = run_in_postgres(files);
  REQUIRE(pg.errors == pg_errors);
  auto r = replay(files);
  CHECK(r.findings == findings);
  same_model(r, pg);
  return r;
}

}  // namespace

// ---- what the replay refuses ----

TEST_CASE("oracle: CREATE INDEX CONCURRENTLY fails in a multi-statement Prisma file, and nothing of it applies",
          "[model][replay][oracle]") {
  std::vector<MigrationFile> files = {{"CREATE TABLE keep (id int);"},
                                      {"CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);"}};
  auto r = oracle(files, {"CREATE INDEX CONCURRENTLY cannot run inside a transaction block"},
                  "m2.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block; the file runs as one "
                  "transaction (one request), so nothing of it applies\n");
  CHECK(r.model.table("public", "a") == nullptr);
  CHECK(r.model.table("public", "keep") != nullptr);
}

TEST_CASE("oracle: CREATE INDEX CONCURRENTLY runs statement by statement, and alone in a Prisma file",
          "[model][replay][oracle]") {
  std::vector<MigrationFile> files = {
      {"CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);", FileMode::statements},
      {"CREATE INDEX CONCURRENTLY a_id2 ON a (id);"}};
  auto r = oracle(files, {}, "");
  CHECK(r.model.table("public", "a")->indexes.size() == 2);
}

TEST_CASE("oracle: statement by statement, an explicit transaction block fails as a whole and the rest runs",
          "[model][replay][oracle]") {
  std::vector<MigrationFile> files = {
      {"CREATE TABLE before (id int);\n"
       "BEGIN;\n"
       "CREATE TABLE inside (id int);\n"
       "CREATE INDEX CONCURRENTLY i ON inside (id);\n"
       "CREATE TABLE aborted (id int);\n"
       "COMMIT;\n"
       "CREATE TABLE after (id int);",
       FileMode::statements}};
  auto r = oracle(files,
                  {"CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
                   "current transaction is aborted, commands ignored until end of transaction block"},
                  "m1.sql:4:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block; its transaction "
                  "block is rolled back\n");
  CHECK(r.model.table("public", "before") != nullptr);
  CHECK(r.model.table("public", "inside") == nullptr);
  CHECK(r.model.table("public", "after") != nullptr);
}

TEST_CASE("oracle: a new enum value used in the same transaction", "[model][replay][oracle]") {
  std::string add = "ALTER TYPE \"Role\" ADD VALUE 'ADMIN';\n";
  SECTION("as a column default") {
    std::vector<MigrationFile> files = {{"CREATE TYPE \"Role\" AS ENUM ('USER');\nCREATE TABLE u (id int);"},
                                        {add + "ALTER TABLE u ADD COLUMN r \"Role\" NOT NULL DEFAULT 'ADMIN';"}};
    auto r = oracle(files, {"unsafe use of new value \"ADMIN\" of enum type \"Role\""},
                    "m2.sql:2:1: unsafe use of new value \"ADMIN\" of enum type \"Role\" (new enum values must be "
                    "committed before they can be used); the file runs as one transaction (one request), so "
                    "nothing of it applies\n");
    CHECK(r.model.schema("public")->types.at("Role").values == std::vector<std::string>{"USER"});
  }
  SECTION("in an UPDATE, a cast, a CHECK and an index predicate") {
    for (const std::string use : {"UPDATE u SET r = 'ADMIN' WHERE id = 1;", "SELECT 'ADMIN'::\"Role\";",
                                  "ALTER TABLE u ADD CONSTRAINT c CHECK (r <> 'ADMIN');",
                                  "CREATE INDEX ix ON u (id) WHERE r IN ('USER', 'ADMIN');"}) {
      INFO(use);
      std::vector<MigrationFile> files = {
          {"CREATE TYPE \"Role\" AS ENUM ('USER');\nCREATE TABLE u (id int, r \"Role\");"}, {add + use}};
      oracle(files, {"unsafe use of new value \"ADMIN\" of enum type \"Role\""},
             "m2.sql:2:1: unsafe use of new value \"ADMIN\" of enum type \"Role\" (new enum values must be "
             "committed before they can be used); the file runs as one transaction (one request), so "
             "nothing of it applies\n");
    }
  }
  SECTION("committed first (another file, or statement by statement): allowed") {
    std::vector<MigrationFile> files = {
        {"CREATE TYPE \"Role\" AS ENUM ('USER');\nCREATE TABLE u (id int);"},
        {add + "COMMIT;\nALTER TABLE u ADD COLUMN r \"Role\" DEFAULT 'ADMIN';"},
        {"ALTER TYPE \"Role\" ADD VALUE 'OWNER';\nALTER TABLE u ADD COLUMN o \"Role\" DEFAULT 'OWNER';",
         FileMode::statements}};
    auto r = oracle(files, {}, "");
    CHECK(r.model.schema("public")->types.at("Role").values == std::vector<std::string>{"USER", "ADMIN", "OWNER"});
  }
}

TEST_CASE("oracle: DROP VIEW with dependent views needs CASCADE", "[model][replay][oracle]") {
  std::string views =
      "CREATE TABLE t (a int);\nCREATE VIEW v1 AS SELECT a FROM t;\nCREATE VIEW v2 AS SELECT a FROM v1;\n";
  SECTION("refused") {
    std::vector<MigrationFile> files = {{views + "DROP VIEW v1;\nCREATE TABLE after (x int);", FileMode::statements}};
    auto r = oracle(files, {"cannot drop view v1 because other objects depend on it"},
                    "m1.sql:4:1: cannot drop view \"v1\" because view \"v2\" depends on it (use CASCADE)\n");
    CHECK(r.model.schema("public")->views.count("v1") == 1);
  }
  SECTION("a table a view reads, refused too") {
    std::vector<MigrationFile> files = {{views + "DROP TABLE t;", FileMode::statements}};
    oracle(files, {"cannot drop table t because other objects depend on it"},
           "m1.sql:4:1: cannot drop table \"t\" because view \"v1\" depends on it (use CASCADE)\n");
  }
  SECTION("CASCADE drops the dependent views, through renames") {
    std::vector<MigrationFile> files = {{views + "CREATE MATERIALIZED VIEW m AS SELECT a FROM v2;\nALTER TABLE t "
                                                 "RENAME TO t2;\nALTER VIEW v1 RENAME TO v1b;\n"
                                                 "DROP TABLE t2 CASCADE;\nCREATE VIEW v1 AS SELECT 1 AS one;",
                                         FileMode::statements}};
    auto r = oracle(files, {}, "");
    CHECK(r.model.schema("public")->views.size() == 1);
  }
}

TEST_CASE("oracle: CREATE TRIGGER ... UPDATE OF a missing column", "[model][replay][oracle]") {
  std::vector<MigrationFile> files = {
      {"CREATE TABLE t (a int);\n"
       "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
       "CREATE TRIGGER g BEFORE UPDATE OF a, zz ON t FOR EACH ROW EXECUTE FUNCTION f();"}};
  auto r = oracle(files, {"column \"zz\" of relation \"t\" does not exist"},
                  "m1.sql:3:1: column \"zz\" of relation \"t\" does not exist; the file runs as one transaction "
                  "(one request), so nothing of it applies\n");
  CHECK(r.model.table("public", "t") == nullptr);
}

TEST_CASE(
    "oracle: after a failure, a file that runs as one transaction leaves nothing, statement by statement keeps "
    "the rest",
    "[model][replay][oracle]") {
  std::string text = "CREATE TABLE a (id int);\nSELEC 1;\nCREATE TABLE b (id int);";
  SECTION("Prisma: PostgreSQL parses the whole request first") {
    std::vector<MigrationFile> files = {{text}};
    auto r = oracle(files, {"syntax error at or near \"SELEC\""},
                    "m1.sql:2:1: statement does not parse, so the schema after it is unknown: syntax error at or "
                    "near \"SELEC\"; the file runs as one transaction (one request), so nothing of it applies\n");
    CHECK(r.model.table("public", "a") == nullptr);
  }
  SECTION("a wrapping runner (BEGIN ... COMMIT): rolled back") {
    std::vector<MigrationFile> files = {
        {"CREATE TABLE a (id int);\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);", FileMode::transaction}};
    oracle(files, {"relation \"a\" already exists"},
           "m1.sql:2:1: relation \"a\" already exists (a table); the file runs in one transaction, so "
           "nothing of it applies\n");
  }
  SECTION("statement by statement: the rest runs") {
    std::vector<MigrationFile> files = {{text, FileMode::statements}};
    auto r = oracle(files, {"syntax error at or near \"SELEC\""},
                    "m1.sql:2:1: statement does not parse, so the schema after it is unknown: syntax error at or "
                    "near \"SELEC\"\n");
    CHECK(r.model.table("public", "b") != nullptr);
  }
  SECTION("Prisma: a COMMIT in the file keeps what came before it") {
    std::vector<MigrationFile> files = {
        {"CREATE TABLE c1 (a int);\nCOMMIT;\nCREATE TABLE c2 (a int);\nCREATE TABLE c1 (a int);\nCREATE TABLE c3 (a "
         "int);"}};
    auto r = oracle(files, {"relation \"c1\" already exists"},
                    "m1.sql:4:1: relation \"c1\" already exists (a table); the file runs as one transaction (one "
                    "request), so nothing of it since its last COMMIT applies\n");
    CHECK(r.model.table("public", "c1") != nullptr);
    CHECK(r.model.table("public", "c2") == nullptr);
  }
}

TEST_CASE("oracle: a failing file restores the model as the earlier files left it, file after file",
          "[model][replay][oracle]") {
  // A file that runs as one transaction rolls back to the model the earlier files built (held by the replayer's
  // replica, not a copy: replay.hpp); after a rollback the replica is seeded again, and a later failure
  // restores what the files in between added, including changes to tables of the earliest files.
  std::vector<MigrationFile> files = {
      {"CREATE TABLE a (id int PRIMARY KEY, v text);\nCREATE INDEX a_v ON a (v);"},
      {"CREATE TABLE b (id int REFERENCES a);\nALTER TABLE a ADD COLUMN w int;"},
      {"ALTER TABLE a DROP COLUMN v;\nDROP TABLE b;\nCREATE TABLE c (id int);\nCREATE TABLE a (id int);"},
      {"ALTER TABLE b ADD COLUMN x int;\nCREATE UNIQUE INDEX b_x ON b (x);"},
      {"DROP INDEX a_v;\nALTER TABLE b DROP COLUMN x;\nCREATE INDEX CONCURRENTLY c_id ON b (id);"},
      {"BEGIN;\nALTER TABLE a RENAME COLUMN w TO z;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE d (id int);",
       FileMode::statements},
      {"CREATE TABLE e (id int);\nBEGIN;\nDROP TABLE e;\nCREATE TABLE d (id int);\nCOMMIT;", FileMode::statements},
      {"ALTER TABLE a ADD COLUMN y int;\nCREATE TABLE d (id int);", FileMode::transaction},
      {"ALTER TABLE a ADD COLUMN y int;"}};
  auto r = oracle(
      files,
      {"relation \"a\" already exists", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
       "relation \"a\" already exists", "relation \"d\" already exists", "relation \"d\" already exists"},
      "m3.sql:4:1: relation \"a\" already exists (a table); the file runs as one transaction (one request), so "
      "nothing of it applies\n"
      "m5.sql:3:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block; the file runs as one "
      "transaction (one request), so nothing of it applies\n"
      "m6.sql:3:1: relation \"a\" already exists (a table); its transaction block is rolled back\n"
      "m7.sql:4:1: relation \"d\" already exists (a table); its transaction block is rolled back\n"
      "m8.sql:2:1: relation \"d\" already exists (a table); the file runs in one transaction, so nothing of it "
      "applies\n");
  CHECK(r.model.table("public", "a")->column("v") != nullptr);
  CHECK(r.model.table("public", "a")->column("w") != nullptr);
  CHECK(r.model.table("public", "a")->column("y") != nullptr);
  CHECK(r.model.table("public", "a")->index("a_v") != nullptr);
  CHECK(r.model.table("public", "b")->column("x") != nullptr);
  CHECK(r.model.table("public", "c") == nullptr);
  CHECK(r.model.table("public", "e") != nullptr);
}

TEST_CASE("oracle: index and constraint names through renames, moves, drops and a rolled-back block",
          "[model][replay][oracle]") {
  // The replay finds an index by name through its index of names (relation_names.hpp): each name must be taken,
  // and free again, exactly when PostgreSQL says so (the test binary also checks every lookup against a walk).
  std::vector<MigrationFile> files = {
      {"CREATE TABLE a (id int PRIMARY KEY, v int);\n"
       "CREATE INDEX a_v ON a (v);\n"
       "ALTER INDEX a_v RENAME TO a_w;\n"
       "CREATE TABLE a_v (id int);\n"
       "CREATE TABLE a_w (id int);\n"
       "CREATE SCHEMA s;\n"
       "ALTER TABLE a SET SCHEMA s;\n"
       "CREATE TABLE a_w (id int);\n"
       "CREATE INDEX a_pkey ON a_v (id);\n"
       "CREATE TABLE s.a_pkey (id int);\n"
       "ALTER TABLE s.a RENAME TO b;\n"
       "CREATE INDEX a_w ON s.b (v);\n"
       "ALTER TABLE s.b RENAME CONSTRAINT a_pkey TO b_pkey;\n"
       "CREATE TABLE s.a_pkey (id int);\n"
       "BEGIN;\n"
       "DROP INDEX s.a_w;\n"
       "CREATE TABLE s.a_w (id int);\n"
       "CREATE INDEX CONCURRENTLY x ON s.b (v);\n"
       "COMMIT;\n"
       "CREATE TABLE s.a_w (id int);\n"
       "ALTER TABLE s.b DROP CONSTRAINT b_pkey;\n"
       "CREATE TABLE s.b_pkey (id int);\n"
       "ALTER TABLE s.b ADD CONSTRAINT u UNIQUE (v), ADD COLUMN v int;\n"
       "CREATE TABLE s.u (id int);\n"
       "CREATE UNIQUE INDEX u2 ON s.b (v);\n"
       "ALTER SCHEMA s RENAME TO t;\n"
       "CREATE TABLE t.u2 (id int);\n"
       "CREATE TABLE t.a_w (id int);\n"
       "DROP TABLE t.b;\n"
       "CREATE TABLE t.u2 (id int);\n"
       "CREATE TABLE t.a_w (id int);",
       FileMode::statements}};
  oracle(files,
         {"relation \"a_w\" already exists", "relation \"a_pkey\" already exists", "relation \"a_w\" already exists",
          "CREATE INDEX CONCURRENTLY cannot run inside a transaction block", "relation \"a_w\" already exists",
          "column \"v\" of relation \"b\" already exists", "relation \"u2\" already exists",
          "relation \"a_w\" already exists"},
         "m1.sql:5:1: relation \"a_w\" already exists (a index)\n"
         "m1.sql:10:1: relation \"s.a_pkey\" already exists (a index)\n"
         "m1.sql:12:1: relation \"s.a_w\" already exists (a index)\n"
         "m1.sql:18:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block; its transaction block is "
         "rolled back\n"
         "m1.sql:20:1: relation \"s.a_w\" already exists (a index)\n"
         "m1.sql:23:1: column \"v\" of relation \"s.b\" already exists\n"
         "m1.sql:27:1: relation \"t.u2\" already exists (a index)\n"
         "m1.sql:28:1: relation \"t.a_w\" already exists (a index)\n");
}

// ---- what the replay keeps ----

namespace {

// The migration replayed and applied to PostgreSQL gives the same model; a database built from `changed` instead
// differs from the replayed migration by exactly `expected` (and the reverse comparison finds it too).
void kept(const std::string& migration, const std::string& changed, const std::string& expected) {
  std::vector<MigrationFile> files = {{migration, FileMode::statements}};
  auto r = oracle(files, {}, "");
  auto other = run_in_postgres({{changed, FileMode::statements}});
  CHECK(other.errors == std::vector<std::string>{});
  CHECK(drift(r.model, other.model) == expected);
  CHECK(!drift(other.model, r.model).empty());
}

}  // namespace

TEST_CASE("oracle: partitioned tables and partitions are kept, and a different key or bound is drift",
          "[model][replay][oracle]") {
  std::string base =
      "CREATE TABLE m (id int NOT NULL, k text, at timestamp(3)) PARTITION BY LIST (k);\n"
      "CREATE TABLE m_a PARTITION OF m FOR VALUES IN ('a', 'b');\n"
      "CREATE TABLE m_null PARTITION OF m FOR VALUES IN (NULL);\n"
      "CREATE TABLE m_rest PARTITION OF m DEFAULT;\n"
      "CREATE TABLE r (id int, at date, v int) PARTITION BY RANGE (at, (v + 1));\n"
      "CREATE TABLE r_2020 PARTITION OF r FOR VALUES FROM ('2020-01-01', MINVALUE) TO ('2021-01-01', MAXVALUE);\n"
      "CREATE TABLE h (id bigint) PARTITION BY HASH (id);\n"
      "CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0) PARTITION BY RANGE (id);\n"
      "CREATE TABLE h0_low PARTITION OF h0 FOR VALUES FROM (MINVALUE) TO (100);\n"
      "CREATE TABLE loose (id bigint);\n"
      "ALTER TABLE h ATTACH PARTITION loose FOR VALUES WITH (modulus 2, remainder 1);\n";
  SECTION("the key") {
    std::string changed = base;
    changed.replace(changed.find("PARTITION BY LIST (k)"), 21, "PARTITION BY LIST (lower(k))");
    kept(base, changed, "partition-key public.m: LIST (k) | LIST (lower(k))\n");
  }
  SECTION("a bound") {
    std::string changed = base;
    changed.replace(changed.find("IN ('a', 'b')"), 13, "IN ('a')");
    kept(base, changed,
         "partition-bound public.m_a: PARTITION OF m FOR VALUES IN ('a', 'b') | PARTITION OF m FOR VALUES IN ('a')\n");
  }
  SECTION("detached") {
    kept(base, base + "ALTER TABLE h DETACH PARTITION loose;",
         "partition-bound public.loose: PARTITION OF h FOR VALUES WITH (modulus 2, remainder 1) | (not a partition)\n");
  }
}

TEST_CASE("oracle: table and index storage parameters are kept, and a changed one is drift",
          "[model][replay][oracle]") {
  std::string base =
      "CREATE TABLE s (id int PRIMARY KEY, v text) WITH (fillfactor = 70, autovacuum_enabled = false);\n"
      "CREATE INDEX s_v ON s (v) WITH (fillfactor = 80);\n"
      "CREATE TABLE s2 (id int);\n"
      "ALTER TABLE s2 SET (fillfactor = 50);\n"
      "ALTER TABLE s2 RESET (fillfactor);\n"
      "ALTER TABLE s2 SET (toast_tuple_target = 256);\n";
  SECTION("a table's") {
    kept(
        base, base + "ALTER TABLE s SET (fillfactor = 60);",
        "storage-parameters public.s: WITH (autovacuum_enabled=false, fillfactor=70) | WITH (autovacuum_enabled=false, "
        "fillfactor=60)\n");
  }
  SECTION("an index's") {
    kept(base, base + "ALTER INDEX s_v SET (fillfactor = 90);",
         "index-definition public.s.s_v: btree (v) WITH (fillfactor=80) | btree (v) WITH (fillfactor=90)\n");
  }
}

TEST_CASE("oracle: a constraint trigger's DEFERRABLE INITIALLY DEFERRED is kept, and a changed one is drift",
          "[model][replay][oracle]") {
  std::string base =
      "CREATE TABLE t (a int);\n"
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;\n"
      "CREATE CONSTRAINT TRIGGER g AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f();\n"
      "CREATE CONSTRAINT TRIGGER g2 AFTER UPDATE ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();\n";
  std::string changed = base;
  changed.replace(changed.find("DEFERRABLE INITIALLY DEFERRED"), 29, "NOT DEFERRABLE");
  kept(base, changed,
       "trigger public.t.g: CONSTRAINT AFTER INSERT DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f() | "
       "CONSTRAINT AFTER INSERT FOR EACH ROW EXECUTE FUNCTION f()\n");
}

TEST_CASE("oracle: a partition of a table that is not partitioned", "[model][replay][oracle]") {
  std::vector<MigrationFile> files = {
      {"CREATE TABLE np (a int);\nCREATE TABLE c (a int);\n"
       "CREATE TABLE np1 PARTITION OF np FOR VALUES IN (1);\n"
       "ALTER TABLE np ATTACH PARTITION c FOR VALUES IN (2);",
       FileMode::statements}};
  oracle(files, {"\"np\" is not partitioned", "table \"np\" is not partitioned"},
         "m1.sql:3:1: \"np\" is not partitioned\nm1.sql:4:1: table \"np\" is not partitioned\n");
}

// ---- INHERITS (analyzer/model/replay/inheritance.cpp) ----

TEST_CASE("oracle: INHERITS parents, DROP TABLE of a parent needs CASCADE, which drops its children",
          "[model][replay][oracle][inherits]") {
  // A child takes its parents' columns (merged by name; identity is not inherited) and has their check constraints.
  std::string family =
      "CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY, c int NOT NULL CHECK (c > 0), d text DEFAULT 'x');\n"
      "CREATE TABLE q (c int, e date, CONSTRAINT e_past CHECK (e < '2100-01-01'));\n"
      "CREATE TABLE h (x int, c int) INHERITS (p, q);\n"
      "CREATE TABLE g (y int) INHERITS (h);\n";
  SECTION("refused without CASCADE, the statement after it still runs") {
    std::vector<MigrationFile> files = {{family + "DROP TABLE p;\nCREATE TABLE after (x int);", FileMode::statements}};
    auto r = oracle(files, {"cannot drop table p because other objects depend on it"},
                    "m1.sql:5:1: cannot drop table \"p\" because table \"h\" depends on it (use CASCADE)\n");
    const model::Table* h = r.model.table("public", "h");
    REQUIRE(h != nullptr);
    CHECK(h->inherits == std::vector<std::pair<std::string, std::string>>{{"public", "p"}, {"public", "q"}});
    std::vector<std::string> cols;
    for (const auto& c : h->columns) cols.push_back(c.name);
    CHECK(cols == std::vector<std::string>{"id", "c", "d", "e", "x"});
    // The check constraints h and g have from their parents are the parents' (the catalog's conislocal).
    CHECK(h->constraints.empty());
  }
  SECTION("CASCADE drops the children and theirs") {
    auto r = oracle({{family + "DROP TABLE q CASCADE;", FileMode::statements}}, {}, "");
    CHECK(r.model.table("public", "h") == nullptr);
    CHECK(r.model.table("public", "g") == nullptr);
    CHECK(r.model.table("public", "p") != nullptr);
  }
  SECTION("a child dropped in the same statement needs no CASCADE") {
    auto r = oracle({{family + "DROP TABLE g, p, h;", FileMode::statements}}, {}, "");
    CHECK(r.model.table("public", "q") != nullptr);
  }
  SECTION("a renamed parent, then dropped") {
    oracle({{family + "ALTER TABLE p RENAME TO p2;\nDROP TABLE p2;\nDROP TABLE p2 CASCADE;", FileMode::statements}},
           {"cannot drop table p2 because other objects depend on it"},
           "m1.sql:6:1: cannot drop table \"p2\" because table \"h\" depends on it (use CASCADE)\n");
  }
}

TEST_CASE("oracle: ALTER TABLE ... INHERIT / NO INHERIT, and a parent's new columns and checks reach its children",
          "[model][replay][oracle][inherits]") {
  std::string base =
      "CREATE TABLE p (id int NOT NULL, c int CONSTRAINT c_pos CHECK (c > 0));\n"
      "CREATE TABLE ok (id int NOT NULL, c int CONSTRAINT c_pos CHECK (c > 0), own text);\n"
      "CREATE TABLE no_col (id int NOT NULL);\n"
      "CREATE TABLE no_check (id int NOT NULL, c int);\n"
      "CREATE TABLE nullable (id int, c int CONSTRAINT c_pos CHECK (c > 0));\n"
      "CREATE TABLE other_type (id bigint NOT NULL, c int CONSTRAINT c_pos CHECK (c > 0));\n";
  SECTION("joining needs the parent's columns, NOT NULL and checks") {
    oracle({{base +
                 "ALTER TABLE ok INHERIT p;\nALTER TABLE no_col INHERIT p;\nALTER TABLE no_check INHERIT p;\n"
                 "ALTER TABLE nullable INHERIT p;\nALTER TABLE other_type INHERIT p;\nALTER TABLE ok INHERIT p;\n"
                 "ALTER TABLE p INHERIT ok;\nALTER TABLE ok NO INHERIT no_col;\nALTER TABLE p ADD COLUMN n int;\n"
                 "ALTER TABLE p ADD CONSTRAINT n_neg CHECK (n < 0);\nALTER TABLE ONLY p ADD COLUMN n2 int;\n"
                 "ALTER TABLE ok NO INHERIT p;\nALTER TABLE p ADD COLUMN n3 int;",
             FileMode::statements}},
           {"child table is missing column \"c\"", "child table is missing constraint \"c_pos\"",
            "column \"id\" in child table must be marked NOT NULL",
            "child table \"other_type\" has different type for column \"id\"",
            "relation \"p\" would be inherited from more than once", "circular inheritance not allowed",
            "relation \"no_col\" is not a parent of relation \"ok\"", "column must be added to child tables too"},
           "m1.sql:8:1: child table is missing column \"c\"\n"
           "m1.sql:9:1: child table is missing constraint \"c_pos\"\n"
           "m1.sql:10:1: column \"id\" in child table must be marked NOT NULL\n"
           "m1.sql:11:1: child table \"other_type\" has different type for column \"id\"\n"
           "m1.sql:12:1: relation \"p\" would be inherited from more than once\n"
           "m1.sql:13:1: circular inheritance not allowed\n"
           "m1.sql:14:1: relation \"no_col\" is not a parent of relation \"ok\"\n"
           "m1.sql:17:1: column must be added to child tables too\n");
  }
  SECTION("a table's parents are kept, and a database where it has none is drift") {
    std::string family = "CREATE TABLE p (id int NOT NULL);\nCREATE TABLE h (x int) INHERITS (p);\n";
    kept(family, family + "ALTER TABLE h NO INHERIT p;\n", "inherits public.h: INHERITS (p) | (no parent)\n");
  }
}

TEST_CASE("oracle: schema --format sql of inheriting tables applies to PostgreSQL and builds the same tables",
          "[model][replay][oracle][inherits]") {
  std::vector<MigrationFile> files = {
      {"CREATE TABLE z_parent (id int NOT NULL, c int CHECK (c > 0));\n"  // sorts after its child
       "CREATE TABLE a_child (x int) INHERITS (z_parent);\n"
       "CREATE TABLE b_loose (id int NOT NULL, c int CONSTRAINT z_parent_c_check CHECK (c > 0));\n"
       "ALTER TABLE b_loose INHERIT z_parent;",
       FileMode::statements}};
  auto r = oracle(files, {}, "");
  auto printed = run_in_postgres({{model::to_sql(r.model), FileMode::statements}});
  CHECK(printed.errors == std::vector<std::string>{});
  CHECK(drift(r.model, printed.model) == "");
  CHECK(drift(printed.model, r.model) == "");
}

TEST_CASE("oracle: schema --format sql of partitions under checks applies to PostgreSQL and builds the same tables",
          "[model][replay][oracle][partitions]") {
  // A partition is printed as a table and attached: ATTACH refuses a table without its ancestors' checks
  // ("child table is missing constraint"), which the model holds as theirs (the previous to_sql failed here).
  std::vector<MigrationFile> files = {
      {"CREATE TABLE z (a int NOT NULL, b text, CONSTRAINT ck CHECK (a > 0)) PARTITION BY LIST (a);\n"
       "CREATE TABLE z1 PARTITION OF z FOR VALUES IN (1, 2) PARTITION BY LIST (b);\n"
       "CREATE TABLE a1 PARTITION OF z1 FOR VALUES IN ('x');\n"  // sorts before its parents
       "CREATE TABLE z2 (a int NOT NULL, b text, CONSTRAINT ck CHECK (a > 0), CONSTRAINT own CHECK (b <> ''));\n"
       "ALTER TABLE z ATTACH PARTITION z2 FOR VALUES IN (3);",
       FileMode::statements}};
  auto r = oracle(files, {}, "");
  std::string sql = model::to_sql(r.model);
  CHECK(sql.find("CREATE TABLE a1 (\n  a integer NOT NULL,\n  b text,\n  CONSTRAINT ck CHECK (a > 0)\n);") !=
        std::string::npos);
  auto printed = run_in_postgres({{sql, FileMode::statements}});
  CHECK(printed.errors == std::vector<std::string>{});
  CHECK(drift(r.model, printed.model) == "");
  CHECK(drift(printed.model, r.model) == "");
}

TEST_CASE("oracle: VACUUM, DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY in a transaction block",
          "[model][replay][oracle]") {
  for (const std::string stmt : {"VACUUM a", "DROP INDEX CONCURRENTLY a_id", "REINDEX TABLE CONCURRENTLY a"}) {
    INFO(stmt);
    std::vector<MigrationFile> files = {
        {"CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);", FileMode::statements},
        {"CREATE TABLE b (id int);\n" + stmt + ";"}};
    std::string what = stmt.substr(0, stmt.find(stmt[0] == 'D' ? " a_id" : stmt[0] == 'R' ? " TABLE" : " a"));
    if (stmt[0] == 'R') what = "REINDEX CONCURRENTLY";
    oracle(files, {what + " cannot run inside a transaction block"},
           "m2.sql:2:1: " + what +
               " cannot run inside a transaction block; the file runs as one transaction (one "
               "request), so nothing of it applies\n");
  }
}

TEST_CASE("partitions, storage parameters and deferrable constraint triggers survive to_sql", "[model][replay]") {
  auto r =
      replay({{"CREATE TABLE z_child (id int, k text);\n"  // sorts after its parent: attached after both exist
               "CREATE TABLE a_parent (id int, k text) PARTITION BY LIST (k);\n"
               "ALTER TABLE a_parent ATTACH PARTITION z_child FOR VALUES IN ('z');\n"
               "CREATE TABLE s (id int) WITH (fillfactor = 70, autovacuum_enabled = off);\n"
               "CREATE INDEX s_id ON s (id) WITH (fillfactor = 80);\n"
               "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;\n"
               "CREATE CONSTRAINT TRIGGER g AFTER INSERT ON s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE "
               "FUNCTION f();",
               FileMode::statements}});
  REQUIRE(r.findings == "");
  const model::Table* child = r.model.table("public", "z_child");
  REQUIRE(child != nullptr);
  CHECK(child->parent_table == "a_parent");
  CHECK(child->partition_bound == "FOR VALUES IN ('z')");
  CHECK(r.model.table("public", "a_parent")->partition_by == "LIST (k)");
  CHECK(model::storage_clause(r.model.table("public", "s")->options) == "WITH (autovacuum_enabled=off, fillfactor=70)");
  CHECK(r.model.table("public", "s")->indexes.at(0).definition() == "btree (id) WITH (fillfactor=80)");
  std::string sql = model::to_sql(r.model);
  model::Replayer again;
  std::vector<Finding> findings;
  again.apply_sql(sql, SourceRef{"printed.sql", 1, 1}, findings);
  CHECK(findings.empty());
  CHECK(drift(r.model, again.model()) == "");
  CHECK(drift(again.model(), r.model) == "");
}
