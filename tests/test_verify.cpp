// driftguard verify on the test server: a Supabase project whose master migration file is applied to a fresh
// database by PostgreSQL, then checked against [verify] in its driftguard.toml and against flags. Every exit code
// (0: every requirement holds, 1: one does not, 2: usage, config and connection errors), every output format.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "git_repo.hpp"
#include "helpers.hpp"
#include "introspect/db/connection.hpp"
#include "tests/pg_server.hpp"

using dgtest::Repo;
namespace fs = std::filesystem;

namespace {

std::string shq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The project's one migration file, as Supabase projects that keep their schema in a master file write it.
const std::string kMaster = R"(create extension if not exists pgcrypto;

create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
create policy "Users can read own profile" on public.profiles for select using (true);

create table public.social_posts (
  id bigint generated always as identity primary key,
  author_id uuid references public.profiles (id),
  body text
);
)";

const std::string kVerify = R"([verify]
tables = ["public.profiles", "public.social_posts", "privacy_prefs"]
columns = { "public.profiles" = ["id", "email", "deleted_at"] }
rls = ["public"]
policies = { "public.profiles" = ["Users can read own profile"], "public.social_posts" = [] }
extensions = ["pgcrypto", "citext"]
)";

struct Project {
  Repo repo;
  std::string db;
  std::string target;
  Project() {
    repo.write("supabase/migrations/20240101000000_schema.sql", kMaster);
    repo.write("driftguard.toml", kVerify);
    db = dgtest::pg::fresh_database("verify");
    dgtest::pg::exec(db, kMaster);  // PostgreSQL applies the project's migration
    target = driftguard::db::describe({db});
  }
  dgtest::Run verify(const std::string& args) const { return repo.driftguard("verify --database-url " + shq(db) + " " + args); }
};

}  // namespace

TEST_CASE("verify: requirements from driftguard.toml, exact errors, exit 1 only for them", "[verify][pg]") {
  Project p;
  auto r = p.verify("");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "error: table public.privacy_prefs does not exist\n"
        "error: column public.profiles.deleted_at does not exist\n"
        "error: public.social_posts: row level security is disabled\n"
        "error: public.social_posts: no policy\n"
        "error: extension citext is not installed\n"
        "driftguard verify: 5 failed of 11 requirements on " + p.target + "\n");

  // The database gets what the policy asks for: exit 0.
  dgtest::pg::exec(p.db, "create table public.privacy_prefs (id bigint primary key);"
                         "alter table public.privacy_prefs enable row level security;"
                         "alter table public.profiles add column deleted_at timestamptz;"
                         "alter table public.social_posts enable row level security;"
                         "create policy \"Authors manage their posts\" on public.social_posts using (true);"
                         "create extension citext;");
  r = p.verify("");
  CHECK(r.code == 0);
  CHECK(r.out == "driftguard verify: all 11 requirements hold on " + p.target + "\n");
}

TEST_CASE("verify: flags add requirements, a table named by rls, a policy by name", "[verify][pg]") {
  Project p;
  p.repo.write("driftguard.toml", "");
  auto r = p.verify("--table profiles --column public.profiles.email --rls public.profiles --policy "
                    "'profiles:Users can read own profile' --extension pgcrypto");
  CHECK(r.code == 0);
  CHECK(r.out == "driftguard verify: all 5 requirements hold on " + p.target + "\n");
  r = p.verify("--rls public.social_posts --policy 'profiles:Admins read all' --column profiles.phone --table "
               "auth.users --rls pubic");
  CHECK(r.code == 1);
  CHECK(r.out ==
        "error: table auth.users does not exist\n"
        "error: column public.profiles.phone does not exist\n"
        "error: public.social_posts: row level security is disabled\n"
        "error: schema pubic does not exist\n"
        "error: public.profiles: policy \"Admins read all\" does not exist\n"
        "driftguard verify: 5 failed of 5 requirements on " + p.target + "\n");
}

TEST_CASE("verify: exit 2 for usage, config and connection errors", "[verify][pg]") {
  Project p;
  p.repo.write("driftguard.toml", "");
  auto r = p.verify("");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "driftguard: error: nothing to verify: no [verify] in driftguard.toml and no --table, --column, "
                 "--rls, --policy or --extension\n");
  p.repo.write("driftguard.toml", "[verify]\ntables = \"profiles\"\n");
  r = p.verify("");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: driftguard.toml:2:10: tables must be an array of strings, got a string\n");
  p.repo.write("driftguard.toml", "[verify]\ntable = [\"profiles\"]\n");
  r = p.verify("");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: driftguard.toml:2:1: unknown key 'table' in [verify]; did you mean 'tables'? (known: tables, columns, "
                 "rls, policies, extensions)\n");
  p.repo.write("driftguard.toml", "");
  r = p.verify("--column profiles");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: --column expects TABLE.COLUMN (SCHEMA.TABLE.COLUMN), got 'profiles'\n");
  r = p.repo.driftguard("verify --table profiles --database-url 'postgresql://app:s3cret@127.0.0.1:1/nodb'");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("driftguard: error: ", 0) == 0);
  CHECK(r.err.find("s3cret") == std::string::npos);
}

TEST_CASE("verify --format sarif: a result per failure at its line of driftguard.toml, valid SARIF 2.1.0",
          "[verify][pg][sarif]") {
  Project p;
  p.repo.write("driftguard.toml", "[verify]\ntables = [\"privacy_prefs\"]\nrls = [\"public\"]\nextensions = [\"pgcrypto\"]\n");
  auto r = p.verify("--format sarif --extension citext");
  CHECK(r.code == 1);
  auto log = nlohmann::json::parse(r.out);
  const auto& results = log["runs"][0]["results"];
  REQUIRE(results.size() == 3);
  CHECK(results[0] == nlohmann::json::parse(R"({"ruleId": "verify-table", "ruleIndex": 0, "level": "error",
      "message": {"text": "table public.privacy_prefs does not exist\nrequired: table public.privacy_prefs"},
      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "driftguard.toml", "uriBaseId": "%SRCROOT%"},
                                          "region": {"startLine": 2, "startColumn": 11}}}]})"));
  CHECK(results[1]["ruleId"] == "verify-rls");
  CHECK(results[1]["message"]["text"] == "public.social_posts: row level security is disabled\nrequired: row level "
                                         "security on every table of schema public");
  CHECK(results[1]["locations"][0]["physicalLocation"]["region"] == nlohmann::json{{"startLine", 3}, {"startColumn", 8}});
  // A requirement from a flag has no file: no location, the flag and the database in the message.
  CHECK(results[2]["ruleId"] == "verify-extension");
  CHECK(results[2].count("locations") == 0);
  CHECK(results[2]["message"]["text"] == "extension citext is not installed (flag --extension on " + p.target +
                                             ")\nrequired: extension citext");
  CHECK(log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] ==
        "https://github.com/driftguard/driftguard/blob/main/docs/cli.md#verify");
  // Valid against the SARIF 2.1.0 schema.
  fs::path src = dgtest::source_dir();
  std::string validate = "python3 '" + (src / "tests/schemas/validate.py").string() + "' '" +
                         (src / "tests/schemas/sarif-schema-2.1.0.json").string() + "' ";
  p.repo.write("verify.sarif", r.out);
  auto v = p.repo.run(validate + "verify.sarif");
  if (v.code == 3) {
    WARN("python3-jsonschema is not installed: SARIF schema validation skipped");
  } else {
    CHECK(v.code == 0);
  }
}

TEST_CASE("verify: json, github, markdown and junit output", "[verify][pg]") {
  Project p;
  p.repo.write("driftguard.toml", "[verify]\ntables = [\"privacy_prefs\"]\nrls = [\"public\"]\nextensions = [\"pgcrypto\"]\n");
  auto r = p.verify("--format json");
  CHECK(r.code == 1);
  CHECK(r.out == "{\n  \"version\": 1,\n  \"database\": \"" + p.target +
                     "\",\n  \"requirements\": [\n"
                     "    {\n      \"kind\": \"table\",\n      \"requirement\": \"table public.privacy_prefs\",\n"
                     "      \"where\": \"driftguard.toml:2:11\",\n      \"ok\": false,\n      \"errors\": [\n"
                     "        \"table public.privacy_prefs does not exist\"\n      ]\n    },\n"
                     "    {\n      \"kind\": \"rls\",\n      \"requirement\": \"row level security on every table of "
                     "schema public\",\n      \"where\": \"driftguard.toml:3:8\",\n      \"ok\": false,\n"
                     "      \"errors\": [\n        \"public.social_posts: row level security is disabled\"\n      ]\n"
                     "    },\n"
                     "    {\n      \"kind\": \"extension\",\n      \"requirement\": \"extension pgcrypto\",\n"
                     "      \"where\": \"driftguard.toml:4:15\",\n      \"ok\": true,\n      \"errors\": []\n    }\n"
                     "  ],\n  \"failed\": 2\n}\n");
  r = p.verify("--format github");
  CHECK(r.code == 1);
  CHECK(r.out == "::error file=driftguard.toml,line=2,col=11,title=driftguard verify::table public.privacy_prefs does "
                 "not exist\n"
                 "::error file=driftguard.toml,line=3,col=8,title=driftguard verify::public.social_posts: row level "
                 "security is disabled\n"
                 "driftguard verify: 2 failed of 3 requirements on " + p.target + "\n");
  r = p.verify("--format markdown");
  CHECK(r.code == 1);
  CHECK(r.out == "### driftguard verify: 2 failed\n\n2 failed of 3 requirements on " + p.target +
                     ".\n\n| requirement | error | where |\n|---|---|---|\n"
                     "| table public.privacy_prefs | table public.privacy_prefs does not exist | `driftguard.toml:2:11` |\n"
                     "| row level security on every table of schema public | public.social_posts: row level security "
                     "is disabled | `driftguard.toml:3:8` |\n");
  r = p.verify("--format junit");
  CHECK(r.code == 1);
  CHECK(r.out == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites name=\"driftguard verify\" tests=\"3\" failures=\"2\">\n"
                 "  <testsuite name=\"" + p.target + "\" tests=\"3\" failures=\"2\">\n"
                 "    <testcase classname=\"verify.table\" name=\"table public.privacy_prefs\">\n"
                 "      <failure message=\"table public.privacy_prefs does not exist\">table public.privacy_prefs does "
                 "not exist</failure>\n    </testcase>\n"
                 "    <testcase classname=\"verify.rls\" name=\"row level security on every table of schema public\">\n"
                 "      <failure message=\"public.social_posts: row level security is disabled\">public.social_posts: "
                 "row level security is disabled</failure>\n    </testcase>\n"
                 "    <testcase classname=\"verify.extension\" name=\"extension pgcrypto\"/>\n"
                 "  </testsuite>\n</testsuites>\n");
}
