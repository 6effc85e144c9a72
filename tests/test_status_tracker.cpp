// status without a tracker table (a JSON tracker file per environment), the one-file question of deploy scripts
// (`status --file`, every exit code), and drift against what a tracker says is applied (`drift --applied-only`,
// `--fail-on`), on repositories built by the tests.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "tests/paths.hpp"
#include "introspect/history.hpp"
#include "tests/git_repo.hpp"
#include "tests/pg_server.hpp"

using njson = nlohmann::json;  // driftguard::json is the parse tree
namespace fs = std::filesystem;
using namespace driftguard;

namespace {

std::string shq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// An up/down project (golang-migrate style) whose team records each environment's applied migrations in
// sql/migrations/applied/<env>.json.
const char* kUsersUp = "CREATE TABLE users (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL\n);\n";
const char* kEmailUp = "ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email_key ON users (email);\n";
const char* kAvatarUp = "ALTER TABLE users ADD COLUMN avatar_url text;\n";

void up_down_project(const dgtest::Repo& repo) {
  const std::string m = "sql/migrations/";
  repo.write(m + "0001_create_users.up.sql", kUsersUp);
  repo.write(m + "0001_create_users.down.sql", "DROP TABLE users;\n");
  repo.write(m + "0002_add_email.up.sql", kEmailUp);
  repo.write(m + "0002_add_email.down.sql", "DROP INDEX users_email_key;\nALTER TABLE users DROP COLUMN email;\n");
  repo.write(m + "0003_add_avatar.up.sql", kAvatarUp);
  repo.write(m + "0003_add_avatar.down.sql", "ALTER TABLE users DROP COLUMN avatar_url;\n");
  // both accepted shapes: a name, and an object with a number (compared as a number) and a time
  repo.write(m + "applied/production.json",
             "[\n  \"0001_create_users\",\n  {\"number\": 2, \"applied_at\": \"2024-03-01T10:00:00Z\"}\n]\n");
  repo.write(m + "applied/staging.json",
             "[\n  {\"name\": \"0001_create_users\"},\n  {\"name\": \"0002_add_email.up.sql\"},\n"
             "  {\"name\": \"0003_add_avatar\", \"applied_at\": \"2024-03-02T09:00:00Z\", \"by\": \"ci\"}\n]\n");
}

// A Supabase-first project whose newest migration was edited after `supabase db push` recorded it: the files, and
// in `db` the tracker rows of what was applied (the first statement of the master file only).
void edited_master_project(const dgtest::Repo& repo, const std::string& db) {
  repo.write("supabase/migrations/20240101000000_init.sql", "create table profiles (id uuid primary key);\n");
  repo.write("supabase/migrations/20240201000000_master.sql",
             "alter table profiles add column avatar_url text;\nalter table profiles add column bio text;\n");
  dgtest::pg::exec(db, "CREATE SCHEMA supabase_migrations;\n"
                       "CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, "
                       "statements text[], name text);\n"
                       "INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101000000', "
                       "ARRAY['create table profiles (id uuid primary key)'], 'init'), ('20240201000000', "
                       "ARRAY['alter table profiles add column avatar_url text'], 'master');");
}

}  // namespace

TEST_CASE("JSON tracker files: both shapes, names and numbers, bad files at file:line:col", "[status]") {
  using namespace driftguard::history;
  auto d = read_json_tracker("p.json", "[\"0001_a\", {\"name\": \"b\", \"number\": \"0007\", \"applied_at\": \"x\"},"
                                       " {\"number\": 3}]");
  REQUIRE(d.json.size() == 3);
  CHECK(d.tracker == Tracker::json);
  CHECK(d.json[0].name == "0001_a");
  CHECK(d.json[1].number == std::optional<std::string>("0007"));
  CHECK(d.json[1].applied_at == std::optional<std::string>("x"));
  CHECK(d.json[2].name.empty());
  CHECK(d.json[2].number == std::optional<std::string>("3"));
  auto error = [](const std::string& text) {
    try {
      read_json_tracker("applied/prod.json", text);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(error("[\n  \"a\",\n  }\n]") ==
        "applied/prod.json:3:3: invalid JSON: syntax error while parsing value - unexpected '}'; expected '[', '{', "
        "or a literal");
  CHECK(error("{\"a\": 1}") ==
        "applied/prod.json: expected a list of migration names, or of objects with \"name\", \"number\" and "
        "\"applied_at\", got object");
  CHECK(error("[\"a\", 3]") ==
        "applied/prod.json: [1]: expected a list of migration names, or of objects with \"name\", \"number\" and "
        "\"applied_at\", got number");
  CHECK(error("[{\"applied_at\": \"x\"}]") == "applied/prod.json: [0]: an entry needs a \"name\" or a \"number\"");
  CHECK(error("[{\"number\": -1}]") ==
        "applied/prod.json: [0]: \"number\" must be a non-negative integer or a string of digits");
  CHECK(error("[{\"name\": 5}]") == "applied/prod.json: [0]: \"name\" must be a string");
}

TEST_CASE("status --tracker json: an up/down project, no database", "[status]") {
  dgtest::Repo repo;
  up_down_project(repo);
  auto r = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json");
  CHECK(r.err == "");
  CHECK(r.code == 0);  // pending is what a deploy is for
  CHECK(r.out ==
        "tracker:    json (sql/migrations/applied/production.json)\n"
        "database:   (none: the tracker is a file)\n"
        "migrations: sql/migrations\n\n"
        "applied      0001_create_users\n"
        "applied      0002_add_email  applied 2024-03-01T10:00:00Z\n"
        "pending      0003_add_avatar\n"
        "\n3 migrations: 2 applied, 1 pending\n");

  auto names = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json "
                               "--pending-only --format names");
  CHECK(names.code == 0);
  CHECK(names.out == "sql/migrations/0003_add_avatar.up.sql\n");
  auto all = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json "
                             "--fail-on pending");
  CHECK(all.code == 1);

  // staging has all three; a name the folder does not have is missing (a hotfix applied from elsewhere)
  auto st = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/staging.json "
                            "--format json");
  CHECK(st.code == 0);
  njson doc = njson::parse(st.out);
  CHECK(doc["tracker"] == "json");
  CHECK(doc["table"] == "sql/migrations/applied/staging.json");
  CHECK(doc["database"] == nullptr);
  CHECK(doc["summary"]["applied"] == 3);
  CHECK(doc["migrations"][2]["finished_at"] == "2024-03-02T09:00:00Z");
  repo.write("sql/migrations/applied/hotfix.json", "[\"0001_create_users\", \"0002_add_email\", \"0002_hotfix_index\"]");
  auto hot = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/hotfix.json");
  CHECK(hot.code == 1);
  CHECK(hot.out.find("\nmissing      0002_hotfix_index  applied; not in the directory\npending      0003_add_avatar\n") !=
        std::string::npos);

  // bad tracker files: exit 2 with where
  repo.write("sql/migrations/applied/broken.json", "[\n  \"0001_create_users\",\n  }\n");
  auto bad = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/broken.json");
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.rfind("driftguard: error: sql/migrations/applied/broken.json:3:3: invalid JSON: ", 0) == 0);
  auto none = repo.driftguard("status --migrations sql/migrations --tracker json:nope.json");
  CHECK(none.code == 2);
  CHECK(none.err == "driftguard: error: --tracker json:nope.json: no such file\n");
  auto spec = repo.driftguard("status --migrations sql/migrations --tracker flyway");
  CHECK(spec.code == 2);
}

TEST_CASE("status --file: one migration's state as the exit code of a deploy script", "[status]") {
  dgtest::Repo repo;
  up_down_project(repo);
  const std::string base = "status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json";
  auto applied = repo.driftguard(base + " --file sql/migrations/0001_create_users.up.sql");
  CHECK(applied.code == 0);
  CHECK(applied.out == "applied      0001_create_users\n");
  // however the path is spelled
  auto dotted = repo.driftguard(base + " --file ./sql/migrations/../migrations/0002_add_email.up.sql");
  CHECK(dotted.code == 0);
  CHECK(dotted.out == "applied      0002_add_email  applied 2024-03-01T10:00:00Z\n");
  auto pending = repo.driftguard(base + " --file sql/migrations/0003_add_avatar.up.sql");
  CHECK(pending.code == 3);
  CHECK(pending.out == "pending      0003_add_avatar\n");
  auto names = repo.driftguard(base + " --file sql/migrations/0003_add_avatar.up.sql --format names");
  CHECK(names.code == 3);
  CHECK(names.out == "sql/migrations/0003_add_avatar.up.sql\n");
  auto js = repo.driftguard(base + " --file sql/migrations/0003_add_avatar.up.sql --format json");
  CHECK(js.code == 3);
  njson doc = njson::parse(js.out);
  REQUIRE(doc["migrations"].size() == 1);
  CHECK(doc["migrations"][0]["state"] == "pending");
  CHECK(doc["exit_code"] == 3);
  // a down migration, or a file of no migration folder: usage error
  auto down = repo.driftguard(base + " --file sql/migrations/0003_add_avatar.down.sql");
  CHECK(down.code == 2);
  CHECK(down.err == "driftguard: error: --file sql/migrations/0003_add_avatar.down.sql: not a migration of "
                    "sql/migrations\n");
  auto gone = repo.driftguard(base + " --file sql/migrations/0009_nope.up.sql");
  CHECK(gone.code == 2);
  CHECK(gone.err == "driftguard: error: --file sql/migrations/0009_nope.up.sql: not a migration of sql/migrations "
                    "(no such file)\n");
}

TEST_CASE("status --file: edited after apply (Supabase master file) exits 1", "[status][pg]") {
  dgtest::Repo repo;
  std::string db = dgtest::pg::fresh_database("sbfile");
  edited_master_project(repo, db);
  const std::string base = "status --database-url " + shq(db) + " --migrations supabase/migrations --file ";
  auto init = repo.driftguard(base + "supabase/migrations/20240101000000_init.sql");
  CHECK(init.code == 0);
  auto master = repo.driftguard(base + "supabase/migrations/20240201000000_master.sql");
  INFO(master.err);
  CHECK(master.code == 1);
  CHECK(master.out ==
        "edited       20240201000000_master  edited after apply: a real change (applied content from "
        "supabase_migrations.schema_migrations.statements)\n"
        "    --- applied (supabase_migrations.schema_migrations.statements)\n"
        "    +++ supabase/migrations/20240201000000_master.sql (statements)\n"
        "    @@ -1 +1,2 @@\n"
        "     alter table profiles add column avatar_url text;\n"
        "    +alter table profiles add column bio text;\n");
}

TEST_CASE("drift --applied-only compares the database with what the tracker says is applied, --fail-on",
          "[drift][status][pg]") {
  dgtest::Repo repo;
  up_down_project(repo);
  std::string db = dgtest::pg::fresh_database("applied");
  dgtest::pg::exec(db, std::string(kUsersUp) + kEmailUp);  // production: 0001 and 0002, as its JSON file says
  const std::string sides = "drift --migrations sql/migrations --database-url " + shq(db);
  // every migration: the pending one is drift
  auto all = repo.driftguard(sides + " --format json");
  INFO(all.err);
  CHECK(all.code == 1);
  njson a = njson::parse(all.out);
  REQUIRE(a["items"].size() == 1);
  CHECK(a["items"][0]["kind"] == "missing-column");
  CHECK(a["items"][0]["path"] == "public.users.avatar_url");
  // only what production.json says is applied: no drift
  auto applied = repo.driftguard(sides + " --applied-only --tracker json:sql/migrations/applied/production.json");
  INFO(applied.err);
  CHECK(applied.code == 0);
  CHECK(applied.out.find("\n0 drift items (0 errors, 0 warnings, 0 info); 0 replay errors\n") != std::string::npos);
  // staging.json says 0003 is applied: the database lacks it
  auto staging = repo.driftguard(sides + " --applied-only --tracker json:sql/migrations/applied/staging.json");
  CHECK(staging.code == 1);
  // --applied-only needs exactly one migration folder
  auto two = repo.driftguard("drift --sql sql/migrations/0001_create_users.up.sql --database-url " + shq(db) +
                             " --applied-only --tracker json:sql/migrations/applied/production.json");
  CHECK(two.code == 2);
  CHECK(two.err == "driftguard: error: --applied-only compares what a tracker says is applied: give one --migrations\n");

  // --fail-on: a missing column is an error, an extra index a warning
  dgtest::pg::exec(db, "ALTER TABLE users ADD COLUMN avatar_url text; CREATE INDEX users_name_idx ON users (name);");
  auto warn = repo.driftguard(sides + " --format json");
  njson w = njson::parse(warn.out);
  REQUIRE(w["items"].size() == 1);
  CHECK(w["items"][0]["kind"] == "extra-index");
  CHECK(w["items"][0]["severity"] == "warning");
  CHECK(warn.code == 1);  // default: warning
  CHECK(repo.driftguard(sides + " --fail-on error").code == 0);
  CHECK(repo.driftguard(sides + " --fail-on warning").code == 1);
  CHECK(repo.driftguard(sides + " --fail-on info").code == 1);
  CHECK(repo.driftguard(sides + " --fail-on fatal").code == 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Triage and the pre-flight check, on a Prisma project deployed by Prisma's own engine.

#include "tests/prisma_engine.hpp"

namespace {

const char* kProfilesInit = "-- CreateTable\nCREATE TABLE \"profiles\" (\n    \"id\" SERIAL NOT NULL,\n    \"name\" TEXT,\n\n"
                            "    CONSTRAINT \"profiles_pkey\" PRIMARY KEY (\"id\")\n);\n";
const char* kProfilesBio = "-- AlterTable\nALTER TABLE \"profiles\" ADD COLUMN \"bio\" TEXT;\n";
const char* kProfilesAvatar = "-- AlterTable\nALTER TABLE \"profiles\" ADD COLUMN \"avatar_url\" TEXT;\n";
const char* kProfilesStatus = "-- AlterTable\nALTER TABLE \"profiles\" ADD COLUMN \"status\" TEXT;\n";

}  // namespace

TEST_CASE("drift triage and --pending: a pending migration that conflicts with a dashboard change",
          "[drift][status][pg][prisma-engine]") {
  namespace engine = dgtest::prisma_engine;
  if (!engine::available()) return;
  dgtest::Repo repo;
  const std::string m = "prisma/migrations/";
  repo.write(m + "migration_lock.toml", "provider = \"postgresql\"\n");
  repo.write(m + "20240101000000_init/migration.sql", kProfilesInit);
  repo.write(m + "20240201000000_bio/migration.sql", kProfilesBio);
  std::string db = dgtest::pg::fresh_database("triage");
  // Prisma itself deploys the first two migrations (and records them in _prisma_migrations)
  auto deployed = engine::run({"deploy", (repo.dir() / "prisma/migrations").string(), engine::url(db)});
  INFO(deployed.out << deployed.err);
  REQUIRE(deployed.code == 0);
  // then: two migrations written but not deployed, and two changes made in the dashboard
  repo.write(m + "20240301000000_avatar/migration.sql", kProfilesAvatar);
  repo.write(m + "20240401000000_status/migration.sql", kProfilesStatus);
  dgtest::pg::exec(db, "ALTER TABLE profiles ADD COLUMN avatar_url varchar(200);"
                       "CREATE INDEX profiles_name_idx ON profiles (name);");

  const std::string sides = "drift --migrations prisma/migrations --database-url " + shq(db);
  auto r = repo.driftguard(sides + " --format json");
  INFO(r.err);
  CHECK(r.code == 1);
  njson doc = njson::parse(r.out);
  std::vector<std::string> got;
  for (const auto& i : doc["items"]) {
    got.push_back(i["path"].get<std::string>() + " " + i["kind"].get<std::string>() + " " +
                  i["triage"].get<std::string>());
  }
  CHECK(got == std::vector<std::string>{"public.profiles.avatar_url column-type conflict",
                                        "public.profiles.profiles_name_idx extra-index dashboard",
                                        "public.profiles.status missing-column not-applied"});
  CHECK(doc["items"][2]["triage_hint"] ==
        "only pending migrations make these differ: deploy them (`prisma migrate deploy`, or your runner; see "
        "driftguard status)");

  // text: grouped by label, each with what to do
  auto text = repo.driftguard(sides);
  CHECK(text.code == 1);
  auto at = [&](const std::string& s) { return text.out.find(s); };
  CHECK(at("\n== not-applied (1 item): only pending migrations make these differ") != std::string::npos);
  CHECK(at("\n== conflict (1 item): a pending migration changes what the database already changed") !=
        std::string::npos);
  CHECK(at("\n== dashboard (1 item): changed in the database without a migration") != std::string::npos);
  CHECK(at("== not-applied") < at("== conflict"));
  CHECK(at("== conflict") < at("== dashboard"));

  // the pre-flight check: the pending migrations replayed on the live schema
  auto pre = repo.driftguard(sides + " --pending --format gcc");
  CHECK(pre.code == 1);
  CHECK(pre.out.find("prisma/migrations/20240301000000_avatar/migration.sql:2:1: error: would fail on this database: "
                     "column \"avatar_url\" of relation \"profiles\" already exists [pending]\n") != std::string::npos);
  njson pj = njson::parse(repo.driftguard(sides + " --pending --format json").out);
  CHECK(pj["pending"]["migrations"] == njson{m + "20240301000000_avatar/migration.sql",
                                           m + "20240401000000_status/migration.sql"});
  REQUIRE(pj["pending"]["would_fail"].size() == 1);
  CHECK(pj["pending"]["would_fail"][0]["line"] == 2);
  // and Prisma's deploy does fail there, with PostgreSQL's message
  auto deploy = engine::run({"deploy", (repo.dir() / "prisma/migrations").string(), engine::url(db)});
  CHECK(deploy.code != 0);
  CHECK((deploy.out + deploy.err).find("column \"avatar_url\" of relation \"profiles\" already exists") !=
        std::string::npos);

  // --pending needs a migrations folder and a database
  auto usage = repo.driftguard("drift --migrations prisma/migrations --sql prisma/migrations/20240101000000_init/"
                               "migration.sql --pending");
  CHECK(usage.code == 2);
}

namespace {

// What Supabase's default privileges give a table created in public (docs/supabase.md#privileges), and the default
// privileges themselves (drift compares them): the replay on the Supabase baseline expects them, so a database made
// by hand for a --platform supabase check needs them too.
void supabase_grants(const std::string& db, const std::string& table) {
  dgtest::pg::exec(db, "DO $$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] "
                       "LOOP IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I', r); "
                       "END IF; END LOOP; END $$;\nGRANT ALL ON " + table + " TO anon, authenticated, service_role;\n"
                       "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;\n"
                       "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;\n"
                       "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;");
}

}  // namespace

TEST_CASE("drift triage: a Supabase master file edited after apply, hints name the Supabase CLI", "[drift][status][pg]") {
  dgtest::Repo repo;
  std::string db = dgtest::pg::fresh_database("sbtriage");
  edited_master_project(repo, db);
  dgtest::pg::exec(db, "create table profiles (id uuid primary key);\nalter table profiles add column avatar_url text;\n");
  const std::string sides = "drift --migrations supabase/migrations --database-url " + shq(db) + " --platform none";
  auto r = repo.driftguard(sides + " --format json");
  INFO(r.err);
  CHECK(r.code == 1);
  njson doc = njson::parse(r.out);
  REQUIRE(doc["items"].size() == 1);
  CHECK(doc["items"][0]["path"] == "public.profiles.bio");
  CHECK(doc["items"][0]["triage"] == "edited-migration");
  // a Supabase-first project (its platform baseline): the hints name the Supabase CLI
  dgtest::pg::exec(db, "create index profiles_avatar_idx on profiles (avatar_url);");
  supabase_grants(db, "profiles");
  auto sb = repo.driftguard("drift --migrations supabase/migrations --database-url " + shq(db) +
                            " --platform supabase --format json");
  INFO(sb.err);
  njson s = njson::parse(sb.out);
  REQUIRE(s["items"].size() == 2);
  CHECK(s["items"][0]["path"] == "public.profiles.bio");
  CHECK(s["items"][0]["triage"] == "edited-migration");
  CHECK(s["items"][0]["triage_hint"] ==
        "from a migration edited after it was applied: restore the applied version and put the change in a new "
        "migration (`supabase migration new <name>`)");
  CHECK(s["items"][1]["path"] == "public.profiles.profiles_avatar_idx");
  CHECK(s["items"][1]["triage"] == "dashboard");
  CHECK(s["items"][1]["triage_hint"] ==
        "changed in the database without a migration (dashboard, SQL editor): capture it with `supabase db diff -f "
        "<name>` (or `supabase db pull`), or revert it");
  // without a tracker table there is nothing to join with: no triage
  std::string bare = dgtest::pg::fresh_database("notracker");
  dgtest::pg::exec(bare, "create table profiles (id uuid primary key);");
  njson none = njson::parse(
      repo.driftguard("drift --migrations supabase/migrations --database-url " + shq(bare) + " --platform none --format json").out);
  REQUIRE(none["items"].size() == 2);
  CHECK(none["items"][0].count("triage") == 0);
}

TEST_CASE("drift triage: an object from an applied migration no longer in the folder is a hotfix", "[drift][status][pg]") {
  dgtest::Repo repo;
  std::string db = dgtest::pg::fresh_database("hotfix");
  repo.write("supabase/migrations/20240101000000_init.sql", "create table profiles (id uuid primary key, name text);\n");
  // applied: init, and a hotfix run from a branch that was never merged (its file is not in the folder)
  dgtest::pg::exec(db, "create table profiles (id uuid primary key, name text);\n"
                       "create index profiles_name_idx on profiles (name);\n"
                       "CREATE SCHEMA supabase_migrations;\n"
                       "CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, "
                       "statements text[], name text);\n"
                       "INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101000000', "
                       "ARRAY['create table profiles (id uuid primary key, name text)'], 'init'), ('20240115000000', "
                       "ARRAY['create index profiles_name_idx on profiles (name)'], 'hotfix_index');");
  const std::string sides = "drift --migrations supabase/migrations --database-url " + shq(db);
  auto r = repo.driftguard(sides + " --platform none --format json");
  INFO(r.err);
  CHECK(r.code == 1);
  njson doc = njson::parse(r.out);
  REQUIRE(doc["items"].size() == 1);
  CHECK(doc["items"][0]["path"] == "public.profiles.profiles_name_idx");
  CHECK(doc["items"][0]["triage"] == "hotfix");
  CHECK(doc["items"][0]["triage_hint"] ==
        "applied by a migration that is no longer in the folder (driftguard status: missing): bring it back");
  auto text = repo.driftguard(sides + " --platform none");
  CHECK(text.code == 1);
  CHECK(text.out.find("\n== hotfix (1 item): applied by a migration that is no longer in the folder") !=
        std::string::npos);
  // a Supabase-first project: the hint names the Supabase CLI command that writes the applied history to files
  supabase_grants(db, "profiles");
  njson sb = njson::parse(repo.driftguard(sides + " --platform supabase --format json").out);
  REQUIRE(sb["items"].size() == 1);
  CHECK(sb["items"][0]["triage"] == "hotfix");
  CHECK(sb["items"][0]["triage_hint"] ==
        "applied by a migration that is no longer in the folder (driftguard status: missing): bring it back "
        "(`supabase migration fetch` writes the applied history to files)");
}

TEST_CASE("status --tracker infer: migrations pasted into a console, a pending one that conflicts with the dashboard",
          "[status][drift][pg]") {
  dgtest::Repo repo;
  const std::string m = "prisma/migrations/";
  repo.write(m + "20240101000000_init/migration.sql", kProfilesInit);
  repo.write(m + "20240201000000_bio/migration.sql", kProfilesBio);
  repo.write(m + "20240301000000_avatar/migration.sql", kProfilesAvatar);
  repo.write(m + "20240401000000_status/migration.sql", kProfilesStatus);
  std::string db = dgtest::pg::fresh_database("infer");
  // the first two pasted into a console (no _prisma_migrations), then avatar_url added in the dashboard
  dgtest::pg::exec(db, std::string(kProfilesInit) + kProfilesBio + "ALTER TABLE profiles ADD COLUMN avatar_url varchar(200);");
  const std::string base = "status --database-url " + shq(db) + " --migrations prisma/migrations --tracker infer";
  auto r = repo.driftguard(base);
  INFO(r.err);
  CHECK(r.code == 1);  // partially applied needs attention
  std::string body = r.out.substr(r.out.find("\n\n") + 2);
  CHECK(body == "applied      20240101000000_init\n"
                "applied      20240201000000_bio\n"
                "partially-applied 20240301000000_avatar  column-type of public.profiles.avatar_url differs\n"
                "pending      20240401000000_status\n"
                "\n4 migrations: 2 applied, 1 partially-applied, 1 pending\n");
  CHECK(r.out.rfind("tracker:    infer (inferred from the live schema)\n", 0) == 0);
  CHECK(repo.driftguard(base + " --file " + m + "20240101000000_init/migration.sql").code == 0);
  CHECK(repo.driftguard(base + " --file " + m + "20240301000000_avatar/migration.sql").code == 5);
  CHECK(repo.driftguard(base + " --file " + m + "20240401000000_status/migration.sql").code == 3);
  // a migration half pasted: one of its two statements ran
  repo.write(m + "20240501000000_two/migration.sql",
             "ALTER TABLE \"profiles\" ADD COLUMN \"a\" TEXT;\nALTER TABLE \"profiles\" ADD COLUMN \"b\" TEXT;\n");
  dgtest::pg::exec(db, "ALTER TABLE profiles ADD COLUMN status text; ALTER TABLE profiles ADD COLUMN a text;");
  auto half = repo.driftguard(base + " --format json");
  njson doc = njson::parse(half.out);
  REQUIRE(doc["migrations"].size() == 5);
  CHECK(doc["migrations"][3]["state"] == "applied");
  CHECK(doc["migrations"][4]["state"] == "partially-applied");
  CHECK(doc["migrations"][4]["not_in_database"] == njson{"missing column public.profiles.b"});
  // the same tracker joins drift: partially applied migrations are not applied; their column the dashboard
  // added with another type is a conflict, the column nobody added is not applied
  auto d = repo.driftguard("drift --migrations prisma/migrations --database-url " + shq(db) +
                           " --tracker infer --format json");
  njson dj = njson::parse(d.out);
  std::vector<std::string> got;
  for (const auto& i : dj["items"]) got.push_back(i["path"].get<std::string>() + " " + i["triage"].get<std::string>());
  CHECK(got == std::vector<std::string>{"public.profiles.avatar_url conflict", "public.profiles.b not-applied"});
}

TEST_CASE("drift and status in CI formats: github, markdown, junit, sarif", "[drift][status][report][pg]") {
  dgtest::Repo repo;
  up_down_project(repo);
  std::string db = dgtest::pg::fresh_database("formats");
  dgtest::pg::exec(db, std::string(kUsersUp) + kEmailUp + "CREATE INDEX users_name_idx ON users (name);");
  const std::string sides = "drift --migrations sql/migrations --database-url " + shq(db) +
                            " --tracker json:sql/migrations/applied/production.json";
  std::string label = "database:" + njson::parse(repo.driftguard(sides + " --format json").out)["actual"]["source"]
                                        .get<std::string>()
                                        .substr(9);
  auto gh = repo.driftguard(sides + " --format github");
  CHECK(gh.code == 1);
  CHECK(gh.out ==
        "::error file=sql/migrations/0003_add_avatar.up.sql,line=1,col=30,title=driftguard drift%3A missing-column::"
        "column public.users.avatar_url is missing%0Aonly pending migrations make these differ: deploy them "
        "(`prisma migrate deploy`, or your runner; see driftguard status)\n"
        "::warning title=driftguard drift%3A extra-index::index public.users.users_name_idx is not expected (" + label +
        ")%0Achanged in the database without a migration (by hand, db push): capture it in a migration, or revert it\n"
        "driftguard drift: 2 drift items (1 error, 1 warning); 0 replay errors\n");
  auto md = repo.driftguard(sides + " --format markdown");
  CHECK(md.out.rfind("### driftguard drift: 2 drift items (1 error, 1 warning); 0 replay errors\n\n| where | severity "
                     "| kind | item |\n|---|---|---|---|\n| sql/migrations/0003_add_avatar.up.sql:1:30 | error | "
                     "[`missing-column`](https://github.com/driftguard/driftguard/blob/main/docs/drift.md) | ",
                     0) == 0);
  auto ju = repo.driftguard(sides + " --format junit");
  CHECK(ju.out.find("<testsuite name=\"driftguard drift\" tests=\"2\" failures=\"2\" errors=\"0\">") !=
        std::string::npos);
  auto st = repo.driftguard("status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json "
                            "--format github");
  CHECK(st.code == 0);
  CHECK(st.out == "::notice file=sql/migrations/0003_add_avatar.up.sql,title=driftguard status%3A pending::pending "
                  "0003_add_avatar\ndriftguard status: 3 migrations, 0 failing (json: "
                  "sql/migrations/applied/production.json)\n");

  // SARIF: valid against the 2.1.0 schema (when python3-jsonschema is installed)
  fs::path src = dgtest::source_dir();
  std::string validate = "python3 '" + (src / "tests/schemas/validate.py").string() + "' '" +
                         (src / "tests/schemas/sarif-schema-2.1.0.json").string() + "' ";
  repo.write("empty.json", "{}");
  if (repo.run(validate + "empty.json").code == 3) {
    WARN("python3-jsonschema is not installed: SARIF schema validation skipped");
    return;
  }
  repo.sh("'" + std::string(DRIFTGUARD_BINARY) + "' " + sides + " --format sarif > drift.sarif || true");
  repo.sh("'" + std::string(DRIFTGUARD_BINARY) +
          "' status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json --format sarif > "
          "status.sarif");
  CHECK(repo.run(validate + "drift.sarif").code == 0);
  CHECK(repo.run(validate + "status.sarif").code == 0);
  njson sarif = njson::parse(repo.read("drift.sarif"));
  CHECK(sarif["runs"][0]["results"].size() == 2);
  CHECK(sarif["runs"][0]["results"][1]["ruleId"] == "extra-index");
  CHECK(sarif["runs"][0]["results"][1].count("locations") == 0);
}

TEST_CASE("status --color: the state words in colour, only when asked or on a terminal", "[status]") {
  dgtest::Repo repo;
  up_down_project(repo);
  const std::string base = "status --migrations sql/migrations --tracker json:sql/migrations/applied/production.json";
  auto always = repo.driftguard(base + " --color always");
  CHECK(always.out.find("\x1b[32mapplied\x1b[0m      0001_create_users\n") != std::string::npos);
  CHECK(always.out.find("\x1b[36mpending\x1b[0m      0003_add_avatar\n") != std::string::npos);
  auto never = repo.driftguard(base + " --color never");
  CHECK(never.out.find('\x1b') == std::string::npos);
  CHECK(repo.driftguard(base).out == never.out);  // not a terminal (and NO_COLOR): no colour
}
