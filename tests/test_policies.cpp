// Team policies on realistic repositories built by the tests: rule categories wherever rules are selected,
// presets, a monorepo whose folder config extends the root config, approvals in schema.prisma for prisma-check.
#include <catch2/catch.hpp>

#include "cli/config.hpp"
#include "cli/presets.hpp"
#include "config_text.hpp"
#include "first_line.hpp"
#include "git_repo.hpp"
#include "rules/registry.hpp"

using namespace driftguard;
using dgtest::Repo;

namespace {

using dgtest::config_error;
using dgtest::config_from;

Severity effective_severity(const Config& c, const std::string& rule) {
  auto e = effective(c, {});
  return Engine(e.settings, e.selection).severity_of(rule);
}

}  // namespace

TEST_CASE("policies: a category selects its rules in [rules], [rules.severity], select and exclude", "[policies]") {
  auto c = config_from("[rules]\ndestructive = \"error\"\nban-drop-index = \"info\"\nexclude = [\"idempotency\"]\n");
  for (const auto& id : rules_named("destructive")) {
    INFO(id);
    CHECK(effective_severity(c, id) == (id == "ban-drop-index" ? Severity::info : Severity::error));
  }
  for (const auto& id : rules_named("idempotency")) CHECK(effective_severity(c, id) == Severity::off);
  CHECK(effective_severity(c, "prefer-jsonb") == Severity::info);  // other categories keep their defaults

  auto only = config_from("[rules]\nselect = [\"transaction\", \"ban-truncate\"]\n");
  CHECK(only.selection.only == std::set<std::string>{"ban-truncate", "ban-uncommitted-transaction", "transaction-nesting"});
  auto sev = config_from("[rules.severity]\nsecurity = \"error\"\n");
  CHECK(effective_severity(sev, "rls-not-enabled") == Severity::error);

  SECTION("on the command line, a rule's own --severity wins over its category's, whatever the order") {
    Overrides o;
    o.select = {"destructive"};
    o.exclude = {"ban-truncate"};
    o.severity = {{"ban-drop-table", Severity::info}, {"destructive", Severity::warning}};
    auto e = effective(Config{}, o);
    Engine engine(e.settings, e.selection);
    CHECK(engine.severity_of("ban-drop-table") == Severity::info);
    CHECK(engine.severity_of("ban-drop-column") == Severity::warning);
    CHECK(engine.severity_of("ban-truncate") == Severity::off);
    CHECK(engine.severity_of("require-if-exists") == Severity::off);  // not selected
  }
}

TEST_CASE("policies: config errors name the file, line and column", "[policies]") {
  CHECK(config_error("[rules]\ndestructiv = \"error\"\n") ==
        "cfg/driftguard.toml:2:1: unknown key 'destructiv' in [rules]; did you mean 'destructive'? (known: select, exclude, severity, options, or a "
        "rule id or category set to a severity)");
  CHECK(config_error("[rules]\ndestructive = \"fatal\"\n") ==
        "cfg/driftguard.toml:2:15: destructive must be \"error\", \"warning\", \"info\" or \"off\", got \"fatal\"");
  CHECK(config_error("[rules]\nexclude = [\"locking\", \"lockin\"]\n") ==
        "cfg/driftguard.toml:2:23: unknown rule or category 'lockin'; did you mean 'locking'? (see `driftguard rules`)");
  CHECK(config_error("preset = \"additive\"\n") ==
        "cfg/driftguard.toml:1:10: unknown preset \"additive\" (presets: additive-only, online-safe, prisma, strict, "
        "supabase)");
  CHECK(config_error("preset = [\"strict\", \"online\"]\n") ==
        "cfg/driftguard.toml:1:21: unknown preset \"online\" (presets: additive-only, online-safe, prisma, strict, "
        "supabase)");
  CHECK(config_error("\nextend = \"../no/such/driftguard.toml\"\n") ==
        "cfg/driftguard.toml:2:10: extend: cannot read no/such/driftguard.toml");
  CHECK(config_error("[rules.options.identifier-naming]\ntable = '^(tbl_'\n") ==
        "cfg/driftguard.toml:2:9: table: not a valid regular expression: missing ): ^(tbl_");
  CHECK(config_error("[rules.options.require-header]\npatterns = ['^-- ok', '[z-a]']\n") ==
        "cfg/driftguard.toml:2:23: patterns: not a valid regular expression: invalid character class range: z-a");
}

TEST_CASE("policies: every preset is a config the loader accepts, and does what it says", "[policies]") {
  for (const auto& p : presets()) {
    INFO(p.name);
    auto c = config_from("preset = \"" + std::string(p.name) + "\"\n");
    CHECK(c.presets == std::vector<std::string>{std::string(p.name)});
  }
  auto additive = config_from("preset = \"additive-only\"\n");
  for (const char* category : {"destructive", "breaking"}) {
    for (const auto& id : rules_named(category)) {
      INFO(id);
      CHECK(effective_severity(additive, id) == Severity::error);
    }
  }
  auto online = config_from("preset = \"online-safe\"\n");
  for (const auto& id : rules_named("locking")) CHECK(effective_severity(online, id) == Severity::error);
  CHECK(effective_severity(online, "require-lock-timeout") == Severity::error);
  CHECK(effective_severity(online, "require-statement-timeout") == Severity::error);
  auto prisma = config_from("preset = \"prisma\"\n");
  CHECK(prisma.runner == "prisma");
  for (const auto& id : rules_named("idempotency")) CHECK(effective_severity(prisma, id) == Severity::off);
  auto supabase = config_from("preset = \"supabase\"\n");
  CHECK(supabase.platform == "supabase");
  CHECK(effective_severity(supabase, "rls-not-enabled") == Severity::error);
  auto strict = config_from("preset = \"strict\"\n");
  for (const auto& r : make_all_rules()) {
    INFO(r->info().id);
    CHECK(effective_severity(strict, std::string(r->info().id)) != Severity::off);
  }
  // The file's own settings win over the preset's; presets apply in order.
  auto own = config_from("preset = [\"additive-only\", \"online-safe\"]\n[rules]\nban-drop-column = \"warning\"\n");
  CHECK(own.presets == std::vector<std::string>{"additive-only", "online-safe"});
  CHECK(effective_severity(own, "ban-drop-column") == Severity::warning);
  CHECK(effective_severity(own, "ban-drop-table") == Severity::error);
  CHECK(effective_severity(own, "require-lock-timeout") == Severity::error);
}

TEST_CASE("policies: driftguard rules --presets lists each preset and what it sets", "[policies]") {
  Repo repo;
  auto r = repo.driftguard("rules --presets");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("additive-only: Migrations only add: every destructive and breaking rule is an error\n"
                    "    [rules]\n    destructive = \"error\"\n    breaking = \"error\"\n\nonline-safe: ",
                    0) == 0);
  for (const auto& p : presets()) {
    CHECK(("\n" + r.out).find("\n" + std::string(p.name) + ": " + std::string(p.summary) + "\n") != std::string::npos);
  }
}

TEST_CASE("policies: a monorepo root config with a preset, a service config that extends it", "[policies]") {
  Repo repo;
  repo.write("driftguard.toml",
             "# ACME: every service's migrations only add.\n"
             "preset = \"additive-only\"\n"
             "\n"
             "[rules]\n"
             "locking = \"off\"\n"
             "idempotency = \"off\"\n");
  repo.write("services/billing/driftguard.toml",
             "extend = \"../../driftguard.toml\"\n"
             "\n"
             "[rules]\n"
             "# billing drops a column two releases after the code stopped using it\n"
             "ban-drop-column = \"warning\"\n");
  const std::string drop = "ALTER TABLE accounts DROP COLUMN legacy_flag;\nDROP INDEX accounts_legacy_idx;\n";
  for (const char* service : {"services/api", "services/billing"}) {
    repo.write(std::string(service) + "/migrations/000001_init.up.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n");
    repo.write(std::string(service) + "/migrations/000001_init.down.sql", "DROP TABLE accounts;\n");
    repo.write(std::string(service) + "/migrations/000002_drop_legacy.up.sql", drop);
    repo.write(std::string(service) + "/migrations/000002_drop_legacy.down.sql", "SELECT 1;\n");
  }
  repo.commit("services");

  auto r = repo.driftguard("lint services --format gcc");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out ==
        "services/api/migrations/000002_drop_legacy.up.sql:1:22: error: drops column legacy_flag from table accounts "
        "[ban-drop-column]\n"
        "services/api/migrations/000002_drop_legacy.up.sql:2:1: error: drops index accounts_legacy_idx "
        "[ban-drop-index]\n"
        "services/billing/migrations/000002_drop_legacy.up.sql:1:22: warning: drops column legacy_flag from table "
        "accounts [ban-drop-column]\n"
        "services/billing/migrations/000002_drop_legacy.up.sql:2:1: error: drops index accounts_legacy_idx "
        "[ban-drop-index]\n");

  SECTION("config --show names the extended config and the presets") {
    auto show = repo.driftguard("config --show services/billing/migrations/000002_drop_legacy.up.sql");
    CHECK(show.code == 0);
    CHECK(show.out.find("# from services/billing/driftguard.toml\n# extends driftguard.toml\n# presets applied: "
                        "[\"additive-only\"]\n") != std::string::npos);
    CHECK(show.out.find("\nban-drop-column = \"warning\"\n") != std::string::npos);
    CHECK(show.out.find("\nban-drop-index = \"error\"\n") != std::string::npos);
    CHECK(show.out.find("\nrequire-if-exists = \"off\"\n") != std::string::npos);
  }
  SECTION("the command line still wins: a category and a rule") {
    auto t = repo.driftguard("lint services/api --format gcc --severity destructive=info --severity ban-drop-index=warning");
    CHECK(t.code == 0);
    CHECK(t.out ==
          "services/api/migrations/000002_drop_legacy.up.sql:1:22: info: drops column legacy_flag from table "
          "accounts [ban-drop-column]\n"
          "services/api/migrations/000002_drop_legacy.up.sql:2:1: warning: drops index accounts_legacy_idx "
          "[ban-drop-index]\n");
    auto only = repo.driftguard("lint services/api --format gcc --rule transaction --exclude-rule destructive");
    CHECK(only.code == 0);
    CHECK(only.out.empty());
  }
  SECTION("configs that extend each other are an error at the extend that closes the cycle") {
    repo.write("driftguard.toml", "extend = \"services/billing/driftguard.toml\"\n");
    auto t = repo.driftguard("lint services/billing --format gcc");
    CHECK(t.code == 2);
    CHECK(t.out.empty());
    CHECK(t.err ==
          "driftguard: error: driftguard.toml:1:10: extend: the configs extend each other: "
          "services/billing/driftguard.toml -> driftguard.toml -> services/billing/driftguard.toml\n");
  }
}

TEST_CASE("policies: approvals in schema.prisma for prisma-check findings", "[policies][git][prisma-check]") {
  Repo repo;
  const std::string head = "datasource db {\n  provider = \"postgresql\"\n}\n\n";
  repo.write("prisma/schema.prisma", head +
                                         "model Order {\n"                  // 5
                                         "  id     Int    @id\n"            // 6
                                         "  total  Int\n"                   // 7
                                         "  note   String @db.VarChar(50)\n"  // 8
                                         "  status String\n"                // 9
                                         "}\n");
  repo.write("prisma/migrations/20240101000000_init/migration.sql", "CREATE TABLE \"Order\" (id int PRIMARY KEY);\n");
  repo.commit("init");
  repo.sh("git checkout -q -b feature");
  repo.write("prisma/migrations/20240201000000_widen/migration.sql", "SELECT 1;\n");
  repo.write("prisma/schema.prisma",
             head +
                 "model Order {\n"                                                                            // 5
                 "  id     Int    @id\n"                                                                      // 6
                 "  // driftguard-ignore prisma-changed-type Int to BigInt widens in place (ticket OPS-12)\n"  // 7
                 "  total  BigInt\n"                                                                          // 8
                 "  note   String @db.VarChar(200) // driftguard-ignore prisma-changed-type widening\n"       // 9
                 "  // driftguard-ignore prisma-removed-field, prisma-changed-type status stays\n"            // 10
                 "  status String\n"                                                                          // 11
                 "  /// driftguard-ignore prisma-changed-type (a documentation comment: not an approval)\n"   // 12
                 "  kind   String\n"                                                                          // 13
                 "}\n");
  auto r = repo.driftguard("prisma-check --base main --format gcc");
  INFO(r.err);
  CHECK(r.code == 0);  // unused-ignore is a warning
  CHECK(r.out ==
        "prisma/schema.prisma:10:24: warning: driftguard-ignore for prisma-removed-field approves nothing "
        "[unused-ignore]\n"
        "prisma/schema.prisma:10:46: warning: driftguard-ignore for prisma-changed-type approves nothing "
        "[unused-ignore]\n");
  CHECK(dgtest::report_with_notes(repo.driftguard("prisma-check --base main --format json").out) ==
        "prisma/schema.prisma:10:24: driftguard-ignore for prisma-removed-field approves nothing [unused-ignore]\n"
        "  note: prisma-removed-field reports nothing on the next line\n"
        "prisma/schema.prisma:10:46: driftguard-ignore for prisma-changed-type approves nothing [unused-ignore]\n"
        "  note: prisma-changed-type reports nothing on the next line\n");

  SECTION("without the approvals the changes are errors") {
    std::string text = repo.read("prisma/schema.prisma");
    for (std::size_t at; (at = text.find(" driftguard-ignore")) != std::string::npos;) text.replace(at, 18, " approved");
    repo.write("prisma/schema.prisma", text);
    auto t = repo.driftguard("prisma-check --base main --format gcc");
    CHECK(t.code == 1);
    CHECK(t.out ==
          "prisma/schema.prisma:8:3: error: changes the type of field total of model Order from Int to BigInt "
          "[prisma-changed-type]\n"
          "prisma/schema.prisma:9:3: error: changes the type of field note of model Order from String @db.VarChar(50) "
          "to String @db.VarChar(200) [prisma-changed-type]\n");
  }
  SECTION("an approval for an unknown rule, and a file-wide approval") {
    std::string text = repo.read("prisma/schema.prisma");
    text.replace(text.find("prisma-removed-field, "), 22, "prisma-chnaged-type, ");
    repo.write("prisma/schema.prisma", "// driftguard-ignore-file prisma-changed-type reviewed in OPS-12\n" + text);
    auto t = repo.driftguard("prisma-check --base main --format gcc");
    CHECK(t.code == 0);
    CHECK(t.out ==
          "prisma/schema.prisma:11:24: warning: driftguard-ignore names an unknown rule 'prisma-chnaged-type' "
          "[unused-ignore]\n"
          "prisma/schema.prisma:11:45: warning: driftguard-ignore for prisma-changed-type approves nothing "
          "[unused-ignore]\n");
  }
}

TEST_CASE("policies: convention rules on an up/down project", "[policies]") {
  Repo repo;
  repo.write("driftguard.toml",
             "[rules]\n"
             "convention = \"warning\"\n"
             "require-down-migration = \"error\"\n"
             "migration-file-name = \"error\"\n"
             "idempotency = \"off\"\n"
             "locking = \"off\"\n"
             "\n"
             "[rules.options.require-header]\n"
             "lines = [\"-- ACME migration\"]\n");
  repo.write("db/migrations/000001_create_users.up.sql",
             "-- ACME migration\nBEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
             "CREATE INDEX users_name_idx ON users (name);\nCOMMIT;\n");
  repo.write("db/migrations/000001_create_users.down.sql", "DROP TABLE users;\n");
  repo.write("db/migrations/000002_AddEmail.up.sql",
             "-- ACME migration\nALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN \"phoneNumber\" text;\n");
  repo.write("db/migrations/000002_AddEmail.down.sql", "ALTER TABLE users DROP COLUMN email, DROP COLUMN phone;\n");
  repo.write("db/migrations/000003_add_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  repo.commit("migrations");

  auto r = repo.driftguard("lint db/migrations --format gcc --runner plain");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out ==
        // incomplete-down-migration (a convention rule): the down drops a column the up did not add, so it fails.
        "db/migrations/000002_AddEmail.down.sql:1:1: warning: the down migration fails: column \"phone\" of relation "
        "\"users\" does not exist [incomplete-down-migration]\n"
        "db/migrations/000002_AddEmail.down.sql:1:1: warning: the down migration leaves 2 differences from the "
        "schema before 000002_AddEmail.up.sql [incomplete-down-migration]\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: error: migration name 000002_AddEmail.up.sql does not match the "
        "naming pattern [migration-file-name]\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: warning: 2 ALTER TABLE statements in a row change users "
        "[multiple-alter-table]\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: warning: runs outside a transaction [require-transaction]\n"
        "db/migrations/000002_AddEmail.up.sql:3:30: warning: column name \"phoneNumber\" does not follow the naming "
        "convention [identifier-naming]\n"
        "db/migrations/000003_add_orders.up.sql:1:1: error: no down migration 000003_add_orders.down.sql "
        "[require-down-migration]\n"
        "db/migrations/000003_add_orders.up.sql:1:1: warning: line 1 of the migration header is missing or different "
        "[require-header]\n");
  // Each convention's detail is a note: the layout's naming pattern, the naming convention, the header expected.
  CHECK(dgtest::report_with_notes(repo.driftguard("lint db/migrations --format json --runner plain").out) ==
        "db/migrations/000002_AddEmail.down.sql:1:1: the down migration fails: column \"phone\" of relation "
        "\"users\" does not exist [incomplete-down-migration]\n"
        "db/migrations/000002_AddEmail.down.sql:1:1: the down migration leaves 2 differences from the schema before "
        "000002_AddEmail.up.sql [incomplete-down-migration]\n"
        "  note: the down migration leaves column public.users.email, which did not exist before the up migration\n"
        "  note: the down migration leaves column public.users.phoneNumber, which did not exist before the up "
        "migration\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: migration name 000002_AddEmail.up.sql does not match the naming "
        "pattern [migration-file-name]\n"
        "  note: the pattern of the up-down layout is ^\\d+_[a-z0-9_]+(\\.(up|down)\\.sql)?$\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: 2 ALTER TABLE statements in a row change users "
        "[multiple-alter-table]\n"
        "  note: this and the next ALTER TABLE statement change it one after the other: each takes its own ACCESS "
        "EXCLUSIVE lock, waiting behind every running query, and may scan or rewrite the table again\n"
        "db/migrations/000002_AddEmail.up.sql:2:1: runs outside a transaction [require-transaction]\n"
        "  note: plain SQL runs statement by statement: if a later statement fails, the statements before it stay "
        "applied and the migration is half done\n"
        "db/migrations/000002_AddEmail.up.sql:3:30: column name \"phoneNumber\" does not follow the naming "
        "convention [identifier-naming]\n"
        "  note: the convention is snake_case: lower-case letters, digits and underscores\n"
        "db/migrations/000003_add_orders.up.sql:1:1: no down migration 000003_add_orders.down.sql "
        "[require-down-migration]\n"
        "  note: db/migrations/000003_add_orders.down.sql does not exist\n"
        "db/migrations/000003_add_orders.up.sql:1:1: line 1 of the migration header is missing or different "
        "[require-header]\n"
        "  note: it should be \"-- ACME migration\"\n");

  SECTION("lint --fix applies the mechanical fixes: header, merged ALTER TABLE") {
    auto f = repo.driftguard("lint db/migrations --format gcc --runner plain --fix");
    CHECK(repo.read("db/migrations/000003_add_orders.up.sql") ==
          "-- ACME migration\nCREATE TABLE orders (id bigint PRIMARY KEY);\n");
    // The transaction fix and the merge touch the same statements: one applies now, the other on the next run.
    auto again = repo.driftguard("lint db/migrations --format gcc --runner plain --fix");
    CHECK(repo.read("db/migrations/000002_AddEmail.up.sql") ==
          "-- ACME migration\nBEGIN;\n\nALTER TABLE users ADD COLUMN email text,\n  ADD COLUMN \"phoneNumber\" text;\n\nCOMMIT;\n");
  }
}

TEST_CASE("policies: a Supabase project with one master migration file, the supabase preset and naming rules",
          "[policies]") {
  Repo repo;
  repo.write("supabase/config.toml", "project_id = \"acme\"\n");
  repo.write("driftguard.toml",
             "preset = \"supabase\"\n"
             "\n"
             "[rules]\n"
             "identifier-naming = \"error\"\n"
             "migration-file-name = \"error\"\n"
             "idempotency = \"off\"\n");
  repo.write("supabase/migrations/20240101000000_schema.sql",
             "create table public.profiles (id uuid primary key, \"displayName\" text);\n"
             "alter table public.profiles enable row level security;\n"
             "create table public.social_posts (id bigint generated always as identity primary key, body text);\n"
             "create table private.audit_log (id bigint primary key);\n");
  repo.write("supabase/migrations/20240102_Seed.sql", "insert into public.profiles (id) values (gen_random_uuid());\n");
  repo.commit("schema");
  auto r = repo.driftguard("lint supabase/migrations --format gcc");
  INFO(r.err);
  CHECK(r.code == 1);
  // private is not an exposed schema: audit_log needs no row level security.
  CHECK(r.out ==
        "supabase/migrations/20240101000000_schema.sql:1:52: error: column name \"displayName\" does not follow the "
        "naming convention [identifier-naming]\n"
        "supabase/migrations/20240101000000_schema.sql:3:14: error: table public.social_posts is created without row "
        "level security [rls-not-enabled]\n"
        "supabase/migrations/20240102_Seed.sql:1:1: error: migration name 20240102_Seed.sql does not match the naming "
        "pattern [migration-file-name]\n");
  // The pattern is the Supabase layout's.
  CHECK(dgtest::report_with_notes(repo.driftguard("lint supabase/migrations --format json").out,
                                  "migration-file-name") ==
        "supabase/migrations/20240102_Seed.sql:1:1: migration name 20240102_Seed.sql does not match the naming "
        "pattern [migration-file-name]\n"
        "  note: the pattern of the supabase layout is ^\\d{14}_[a-z0-9_]+\\.sql$\n");
}

TEST_CASE("policies: a Prisma project with the prisma preset", "[policies]") {
  Repo repo;
  repo.write("driftguard.toml", "preset = \"prisma\"\n");
  repo.write("prisma/migrations/20240101000000_init/migration.sql",
             "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n\n"
             "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\n"
             "CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n");
  repo.write("prisma/migrations/20240201000000_drop_email/migration.sql",
             "-- AlterTable\nALTER TABLE \"User\" DROP COLUMN \"email\";\n");
  repo.commit("prisma");
  auto r = repo.driftguard("lint prisma/migrations --format gcc");
  INFO(r.err);
  CHECK(r.code == 1);
  // No idempotency finding (require-if-not-exists on every CREATE): Prisma never re-runs a migration. No
  // prefer-identity (autoincrement() cannot make an identity column): the serial's overflow is reported instead.
  CHECK(r.out ==
        "prisma/migrations/20240101000000_init/migration.sql:3:10: warning: column id of \"User\" is serial "
        "[prefer-bigint-over-int]\n"
        "prisma/migrations/20240201000000_drop_email/migration.sql:2:1: warning: no lock_timeout set before ACCESS "
        "EXCLUSIVE on \"User\" [require-lock-timeout]\n"
        "prisma/migrations/20240201000000_drop_email/migration.sql:2:20: error: drops column email from table "
        "\"User\" [ban-drop-column]\n");
  auto plain = repo.driftguard("lint prisma/migrations --format gcc --config /dev/null");
  // Without the preset too: idempotency rules are quiet by default for Prisma's runner (a transaction per file, a
  // tracker that never re-runs one); the preset states it for teams that turn categories on elsewhere.
  CHECK(plain.out.find("[require-if-not-exists]") == std::string::npos);
}
