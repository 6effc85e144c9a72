// drift against a live database (three-way reports) and --shadow (migrations replayed by PostgreSQL in a
// throwaway cluster: same drift as the static replay, errors at file:line:col, cleanup after failure and Ctrl-C).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/paths.hpp"
#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kSchema = R"(datasource db {
  provider = "postgresql"
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  bio   String?
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String @db.VarChar(200)
  authorId Int
}
)";

const char* kInit = R"(-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "authorId" INTEGER NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
)";

// The cluster directory a --verbose shadow run names on stderr.
std::string cluster_dir(const std::string& err) {
  std::smatch m;
  REQUIRE(std::regex_search(err, m, std::regex("shadow: cluster in (\\S+), port")));
  return m[1];
}

// schema.prisma and the first migration in the repository, and a fresh database where that migration is applied.
std::string with_init_applied(const dgtest::Repo& repo, const std::string& tag) {
  repo.write("schema.prisma", kSchema);
  repo.write("migrations/20240101000000_init/migration.sql", kInit);
  std::string db = dgtest::pg::fresh_database(tag);
  dgtest::pg::exec(db, kInit);
  return db;
}

bool gone_within(const std::string& dir, int seconds) {
  for (int i = 0; i < seconds * 20 && fs::exists(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return !fs::exists(dir);
}

}  // namespace

TEST_CASE("three-way drift names the source that disagrees", "[drift][pg]") {
  dgtest::Repo repo;
  std::string db = with_init_applied(repo, "three");
  // by hand in the database: bio as schema.prisma has it (no migration), title widened, an index nobody declared
  dgtest::pg::exec(db, "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;"
                       "ALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE TEXT;"
                       "CREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");");
  auto r = repo.driftguard("drift --prisma schema.prisma --migrations migrations --database-url \"" + db +
                           "\" --format json");
  INFO(r.err);
  CHECK(r.code == 1);
  json doc = json::parse(r.out);
  REQUIRE(doc["sources"].size() == 3);
  CHECK(doc["sources"][0]["name"] == "prisma");
  CHECK(doc["sources"][1]["name"] == "migrations");
  CHECK(doc["sources"][2]["name"] == "database");
  std::vector<std::string> items;
  for (const auto& i : doc["items"]) {
    items.push_back(i["path"].get<std::string>() + " " + i["family"].get<std::string>() + " odd=" +
                    (i["odd"].is_null() ? "none" : i["odd"].get<std::string>()));
  }
  CHECK(items == std::vector<std::string>{"public.Post.Post_authorId_idx index odd=database",
                                          "public.Post.title column-type odd=database",
                                          "public.User.bio column odd=migrations"});
  CHECK(doc["items"][1]["message"] ==
        "column-type of public.Post.title: character varying(200) in schema.prisma and the migrations, text in the live "
        "database");
  CHECK(doc["items"][1]["values"]["database"]["value"] == "text");
  CHECK(doc["items"][1]["values"]["migrations"]["file"] == "migrations/20240101000000_init/migration.sql");
  CHECK(doc["items"][2]["message"] ==
        "column public.User.bio: in schema.prisma and the live database, missing from the migrations");
  CHECK(doc["items"][2]["hint"].get<std::string>().rfind("schema.prisma and the live database agree", 0) == 0);

  auto text = repo.driftguard("drift --prisma schema.prisma --migrations migrations --database-url \"" + db + "\"");
  CHECK(text.code == 1);
  CHECK(text.out.find("  error[missing-column,extra-column] column public.User.bio: in schema.prisma and the live database, "
                      "missing from the migrations\n"
                      "    prisma:      text  at schema.prisma:9:3\n"
                      "    migrations:  (absent)\n"
                      "    database:    text\n") != std::string::npos);
  CHECK(text.out.find("  warning[extra-index] index public.Post.Post_authorId_idx: only in the live database, not in "
                      "schema.prisma or the migrations\n") != std::string::npos);
  CHECK(text.out.find("disagreeing alone: prisma 0, migrations 1, database 2\n") != std::string::npos);

  // the same database, in agreement with both files once the migration exists and is applied
  repo.write("migrations/20240201000000_bio/migration.sql",
             "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;\nALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE TEXT;\n"
             "CREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");\n");
  auto two = repo.driftguard("drift --migrations migrations --database-url \"" + db + "\"");
  INFO(two.out);
  CHECK(two.code == 0);
  CHECK(two.out.find("0 drift items") != std::string::npos);
}

// Issue 10: an object only two sources hold is attributed (the third is named), and an object only a migration
// not yet applied creates is said to be that, not "applied without a migration". No tracker in the database: the
// hints come from the three sources alone.
TEST_CASE("three-way drift: objects two sources hold, and a migration not applied yet", "[drift][pg]") {
  dgtest::Repo repo;
  std::string db = with_init_applied(repo, "three_pending");
  // in the database by hand: a check the migrations write differently
  dgtest::pg::exec(db, "ALTER TABLE \"User\" ADD CONSTRAINT name_length CHECK (length(name) < 50);");
  // written, not applied: bio (in schema.prisma too), an index and a check in raw SQL only
  repo.write("migrations/20240201000000_bio/migration.sql",
             "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;\n"
             "CREATE INDEX \"User_name_idx\" ON \"User\"(\"name\");\n"
             "ALTER TABLE \"User\" ADD CONSTRAINT name_length CHECK (length(name) < 100);\n");
  auto r = repo.driftguard("drift --prisma schema.prisma --migrations migrations --database-url \"" + db +
                           "\" --format json");
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  json doc = json::parse(r.out);
  std::vector<std::string> got;
  for (const auto& i : doc["items"]) {
    got.push_back(i["path"].get<std::string>() + " " + i["family"].get<std::string>() + " odd=" +
                  (i["odd"].is_null() ? "none" : i["odd"].get<std::string>()) + "\n  " + i["message"].get<std::string>() +
                  "\n  hint: " + i.value("hint", ""));
  }
  CHECK(got ==
        std::vector<std::string>{
            "public.User.User_name_idx index odd=migrations\n"
            "  index public.User.User_name_idx: only in the migrations, not in schema.prisma or the live database\n"
            "  hint: only the migrations create it: a migration not applied to the live database yet (see driftguard "
            "status); schema.prisma does not declare it (raw SQL in a migration, or schema.prisma is behind)",
            "public.User.bio column odd=database\n"
            "  column public.User.bio: in schema.prisma and the migrations, missing from the live database\n"
            "  hint: schema.prisma and the migrations agree, the live database does not: a migration not applied yet "
            "(see driftguard status), or a change made by hand in the database",
            "public.User.name_length constraint odd=prisma\n"
            "  constraint public.User.name_length: in the migrations and the live database, missing from schema.prisma\n"
            "  hint: the migrations and the live database agree, schema.prisma does not: schema.prisma was edited "
            "without a migration, or is behind the database (prisma db pull)",
            // only two sources hold it, and they differ: the third is named, not "no two agree"
            "public.User.name_length constraint-definition odd=none\n"
            "  constraint-definition of public.User.name_length: CHECK (length(name) < 100) in the migrations; CHECK "
            "(length(name) < 50) in the live database; not in schema.prisma\n"
            "  hint: schema.prisma does not have it (raw SQL in a migration); the migrations and the live database "
            "differ on it: a migration not applied yet (see driftguard status), or a change made by hand in the "
            "database"});
}

TEST_CASE("a database that cannot be reached: exit 2, where, and never the password", "[drift][pg]") {
  dgtest::Repo repo;
  repo.write("migrations/20240101000000_init/migration.sql", kInit);
  auto r = repo.driftguard(
      "drift --migrations migrations --database-url 'postgresql://app:s3cr3t-pw@/prod?host=/nonexistent-dir&port=5999'");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("s3cr3t-pw") == std::string::npos);
  CHECK(r.err.rfind("driftguard: error: cannot connect to /nonexistent-dir:5999/prod as app: ", 0) == 0);
}

TEST_CASE("shadow replay finds the same drift as the static replay and leaves nothing behind", "[drift][pg][shadow]") {
  std::string demo = dgtest::source_dir() + "/examples/demo/prisma";
  dgtest::Repo repo;
  std::string args = "drift --prisma '" + demo + "/schema.prisma' --migrations '" + demo + "/migrations' --format json";
  auto stat = repo.driftguard(args);
  auto shadow = repo.driftguard(args + " --shadow --verbose");
  INFO(shadow.err);
  CHECK(shadow.code == 1);
  json a = json::parse(stat.out);
  json b = json::parse(shadow.out);
  CHECK(a["items"] == b["items"]);
  REQUIRE(b["items"].size() == 1);
  CHECK(b["items"][0]["kind"] == "missing-column");
  CHECK(b["items"][0]["path"] == "public.User.avatarUrl");
  CHECK(b["actual"]["shadow"]["cross_check"] == json::array());
  CHECK(b["actual"]["shadow"]["static_replay_errors"] == json::array());
  CHECK(a["actual"]["statements_applied"] == 15);  // statements that change the model
  CHECK(b["actual"]["statements_applied"] == 17);  // statements PostgreSQL ran (the INSERTs, UPDATEs and comments too)
  CHECK(gone_within(cluster_dir(shadow.err), 5));

  auto text = repo.driftguard("drift --prisma '" + demo + "/schema.prisma' --migrations '" + demo + "/migrations' --shadow");
  CHECK(text.out.find("  cross-check: driftguard's static replay builds the same schema\n") != std::string::npos);
}

TEST_CASE("shadow replay reports what PostgreSQL refuses at file:line:col and stops there", "[drift][pg][shadow]") {
  dgtest::Repo repo;
  repo.write("migrations/20240101000000_init/migration.sql", kInit);
  repo.write("migrations/20240201000000_bad/migration.sql",
             "-- a typo in the type\nALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\nALTER TABLE \"User\" ADD COLUMN \"x\" INTEGR;\n");
  repo.write("migrations/20240301000000_later/migration.sql", "ALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\n");
  auto r = repo.driftguard("drift --migrations migrations --sql migrations/20240101000000_init/migration.sql --shadow "
                           "--verbose --format gcc");
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("migrations/20240201000000_bad/migration.sql:3:35: error: PostgreSQL 15.") != std::string::npos);
  CHECK(r.out.find("refused this statement: type \"integr\" does not exist [shadow-error]") != std::string::npos);
  CHECK(gone_within(cluster_dir(r.err), 5));
}

TEST_CASE("shadow replay cleans up after Ctrl-C", "[drift][pg][shadow]") {
  dgtest::Repo repo;
  repo.write("migrations/20240101000000_init/migration.sql", kInit);
  repo.write("migrations/20240201000000_slow/migration.sql", "SELECT pg_sleep(60);\n");
  // As a terminal's Ctrl-C does: SIGINT to the whole foreground process group (bash -m gives the job its own).
  repo.write("run.sh", "set -m\n'" + std::string(DRIFTGUARD_BINARY) +
                           "' drift --migrations migrations --sql migrations/20240101000000_init/migration.sql "
                           "--shadow --verbose 2> run.err &\n"
                           "pid=$!\n"
                           "for i in $(seq 1 300); do grep -q 'applying migrations/20240201000000_slow' run.err && "
                           "break; sleep 0.1; done\n"
                           "sleep 0.3\nkill -INT -- -$pid\nwait $pid\necho \"exit=$?\"\ncat run.err >&2\n");
  auto r = repo.run("bash run.sh");
  INFO(r.err);
  CHECK(r.out == "exit=130\n");
  CHECK(gone_within(cluster_dir(r.err), 10));
}

TEST_CASE("shadow replay runs each file as its tool does", "[drift][pg][shadow]") {
  // Prisma sends a migration as one request: PostgreSQL runs one of several statements as one transaction block,
  // where CONCURRENTLY fails (a file of one statement is not a block: that one would apply)
  dgtest::Repo repo;
  repo.write("prisma/migrations/20240101000000_init/migration.sql", kInit);
  repo.write("prisma/migrations/20240201000000_idx/migration.sql",
             "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"User_name_idx\" ON \"User\"(\"name\");\n"
             "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n");
  auto r = repo.driftguard("drift --migrations prisma/migrations --sql prisma/migrations/20240101000000_init/migration.sql "
                           "--shadow --format gcc");
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("prisma/migrations/20240201000000_idx/migration.sql:2:1: error: PostgreSQL 15.") != std::string::npos);
  CHECK(r.out.find("refused this statement: CREATE INDEX CONCURRENTLY cannot run inside a transaction block "
                   "[shadow-error]") != std::string::npos);

  // a plain SQL file runs like psql -f: statement by statement, so the same index is built
  repo.write("db/0001_init.sql", kInit);
  repo.write("db/0002_idx.sql", "CREATE INDEX CONCURRENTLY \"User_name_idx\" ON \"User\"(\"name\");\n");
  auto plain = repo.driftguard("drift --migrations db --sql prisma/migrations/20240101000000_init/migration.sql "
                               "--shadow --format json");
  INFO(plain.err);
  CHECK(plain.code == 1);
  json doc = json::parse(plain.out);
  CHECK(doc["replay_errors"] == json::array());
  REQUIRE(doc["items"].size() == 1);
  CHECK(doc["items"][0]["kind"] == "missing-index");
  CHECK(doc["items"][0]["path"] == "public.User.User_name_idx");
}
