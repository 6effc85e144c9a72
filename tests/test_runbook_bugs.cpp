// Bugs found walking the drift and status runbooks (issue 14), each on a repository built by the test and, where
// the claim is about PostgreSQL or Prisma, against the real thing: the test server, a throwaway shadow cluster, or
// Prisma's own engine.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>

#include "introspect/db/connection.hpp"
#include "tests/git_repo.hpp"
#include "tests/pg_server.hpp"
#include "tests/prisma_engine.hpp"

using nlohmann::json;
namespace engine = dgtest::prisma_engine;

namespace {

std::string shq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const char* kUsers = "CREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n"
                     "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n";

}  // namespace

TEST_CASE("locks takes the runner from driftguard.toml, as lint does, --runner wins", "[locks][runner]") {
  dgtest::Repo repo;
  repo.write("db/0001_init.sql", kUsers);
  repo.write("db/0002_index.sql", "CREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n");
  auto plain = repo.driftguard("locks db/0002_index.sql --format json");
  REQUIRE(plain.code == 0);
  CHECK(json::parse(plain.out)["files"][0]["runner"] == "plain");
  CHECK(json::parse(plain.out)["files"][0]["transaction_mode"] == "none");

  repo.write("driftguard.toml", "runner = \"goose\"\n");
  auto goose = repo.driftguard("locks db/0002_index.sql --format json");
  INFO(goose.err);
  REQUIRE(goose.code == 0);
  json f = json::parse(goose.out)["files"][0];
  CHECK(f["runner"] == "goose");
  CHECK(f["transaction_mode"] == "wrapped");
  CHECK(f["statements"][0]["transaction"] == "runner");

  auto flag = repo.driftguard("locks db/0002_index.sql --format json --runner plain");
  CHECK(json::parse(flag.out)["files"][0]["runner"] == "plain");
}

TEST_CASE("drift --shadow runs each file as the runner of driftguard.toml or --runner does", "[drift][runner][pg][shadow]") {
  // CREATE INDEX CONCURRENTLY applies under psql -f (plain: statement by statement) and is refused by PostgreSQL
  // inside goose's transaction: the runner decides what the shadow cluster builds.
  dgtest::Repo repo;
  repo.write("db/0001_init.sql", kUsers);
  repo.write("db/0002_index.sql", "CREATE INDEX CONCURRENTLY \"User_email_idx\" ON \"User\"(\"email\");\n");
  const std::string args = "drift --migrations db --sql db/0001_init.sql --shadow --format json";
  auto plain = repo.driftguard(args);
  INFO(plain.err);
  CHECK(plain.code == 1);
  json p = json::parse(plain.out);
  CHECK(p["replay_errors"] == json::array());
  REQUIRE(p["items"].size() == 1);
  CHECK(p["items"][0]["kind"] == "missing-index");

  repo.write("driftguard.toml", "runner = \"goose\"\n");
  auto goose = repo.driftguard(args);
  CHECK(goose.code == 1);
  json g = json::parse(goose.out);
  REQUIRE(g["replay_errors"].size() == 1);
  CHECK(g["replay_errors"][0]["file"] == "db/0002_index.sql");
  CHECK(g["replay_errors"][0]["line"] == 1);
  CHECK(g["replay_errors"][0]["column"] == 1);
  CHECK(g["replay_errors"][0]["rule"] == "shadow-error");
  CHECK(g["replay_errors"][0]["message"].get<std::string>().find(
            "refused this statement: CREATE INDEX CONCURRENTLY cannot run inside a transaction block") !=
        std::string::npos);

  // the flag wins over the config
  auto flag = repo.driftguard(args + " --runner plain");
  CHECK(json::parse(flag.out)["replay_errors"] == json::array());
  // an unknown runner is a usage error
  auto bad = repo.driftguard("drift --migrations db --sql db/0001_init.sql --runner rails");
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
}

TEST_CASE("three-way --format gcc names the database for an object only the database has", "[drift][pg]") {
  dgtest::Repo repo;
  repo.write("schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id "
             "@default(autoincrement())\n  email String\n}\n");
  repo.write("migrations/20240101000000_init/migration.sql", kUsers);
  std::string db = dgtest::pg::fresh_database("gcc3");
  dgtest::pg::exec(db, kUsers);
  dgtest::pg::exec(db, "CREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");");
  std::string sides = "drift --prisma schema.prisma --migrations migrations --database-url " + shq(db);
  auto j = repo.driftguard(sides + " --format json");
  INFO(j.err);
  REQUIRE(j.code == 1);
  std::string database = json::parse(j.out)["sources"][2]["source"];
  REQUIRE(database.rfind("database:", 0) == 0);
  auto r = repo.driftguard(sides + " --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out == database +
                     ": warning: index public.User.User_email_idx: only in the live database, not in schema.prisma or "
                     "the migrations [index]\n");
}

TEST_CASE("schema --help lists every source kind, and schema --from database: reads one", "[schema][pg]") {
  dgtest::Repo repo;
  auto help = repo.driftguard("schema --help");
  CHECK(help.code == 0);
  CHECK(help.out.find("The schema to print, as KIND:WHAT: prisma:PATH, migrations:PATH, sql:PATH, database:URL") !=
        std::string::npos);
  std::string db = dgtest::pg::fresh_database("schema");
  dgtest::pg::exec(db, "CREATE TABLE t (id integer NOT NULL);");
  auto r = repo.driftguard("schema --from " + shq("database:" + db));
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "-- Generated by driftguard from a schema model.\nSET check_function_bodies = off;\n\n-- schemas\n\n"
                 "CREATE TABLE t (\n  id integer NOT NULL\n);\n");
}

TEST_CASE("status shows PostgreSQL's error of a migration Prisma 7 failed to apply", "[status][pg][prisma-engine]") {
  if (!engine::available()) return;
  dgtest::Repo repo;
  repo.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
  repo.write("prisma/migrations/20240101000000_init/migration.sql", kUsers);
  repo.write("prisma/migrations/20240102000000_bad/migration.sql",
             "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;\nALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;\n");
  std::string db = dgtest::pg::fresh_database("p7log");
  // Prisma's own deploy fails on the second migration and records it (logs start with "external connector error").
  auto deploy = engine::run({"deploy", (repo.dir() / "prisma/migrations").string(), engine::url(db)});
  REQUIRE(deploy.code != 0);
  auto r = repo.driftguard("status --database-url " + shq(db) + " --migrations prisma/migrations");
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(std::regex_search(r.out, std::regex("\nfailed       20240102000000_bad  started [0-9T:.-]+Z, not finished; logs: "
                                            "ERROR: column \"name\" of relation \"User\" already exists\n")));
}

TEST_CASE("lint --stdin-filename without - is a usage error", "[cli]") {
  dgtest::Repo repo;
  repo.write("a.sql", "SELECT 1;\n");
  auto r = repo.driftguard("lint a.sql --stdin-filename b.sql");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "driftguard: error: --stdin-filename names the SQL read from stdin, but no - is among the paths "
                 "(driftguard lint - --stdin-filename b.sql < FILE)\n");
  auto ok = repo.driftguard("lint - --stdin-filename b.sql --format gcc < a.sql");
  CHECK(ok.code == 0);
}

TEST_CASE("a nullability drift points at the migration that changed NOT NULL", "[drift][pg]") {
  dgtest::Repo repo;
  repo.write("migrations/20240101000000_init/migration.sql", kUsers);
  repo.write("migrations/20240101000000_init/migration.sql",
             "CREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"name\" TEXT,\n"
             "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n");
  repo.write("migrations/20240201000000_name_required/migration.sql",
             "-- AlterTable\nALTER TABLE \"User\" ALTER COLUMN \"name\" SET NOT NULL;\n");
  std::string db = dgtest::pg::fresh_database("notnull");
  dgtest::pg::exec(db, repo.read("migrations/20240101000000_init/migration.sql"));  // only the first one applied
  auto r = repo.driftguard("drift --migrations migrations --database-url " + shq(db) + " --format json");
  INFO(r.err);
  CHECK(r.code == 1);
  json doc = json::parse(r.out);
  REQUIRE(doc["items"].size() == 1);
  const json& i = doc["items"][0];
  CHECK(i["kind"] == "nullability");
  CHECK(i["path"] == "public.User.name");
  CHECK(i["expected"] == json{{"value", "NOT NULL"},
                              {"file", "migrations/20240201000000_name_required/migration.sql"},
                              {"line", 2},
                              {"column", 1}});
  // DROP NOT NULL too: applied by hand, then a migration that drops it
  dgtest::pg::exec(db, "ALTER TABLE \"User\" ALTER COLUMN \"name\" SET NOT NULL;");
  repo.write("migrations/20240301000000_name_optional/migration.sql",
             "ALTER TABLE \"User\" ALTER COLUMN \"name\" DROP NOT NULL;\n");
  json back = json::parse(repo.driftguard("drift --migrations migrations --database-url " + shq(db) + " --format json").out);
  REQUIRE(back["items"].size() == 1);
  CHECK(back["items"][0]["expected"]["file"] == "migrations/20240301000000_name_optional/migration.sql");
  CHECK(back["items"][0]["expected"]["line"] == 1);
}

TEST_CASE("@ignore on an Unsupported field is an error, as in Prisma's engine", "[prisma][prisma-engine]") {
  dgtest::Repo repo;
  repo.write("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel Place {\n  id       Int @id\n"
                              "  location Unsupported(\"geometry\")? @ignore\n}\n");
  auto r = repo.driftguard("prisma-ddl schema.prisma");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "schema.prisma:7:37: error: field 'location' of type Unsupported cannot take @ignore: Prisma already "
                 "ignores Unsupported fields in the client (remove @ignore)\n");
  if (!engine::available()) return;
  auto e = engine::run({"sql", (repo.dir() / "schema.prisma").string()});
  CHECK(e.code != 0);
  CHECK((e.out + e.err).find("Fields of type `Unsupported` cannot take an `@ignore` attribute.") != std::string::npos);
  // without @ignore both accept it
  repo.write("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel Place {\n  id       Int @id\n"
                              "  location Unsupported(\"circle\")?\n}\n");
  CHECK(repo.driftguard("prisma-ddl schema.prisma").code == 0);
  CHECK(engine::run({"sql", (repo.dir() / "schema.prisma").string()}).code == 0);
}

TEST_CASE("prisma-check takes the schema path prisma.config.ts or package.json configures", "[git][prisma-check]") {
  dgtest::Repo repo;
  const std::string schema = "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id\n"
                             "  email String\n  phone String?\n}\n";
  // a schema outside prisma/, which only the configuration names, and a decoy at the conventional place
  repo.write("db/app.prisma", schema);
  repo.write("prisma/schema.prisma", schema);
  repo.write("package.json", "{\"name\": \"app\", \"prisma\": {\"schema\": \"db/app.prisma\"}}\n");
  repo.commit("init");
  repo.sh("git checkout -q -b feature");
  repo.write("db/app.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id\n"
                              "  email String\n}\n");
  auto r = repo.driftguard("prisma-check --base main --format gcc");
  INFO(r.err);
  CHECK(r.out.rfind("db/app.prisma:5:1: error: removes field phone from model User", 0) == 0);
  // prisma.config.ts wins over package.json (Prisma reads it first)
  repo.write("prisma.config.ts", "import path from \"node:path\";\nimport { defineConfig } from \"prisma/config\";\n\n"
                                 "export default defineConfig({\n  schema: path.join(\"prisma\", \"schema.prisma\"),\n});\n");
  auto c = repo.driftguard("prisma-check --base main --format gcc");
  CHECK(c.out.find("db/app.prisma") == std::string::npos);
  repo.write("prisma.config.ts", "export default {\n  schema: 'db/app.prisma',\n};\n");
  CHECK(repo.driftguard("prisma-check --base main --format gcc").out.rfind("db/app.prisma:5:1: error: ", 0) == 0);
}
