// Lint precision (issue 15): context decides the defaults, one hazard is one finding, and the hazards that were
// missing. Each test lints with the default selection (what users see) unless it says otherwise, and asserts the
// exact rule, line and message.
#include <catch2/catch.hpp>

#include <algorithm>

#include "analyzer/fix.hpp"
#include "analyzer/names.hpp"
#include "analyzer/parse.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "tests/pg_server.hpp"

using namespace driftguard;

namespace {

struct Seen {
  std::string rule;
  int line;
  int column;
  bool operator==(const Seen& o) const { return rule == o.rule && line == o.line && column == o.column; }
};

std::ostream& operator<<(std::ostream& os, const Seen& s) { return os << s.rule << "@" << s.line << ":" << s.column; }

// Findings of `rules` (all when empty) with the default selection (plus `sel`).
std::vector<Finding> lint(const std::string& sql, const std::string& path = "test.sql", RuleSelection sel = {},
                          Settings settings = {}) {
  return dgtest::lint_text(sql, sel, settings, path);
}

std::vector<Seen> seen(const std::vector<Finding>& fs, const std::vector<std::string>& rules) {
  std::vector<Seen> out;
  for (const auto& f : fs) {
    if (std::find(rules.begin(), rules.end(), f.rule) != rules.end()) {
      out.push_back({f.rule, f.start.line, f.start.column});
    }
  }
  return out;
}

const Finding* first(const std::vector<Finding>& fs, const std::string& rule) {
  for (const auto& f : fs) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("one hazard, one finding: ADD FOREIGN KEY without NOT VALID", "[rules][precision]") {
  const std::string sql = "ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);";
  auto f = lint(sql);
  CHECK(seen(f, {"adding-foreign-key-constraint", "constraint-missing-not-valid"}) ==
        std::vector<Seen>{{"constraint-missing-not-valid", 1, 20}});
  const Finding* c = first(f, "constraint-missing-not-valid");
  REQUIRE(c != nullptr);
  CHECK(c->message == "ADD FOREIGN KEY on orders without NOT VALID checks every existing row");
  REQUIRE(c->notes.size() == 1);
  CHECK(c->notes[0].message ==
        "while it takes SHARE ROW EXCLUSIVE on orders: blocks writes (reads continue) until the transaction ends, and "
        "takes SHARE ROW EXCLUSIVE on users: blocks writes (reads continue) until the transaction ends");
  CHECK(c->fix.has_value());
  // Without constraint-missing-not-valid, adding-foreign-key-constraint reports it.
  RuleSelection sel;
  sel.exclude = {"constraint-missing-not-valid"};
  CHECK(seen(lint(sql, "test.sql", sel), {"adding-foreign-key-constraint", "constraint-missing-not-valid"}) ==
        std::vector<Seen>{{"adding-foreign-key-constraint", 1, 20}});
}

TEST_CASE("ADD COLUMN ... CHECK on an existing table checks every row", "[rules][precision]") {
  auto f = lint("ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);");
  const Finding* c = first(f, "constraint-missing-not-valid");
  REQUIRE(c != nullptr);
  CHECK(c->start.line == 1);
  CHECK(c->start.column == 20);
  CHECK(c->message == "ADD COLUMN qty with a CHECK checks every existing row");
  REQUIRE(c->notes.size() == 1);
  CHECK(c->notes[0].message ==
        "while it takes ACCESS EXCLUSIVE on orders: blocks reads and writes until the transaction ends");
  CHECK(first(lint("CREATE TABLE o (id int);\nALTER TABLE o ADD COLUMN qty int CHECK (qty > 0);"),
              "constraint-missing-not-valid") == nullptr);
}

TEST_CASE("require-statement-timeout: only statements that read or write every row", "[rules][precision]") {
  // Catalog-only changes end as soon as they have their lock: not statement_timeout's concern.
  for (const char* sql : {"ALTER TABLE orders ADD COLUMN note text;", "ALTER TABLE orders DROP CONSTRAINT c;",
                          "ALTER TABLE orders ADD COLUMN n int NOT NULL DEFAULT 0;",
                          "ALTER TABLE orders ALTER COLUMN n SET DEFAULT 1;", "ALTER TABLE orders RENAME TO o2;"}) {
    INFO(sql);
    CHECK(seen(lint(sql), {"require-statement-timeout"}).empty());
    CHECK(seen(lint(sql), {"require-lock-timeout"}) == std::vector<Seen>{{"require-lock-timeout", 1, 1}});
  }
  // The first statement that scans is reported, even after a catalog-only one (the index build is
  // require-concurrent-index-creation's).
  auto f = lint("ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note ON orders (note);\n"
                "ALTER TABLE orders ALTER COLUMN n SET NOT NULL;");
  CHECK(seen(f, {"require-statement-timeout"}) == std::vector<Seen>{{"require-statement-timeout", 3, 1}});
  CHECK(seen(lint("ALTER TABLE orders ADD COLUMN id2 uuid DEFAULT gen_random_uuid();"), {"require-statement-timeout"})
            .size() == 1);
}

TEST_CASE("idempotency rules: context decides per runner and transaction", "[rules][precision]") {
  const std::vector<std::string> idem = {"require-if-not-exists", "require-if-exists", "non-idempotent-insert",
                                         "unguarded-create"};
  const std::string body = "CREATE TABLE t (id bigint);\nINSERT INTO t VALUES (1);\nDROP TABLE u;\n";
  // A plain psql file: no tracker, no transaction: reported.
  CHECK(seen(lint(body, "db/schema.sql"), idem) ==
        std::vector<Seen>{{"require-if-not-exists", 1, 1}, {"non-idempotent-insert", 2, 1}, {"require-if-exists", 3, 1}});
  // goose runs the file in a transaction and records it: quiet.
  CHECK(seen(lint("-- +goose Up\n" + body, "db/1_a.sql"), idem).empty());
  // ... unless the file runs outside a transaction, with more than one statement (one alone is atomic).
  CHECK(seen(lint("-- +goose Up\n-- +goose NO TRANSACTION\nCREATE TABLE t (id bigint);\n"
                  "CREATE INDEX CONCURRENTLY i ON t (id);\n",
                  "db/1_a.sql"),
             idem) == std::vector<Seen>{{"require-if-not-exists", 3, 1}, {"require-if-not-exists", 4, 1}});
  CHECK(seen(lint("-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (id);\n", "db/1_a.sql"),
             idem)
            .empty());
  CHECK(seen(lint("ALTER TABLE t ADD COLUMN c text;", "prisma/migrations/1_a/migration.sql"), idem).empty());
  // Prisma: several statements are one implicit transaction.
  CHECK(seen(lint(body, "prisma/migrations/1_a/migration.sql"), idem).empty());
  // Flyway, dbmate: wrapped.
  CHECK(seen(lint(body, "db/V1__a.sql"), idem).empty());
  CHECK(seen(lint("-- migrate:up\n" + body, "db/1_a.sql"), idem).empty());
  // Supabase: the CLI records applied migrations and sends a file as one pipeline (one transaction): quiet ...
  CHECK(seen(lint(body, "supabase/migrations/20240101000000_a.sql"), idem).empty());
  // ... after a COMMIT too: the rest of the pipeline runs in a new implicit transaction.
  CHECK(seen(lint("BEGIN;\nCOMMIT;\n" + body, "supabase/migrations/20240101000000_a.sql"), idem).empty());
  // --runner plain on the same file: no tracker, reported.
  RuleSelection none;
  Settings plain;
  plain.runner = Runner::plain;
  CHECK(seen(lint(body, "supabase/migrations/20240101000000_a.sql", none, plain), idem).size() == 3);
  // A schema dump (pg_dump's header, or only its closing line as Rails' structure.sql keeps it) is loaded once into
  // an empty database: quiet, whatever the runner.
  CHECK(seen(lint("--\n-- PostgreSQL database dump\n--\n" + body, "db/schema.sql"), idem).empty());
  CHECK(seen(lint(body + "--\n-- PostgreSQL database dump complete\n--\n", "db/structure.sql"), idem).empty());
  CHECK(seen(lint("-- not a PostgreSQL database dump\n" + body, "db/schema.sql"), idem).size() == 3);
  // A plain file's explicit transaction does not stop a second psql -f: still reported.
  CHECK(seen(lint("BEGIN;\n" + body + "COMMIT;\n", "db/schema.sql"), idem).size() == 3);
  // Chosen by the user (--severity, a preset, the config): reported everywhere.
  RuleSelection sel;
  sel.severity["require-if-not-exists"] = Severity::warning;
  CHECK(seen(lint("-- +goose Up\n" + body, "db/1_a.sql", sel), idem) ==
        std::vector<Seen>{{"require-if-not-exists", 2, 1}});
}

TEST_CASE("goose and dbmate down sections are not linted as the up migration", "[rules][precision]") {
  const std::string goose =
      "-- +goose Up\nCREATE TABLE IF NOT EXISTS t (id bigint);\n-- +goose Down\nDROP TABLE t;\nDROP INDEX i;\n";
  auto f = lint(goose, "db/1_a.sql");
  CHECK(seen(f, {"ban-drop-table", "require-concurrent-index-deletion", "syntax-error"}).empty());
  const std::string dbmate = "-- migrate:up\nALTER TABLE t ADD COLUMN c text;\n\n-- migrate:down\nALTER TABLE t DROP COLUMN c;\n";
  CHECK(seen(lint(dbmate, "db/1_a.sql"), {"ban-drop-column"}).empty());
  // The same statements in the up section are reported.
  CHECK(seen(lint("-- +goose Up\nDROP TABLE t;\n-- +goose Down\nSELECT 1;\n", "db/1_a.sql"), {"ban-drop-table"}) ==
        std::vector<Seen>{{"ban-drop-table", 2, 1}});
  // A syntax error in a down section is still one.
  CHECK(seen(lint("-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLEE t;\n", "db/1_a.sql"), {"syntax-error"}).size() ==
        1);
}

TEST_CASE("goose StatementBegin ... StatementEnd blocks: the last statement may lack its semicolon",
          "[rules][precision][parse]") {
  const std::string sql =
      "-- +goose Up\n"
      "-- +goose StatementBegin\n"
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$\n"
      "-- +goose StatementEnd\n"
      "-- +goose StatementBegin\n"
      "SELECT 1\n"
      "-- +goose StatementEnd\n";
  auto pf = parse_sql(sql);
  CHECK(pf.errors.empty());
  REQUIRE(pf.statements.size() == 2);
  CHECK(pf.statements[0].kind == "CreateFunctionStmt");
  CHECK(pf.statements[1].kind == "SelectStmt");
  CHECK(seen(lint(sql, "db/1_a.sql"), {"syntax-error"}).empty());
}

TEST_CASE("unguarded-create: DROP CONSTRAINT IF EXISTS does not make ADD ... USING INDEX re-runnable",
          "[rules][precision]") {
  auto f = lint("ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_key;\n"
                "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;\n",
                "db/schema.sql");
  const Finding* u = first(f, "unguarded-create");
  REQUIRE(u != nullptr);
  CHECK(u->start.line == 2);
  CHECK(dgtest::with_notes(*u) ==
        "re-run fails: index t_a_idx is gone\n"
        "note: the DROP CONSTRAINT t_a_key before it also drops the constraint's index (index t_a_idx, renamed to "
        "t_a_key by the first run), so the re-run's ADD ... USING INDEX t_a_idx finds no index");
  // The index built again after the drop makes it re-runnable.
  CHECK(first(lint("ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_key;\n"
                   "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_key ON t (a);\n"
                   "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key;\n",
                   "db/schema.sql"),
              "unguarded-create") == nullptr);
  // One guarded drop covers one ADD of the name, not a second one.
  f = lint("ALTER TABLE t DROP CONSTRAINT IF EXISTS c;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\n"
           "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 1);\n",
           "db/schema.sql");
  CHECK(seen(f, {"unguarded-create"}) == std::vector<Seen>{{"unguarded-create", 3, 15}});
}

TEST_CASE("serial overflow is reported whichever rule is on", "[rules][precision]") {
  const std::string sql = "CREATE TABLE t (id serial PRIMARY KEY, n smallserial);";
  auto f = lint(sql);
  CHECK(seen(f, {"prefer-identity", "prefer-bigint-over-int", "prefer-bigint-over-smallint"}) ==
        std::vector<Seen>{{"prefer-identity", 1, 20}, {"prefer-identity", 1, 42}});
  const Finding* p = first(f, "prefer-identity");
  REQUIRE(p != nullptr);
  CHECK(dgtest::with_notes(*p) ==
        "column id of t is serial\n"
        "note: serial creates a separately owned sequence with its own permissions and dump behaviour, and it "
        "overflows at 2,147,483,647; identity columns are the SQL-standard replacement");
  RuleSelection sel;
  sel.exclude = {"prefer-identity"};
  f = lint(sql, "test.sql", sel);
  CHECK(seen(f, {"prefer-identity", "prefer-bigint-over-int", "prefer-bigint-over-smallint"}) ==
        std::vector<Seen>{{"prefer-bigint-over-int", 1, 20}, {"prefer-bigint-over-smallint", 1, 42}});
  const Finding* b = first(f, "prefer-bigint-over-int");
  REQUIRE(b != nullptr);
  REQUIRE(b->fix.has_value());
  CHECK(b->fix->title == "use bigserial");
}

TEST_CASE("prefer-identity is quiet on Prisma migrations", "[rules][precision]") {
  const std::string sql = "CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));";
  auto f = lint(sql, "prisma/migrations/1_init/migration.sql");
  CHECK(seen(f, {"prefer-identity", "prefer-bigint-over-int"}) ==
        std::vector<Seen>{{"prefer-bigint-over-int", 1, 27}});
}

TEST_CASE("REINDEX SCHEMA / DATABASE without CONCURRENTLY", "[rules][precision]") {
  auto f = lint("REINDEX SCHEMA app;");
  const Finding* r = first(f, "require-concurrent-reindex");
  REQUIRE(r != nullptr);
  CHECK(dgtest::with_notes(*r) ==
        "REINDEX SCHEMA without CONCURRENTLY blocks writes on every table of app\n"
        "note: it rebuilds the indexes of every table of the schema, one table at a time: it takes SHARE on each "
        "table (blocks writes) and ACCESS EXCLUSIVE on each of its indexes (blocks the reads that use them) while "
        "that table's indexes are rebuilt");
  CHECK(first(lint("REINDEX SCHEMA CONCURRENTLY app;"), "require-concurrent-reindex") == nullptr);
  CHECK(first(lint("REINDEX (CONCURRENTLY false) TABLE t;"), "require-concurrent-reindex") != nullptr);
  CHECK(first(lint("VACUUM (FULL off) t;"), "ban-vacuum-full") == nullptr);
  CHECK(first(lint("VACUUM (FULL) t;"), "ban-vacuum-full") != nullptr);
}

TEST_CASE("lint --fix output lints clean: the unique-constraint fix", "[rules][precision][fix]") {
  const std::string sql = "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);\n";
  auto f = lint(sql, "db/schema.sql");
  const Finding* u = first(f, "disallowed-unique-constraint");
  REQUIRE(u != nullptr);
  REQUIRE(u->fix.has_value());
  auto out = apply_fixes(sql, {&*u->fix});
  CHECK(out.text ==
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_code_key ON orders (code);\n"
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'orders'::regclass AND conname = "
        "'orders_code_key') THEN ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX "
        "orders_code_key; END IF; END $$;\n");
  // The fixed file draws none of the findings the fix was meant to remove, and no new one.
  auto again = lint(out.text, "db/schema.sql");
  for (const auto& g : again) {
    INFO(g.rule << "@" << g.start.line << ": " << g.message);
    CHECK((g.rule == "require-lock-timeout" || g.rule == "require-statement-timeout"));
  }
}

TEST_CASE("prefer-bigint-over-int: keys and sequence-fed columns, every integer column with all-columns",
          "[rules][precision]") {
  const std::string sql =
      "CREATE TABLE a (id int PRIMARY KEY, pos int, qty integer);\n"
      "CREATE TABLE b (id int GENERATED ALWAYS AS IDENTITY, n int DEFAULT nextval('s'), m int);\n"
      "CREATE TABLE c (k int, v int, CONSTRAINT c_pkey PRIMARY KEY (k));\n"
      "CREATE TABLE d (x int, y int, PRIMARY KEY (x, y));\n"
      "CREATE TABLE e (id int);\n"
      "ALTER TABLE e ADD PRIMARY KEY (id);\n"
      "CREATE TABLE f (id bigint PRIMARY KEY, n bigint);\n"
      "ALTER TABLE f ALTER COLUMN id TYPE int, ALTER COLUMN n TYPE int;\n"
      "ALTER TABLE orders ADD COLUMN seq int, ADD COLUMN ref int PRIMARY KEY;\n";
  CHECK(seen(lint(sql), {"prefer-bigint-over-int"}) ==
        std::vector<Seen>{{"prefer-bigint-over-int", 1, 20},
                          {"prefer-bigint-over-int", 2, 20},
                          {"prefer-bigint-over-int", 2, 56},
                          {"prefer-bigint-over-int", 3, 19},
                          {"prefer-bigint-over-int", 5, 20},
                          {"prefer-bigint-over-int", 8, 36},
                          {"prefer-bigint-over-int", 9, 55}});
  // The option (and the strict preset) report every integer column.
  Settings all;
  all.rule_options["prefer-bigint-over-int"]["all-columns"] = true;
  CHECK(seen(lint(sql, "test.sql", {}, all), {"prefer-bigint-over-int"}).size() == 15);
}

TEST_CASE("timeout rules leave CREATE INDEX without CONCURRENTLY to require-concurrent-index-creation",
          "[rules][precision]") {
  const std::vector<std::string> rules = {"require-lock-timeout", "require-statement-timeout",
                                          "require-concurrent-index-creation"};
  // The build is one finding; the timeout rules report the next statement that needs them.
  CHECK(seen(lint("CREATE INDEX orders_note ON orders (note);\nALTER TABLE orders ALTER COLUMN n SET NOT NULL;"), rules) ==
        std::vector<Seen>{{"require-concurrent-index-creation", 1, 1},
                          {"require-lock-timeout", 2, 1},
                          {"require-statement-timeout", 2, 1}});
  CHECK(seen(lint("CREATE INDEX orders_note ON orders (note);"), rules) ==
        std::vector<Seen>{{"require-concurrent-index-creation", 1, 1}});
  // Without that rule, the timeout rules report the build.
  RuleSelection sel;
  sel.exclude = {"require-concurrent-index-creation"};
  CHECK(seen(lint("CREATE INDEX orders_note ON orders (note);", "test.sql", sel), rules) ==
        std::vector<Seen>{{"require-lock-timeout", 1, 1}, {"require-statement-timeout", 1, 1}});
}

TEST_CASE("type rules are quiet on schema dumps", "[rules][precision]") {
  const std::string table = "CREATE TABLE public.t (id integer NOT NULL PRIMARY KEY, at timestamp without time zone);\n";
  const std::vector<std::string> types = {"prefer-bigint-over-int", "prefer-timestamptz"};
  CHECK(seen(lint(table, "db/structure.sql"), types) ==
        std::vector<Seen>{{"prefer-bigint-over-int", 1, 27}, {"prefer-timestamptz", 1, 60}});
  CHECK(seen(lint("--\n-- PostgreSQL database dump\n--\n" + table, "db/structure.sql"), types).empty());
  CHECK(seen(lint(table + "--\n-- PostgreSQL database dump complete\n--\n", "db/structure.sql"), types).empty());
}

TEST_CASE("Go-template migrations are rendered, not reported as syntax errors", "[rules][precision][parse]") {
  // gobuffalo/pop renders {{ index .Options "Namespace" }} before it runs the file (Supabase Auth's migrations).
  const std::string sql =
      "CREATE TABLE IF NOT EXISTS {{ index .Options \"Namespace\" }}.users (id uuid PRIMARY KEY);\n"
      "do $$ begin\n"
      "  drop index if exists {{ index .Options \"Namespace\" }}.users_email_idx;\n"
      "end $$;\n"
      "DROP TABLE {{ .Prefix }}_sessions;\n";
  auto f = lint(sql);
  CHECK(seen(f, {"syntax-error"}).empty());
  const Finding* d = first(f, "ban-drop-table");
  REQUIRE(d != nullptr);
  CHECK(d->start.line == 5);
  CHECK(d->start.column == 1);
  CHECK(dgtest::with_notes(*d) ==
        "drops table prefix________sessions\nnote: every row is deleted and code that still reads it fails");
  ParsedFile pf = parse_sql(sql);
  REQUIRE(pf.statements.size() == 4);
  CHECK(str(field(unwrap(pf.statements[0].node), "relation"), "schemaname") == "namespace");
  CHECK(pf.statements[0].span.end == sql.find(')') + 1);
  // A quoted identifier that is the action alone keeps its quotes around the name.
  auto quoted = lint("ALTER TABLE \"{{ index .Options \"Namespace\" }}\".\"users\" ADD CONSTRAINT u UNIQUE (email);\n");
  const Finding* q = first(quoted, "disallowed-unique-constraint");
  REQUIRE(q != nullptr);
  CHECK(dgtest::with_notes(*q).find("ACCESS EXCLUSIVE on namespace.users:") != std::string::npos);
  // Braces that name no field (a JSON literal) are left alone.
  CHECK(seen(lint("SELECT '{{\"a\": 1}}'::jsonb;\n"), {"syntax-error"}).empty());
  CHECK(seen(lint("SELECT {{ a }};\n"), {"syntax-error"}) == std::vector<Seen>{{"syntax-error", 1, 8}});
}

TEST_CASE("an ALTER TABLE or index build on a table created in the file reads no rows", "[rules][precision]") {
  const std::vector<std::string> timeouts = {"require-statement-timeout", "require-lock-timeout"};
  // The foreign key of a new table locks the existing referenced table (lock_timeout's hazard), but its check
  // reads the new table's rows: none. statement_timeout bounds nothing there.
  auto fk = lint("CREATE TABLE d (id bigint, user_id bigint);\n"
                 "ALTER TABLE d ADD CONSTRAINT d_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n");
  CHECK(seen(fk, timeouts) == std::vector<Seen>{{"require-lock-timeout", 2, 1}});
  REQUIRE(first(fk, "require-lock-timeout") != nullptr);
  CHECK(first(fk, "require-lock-timeout")->message == "no lock_timeout set before SHARE ROW EXCLUSIVE on users");
  // The same foreign key from an existing table scans it: reported.
  CHECK(seen(lint("ALTER TABLE d ADD CONSTRAINT d_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n", "test.sql",
                  {}, {}),
             {"require-statement-timeout"}) == std::vector<Seen>{{"require-statement-timeout", 1, 1}});
  // lock-held-across-statements: the index build on the new table ends at once; the UPDATE after it is what keeps
  // comment blocked.
  const std::string held =
      "-- +goose Up\n"
      "ALTER TABLE comment ADD COLUMN locked bool NOT NULL DEFAULT false;\n"
      "CREATE TABLE mod_lock (id bigint, comment_id bigint);\n"
      "CREATE INDEX mod_lock_comment ON mod_lock (comment_id);\n"
      "UPDATE comment SET locked = true WHERE id < 10;\n";
  CHECK(seen(lint(held, "db/1_lock.sql"), {"lock-held-across-statements"}) ==
        std::vector<Seen>{{"lock-held-across-statements", 5, 1}});
}

TEST_CASE("lock-held-across-statements: a relation the transaction drops does not count, one re-created does",
          "[rules][precision]") {
  // The dropped table is locked first; the finding names the table locked after it, which stays in use.
  auto f = lint("BEGIN;\nDROP TABLE orders_archive;\nALTER TABLE orders ADD COLUMN status text;\n"
                "UPDATE orders SET status = 'new';\nCOMMIT;\n");
  CHECK(seen(f, {"lock-held-across-statements"}) == std::vector<Seen>{{"lock-held-across-statements", 4, 1}});
  REQUIRE(first(f, "lock-held-across-statements") != nullptr);
  CHECK(first(f, "lock-held-across-statements")->message ==
        "runs while an earlier ALTER TABLE holds ACCESS EXCLUSIVE on orders");
  // Dropped and not re-created: nothing waits for it that would not fail anyway.
  CHECK(seen(lint("BEGIN;\nDROP TABLE orders_archive;\nINSERT INTO audit VALUES (1);\nCOMMIT;\n"),
             {"lock-held-across-statements"})
            .empty());
  // Dropped and re-created under its name: the waiting queries read the new view after the commit.
  auto view = lint("BEGIN;\nDROP VIEW totals;\nCREATE VIEW totals AS SELECT 1 AS t;\nINSERT INTO audit VALUES (1);\n"
                   "COMMIT;\n");
  CHECK(seen(view, {"lock-held-across-statements"}) == std::vector<Seen>{{"lock-held-across-statements", 4, 1}});
  REQUIRE(first(view, "lock-held-across-statements") != nullptr);
  CHECK(first(view, "lock-held-across-statements")->message ==
        "runs while an earlier DROP VIEW holds ACCESS EXCLUSIVE on totals");
}

TEST_CASE("ban-drop-index: an index another index covers is not reported", "[rules][precision]") {
  const std::string tables =
      "CREATE TABLE t (a int, b int, c int, CONSTRAINT t_c_key UNIQUE (c));\n"
      "CREATE INDEX t_a_b ON t (a, b);\nCREATE INDEX t_a ON t (a);\nCREATE INDEX t_b ON t (b);\n"
      "CREATE UNIQUE INDEX t_c ON t (c);\nCREATE UNIQUE INDEX t_a_u ON t (a);\nCREATE INDEX t_a_desc ON t (a DESC);\n"
      "CREATE INDEX t_a_part ON t (a) WHERE b > 0;\n";
  auto drops = [&](const std::string& sql) {
    Engine engine(Settings{}, RuleSelection{{"ban-drop-index"}, {}, {}});
    RunState run;
    engine.lint(make_source("migrations/0001_t.sql", tables), run);
    std::vector<std::string> out;
    for (const auto& f : engine.lint(make_source("migrations/0002_d.sql", sql), run).findings) out.push_back(f.message);
    return out;
  };
  // (a) is the leading key of (a, b); (c) unique is the unique constraint t_c_key's key.
  CHECK(drops("DROP INDEX t_a;").empty());
  CHECK(drops("DROP INDEX t_c;").empty());
  // Not covered: b is not a leading key; a unique (a) has no other unique index on exactly (a); a DESC key or a
  // partial index is another index.
  CHECK(drops("DROP INDEX t_b;").size() == 1);
  CHECK(drops("DROP INDEX t_a_u;").size() == 1);
  CHECK(drops("DROP INDEX t_a_part;").size() == 1);
  // Two names, one covered: only the other is named.
  auto two = drops("DROP INDEX t_a, t_b;");
  REQUIRE(two.size() == 1);
  CHECK(two[0] == "drops index t_b");
  // Dropped together, (a, b) covers nothing: (a) is named unless another index still covers it.
  auto both = drops("DROP INDEX t_a, t_a_b;");
  REQUIRE(both.size() == 1);
  CHECK(both[0] == "drops index t_a_b");  // the unique (a) still covers (a)
  auto three = drops("DROP INDEX t_a, t_a_b, t_a_u;");
  REQUIRE(three.size() == 1);
  CHECK(three[0] == "drops indexes t_a, t_a_b and t_a_u");  // three names fit the first line
  // Four: two named and "2 more" (never "and 1 more"), all four in a note.
  Engine engine(Settings{}, RuleSelection{{"ban-drop-index"}, {}, {}});
  RunState run;
  engine.lint(make_source("migrations/0001_t.sql", tables), run);
  auto four = engine.lint(make_source("migrations/0002_d.sql", "DROP INDEX t_a, t_a_b, t_a_u, t_b;"), run).findings;
  REQUIRE(four.size() == 1);
  CHECK(four[0].message == "drops indexes t_a, t_a_b and 2 more");
  REQUIRE(!four[0].notes.empty());
  CHECK(four[0].notes[0].message == "all 4: t_a, t_a_b, t_a_u and t_b");
}

TEST_CASE("ban-drop-index oracle: PostgreSQL serves the dropped index's queries from the covering one",
          "[rules][precision][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("covered");
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  tx.exec("CREATE TABLE t (a int, b int, c int, CONSTRAINT t_c_key UNIQUE (c))");
  tx.exec("INSERT INTO t SELECT i % 100, i, i FROM generate_series(1, 10000) i");
  tx.exec("CREATE INDEX t_a_b ON t (a, b)");
  tx.exec("CREATE INDEX t_a ON t (a)");
  tx.exec("CREATE UNIQUE INDEX t_c ON t (c)");
  tx.exec("ANALYZE t");
  tx.exec("SET enable_seqscan = off");
  tx.exec("SET enable_bitmapscan = off");
  auto plan = [&](const std::string& q) {
    std::string out;
    for (const auto& row : tx.exec("EXPLAIN (COSTS OFF) " + q)) out += row[0].c_str() + std::string("\n");
    return out;
  };
  CHECK(plan("SELECT * FROM t WHERE a = 1 ORDER BY a").find("using t_a on t") != std::string::npos);
  tx.exec("DROP INDEX t_a");
  CHECK(plan("SELECT * FROM t WHERE a = 1 ORDER BY a").find("using t_a_b on t") != std::string::npos);
  // The unique constraint's index keeps c unique after the unique index on (c) is gone.
  tx.exec("DROP INDEX t_c");
  CHECK_THROWS_WITH(tx.exec("INSERT INTO t VALUES (1, 1, 1)"), Catch::Contains("t_c_key"));
}

// Engine::apply_ignores finds each comment's next statement or unparsable piece by a binary search over their
// sorted starts: a comment before a piece that does not parse covers it up to the next statement's start (that
// start included), one before a statement covers that statement only (not the next on its line), one inside a DO
// block the inner statement after it, and one after the last statement suppresses nothing.
TEST_CASE("driftguard-ignore comments suppress the next statement or unparsable piece or DO-block statement", "[rules][precision]") {
  const std::string sql =
      "-- driftguard-ignore ban-drop-table\n"
      "SELECT FROM WHERE;\n"
      "DROP TABLE a;\n"
      "-- driftguard-ignore ban-drop-table\n"
      "DROP TABLE b; DROP TABLE c;\n"
      "DO $$\n"
      "BEGIN\n"
      "  -- driftguard-ignore ban-drop-column\n"
      "  ALTER TABLE people DROP COLUMN nickname;\n"
      "  ALTER TABLE people DROP COLUMN age;\n"
      "END $$;\n"
      "-- driftguard-ignore ban-drop-table\n";
  auto f = lint(sql, "0001_x.sql");
  CHECK(seen(f, {"syntax-error", "ban-drop-table", "ban-drop-column", "unused-ignore"}) ==
        std::vector<Seen>{{"syntax-error", 2, 13}, {"ban-drop-table", 5, 15}, {"ban-drop-column", 10, 22},
                          {"unused-ignore", 12, 22}});
  const Finding* unused = first(f, "unused-ignore");
  REQUIRE(unused != nullptr);
  CHECK(unused->message == "driftguard-ignore for ban-drop-table suppresses nothing");
}

// A comment before a DO block covers the block's inner statements, also those after an inner statement that a
// comment of its own covers (apply_ignores looks back past targets that end before the finding).
TEST_CASE("driftguard-ignore before a DO block covers its statements past an inner comment's", "[rules][precision]") {
  const std::string sql =
      "-- driftguard-ignore ban-drop-column\n"
      "DO $$\n"
      "BEGIN\n"
      "  -- driftguard-ignore require-if-exists\n"
      "  ALTER TABLE people DROP COLUMN nickname;\n"
      "  ALTER TABLE people DROP COLUMN age;\n"
      "END $$;\n"
      "ALTER TABLE people DROP COLUMN email;\n";
  auto f = lint(sql, "0002_do.sql");
  CHECK(seen(f, {"ban-drop-column", "require-if-exists", "unused-ignore"}) ==
        std::vector<Seen>{{"require-if-exists", 6, 22}, {"ban-drop-column", 8, 20}, {"require-if-exists", 8, 20}});
}
