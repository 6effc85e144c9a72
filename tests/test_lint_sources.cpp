// Where lint's findings and its schema come from (issues 11 and 15): a Supabase history is linted on the platform
// baseline drift replays it on, and a Prisma migration's type findings are reported once, at the schema.prisma
// field that generated the column, with the Prisma spelling of the fix (checked against Prisma's own engine).
#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <regex>
#include <string>

#include "tests/paths.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "tests/prisma_engine.hpp"
#include "tests/shell.hpp"

namespace fs = std::filesystem;
using dgtest::prisma_engine::TempDir;
using dgtest::prisma_engine::write_file;

namespace {

dgtest::Run lint_in(const fs::path& dir, const std::string& args) {
  return dgtest::run_shell("cd " + dgtest::shell_quote(dir.string()) + " && NO_COLOR=1 " +
                           dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint " + args + " < /dev/null");
}

// A Supabase project's first migration: a profile table keyed by auth.users, and a change to auth.users itself.
const char* kSupabaseMigration =
    "create table public.profiles (\n"
    "  id uuid primary key references auth.users (id) on delete cascade,\n"
    "  name text\n"
    ");\n"
    "alter table auth.users alter column email type text;\n"
    "create index users_phone_idx on auth.users (phone);\n";

}  // namespace

TEST_CASE("lint: a Supabase history starts from the platform baseline (auth.users exists, typed, populated)",
          "[lint][supabase]") {
  TempDir t("lint_supabase");
  write_file(t.dir / "supabase/migrations/20240101000000_profiles.sql", kSupabaseMigration);
  const std::string rules = " --format gcc --rule changing-column-type --rule require-concurrent-index-creation"
                            " --rule foreign-key-without-index";
  auto on = lint_in(t.dir, "supabase/migrations" + rules);
  INFO(on.err);
  // auth.users.email is varchar(255) in the baseline: varchar -> text is binary-compatible, so the only hazard of
  // the ALTER is the ACCESS EXCLUSIVE lock on a populated table; the index is built on an existing table.
  CHECK(on.out ==
        "supabase/migrations/20240101000000_profiles.sql:5:24: error: ALTER COLUMN email TYPE text on auth.users "
        "changes what clients see [changing-column-type]\n"
        "supabase/migrations/20240101000000_profiles.sql:6:1: warning: CREATE INDEX without CONCURRENTLY takes SHARE "
        "on auth.users [require-concurrent-index-creation]\n");
  // The note names the baseline's type.
  CHECK(dgtest::report_with_notes(
            lint_in(t.dir, "supabase/migrations --format json --rule changing-column-type").out) ==
        "supabase/migrations/20240101000000_profiles.sql:5:24: ALTER COLUMN email TYPE text on auth.users changes "
        "what clients see [changing-column-type]\n"
        "  note: changes the type of column email of auth.users from varchar(255) to text: binary-compatible, so the "
        "table is not rewritten, but clients see the new type\n");
  // Without the baseline the column's type is unknown, and the message cannot say what the change costs.
  auto off = lint_in(t.dir, "supabase/migrations --platform none" + rules);
  CHECK(off.out ==
        "supabase/migrations/20240101000000_profiles.sql:5:24: error: ALTER COLUMN email TYPE text may rewrite "
        "auth.users under ACCESS EXCLUSIVE [changing-column-type]\n"
        "supabase/migrations/20240101000000_profiles.sql:6:1: warning: CREATE INDEX without CONCURRENTLY takes SHARE "
        "on auth.users [require-concurrent-index-creation]\n");
  CHECK(dgtest::report_with_notes(
            lint_in(t.dir, "supabase/migrations --platform none --format json --rule changing-column-type").out) ==
        "supabase/migrations/20240101000000_profiles.sql:5:24: ALTER COLUMN email TYPE text may rewrite auth.users "
        "under ACCESS EXCLUSIVE [changing-column-type]\n"
        "  note: changes the type of column email of auth.users to text (its current type is not declared in the "
        "migrations linted): probably binary-compatible, with no table rewrite, if it widens the old type (e.g. "
        "varchar(n) to text); any other change rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE "
        "lock; either way clients see the new type\n");
  // The same baseline through the config and the flag.
  write_file(t.dir / "plain/20240101000000_profiles.sql", kSupabaseMigration);
  auto plain = lint_in(t.dir, "plain" + rules);
  auto flagged = lint_in(t.dir, "plain --platform supabase" + rules);
  CHECK(flagged.out == std::regex_replace(on.out, std::regex("supabase/migrations/"), "plain/"));
  CHECK(plain.out == std::regex_replace(off.out, std::regex("supabase/migrations/"), "plain/"));
  write_file(t.dir / "driftguard.toml", "platform = \"supabase\"\n");
  CHECK(lint_in(t.dir, "plain" + rules).out == flagged.out);
}

namespace {

const char* kSchema =
    "datasource db {\n"
    "  provider = \"postgresql\"\n"
    "}\n"
    "\n"
    "model User {\n"
    "  id        Int      @id @default(autoincrement())\n"
    "  email     String   @db.VarChar(255) // login\n"
    "  createdAt DateTime @default(now())\n"
    "  posts     Post[]\n"
    "}\n"
    "\n"
    "model Post {\n"
    "  id       BigInt @id @default(autoincrement())\n"
    "  authorId Int\n"
    "  author   User   @relation(fields: [authorId], references: [id])\n"
    "}\n";

// What Prisma's engine generates for kSchema (the oracle test below checks it).
const char* kInit =
    "-- CreateTable\n"
    "CREATE TABLE \"User\" (\n"
    "    \"id\" SERIAL NOT NULL,\n"
    "    \"email\" VARCHAR(255) NOT NULL,\n"
    "    \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
    "\n"
    "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n"
    ");\n"
    "\n"
    "-- CreateTable\n"
    "CREATE TABLE \"Post\" (\n"
    "    \"id\" BIGSERIAL NOT NULL,\n"
    "    \"authorId\" INTEGER NOT NULL,\n"
    "\n"
    "    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n"
    ");\n"
    "\n"
    "-- AddForeignKey\n"
    "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") "
    "ON DELETE RESTRICT ON UPDATE CASCADE;\n";

// A later migration that declares createdAt's type again (a type change Prisma generated): the field is one
// decision, reported once.
const char* kSecond =
    "-- AlterTable\n"
    "ALTER TABLE \"User\" ALTER COLUMN \"createdAt\" SET DATA TYPE TIMESTAMP(3);\n";

const char* kTypeRules = " --rule prefer-bigint-over-int --rule prefer-text-field --rule prefer-timestamptz";

void prisma_project(const fs::path& dir, const std::string& schema, const std::string& init) {
  write_file(dir / "prisma/schema.prisma", schema);
  write_file(dir / "prisma/migrations/20240101000000_init/migration.sql", init);
  write_file(dir / "prisma/migrations/20240201000000_created_at/migration.sql", kSecond);
}

}  // namespace

TEST_CASE("lint: a Prisma migration's type findings are reported once, at the schema.prisma field", "[lint][prisma]") {
  TempDir t("lint_prisma_fields");
  prisma_project(t.dir, kSchema, kInit);
  auto r = lint_in(t.dir, "prisma/migrations --format gcc" + std::string(kTypeRules));
  INFO(r.err);
  // Post.authorId is an integer because User.id is: the finding is the key's. createdAt is reported once, though
  // both migrations declare its type.
  CHECK(r.out ==
        "prisma/schema.prisma:6:3: warning: field id of model User generates serial [prefer-bigint-over-int]\n"
        "prisma/schema.prisma:7:3: warning: field email of model User generates varchar(255) [prefer-text-field]\n"
        "prisma/schema.prisma:8:3: warning: field createdAt of model User generates timestamp(3) (without time zone) "
        "[prefer-timestamptz]\n");
  CHECK(r.code == 0);  // warnings only

  // JSON: the field's extent, the Prisma spelling of the fix, and where Prisma generated the column.
  auto j = nlohmann::json::parse(lint_in(t.dir, "prisma/migrations --format json --rule prefer-timestamptz").out);
  REQUIRE(j["findings"].size() == 1);
  const auto& f = j["findings"][0];
  CHECK(f["file"] == "prisma/schema.prisma");
  CHECK(f["line"] == 8);
  CHECK(f["column"] == 3);
  CHECK(f["end_line"] == 8);
  CHECK(f["end_column"] == 37);
  CHECK(f["help"] ==
        "Declare the field as DateTime @db.Timestamptz(3) instead of DateTime in schema.prisma, then generate a new "
        "migration (prisma migrate dev); do not edit the generated SQL.");
  REQUIRE(f["notes"].size() == 2);
  CHECK(f["notes"][0]["message"] ==
        "generated into prisma/migrations/20240101000000_init/migration.sql:5:17 as TIMESTAMP(3)");
  CHECK(f["notes"][1]["message"] ==
        "column \"createdAt\" of \"User\" is timestamp(3) (without time zone): values are wall-clock times whose "
        "meaning depends on the time zone of whoever wrote them, and converting the column later rewrites the table");

  // Without a schema.prisma the findings stay on the generated SQL, one per migration.
  const std::string on_sql =
      "prisma/migrations/20240101000000_init/migration.sql:5:17: warning: column \"createdAt\" of \"User\" is "
      "timestamp(3) (without time zone) [prefer-timestamptz]\n"
      "prisma/migrations/20240201000000_created_at/migration.sql:2:59: warning: column \"createdAt\" of \"User\" is "
      "timestamp(3) (without time zone) [prefer-timestamptz]\n";
  fs::remove(t.dir / "prisma/schema.prisma");
  CHECK(lint_in(t.dir, "prisma/migrations --format gcc --rule prefer-timestamptz").out == on_sql);

  // A field changed since (a later migration made the column timestamptz(3)): the earlier declarations are that
  // history's, not the field's, and stay on the SQL.
  TempDir u("lint_prisma_changed");
  prisma_project(u.dir,
                 std::regex_replace(std::string(kSchema), std::regex("createdAt DateTime @default"),
                                    "createdAt DateTime @db.Timestamptz(3) @default"),
                 kInit);
  write_file(u.dir / "prisma/migrations/20240301000000_tz/migration.sql",
             "-- AlterTable\nALTER TABLE \"User\" ALTER COLUMN \"createdAt\" SET DATA TYPE TIMESTAMPTZ(3);\n");
  CHECK(lint_in(u.dir, "prisma/migrations --format gcc --rule prefer-timestamptz").out == on_sql);

  // A column a later migration dropped (alone, or with its table) is gone when the history ends: there is nothing
  // left to change, so neither its declarations nor its field are reported; the other columns still are.
  TempDir g("lint_prisma_dropped");
  prisma_project(g.dir, kSchema, kInit);
  write_file(g.dir / "prisma/migrations/20240301000000_drop/migration.sql",
             "-- AlterTable\nALTER TABLE \"User\" DROP COLUMN \"createdAt\";\n");
  CHECK(lint_in(g.dir, "prisma/migrations --format gcc" + std::string(kTypeRules)).out ==
        "prisma/schema.prisma:6:3: warning: field id of model User generates serial [prefer-bigint-over-int]\n"
        "prisma/schema.prisma:7:3: warning: field email of model User generates varchar(255) [prefer-text-field]\n");
  // Renamed since (its table too): the column is still there, so it is still reported (at the field this schema
  // has for it).
  write_file(g.dir / "prisma/migrations/20240301000000_drop/migration.sql",
             "ALTER TABLE \"User\" RENAME TO \"Account\";\nALTER TABLE \"Account\" RENAME COLUMN \"createdAt\" TO \"created\";\n");
  CHECK(lint_in(g.dir, "prisma/migrations --format gcc --rule prefer-timestamptz").out ==
        "prisma/schema.prisma:8:3: warning: field createdAt of model User generates timestamp(3) (without time zone) "
        "[prefer-timestamptz]\n");
}

// A Prisma folder is replayed to its end before it is linted, and the files that replay parsed are linted from
// that parse (cli/cmd_lint.cpp's `kept`) while their texts fit in 512 KB: that parse must be lint's own — with the
// comments a driftguard-ignore directive is read from — and a file past the bound, parsed again, must lint the same.
TEST_CASE("lint: a Prisma folder's files are linted from the history end's parse, comments included", "[lint][prisma]") {
  const std::string init = "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL, \"name\" TEXT, \"bio\" TEXT);\n";
  const std::string drops =
      "-- driftguard-ignore ban-drop-column\nALTER TABLE \"User\" DROP COLUMN \"name\";\n"
      "ALTER TABLE \"User\" DROP COLUMN \"bio\";\n";
  const std::string expected =
      "prisma/migrations/20240201000000_drop/migration.sql:3:20: error: drops column bio from table \"User\" "
      "[ban-drop-column]\n";
  for (std::size_t padding : {std::size_t{0}, std::size_t{600 * 1024}}) {
    INFO("padding " << padding);
    TempDir t("lint_prisma_kept");
    write_file(t.dir / "prisma/migrations/20240101000000_init/migration.sql", init);
    write_file(t.dir / "prisma/migrations/20240201000000_drop/migration.sql",
               drops + (padding ? "-- " + std::string(padding, 'x') + "\n" : std::string()));
    auto r = lint_in(t.dir, "prisma/migrations --format gcc --rule ban-drop-column");
    INFO(r.err);
    CHECK(r.out == expected);  // the first DROP COLUMN suppressed
  }
}

// The oracle: Prisma's engine generates kInit from kSchema, and the schema with every suggested spelling applied
// generates a migration the type rules are silent on.
TEST_CASE("lint: the Prisma spellings of the type fixes are what Prisma's engine turns into the safe types",
          "[lint][prisma][oracle]") {
  if (!dgtest::prisma_engine::available()) return;
  TempDir t("lint_prisma_oracle");
  write_file(t.dir / "schema.prisma", kSchema);
  auto generated = dgtest::prisma_engine::run({"sql", (t.dir / "schema.prisma").string()});
  INFO(generated.err);
  REQUIRE(generated.code == 0);
  CHECK(generated.out == "-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS \"public\";\n\n" + std::string(kInit));

  prisma_project(t.dir / "p", kSchema, kInit);
  auto j = nlohmann::json::parse(lint_in(t.dir / "p", "prisma/migrations --format json" + std::string(kTypeRules)).out);
  REQUIRE(j["findings"].size() == 3);
  std::string fixed = kSchema;
  static const std::regex suggestion("Declare the field as (.+) instead of (.+) in schema\\.prisma");
  for (const auto& f : j["findings"]) {
    std::smatch m;
    std::string help = f["help"];
    REQUIRE(std::regex_search(help, m, suggestion));
    // The field's line: its type as written becomes the suggestion.
    int line = f["line"];
    std::size_t at = 0;
    for (int i = 1; i < line; ++i) at = fixed.find('\n', at) + 1;
    std::size_t end = fixed.find('\n', at);
    std::string text = fixed.substr(at, end - at);
    // The type and its @db attribute as written (aligned with spaces): "String   @db.VarChar(255)".
    std::string pattern;
    for (char c : m[2].str()) {  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"\\" + std::string&&`
      if (c == ' ') {
        pattern += "\\s+";
        continue;
      }
      if (!std::isalnum(static_cast<unsigned char>(c))) pattern += '\\';
      pattern += c;
    }
    std::string replaced = std::regex_replace(text, std::regex(pattern), m[1].str(), std::regex_constants::format_first_only);
    REQUIRE(replaced != text);
    fixed.replace(at, end - at, replaced);
  }
  // The key's finding says that the fields referencing it must follow: Prisma refuses the schema otherwise.
  write_file(t.dir / "key_only.prisma", fixed);
  auto refused = dgtest::prisma_engine::run({"sql", (t.dir / "key_only.prisma").string()});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("The type of the field `authorId` in the model `Post` is not matching the type of the "
                         "referenced field `id` in model `User`") != std::string::npos);
  fixed = std::regex_replace(fixed, std::regex("authorId Int"), "authorId BigInt");
  write_file(t.dir / "fixed.prisma", fixed);
  auto again = dgtest::prisma_engine::run({"sql", (t.dir / "fixed.prisma").string()});
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(again.out.find("TIMESTAMPTZ(3)") != std::string::npos);
  TempDir u("lint_prisma_oracle_fixed");
  write_file(u.dir / "prisma/schema.prisma", fixed);
  write_file(u.dir / "prisma/migrations/20240101000000_init/migration.sql", again.out);
  auto clean = lint_in(u.dir, "prisma/migrations --format gcc" + std::string(kTypeRules));
  CHECK(clean.out == "");
  CHECK(clean.code == 0);
}

namespace {

// Lints `files` (path, SQL) as one run, in order, with the default selection; the findings of the last one.
std::vector<driftguard::Finding> lint_run(const std::vector<std::pair<std::string, std::string>>& files,
                                          driftguard::RuleSelection sel = {}) {
  driftguard::Engine engine({}, sel);
  driftguard::RunState run;
  std::vector<driftguard::Finding> last;
  for (const auto& [path, sql] : files) last = engine.lint(driftguard::make_source(path, sql), run).findings;
  return last;
}

std::vector<std::string> rules_at(const std::vector<driftguard::Finding>& fs, const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    if (f.rule == rule) out.push_back(std::to_string(f.start.line) + ":" + std::to_string(f.start.column) + " " + f.message);
  }
  return out;
}

}  // namespace

TEST_CASE("lint: whether a schema, type or function is new in the file is the model's answer", "[lint][model]") {
  const std::pair<std::string, std::string> init{
      "db/0001_init.sql",
      "CREATE SCHEMA app;\nCREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE TYPE app.mood AS ENUM ('sad', 'ok');\n"};
  // CREATE SCHEMA IF NOT EXISTS leaves the schema of an earlier migration in place: it is not new, so renaming it
  // afterwards is reported (FileState counted any CREATE SCHEMA statement of the file as a creation).
  auto later = lint_run({init,
                         {"db/0002_next.sql",
                          "CREATE SCHEMA IF NOT EXISTS app;\n"
                          "DROP FUNCTION app.f();\n"
                          "ALTER SCHEMA app RENAME TO app2;\n"}});
  CHECK(rules_at(later, "ban-drop-function") ==
        std::vector<std::string>{"2:1 drops function app.f()"});
  CHECK(rules_at(later, "renaming-object") == std::vector<std::string>{"3:1 renames schema app to app2"});
  // Created earlier in the same file: nobody uses them yet.
  auto fresh = lint_run({{"db/0001_init.sql",
                          "CREATE SCHEMA app;\nCREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                          "CREATE TYPE app.mood AS ENUM ('sad', 'ok');\n"
                          "DROP FUNCTION app.f();\nALTER TYPE app.mood RENAME VALUE 'ok' TO 'fine';\n"
                          "ALTER SCHEMA app RENAME TO app2;\n"}});
  CHECK(rules_at(fresh, "ban-drop-function").empty());
  CHECK(rules_at(fresh, "renaming-object").empty());
  // Functions: the overload the DROP names, and CREATE OR REPLACE of an older one replaces it (not new).
  auto overloads = lint_run({init,
                             {"db/0002_next.sql",
                              "CREATE FUNCTION app.f(n integer) RETURNS int LANGUAGE sql AS 'SELECT n';\n"
                              "CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
                              "DROP FUNCTION app.f();\n"
                              "DROP FUNCTION app.f(int4);\n"}});
  CHECK(rules_at(overloads, "ban-drop-function") == std::vector<std::string>{"3:1 drops function app.f()"});
}

TEST_CASE("lint: Diesel migrations run in a transaction unless metadata.toml opts out", "[lint][runner]") {
  const char* sql = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n";
  driftguard::RuleSelection sel;
  sel.only.insert("ban-concurrent-index-creation-in-transaction");
  auto in_tx = lint_run({{"migrations/2024-01-01-000000_users/up.sql", "CREATE TABLE users (email text);\n"},
                         {"migrations/2024-02-01-000000_index/up.sql", sql}},
                        sel);
  REQUIRE(in_tx.size() == 1);
  CHECK(in_tx[0].message == "CREATE INDEX CONCURRENTLY fails inside a transaction block");
  CHECK(dgtest::with_notes(in_tx[0]).find("\nnote: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and "
                                          "this one runs inside the runner's transaction (diesel runs each migration in "
                                          "a transaction)") != std::string::npos);
  // golang-migrate sends a lone statement on its own: no transaction.
  CHECK(lint_run({{"migrations/0002_index.up.sql", sql}}, sel).empty());

  TempDir t("lint_diesel");
  write_file(t.dir / "migrations/2024-02-01-000000_index/up.sql", sql);
  write_file(t.dir / "migrations/2024-02-01-000000_index/down.sql", "DROP INDEX users_email_idx;\n");
  auto wrapped = lint_in(t.dir, "migrations --format gcc --rule ban-concurrent-index-creation-in-transaction");
  CHECK(wrapped.out.find("migrations/2024-02-01-000000_index/up.sql:1:1: error:") == 0);
  write_file(t.dir / "migrations/2024-02-01-000000_index/metadata.toml", "run_in_transaction = false\n");
  auto alone = lint_in(t.dir, "migrations --format gcc --rule ban-concurrent-index-creation-in-transaction");
  CHECK(alone.out == "");
}

TEST_CASE("lint checks down migrations on the baseline check-down uses (Supabase signs in the folder)",
          "[lint][check-down][supabase]") {
  TempDir t("lint_down_baseline");
  write_file(t.dir / "migrations/0001_nickname.up.sql",
             "create function public.handle_new_user() returns trigger language plpgsql as $$\n"
             "begin\n  return new;\nend;\n$$;\n"
             "create trigger on_auth_user_created after insert on auth.users for each row execute procedure "
             "public.handle_new_user();\n"
             "alter table auth.users add column nickname text;\n");
  // The down forgets the column the up added to auth.users.
  write_file(t.dir / "migrations/0001_nickname.down.sql",
             "drop trigger on_auth_user_created on auth.users;\ndrop function public.handle_new_user();\n");
  const std::string finding =
      "migrations/0001_nickname.down.sql:1:1: warning: the down migration leaves 1 difference from the schema before "
      "0001_nickname.up.sql [incomplete-down-migration]\n";
  // Without the platform's auth.users the up does not apply and the down could not be checked at all.
  CHECK(lint_in(t.dir, "migrations --format gcc --rule incomplete-down-migration").out == finding);
  CHECK(dgtest::report_with_notes(lint_in(t.dir, "migrations --format json --rule incomplete-down-migration").out) ==
        "migrations/0001_nickname.down.sql:1:1: the down migration leaves 1 difference from the schema before "
        "0001_nickname.up.sql [incomplete-down-migration]\n"
        "  note: the down migration leaves column auth.users.nickname, which did not exist before the up migration\n");
  auto check_down = dgtest::run_shell("cd " + dgtest::shell_quote(t.dir.string()) + " && NO_COLOR=1 " +
                                      dgtest::shell_quote(DRIFTGUARD_BINARY) +
                                      " check-down migrations --format gcc < /dev/null");
  CHECK(check_down.out.find(finding) == 0);
  // --platform none (no baseline): nothing to compare with.
  CHECK(lint_in(t.dir, "migrations --format gcc --rule incomplete-down-migration --platform none").out == "");
}
