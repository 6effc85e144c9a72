// Locking, types and security rules: behaviour that fixtures cannot show (layout-dependent defaults, settings,
// state carried across migrations of one run, exact messages).
#include <catch2/catch.hpp>

#include "first_line.hpp"
#include "helpers.hpp"

using namespace driftguard;

namespace {
std::vector<Finding> only(const std::vector<Finding>& all, const std::string& rule) {
  std::vector<Finding> out;
  for (const auto& f : all) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}
}  // namespace

TEST_CASE("rls-not-enabled runs by default on Supabase migrations only", "[rules][security]") {
  const std::string sql = "CREATE TABLE profiles (id uuid);\n";
  auto supa = only(dgtest::lint_text(sql, {}, {}, "supabase/migrations/20240101000000_init.sql"), "rls-not-enabled");
  REQUIRE(supa.size() == 1);
  CHECK(supa[0].start.line == 1);
  CHECK(supa[0].start.column == 14);
  CHECK(dgtest::with_notes(supa[0]) ==
        "table profiles is created without row level security\n"
        "note: it is in exposed schema public and this migration does not ENABLE ROW LEVEL SECURITY on it: every "
        "client with the API role can read and change all of its rows");
  REQUIRE(supa[0].fix);
  CHECK(supa[0].fix->edits.at(0).replacement == "\nALTER TABLE profiles ENABLE ROW LEVEL SECURITY;");
  CHECK(only(dgtest::lint_text(sql, {}, {}, "db/0001_init.sql"), "rls-not-enabled").empty());
  CHECK(only(dgtest::lint_text(sql, {}, {}, "prisma/migrations/20240101000000_init/migration.sql"), "rls-not-enabled")
            .empty());
  // Selected explicitly (--rule or --severity): every layout.
  RuleSelection by_rule;
  by_rule.only.insert("rls-not-enabled");
  CHECK(only(dgtest::lint_text(sql, by_rule, {}, "db/0001_init.sql"), "rls-not-enabled").size() == 1);
  RuleSelection by_severity;
  by_severity.severity["rls-not-enabled"] = Severity::error;
  auto f = only(dgtest::lint_text(sql, by_severity, {}, "db/0001_init.sql"), "rls-not-enabled");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::error);
}

TEST_CASE("rls-not-enabled: a suppression in a file it does not run on is not reported unused", "[rules][security]") {
  auto f = dgtest::lint_text("-- driftguard-ignore rls-not-enabled lookup table\nCREATE TABLE codes (c text);\n", {},
                             {}, "db/0001_init.sql");
  CHECK(only(f, "unused-ignore").empty());
}

TEST_CASE("rls-not-enabled: exposed schemas come from the settings", "[rules][security]") {
  Settings s;
  s.exposed_schemas = {"api"};
  RuleSelection sel;
  sel.only.insert("rls-not-enabled");
  auto f = dgtest::lint_text("CREATE TABLE t (id int);\nCREATE TABLE api.t (id int);\n", sel, s);
  REQUIRE(f.size() == 1);
  CHECK(f[0].start.line == 2);
}

TEST_CASE("adding-not-nullable-field remembers validated checks across the migrations of a run", "[rules][locking]") {
  RuleSelection sel;
  sel.only.insert("adding-not-nullable-field");
  auto run_two = [&](const std::string& first, int pg) {
    Settings s;
    s.pg_version = pg;
    Engine engine(s, sel);
    RunState run;
    engine.lint(make_source("db/0001_a.sql", first), run);
    return engine.lint(make_source("db/0002_b.sql", "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;\n"), run)
        .findings;
  };
  const std::string validated =
      "ALTER TABLE orders ADD CONSTRAINT total_nn CHECK (total IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT total_nn;\n";
  CHECK(run_two(validated, 15).empty());
  auto before12 = run_two(validated, 11);
  REQUIRE(before12.size() == 1);
  auto not_validated = run_two("ALTER TABLE orders ADD CONSTRAINT total_nn CHECK (total IS NOT NULL) NOT VALID;\n", 15);
  REQUIRE(not_validated.size() == 1);
  CHECK(dgtest::with_notes(not_validated[0]) ==
        "SET NOT NULL on total of orders scans every row under ACCESS EXCLUSIVE\n"
        "note: PostgreSQL scans every row to check it, and takes ACCESS EXCLUSIVE on orders: blocks reads and writes "
        "until the transaction ends");
  CHECK(not_validated[0].start.column == 20);
  CHECK(run_two(validated + "ALTER TABLE orders DROP CONSTRAINT total_nn;\n", 15).size() == 1);
  CHECK(run_two(validated + "ALTER TABLE orders RENAME TO orders_old;\n", 15).size() == 1);
}

TEST_CASE("adding-field-with-default names the volatile call and the lock", "[rules][locking]") {
  RuleSelection sel;
  sel.only.insert("adding-field-with-default");
  auto f = dgtest::lint_text("ALTER TABLE public.orders ADD COLUMN t uuid DEFAULT gen_random_uuid();\n", sel);
  REQUIRE(f.size() == 1);
  CHECK(dgtest::with_notes(f[0]) ==
        "ADD COLUMN t with a volatile default rewrites public.orders\n"
        "note: the default calls gen_random_uuid(), which is volatile or not a built-in known to be stable, so "
        "PostgreSQL computes it for each existing row\n"
        "note: the rewrite takes ACCESS EXCLUSIVE on public.orders: blocks reads and writes until the transaction "
        "ends");
  CHECK(f[0].start.column == 27);
  CHECK(dgtest::lint_text("ALTER TABLE orders ADD COLUMN t timestamptz DEFAULT now() - interval '1 day';\n", sel)
            .empty());
  CHECK(dgtest::lint_text("ALTER TABLE orders ADD COLUMN t int DEFAULT (SELECT 1);\n", sel).size() == 1);
}

TEST_CASE("identifier-too-long gives the truncated name", "[rules][types]") {
  RuleSelection sel;
  sel.only.insert("identifier-too-long");
  std::string name(64, 'x');
  auto f = dgtest::lint_text("CREATE TABLE t (" + name + " int);\n", sel);
  REQUIRE(f.size() == 1);
  CHECK(f[0].start.column == 17);
  CHECK(dgtest::with_notes(f[0]) ==
        "identifier is 64 bytes: PostgreSQL truncates it to 63\nnote: PostgreSQL silently truncates names to 63 "
        "bytes, so it creates " +
            std::string(63, 'x') + " and the schema no longer matches the name in your code or ORM");
  CHECK(dgtest::lint_text("CREATE TABLE t (" + std::string(63, 'x') + " int);\n", sel).empty());
}

TEST_CASE("type rules offer no machine fix in Prisma migrations", "[rules][types]") {
  RuleSelection sel;
  sel.only.insert("prefer-timestamptz");
  const std::string sql = "CREATE TABLE \"E\" (\"at\" TIMESTAMP(3) NOT NULL);\n";
  auto plain = dgtest::lint_text(sql, sel, {}, "db/0001_a.sql");
  REQUIRE(plain.size() == 1);
  REQUIRE(plain[0].fix);
  CHECK(plain[0].fix->edits.at(0).replacement == "TIMESTAMPTZ(3)");
  auto prisma = dgtest::lint_text(sql, sel, {}, "prisma/migrations/20240101000000_a/migration.sql");
  REQUIRE(prisma.size() == 1);
  CHECK_FALSE(prisma[0].fix);
}
