// Supabase as a platform: the embedded baseline (what it holds, that the static replay and PostgreSQL both apply
// it), discovery as the Supabase CLI does it, the platform taken out of compared models, and the real projects of
// ../shared/corpus/supabase built the way Supabase builds them (a throwaway cluster with the baseline, then each
// migration as the CLI applies it), then drift, --shadow and status run against them (pinned per project in
// fixtures/supabase-realworld.txt).
#include <catch2/catch.hpp>

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "analyzer/platform/platform.hpp"
#include "analyzer/source.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/model_source.hpp"
#include "introspect/db/cluster.hpp"
#include "introspect/diff.hpp"
#include "introspect/history.hpp"
#include "introspect/shadow.hpp"
#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/shell.hpp"

namespace fs = std::filesystem;
using njson = nlohmann::json;  // driftguard::json is the parse tree
using namespace driftguard;

namespace {

using dgtest::read_file;

using dgtest::shell_quote;

// One libpq connection; exec() returns "" or PostgreSQL's error message.
struct Conn {
  PGconn* c;
  explicit Conn(const std::string& info) : c(PQconnectdb(info.c_str())) {
    REQUIRE(PQstatus(c) == CONNECTION_OK);
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  }
  ~Conn() { PQfinish(c); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  std::string exec(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    // Without parameters, the simple protocol: several statements in one string.
    PGresult* r = params.empty() ? PQexec(c, sql.c_str())
                                 : PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                                nullptr, nullptr, 0);
    auto status = PQresultStatus(r);
    std::string err;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      const char* m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      err = m != nullptr ? m : PQerrorMessage(c);
    }
    PQclear(r);
    return err;
  }
};

// A PostgreSQL text[] literal.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& s : items) {
    if (out.size() > 1) out += ",";
    out += '"';
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

// Builds a database the way Supabase does: the platform baseline, then each migration file the CLI would apply
// (discover: top-level <digits>_<name>.sql), each in its own session and transaction, statement by statement,
// recorded in supabase_migrations.schema_migrations with its statements. Returns "" or "FILE: error".
std::string build_like_supabase(const std::string& info, const std::vector<std::string>& files) {
  {
    Conn c(info);
    std::string err = c.exec(platform::supabase_baseline_sql());
    if (!err.empty()) return "baseline: " + err;
    err = c.exec("CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, "
                 "statements text[], name text)");
    if (!err.empty()) return "tracker: " + err;
  }
  for (const auto& f : files) {
    Conn c(info);  // a new session: the role's search_path (public, extensions) applies
    std::string text = read_file(f);
    std::string file = fs::path(f).filename().string();
    std::string version = file.substr(0, file.find('_'));
    std::string name = file.substr(version.size() + 1, file.size() - version.size() - 5);
    auto statements = history::supabase_statements(text);
    c.exec("BEGIN");
    for (const auto& st : statements) {
      std::string err = c.exec(st);
      if (!err.empty()) return fs::path(f).filename().string() + ": " + err;
    }
    std::string err = c.exec("INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ($1, $2, "
                             "$3::text[])",
                             {version, name, text_array(statements)});
    if (!err.empty()) return "tracker row of " + file + ": " + err;
    c.exec("COMMIT");
  }
  return "";
}

// "kind path" of every drift item of a `drift --format json` output, sorted; or the replay errors.
std::vector<std::string> items_of(const std::string& out) {
  std::vector<std::string> lines;
  njson doc = njson::parse(out, nullptr, false);
  if (doc.is_discarded()) return {"(not JSON) " + out};
  for (const auto& i : doc["items"]) lines.push_back(i["kind"].get<std::string>() + " " + i["path"].get<std::string>());
  for (const auto& e : doc["replay_errors"]) {
    std::string file = fs::path(e["file"].get<std::string>()).filename().string();
    lines.push_back("error " + file + ":" + std::to_string(e["line"].get<int>()) + ": " + e["message"].get<std::string>());
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The pinned outcome of every corpus project: blocks "[project]" followed by lines; '#' lines are reasons.
std::map<std::string, std::string> pinned_outcomes() {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(dgtest::source_dir() + "/fixtures/supabase-realworld.txt"));
  std::string line;
  std::string project;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      project = line.substr(1, line.size() - 2);
      out[project];
      continue;
    }
    out[project] += line + "\n";
  }
  return out;
}

fs::path corpus() { return fs::path(dgtest::source_dir()) / ".." / "shared" / "corpus" / "supabase"; }

// A project of the corpus as a Supabase project folder (supabase/migrations/ with every file it has) and a
// throwaway cluster to build its database in: pg_cron only runs preloaded, in the database it is told to.
struct CorpusProject {
  dgtest::Repo repo;
  std::unique_ptr<db::TempCluster> cluster =
      db::TempCluster::start({"shared_preload_libraries=pg_cron", "cron.database_name=postgres"});
  std::string info = cluster->conninfo("postgres");
  std::vector<std::string> files;     // the migrations the Supabase CLI applies, in order (absolute paths)
  std::vector<InputError> skipped;    // the files it does not

  explicit CorpusProject(const std::string& project) : CorpusProject(corpus() / project) {}
  // A folder holding a project's migration files (and whatever else: only what the CLI applies is applied).
  explicit CorpusProject(const fs::path& folder) {
    for (const auto& e : fs::directory_iterator(folder)) {
      if (!e.is_regular_file()) continue;
      repo.write("supabase/migrations/" + e.path().filename().string(), read_file(e.path()));
    }
    fs::path cwd = fs::current_path();
    fs::current_path(repo.dir());
    Discovery d = discover_with_notes({"supabase/migrations"}, skipped);
    fs::current_path(cwd);
    for (const auto& f : d.files) files.push_back((repo.dir() / f).string());
  }
  ~CorpusProject() { cluster->stop(); }
};

// What driftguard finds for a project built the way Supabase builds it: the build, `drift --database-url` items and
// replay errors, `status --pending-only`, and `drift --shadow` against the same database (or, when it could not be
// built, against an empty one: the shadow's own failure is what is reported).
std::string built_as_supabase_builds(CorpusProject& p) {
  const dgtest::Repo& repo = p.repo;
  const std::string& info = p.info;
  std::string outcome;
  for (const auto& s : p.skipped) outcome += "skipped: " + fs::path(s.path).filename().string() + "\n";
  std::string built = build_like_supabase(info, p.files);
  outcome += "build: " + (built.empty() ? std::string("ok") : built) + "\n";
  const std::string args = "--migrations supabase/migrations --format json";
  if (built.empty()) {
    auto live = repo.driftguard("drift " + args + " --database-url " + shell_quote(info));
    auto items = items_of(live.out);
    outcome += "drift: exit " + std::to_string(live.code) + "\n";
    for (const auto& i : items) outcome += "  " + i + "\n";
    auto status = repo.driftguard("status --migrations supabase/migrations --database-url " + shell_quote(info) +
                                  " --pending-only --format names");
    outcome += "status pending: exit " + std::to_string(status.code) + (status.out.empty() ? " none" : "") + "\n";
    if (!status.out.empty()) outcome += status.out;
  }
  auto shadow = repo.driftguard("drift " + args + " --shadow --database-url " + shell_quote(info));
  outcome += "shadow: exit " + std::to_string(shadow.code) + "\n";
  for (const auto& i : items_of(shadow.out)) outcome += "  " + i + "\n";
  return outcome;
}

// Whether an outcome disagrees with the database Supabase built: built, yet drift, pending migrations or a shadow
// that is not clean. A project that could not be built here is not compared (the outcome says why).
bool disagrees(const std::string& outcome) {
  std::size_t built = outcome.find("build: ok\n");
  if (built == std::string::npos || (built != 0 && outcome[built - 1] != '\n')) return false;
  return outcome.substr(built) != "build: ok\ndrift: exit 0\nstatus pending: exit 0 none\nshadow: exit 0\n";
}

}  // namespace

TEST_CASE("the embedded Supabase baseline is platform/supabase/baseline.sql and replays without error", "[supabase]") {
  CHECK(platform::supabase_baseline_sql() == read_file(dgtest::source_dir() + "/" + platform::kSupabaseFile));
  auto b = platform::supabase();
  CHECK(b->findings.empty());
  const model::SchemaModel& m = b->model;
  for (const char* s : {"auth", "storage", "realtime", "extensions", "graphql_public", "vault", "supabase_migrations"}) {
    CHECK(m.schema(s) != nullptr);
  }
  REQUIRE(m.table("auth", "users") != nullptr);
  CHECK(m.table("auth", "users")->column("raw_user_meta_data") != nullptr);
  CHECK(m.table("auth", "users")->column("is_anonymous") != nullptr);
  CHECK(m.table("auth", "identities") != nullptr);
  CHECK(m.table("storage", "buckets")->column("public") != nullptr);
  REQUIRE(m.table("storage", "objects") != nullptr);
  CHECK(m.table("storage", "objects")->rls_enabled);
  for (const char* f : {"auth.uid()", "auth.role()", "auth.jwt()", "auth.email()"}) {
    CHECK(m.schema("auth")->functions.count(f) == 1);
  }
  for (const char* f : {"storage.foldername(text)", "storage.filename(text)", "storage.extension(text)"}) {
    CHECK(m.schema("storage")->functions.count(f) == 1);
  }
  CHECK(m.schema("realtime")->functions.count("realtime.send(jsonb, text, text, boolean)") == 1);
  REQUIRE(m.extensions.count("uuid-ossp") == 1);
  CHECK(m.extensions.at("uuid-ossp").schema == "extensions");
  CHECK(m.extensions.at("pgcrypto").schema == "extensions");
}

TEST_CASE("PostgreSQL applies the Supabase baseline, and builds what the static replay builds", "[supabase][pg][shadow]") {
  auto b = platform::supabase();
  catalog::Options opts;
  opts.include_platform = true;
  shadow::Result r = shadow::replay({}, opts, nullptr, b->files);
  INFO((r.findings.empty() ? "" : r.findings.front().message));
  REQUIRE(r.findings.empty());
  REQUIRE(r.model.table("auth", "users") != nullptr);
  // Everything the static replay holds is what PostgreSQL built: stripping the static model from it leaves only
  // what the catalog reader shows of extensions' objects (none) — the platform is taken out whole.
  platform::strip(r.model, *b);
  CHECK(r.model.schema("auth") == nullptr);
  CHECK(r.model.schema("storage") == nullptr);
  CHECK(r.model.extensions.empty());
}

TEST_CASE("Supabase discovery: only top-level <digits>_<name>.sql files are migrations", "[supabase][source]") {
  CHECK(supabase_skip_reason("supabase/migrations/20240101000000_init.sql") == "");
  CHECK(supabase_skip_reason("app/supabase/migrations/0001_x.sql") == "");
  CHECK(supabase_skip_reason("supabase/migrations/archive/20230101000000_old.sql") ==
        "in a subfolder of supabase/migrations (archive/): the Supabase CLI applies only the files directly in "
        "supabase/migrations");
  CHECK(supabase_skip_reason("supabase/migrations/local_20240107152745_ollama.sql") ==
        "not named <digits>_<name>.sql: the Supabase CLI does not apply it");
  CHECK(supabase_skip_reason("supabase/migrations/20240101000000.sql") ==
        "not named <digits>_<name>.sql: the Supabase CLI does not apply it");
  CHECK(supabase_skip_reason("supabase/seed.sql") == "supabase/seed.sql is seed data, not a migration");
  CHECK(supabase_skip_reason("db/migrations/archive/1_x.sql") == "");
  CHECK(supabase_skip_reason("prisma/migrations/1_init/migration.sql") == "");

  dgtest::Repo repo;
  repo.write("supabase/migrations/20240101000000_init.sql", "create table a (id int);\n");
  repo.write("supabase/migrations/20240201000000_next.sql", "create table b (id int);\n");
  repo.write("supabase/migrations/archive/20230101000000_old.sql", "create table old (id int);\n");
  repo.write("supabase/migrations/notes.sql", "-- not a migration\n");
  repo.write("supabase/seed.sql", "insert into a values (1);\n");
  fs::path cwd = fs::current_path();
  fs::current_path(repo.dir());
  std::vector<InputError> skipped;
  Discovery d = discover_with_notes({"supabase"}, skipped);
  std::vector<InputError> none;
  Discovery named = discover_with_notes({"supabase/migrations/archive/20230101000000_old.sql"}, none);
  fs::current_path(cwd);
  CHECK(d.files == std::vector<std::string>{"supabase/migrations/20240101000000_init.sql",
                                            "supabase/migrations/20240201000000_next.sql"});
  REQUIRE(skipped.size() == 3);
  CHECK(skipped[0].path == "supabase/migrations/archive/20230101000000_old.sql");
  CHECK(skipped[1].path == "supabase/migrations/notes.sql");
  CHECK(skipped[2].path == "supabase/seed.sql");
  CHECK(none.empty());
  CHECK(d.errors.empty());
  // Named explicitly (lint of one file), it is taken.
  CHECK(named.files == std::vector<std::string>{"supabase/migrations/archive/20230101000000_old.sql"});

  // drift and schema say what they skipped; the archived table is not part of the history.
  auto r = repo.driftguard("schema --from migrations:supabase/migrations");
  CHECK(r.code == 0);
  CHECK(r.err == "driftguard: note: skipped supabase/migrations/archive/20230101000000_old.sql: in a subfolder of "
                 "supabase/migrations (archive/): the Supabase CLI applies only the files directly in "
                 "supabase/migrations\n"
                 "driftguard: note: skipped supabase/migrations/notes.sql: not named <digits>_<name>.sql: the Supabase "
                 "CLI does not apply it\n");
  CHECK(r.out.find("CREATE TABLE a (") != std::string::npos);
  CHECK(r.out.find("CREATE TABLE b (") != std::string::npos);
  CHECK(r.out.find("old") == std::string::npos);
  // the platform baseline is not printed (its roles are: Supabase's default privileges grant to authenticated)
  CHECK(r.out.find("auth.") == std::string::npos);
  CHECK(r.out.find("SCHEMA auth") == std::string::npos);
  CHECK(r.out.find("GRANT ALL ON TABLE a TO authenticated") == std::string::npos);
  CHECK(r.out.find("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE a TO authenticated;\n") !=
        std::string::npos);

  // lint of the folder says what it skipped too, and lints a skipped file when it is named.
  auto folder = repo.driftguard("lint --format gcc supabase/migrations");
  CHECK(folder.err == "driftguard: note: skipped supabase/migrations/archive/20230101000000_old.sql: in a subfolder "
                      "of supabase/migrations (archive/): the Supabase CLI applies only the files directly in "
                      "supabase/migrations (name the file to lint it)\n"
                      "driftguard: note: skipped supabase/migrations/notes.sql: not named <digits>_<name>.sql: the "
                      "Supabase CLI does not apply it (name the file to lint it)\n");
  CHECK(folder.out.find("archive") == std::string::npos);
  auto one = repo.driftguard("lint --format gcc supabase/migrations/archive/20230101000000_old.sql");
  CHECK(one.err == "");
  CHECK(one.out.find("supabase/migrations/archive/20230101000000_old.sql:1:") != std::string::npos);
}

TEST_CASE("the platform is replayed under the history and taken out before comparing", "[supabase]") {
  dgtest::Repo repo;
  repo.write("supabase/migrations/20240101000000_profiles.sql",
             "create table public.profiles (\n"
             "  id uuid primary key references auth.users (id) on delete cascade,\n"
             "  avatar text\n"
             ");\n"
             "alter table public.profiles enable row level security;\n"
             "create policy \"own profile\" on public.profiles for select using ((select auth.uid()) = id);\n"
             "create function public.handle_new_user() returns trigger language plpgsql security definer\n"
             "  set search_path = '' as $$ begin insert into public.profiles (id) values (new.id); return new; end $$;\n"
             "create trigger on_auth_user_created after insert on auth.users\n"
             "  for each row execute procedure public.handle_new_user();\n"
             "create policy \"avatar upload\" on storage.objects for insert to authenticated\n"
             "  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text);\n");
  // Static: no replay error (auth.users exists), the platform is not printed; the project's trigger and policy on
  // platform tables are.
  auto r = repo.driftguard("schema --from migrations:supabase/migrations --format json");
  INFO(r.err);
  CHECK(r.code == 0);
  njson m = njson::parse(r.out);
  CHECK(m["schemas"].size() == 3);  // public, and the shells of auth.users and storage.objects
  njson users = m["schemas"]["auth"]["tables"]["users"];
  CHECK(users["columns"] == njson::array());
  CHECK(users["triggers"].size() == 1);
  CHECK(users["triggers"][0]["name"] == "on_auth_user_created");
  njson objects = m["schemas"]["storage"]["tables"]["objects"];
  CHECK(objects["policies"].size() == 1);
  CHECK(objects["policies"][0]["name"] == "avatar upload");
  CHECK(m["schemas"]["public"]["tables"]["profiles"]["constraints"].size() == 2);

  // --platform none: the history alone, auth.users unknown.
  auto none = repo.driftguard("schema --from migrations:supabase/migrations --platform none");
  CHECK(none.code == 1);
  CHECK(none.err.find("replay-error") != std::string::npos);
}

TEST_CASE("schema --from on Supabase prints the project's SQL only, and it rebuilds the project on the platform",
          "[supabase][pg][shadow]") {
  dgtest::Repo repo;
  std::string migration =
      "create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);\n"
      "create function public.handle_new_user() returns trigger language plpgsql security definer\n"
      "  set search_path = '' as $$ begin insert into public.profiles (id) values (new.id); return new; end $$;\n"
      "create trigger on_auth_user_created after insert on auth.users\n"
      "  for each row execute procedure public.handle_new_user();\n";
  repo.write("supabase/migrations/20240101000000_profiles.sql", migration);
  auto r = repo.driftguard("schema --from migrations:supabase/migrations");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // auth.users is the platform's: neither its table nor its schema is the project's SQL; the trigger is.
  CHECK(r.out.find("auth.users (") == std::string::npos);
  CHECK(r.out.find("CREATE SCHEMA IF NOT EXISTS auth") == std::string::npos);
  CHECK(r.out.find("CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users") != std::string::npos);

  // PostgreSQL: the printed schema, applied on the platform, builds what the migration builds.
  auto b = platform::supabase();
    auto built = [&](const std::string& file, const std::string& sql) {
    shadow::Result s = shadow::replay({{make_source(file, sql), shadow::FileMode::statements}}, {}, nullptr, b->files);
    INFO(file << ": " << (s.findings.empty() ? "" : s.findings.front().message));
    REQUIRE(s.findings.empty());
    platform::strip(s.model, *b);
    return s.model;
  };
  auto from_migration = built("migration.sql", migration);
  auto from_schema = built("schema.sql", r.out);
  auto items = diff::diff(from_migration, from_schema);
  std::string listed;
  for (const auto& i : items) listed += i.kind + " " + i.path + "\n";
  CHECK(listed == "");
}

TEST_CASE("platform selection: flags, config, and the signs of a Supabase project", "[supabase][config]") {
  dgtest::Repo repo;
  repo.write("a/supabase/migrations/20240101000000_a.sql", "create table a (id int);\n");
  repo.write("b/db/migrations/001_a.sql", "create table a (id int);\n");
  repo.write("c/db/migrations/001_a.sql", "create policy p on a using (auth.uid() is not null);\n");
  repo.write("d/db/migrations/001_a.sql", "AUTH.JWT() ->> 'role'");  // any case, at the start of the text
  repo.write("e/db/migrations/001_a.sql", "select auth.usr, auth_users.id, auth.uid from auth.");  // no call
  // A call only in a file discover() does not list (.sql.postgres outside Synapse's schema folders): none.
  repo.write("g/db/migrations/001_a.sql", "select 1;\n");
  repo.write("g/db/migrations/002_b.sql.postgres", "select auth.uid();\n");
  repo.write("p1/prisma/schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n  directUrl = env(\"D\")\n}\n");
  repo.write("p2/prisma/schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://x@db.abc.supabase.co/postgres\"\n}\n");
  repo.write("p3/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n}\n");
  repo.write("p3/supabase/config.toml", "");
  repo.write("p4/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n}\n");
  repo.write("p5/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DG_TEST_SB_URL\")\n}\n");
  repo.write("p6/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n}\n");
  repo.write("p6/prisma/migrations/20240101000000_rls/migration.sql",
             "CREATE POLICY own ON \"Post\" USING (\"userId\" = auth.uid());\n");
  repo.write("pre.sql", "create schema neon_auth;\n");
  ::setenv("DG_TEST_SB_URL", "postgresql://postgres.abc:x@aws-0-eu-central-1.pooler.supabase.com:6543/postgres", 1);
  auto d = [&](const std::string& kind, const std::string& rel) {
    return supabase_evidence(kind, (repo.dir() / rel).string());
  };
  CHECK(d("migrations", "a/supabase/migrations") == "the Supabase CLI layout (supabase/migrations)");
  CHECK(d("migrations", "b/db/migrations") == "");
  CHECK(d("migrations", "c/db/migrations") ==
        "the migrations use Supabase's auth schema (" + (repo.dir() / "c/db/migrations/001_a.sql").string() + ")");
  CHECK(d("migrations", "d/db/migrations") ==
        "the migrations use Supabase's auth schema (" + (repo.dir() / "d/db/migrations/001_a.sql").string() + ")");
  CHECK(d("migrations", "e/db/migrations") == "");
  CHECK(d("migrations", "g/db/migrations") == "");
  // A directUrl alone is not Supabase (Neon's pooled setup has one too).
  CHECK(d("prisma", "p1/prisma/schema.prisma") == "");
  CHECK(d("prisma", "p2/prisma/schema.prisma") == "schema.prisma's URL is a Supabase host");
  CHECK(d("prisma", "p3/prisma/schema.prisma") == "a supabase/ folder beside schema.prisma");
  CHECK(d("prisma", "p4/prisma/schema.prisma") == "");
  CHECK(d("prisma", "p5/prisma/schema.prisma") == "schema.prisma's URL (from the environment) is a Supabase host");
  CHECK(d("prisma", "p6/prisma/schema.prisma") ==
        "the migrations use Supabase's auth schema (" +
            (repo.dir() / "p6/prisma/migrations/20240101000000_rls/migration.sql").string() + ")");
  CHECK(d("database", "postgresql://postgres.abc:secret@aws-0-eu-central-1.pooler.supabase.com:6543/postgres") ==
        "the database URL is a Supabase host");
  CHECK(d("database", "postgresql://localhost/app") == "");

  std::vector<std::pair<std::string, std::string>> plain = {{"migrations", (repo.dir() / "b/db/migrations").string()}};
  std::vector<std::pair<std::string, std::string>> sb = {{"migrations", (repo.dir() / "a/supabase/migrations").string()}};
  CHECK(choose_platform("", "", std::nullopt, plain).baseline == nullptr);
  CHECK(choose_platform("supabase", "", std::nullopt, plain).baseline == platform::supabase());
  CHECK(choose_platform("", "", std::nullopt, sb).baseline == platform::supabase());
  CHECK(choose_platform("none", "", std::nullopt, sb).baseline == nullptr);
  auto pre = choose_platform("", (repo.dir() / "pre.sql").string(), std::nullopt, plain);
  REQUIRE(pre.baseline != nullptr);
  CHECK(pre.baseline->model.schema("neon_auth") != nullptr);
  // On a Supabase project a prelude adds to the platform's baseline (extension stubs, extra roles): both replay.
  auto both = choose_platform("", (repo.dir() / "pre.sql").string(), std::nullopt, sb);
  REQUIRE(both.baseline != nullptr);
  CHECK(both.baseline->name == "supabase");
  CHECK(both.baseline->describe() == std::string(platform::kSupabaseFile) + " + " + (repo.dir() / "pre.sql").string());
  CHECK(both.baseline->model.schema("neon_auth") != nullptr);
  CHECK(both.baseline->model.table("auth", "users") != nullptr);
  CHECK(both.why == "the Supabase CLI layout (supabase/migrations), --prelude " + (repo.dir() / "pre.sql").string());
  const std::string toml = (repo.dir() / "driftguard.toml").string();
  repo.write("driftguard.toml", "platform = \"supabase\"\n");
  CHECK(choose_platform("", "", toml, plain).why == "platform in " + toml);
  repo.write("driftguard.toml", "platform = \"none\"\n");
  CHECK(choose_platform("", "", toml, sb).baseline == nullptr);
  repo.write("driftguard.toml", "prelude = \"pre.sql\"\n");
  CHECK(choose_platform("", "", toml, plain).baseline->describe() == (repo.dir() / "pre.sql").string());
  repo.write("driftguard.toml", "platform = \"heroku\"\n");
  auto bad = repo.driftguard("schema --from migrations:b/db/migrations");
  CHECK(bad.code == 2);
  CHECK(bad.err == "driftguard: error: driftguard.toml:1:12: platform must be one of supabase, none, got \"heroku\"\n");

  // Prisma on Supabase: rls-not-enabled is on by default for its migrations too (off for other Prisma projects).
  const char* table = "CREATE TABLE \"Post\" (\"id\" SERIAL NOT NULL, CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\"));\n";
  repo.write("p3/prisma/migrations/20240101000000_init/migration.sql", table);
  repo.write("p4/prisma/migrations/20240101000000_init/migration.sql", table);
  fs::remove(repo.dir() / "driftguard.toml");
  auto on = repo.driftguard("lint --format gcc p3/prisma/migrations");
  CHECK(on.out.find("p3/prisma/migrations/20240101000000_init/migration.sql:1:14: warning: table \"Post\" is created "
                    "without row level security [rls-not-enabled]\n") != std::string::npos);
  auto off = repo.driftguard("lint --format gcc p4/prisma/migrations");
  CHECK(off.out.find("rls-not-enabled") == std::string::npos);
  CHECK(off.out.find("prefer-bigint-over-int") != std::string::npos);  // the same file, linted
}

TEST_CASE("the Supabase evidence of a Prisma folder: every .prisma file at any depth, migrations outside hidden folders",
          "[supabase][config]") {
  // The form ConfigSet::for_path asks (lint: the folder holding migrations/): the folder is walked for .prisma files
  // (multi-file schemas, and any depth, migration folders included) and its migrations read for auth calls.
  dgtest::Repo repo;
  const std::string ds = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n}\n";
  repo.write("q1/prisma/schema.prisma", ds);
  repo.write("q1/prisma/migrations/20240101000000_a/migration.sql", "create table a (id int);\n");
  // A Supabase URL in any case, in a file of a nested schema folder.
  repo.write("q2/prisma/schema/schema.prisma", ds);
  repo.write("q2/prisma/schema/nested/extra.prisma", "// postgresql://x@DB.ABC.SUPABASE.CO/postgres\n");
  // In a migration folder too (the walk does not skip them).
  repo.write("q3/prisma/schema.prisma", ds);
  repo.write("q3/prisma/migrations/20240101000000_a/old.prisma", "// postgresql://x@db.abc.supabase.co/postgres\n");
  // A file named ".prisma" has no extension (path::extension): not a schema file.
  repo.write("q4/prisma/schema.prisma", ds);
  repo.write("q4/prisma/.prisma", "// postgresql://x@db.abc.supabase.co/postgres\n");
  // Auth calls under node_modules/ or a hidden folder of migrations/, or through a symbolic link, do not count.
  repo.write("q5/prisma/schema.prisma", ds);
  repo.write("q5/prisma/migrations/20240101000000_a/migration.sql", "create table a (id int);\n");
  repo.write("q5/prisma/migrations/node_modules/x/migration.sql", "select auth.uid();\n");
  repo.write("q5/prisma/migrations/.cache/migration.sql", "select auth.uid();\n");
  repo.write("elsewhere/20240101000000_b/migration.sql", "select auth.uid();\n");
  fs::create_directory_symlink(repo.dir() / "elsewhere", repo.dir() / "q5/prisma/migrations/linked");
  // A call in a migration folder counts, and is named.
  repo.write("q6/prisma/schema.prisma", ds);
  repo.write("q6/prisma/migrations/20240101000000_a/migration.sql", "create table a (id int);\n");
  repo.write("q6/prisma/migrations/20240102000000_b/migration.sql", "CREATE POLICY p ON a USING (AUTH.UID() = id);\n");
  auto d = [&](const std::string& rel) { return supabase_evidence("prisma", (repo.dir() / rel).string()); };
  CHECK(d("q1/prisma") == "");
  CHECK(d("q2/prisma") == "schema.prisma's URL is a Supabase host");
  CHECK(d("q3/prisma") == "schema.prisma's URL is a Supabase host");
  CHECK(d("q4/prisma") == "");
  CHECK(d("q5/prisma") == "");
  CHECK(d("q6/prisma") == "the migrations use Supabase's auth schema (" +
                              (repo.dir() / "q6/prisma/migrations/20240102000000_b/migration.sql").string() + ")");
}

TEST_CASE("the Supabase evidence of a Prisma folder is read in one walk and says what the two walks said",
          "[supabase][config]") {
  // A Prisma folder is walked once for its .prisma files and its migrations' SQL (ConfigSet::for_path asks this
  // for a one-file lint). The answers below are those of the two walks it replaced (.prisma files, then
  // migrations_calling_auth), on main c9f0453, for the folder and for its schema file.
  dgtest::Repo repo;
  const std::string ds = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DB\")\n}\n";
  const std::string mig = "/prisma/migrations/20240101000000_a/migration.sql";
  auto project = [&](const std::string& name) {
    repo.write(name + "/prisma/schema.prisma", ds);
    repo.write(name + mig, "create table a (id int);\n");
  };
  // No evidence: every migration read, nothing found.
  project("r1");
  for (int i = 2; i < 40; ++i) {
    repo.write("r1/prisma/migrations/202401010000" + std::to_string(10 + i) + "_m/migration.sql", "select 1;\n");
  }
  // An auth call outside migrations/ (a seed) is no evidence; one in migrations/ is.
  project("r2");
  repo.write("r2/prisma/seed.sql", "select auth.uid();\n");
  project("r3");
  repo.write("r3/prisma/migrations/20240102000000_b/migration.sql", "select auth.uid();\n");
  // Under node_modules/ or a hidden folder of migrations/: not read; a .prisma file in a hidden folder: read.
  project("r4");
  repo.write("r4/prisma/migrations/.old/x/migration.sql", "select auth.jwt();\n");
  repo.write("r4/prisma/migrations/node_modules/y.sql", "select auth.role();\n");
  project("r5");
  repo.write("r5/prisma/.old/extra.prisma", "// postgresql://x@db.abc.supabase.co/postgres\n");
  // A hidden file and a .sql.postgres file are read (discover() decides whether they count); a .txt file is not.
  project("r6");
  repo.write("r6/prisma/migrations/20240102000000_b/.hidden.sql", "select auth.email();\n");
  project("r7");
  repo.write("r7/prisma/migrations/20240102000000_b/notes.txt", "select auth.email();\n");
  project("r8");
  repo.write("r8/prisma/migrations/20240102000000_b/migration.sql.postgres", "select auth.uid();\n");
  // migrations/ a symbolic link to a folder with an auth call (its walk follows it, the .prisma walk does not).
  repo.write("r9/prisma/schema.prisma", ds);
  repo.write("r9-target/20240101000000_a/migration.sql", "select auth.uid();\n");
  fs::create_directory_symlink(repo.dir() / "r9-target", repo.dir() / "r9/prisma/migrations");
  // The URL from the environment, and a supabase/ folder beside prisma/.
  project("r10");
  repo.write("r10/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DG_TEST_R10\")\n}\n");
  ::setenv("DG_TEST_R10", "postgresql://postgres:x@db.abcd.supabase.co:5432/postgres", 1);
  project("r11");
  repo.write("r11/supabase/config.toml", "");
  // A URL in a .prisma file wins over an auth call (the .prisma files are read first).
  project("r12");
  repo.write("r12/prisma/migrations/20240102000000_b/migration.sql", "select auth.uid();\n");
  repo.write("r12/prisma/extra.prisma", "// postgresql://x@db.abc.supabase.co/postgres\n");
  const std::string calls = "the migrations use Supabase's auth schema (" + repo.dir().string() + "/";
  const std::string url = "schema.prisma's URL is a Supabase host";
  // name -> {the folder's evidence, the schema file's}
  std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"r1", {"", ""}},
      {"r2", {"", ""}},
      {"r3", {calls + "r3/prisma/migrations/20240102000000_b/migration.sql)",
              calls + "r3/prisma/migrations/20240102000000_b/migration.sql)"}},
      {"r4", {"", ""}},
      {"r5", {url, ""}},
      {"r6", {calls + "r6/prisma/migrations/20240102000000_b/.hidden.sql)",
              calls + "r6/prisma/migrations/20240102000000_b/.hidden.sql)"}},
      {"r7", {"", ""}},
      {"r8", {"", ""}},
      {"r9", {calls + "r9/prisma/migrations/20240101000000_a/migration.sql)",
              calls + "r9/prisma/migrations/20240101000000_a/migration.sql)"}},
      {"r10", {"schema.prisma's URL (from the environment) is a Supabase host",
               "schema.prisma's URL (from the environment) is a Supabase host"}},
      {"r11", {"a supabase/ folder beside schema.prisma", "a supabase/ folder beside schema.prisma"}},
      {"r12", {url, calls + "r12/prisma/migrations/20240102000000_b/migration.sql)"}},
  };
  for (const auto& [name, answers] : expected) {
    INFO(name);
    CHECK(supabase_evidence("prisma", (repo.dir() / (name + "/prisma")).string()) == answers.first);
    CHECK(supabase_evidence("prisma", (repo.dir() / (name + "/prisma/schema.prisma")).string()) == answers.second);
  }
  ::unsetenv("DG_TEST_R10");
  // Every Prisma project of the corpus (the folder holding schema.prisma and migrations/): none is on Supabase.
  fs::path prisma_corpus = corpus().parent_path() / "prisma";
  if (!fs::is_directory(prisma_corpus)) {
    WARN("../shared/corpus/prisma is not there: skipped");
    return;
  }
  int projects = 0;
  for (const auto& e : fs::directory_iterator(prisma_corpus)) {
    INFO(e.path());
    CHECK(supabase_evidence("prisma", e.path().string()) == "");
    ++projects;
  }
  CHECK(projects == 17);
}

TEST_CASE("Supabase projects of the corpus, built as Supabase builds them: drift, --shadow and status",
          "[supabase][pg][corpus]") {
  if (!fs::is_directory(corpus())) {
    WARN("../shared/corpus/supabase is not there: skipped");
    return;
  }
  auto pins = pinned_outcomes();
  std::set<std::string> projects;
  for (const auto& e : fs::directory_iterator(corpus())) projects.insert(e.path().filename().string());
  std::set<std::string> pinned;
  for (const auto& [p, _] : pins) pinned.insert(p);
  CHECK(projects == pinned);  // every project is pinned, and nothing else
  std::string update;          // DRIFTGUARD_PIN_OUT=FILE writes the outcomes found, to review and copy
  for (const auto& project : projects) {
    DYNAMIC_SECTION(project) {
      CorpusProject p(project);
      std::string outcome = built_as_supabase_builds(p);
      update += "[" + project + "]\n" + outcome;
      CHECK(outcome == pins[project]);
    }
  }
  if (const char* out = std::getenv("DRIFTGUARD_PIN_OUT")) std::ofstream(out, std::ios::app) << update;
}

TEST_CASE("a hand-made change in a Supabase database is found exactly once", "[supabase][pg][corpus]") {
  const std::string project = "supabase__dbdev";
  if (!fs::is_directory(corpus() / project)) {
    WARN("../shared/corpus/supabase is not there: skipped");
    return;
  }
  CorpusProject p(project);
  const std::string& info = p.info;
  REQUIRE(build_like_supabase(info, p.files) == "");
  const std::string drift = "drift --migrations supabase/migrations --format json --database-url " + shell_quote(info);
  const std::string with_platform = drift + " --include-platform-schemas";
  auto before = items_of(p.repo.driftguard(drift).out);
  auto before_with_platform = items_of(p.repo.driftguard(with_platform).out);
  {
    Conn c(info);
    REQUIRE(c.exec("ALTER TABLE app.packages ADD COLUMN dashboard_note text") == "");  // a column added in the dashboard
    REQUIRE(c.exec("ALTER POLICY accounts_select_policy ON app.accounts USING (false)") == "");
    REQUIRE(c.exec("DROP INDEX app.packages_handle_search_idx") == "");
    // The platform changing under the project is not drift: a newer auth column, a storage policy of its own.
    REQUIRE(c.exec("ALTER TABLE auth.users ADD COLUMN newer_platform_column text") == "");
  }
  auto added_since = [](const std::vector<std::string>& was, const std::vector<std::string>& now) {
    std::multiset<std::string> added(now.begin(), now.end());
    for (const auto& b : was) {
      auto it = added.find(b);
      if (it != added.end()) added.erase(it);
    }
    return added;
  };
  CHECK(added_since(before, items_of(p.repo.driftguard(drift).out)) ==
        std::multiset<std::string>{"extra-column app.packages.dashboard_note",
                                   "missing-index app.packages.packages_handle_search_idx",
                                   "policy app.accounts.accounts_select_policy"});
  // Asked for (--include-platform-schemas on the command line), the platform's own change is reported too.
  CHECK(added_since(before_with_platform, items_of(p.repo.driftguard(with_platform).out)) ==
        std::multiset<std::string>{"extra-column app.packages.dashboard_note",
                                   "extra-column auth.users.newer_platform_column",
                                   "missing-index app.packages.packages_handle_search_idx",
                                   "policy app.accounts.accounts_select_policy"});
  // The text report ends with what to do about it with the Supabase CLI (a Supabase-first project).
  auto text = p.repo.driftguard("drift --migrations supabase/migrations --color never --database-url " + shell_quote(info));
  CHECK(text.code == 1);
  const std::string hint =
      "hint: Supabase: a change made in the dashboard becomes a migration with `supabase db diff -f <name>` (or "
      "`supabase db pull`); write new changes with `supabase migration new <name>`; `supabase db push` applies "
      "pending migrations (see driftguard status)\n";
  CHECK(text.out.size() >= hint.size());
  CHECK(text.out.substr(text.out.size() - std::min(text.out.size(), hint.size())) == hint);
}

TEST_CASE("shadow: sends what driftguard cannot parse to PostgreSQL, and items keep their migration lines",
          "[supabase][pg][shadow]") {
  dgtest::Repo repo;
  repo.write("supabase/migrations/20240101000000_init.sql",
             "create table public.notes (\n  id bigint generated always as identity primary key,\n  body text\n);\n");
  // A statement libpg_query cannot read: before, --shadow skipped it and the history "applied"; PostgreSQL decides.
  repo.write("supabase/migrations/20240201000000_typo.sql", "alter table public.notes add column title text;\nSELEC 1;\n");
  auto bad = repo.driftguard("drift --migrations supabase/migrations --sql supabase/migrations/20240101000000_init.sql "
                             "--shadow --format gcc");
  INFO(bad.err);
  CHECK(bad.code == 1);
  CHECK(bad.out.find("supabase/migrations/20240201000000_typo.sql:2:1: error: PostgreSQL 15.") != std::string::npos);
  CHECK(bad.out.find("refused this statement: syntax error at or near \"SELEC\" [shadow-error]") != std::string::npos);

  repo.write("supabase/migrations/20240201000000_typo.sql", "alter table public.notes add column title text;\n");
  repo.write("expected.sql", "create table public.notes (id bigint generated always as identity primary key, body text);\n");
  // The migrations are the expected side (they rank before a SQL file); both are replayed by PostgreSQL.
  auto r = repo.driftguard("drift --sql expected.sql --migrations supabase/migrations --shadow --format json");
  INFO(r.err);
  njson doc = njson::parse(r.out);
  REQUIRE(doc["items"].size() == 1);
  CHECK(doc["items"][0]["kind"] == "missing-column");
  CHECK(doc["items"][0]["path"] == "public.notes.title");
  CHECK(doc["items"][0]["expected"]["file"] == "supabase/migrations/20240201000000_typo.sql");
  CHECK(doc["items"][0]["expected"]["line"] == 1);
  CHECK(doc["expected"]["shadow"]["cross_check"] == njson::array());
}

TEST_CASE("status: tracker rows without statements are applied, not compared, and noted", "[supabase][pg][status]") {
  dgtest::Repo repo;
  repo.write("supabase/migrations/20240101000000_init.sql", "create table a (id int);\n");
  repo.write("supabase/migrations/20240201000000_next.sql", "create table b (id int);\n");
  repo.write("supabase/migrations/archive/20230101000000_old.sql", "create table old (id int);\n");
  auto cluster = db::TempCluster::start();
  std::string info = cluster->conninfo("postgres");
  {
    Conn c(info);
    // A hand-written deploy script: the files run by psql, the versions recorded without statements.
    REQUIRE(c.exec("create table a (id int); create table b (id int); create schema supabase_migrations; "
                   "create table supabase_migrations.schema_migrations (version text primary key, statements text[], "
                   "name text); insert into supabase_migrations.schema_migrations (version, name) values "
                   "('20240101000000', 'init'); insert into supabase_migrations.schema_migrations values "
                   "('20240201000000', '{}', 'next')") == "");
  }
  auto r = repo.driftguard("status --migrations supabase/migrations --database-url " + shell_quote(info));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("note: ignored supabase/migrations/archive/20230101000000_old.sql") != std::string::npos);
  CHECK(r.out.find("note: 2 applied migrations have no statements in supabase_migrations.schema_migrations (recorded "
                   "by hand or by a deploy script, not by the Supabase CLI): applied, content not compared") !=
        std::string::npos);
  auto names = repo.driftguard("status --migrations supabase/migrations --database-url " + shell_quote(info) +
                               " --pending-only --format names");
  CHECK(names.code == 0);
  CHECK(names.out == "");
  cluster->stop();
}

TEST_CASE("Prisma on Supabase: a multiSchema schema.prisma pulled from the database gives no drift for the platform",
          "[supabase][pg][corpus][prisma]") {
  const std::string project = "vercel__nextjs-subscription-payments";
  if (!fs::is_directory(corpus() / project)) {
    WARN("../shared/corpus/supabase is not there: skipped");
    return;
  }
  CorpusProject p(project);
  REQUIRE(build_like_supabase(p.info, p.files) == "");
  // fixtures/supabase/vercel-pulled.prisma: what Prisma's own engine pulls from this database with
  // schemas = ["auth", "public"] (../shared/tools/prisma-engine pull URL SCHEMA): every GoTrue table as a model.
  // The supabase/ folder beside prisma/ selects the Supabase platform.
  p.repo.write("prisma/schema.prisma", read_file(dgtest::source_dir() + "/fixtures/supabase/vercel-pulled.prisma"));
  auto r = p.repo.driftguard("drift --prisma prisma/schema.prisma --database-url " + shell_quote(p.info) + " --format json");
  INFO(r.err);
  njson doc = njson::parse(r.out);
  std::vector<std::string> managed;
  int unmanaged = 0;
  for (const auto& i : doc["items"]) {
    if (i["unmanaged"].get<bool>()) {
      ++unmanaged;  // row-level security and policies, which schema.prisma cannot express
    } else {
      managed.push_back(i["kind"].get<std::string>() + " " + i["path"].get<std::string>());
    }
  }
  // Nothing of the platform, and nothing of the project: Prisma's @db.Timestamptz(6) is PostgreSQL's timestamptz
  // (introspect/prisma/equivalence: 6 is the default precision).
  CHECK(managed == std::vector<std::string>{});
  CHECK(unmanaged == 12);  // row-level security and policies of the public tables
}

TEST_CASE("Prisma on Supabase: the drift hint names Prisma's commands, not the Supabase CLI's", "[supabase][drift]") {
  dgtest::Repo repo;
  repo.write("prisma/schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n}\n\n"
             "model Note {\n  id    Int    @id @default(autoincrement())\n  title String\n  body  String\n}\n");
  repo.write("prisma/migrations/20240101000000_init/migration.sql",
             "-- CreateTable\nCREATE TABLE \"Note\" (\n    \"id\" SERIAL NOT NULL,\n    \"title\" TEXT NOT NULL,\n\n"
             "    CONSTRAINT \"Note_pkey\" PRIMARY KEY (\"id\")\n);\n");
  const std::string sides = "drift --prisma prisma/schema.prisma --migrations prisma/migrations --color never";
  auto r = repo.driftguard(sides + " --platform supabase");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("public.Note.body") != std::string::npos);
  const std::string hint =
      "hint: Prisma on Supabase: `prisma migrate dev` turns a schema.prisma change into a migration, `prisma db pull` "
      "brings a change made in the dashboard into schema.prisma, `prisma migrate deploy` applies pending migrations\n";
  CHECK(r.out.size() >= hint.size());
  CHECK(r.out.substr(r.out.size() - std::min(r.out.size(), hint.size())) == hint);
  // Not on a platform: no hint.
  auto plain = repo.driftguard(sides + " --platform none");
  CHECK(plain.code == 1);
  CHECK(plain.out.find("hint:") == std::string::npos);
}

// The same build and comparison on Supabase projects you collect (scripts/realworld-supabase.sh): every project
// PostgreSQL builds here must come out clean (no drift, nothing pending, a clean --shadow).
TEST_CASE("Supabase projects of a folder you name: built as Supabase builds them and none disagreeing",
          "[supabase][pg][realworld-dir]") {
  const char* dir = std::getenv("DRIFTGUARD_REALWORLD_SUPABASE");
  if (!dir || !*dir) {
    WARN("DRIFTGUARD_REALWORLD_SUPABASE not set (scripts/realworld-supabase.sh sets it); skipped");
    return;
  }
  std::vector<fs::path> projects;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) projects.push_back(e.path());
  }
  std::sort(projects.begin(), projects.end());
  REQUIRE(!projects.empty());
  std::string report;
  for (const auto& folder : projects) {
    CorpusProject p(folder);
    std::string outcome = built_as_supabase_builds(p);
    std::string name = folder.filename().string();
    report.append("[").append(name).append("]\n").append(outcome);  // appends: GCC 12's -Wrestrict misfires on a + chain
    INFO(name << "\n" << outcome);
    CHECK_FALSE(disagrees(outcome));
  }
  if (const char* out = std::getenv("DRIFTGUARD_REALWORLD_OUT"); out && *out) std::ofstream(out, std::ios::binary) << report;
}

TEST_CASE("the Supabase real-project check: a built project disagrees unless drift, status and shadow are clean",
          "[supabase]") {
  CHECK_FALSE(disagrees("build: ok\ndrift: exit 0\nstatus pending: exit 0 none\nshadow: exit 0\n"));
  CHECK_FALSE(disagrees("skipped: local_1_x.sql\nbuild: ok\ndrift: exit 0\nstatus pending: exit 0 none\nshadow: exit 0\n"));
  CHECK(disagrees("build: ok\ndrift: exit 1\n  extra-table public.t\nstatus pending: exit 0 none\nshadow: exit 0\n"));
  CHECK(disagrees("build: ok\ndrift: exit 0\nstatus pending: exit 1\n1_x\nshadow: exit 0\n"));
  CHECK(disagrees("build: ok\ndrift: exit 0\nstatus pending: exit 0 none\nshadow: exit 0\n  missing-column public.t.c\n"));
  CHECK_FALSE(disagrees("build: 1_x.sql: extension \"vector\" is not available\nshadow: exit 1\n  error 1_x.sql:1: ...\n"));
}
