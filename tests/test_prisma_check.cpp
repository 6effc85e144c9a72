// `driftguard prisma-check --base REF` on real git repositories created in a temporary folder: every breaking
// change kind with its exact finding, non-breaking changes, schema changes with and without a new migration, a
// multi-file schema folder, a bad ref, a repository-less folder and a schema that does not parse.
#include <catch2/catch.hpp>

#include "first_line.hpp"
#include "git_repo.hpp"

namespace fs = std::filesystem;
using dgtest::Repo;
using dgtest::trim;

namespace {

const std::string kHead =
    "datasource db {\n"
    "  provider = \"postgresql\"\n"
    "  url      = env(\"DATABASE_URL\")\n"
    "}\n"
    "\n";

const std::string kBase = kHead +
                          "model User {\n"                       // 6
                          "  id    Int     @id\n"                // 7
                          "  email String?\n"                    // 8
                          "  name  String  @db.VarChar(200)\n"   // 9
                          "  phone String?\n"                    // 10
                          "  tags  String\n"                     // 11
                          "  role  Role\n"                       // 12
                          "  slug  String  @map(\"slug\")\n"     // 13
                          "}\n"
                          "\n"
                          "model Post {\n"
                          "  id    Int    @id\n"
                          "  title String\n"
                          "\n"
                          "  @@map(\"posts\")\n"
                          "}\n"
                          "\n"
                          "model AuditLog {\n"
                          "  id Int @id\n"
                          "}\n"
                          "\n"
                          "enum Role {\n"
                          "  USER\n"
                          "  ADMIN\n"
                          "  GUEST\n"
                          "}\n";

// Every breaking change at once, plus changes that break nothing (a new optional field, a new model).
const std::string kBreaking = kHead +
                              "model User {\n"                                                        // 6
                              "  id    Int     @id\n"                                                 // 7
                              "  email String\n"                                                      // 8
                              "  name  String  @db.VarChar(50)\n"                                     // 9
                              "  tags  String[]\n"                                                    // 10
                              "  role  Role\n"                                                        // 11
                              "  slug  String  @map(\"handle\")\n"                                    // 12
                              "  nick  String?\n"                                                     // 13
                              "  posts Post[]\n"                                                      // 14
                              "}\n"                                                                   // 15
                              "\n"                                                                    // 16
                              "model Post {\n"                                                        // 17
                              "  id       Int    @id\n"                                               // 18
                              "  title    String\n"                                                   // 19
                              "  authorId Int\n"                                                      // 20
                              "  author   User   @relation(fields: [authorId], references: [id])\n"  // 21
                              "\n"                                                                    // 22
                              "  @@map(\"post\")\n"                                                   // 23
                              "}\n"                                                                   // 24
                              "\n"                                                                    // 25
                              "model Tag {\n"                                                         // 26
                              "  id Int @id\n"                                                        // 27
                              "}\n"                                                                   // 28
                              "\n"                                                                    // 29
                              "enum Role {\n"                                                         // 30
                              "  USER\n"                                                              // 31
                              "  ADMIN\n"                                                             // 32
                              "}\n";

const std::string kSchema = "prisma/schema.prisma";
const std::string kMig = "prisma/migrations/";

// A repository whose main branch has the base schema and an initial migration, checked out on branch feature.
void init(Repo& repo, const std::string& schema_path = kSchema, const std::string& schema = kBase) {
  repo.write(schema_path, schema);
  repo.write(kMig + "20240101000000_init/migration.sql", "CREATE TABLE \"User\" (id int PRIMARY KEY);\n");
  repo.commit("init");
  repo.sh("git checkout -q -b feature");
}

}  // namespace

TEST_CASE("prisma-check: every breaking change kind at its schema.prisma line", "[git][prisma-check]") {
  Repo repo;
  init(repo);
  repo.write(kSchema, kBreaking);
  repo.commit("breaking");
  std::string base = trim(repo.sh("git merge-base main HEAD")).substr(0, 12);

  auto r = repo.driftguard("prisma-check --base main prisma/schema.prisma --format gcc");
  INFO(r.err);
  CHECK(r.err.empty());
  CHECK(r.code == 1);
  CHECK(r.out ==
        kSchema + ":1:1: error: removes model AuditLog [prisma-removed-model]\n" +
        kSchema + ":6:1: error: removes field phone from model User [prisma-removed-field]\n" +
        kSchema + ":8:1: error: the Prisma schema changed but no migration was added to prisma/migrations/ "
                  "[schema-without-migration]\n" +
        kSchema + ":8:3: error: makes field email of model User required without a @default "
                  "[prisma-required-without-default]\n" +
        kSchema + ":9:3: error: changes the type of field name of model User from String @db.VarChar(200) to String "
                  "@db.VarChar(50) [prisma-changed-type]\n" +
        kSchema + ":10:3: error: changes the type of field tags of model User from String to String[] "
                  "[prisma-changed-type]\n" +
        kSchema + ":12:3: error: changes the column of field slug of model User from slug to handle "
                  "[prisma-changed-map]\n" +
        kSchema + ":17:1: error: changes the table of model Post from posts to post [prisma-changed-map]\n" +
        kSchema + ":21:3: warning: adds the required relation author to existing model Post "
                  "[prisma-new-required-relation]\n" +
        kSchema + ":30:1: error: removes value GUEST from enum Role [prisma-removed-enum-value]\n");
  // What each change breaks, the merge base and the relation's target are notes.
  const std::string breaks_clients = "  note: the column is converted (or dropped and re-created, losing its data) and "
                                     "deployed clients read and write the old type\n";
  CHECK(dgtest::report_with_notes(repo.driftguard("prisma-check --base main prisma/schema.prisma --format json").out) ==
        kSchema + ":1:1: removes model AuditLog [prisma-removed-model]\n"
                  "  note: its table AuditLog is dropped with its data, and clients that still use it fail\n" +
        kSchema + ":6:1: removes field phone from model User [prisma-removed-field]\n"
                  "  note: its column phone is dropped with its data, and deployed clients that still use it fail\n" +
        kSchema + ":8:1: the Prisma schema changed but no migration was added to prisma/migrations/ "
                  "[schema-without-migration]\n"
                  "  note: changed since " + base +
            " (merge base with main): databases deployed with `prisma migrate deploy` do not get the change\n" +
        kSchema + ":8:3: makes field email of model User required without a @default "
                  "[prisma-required-without-default]\n"
                  "  note: the migration fails on rows where it is NULL, and deployed clients that do not set it fail "
                  "to insert\n" +
        kSchema + ":9:3: changes the type of field name of model User from String @db.VarChar(200) to String "
                  "@db.VarChar(50) [prisma-changed-type]\n" +
        breaks_clients +
        kSchema + ":10:3: changes the type of field tags of model User from String to String[] [prisma-changed-type]\n" +
        breaks_clients +
        kSchema + ":12:3: changes the column of field slug of model User from slug to handle [prisma-changed-map]\n"
                  "  note: the migration renames (or drops and re-creates) the column, and deployed clients still use "
                  "the old name\n" +
        kSchema + ":17:1: changes the table of model Post from posts to post [prisma-changed-map]\n"
                  "  note: the migration renames (or drops and re-creates) the table, and deployed clients still use "
                  "the old name\n" +
        kSchema + ":21:3: adds the required relation author to existing model Post [prisma-new-required-relation]\n"
                  "  note: the relation to User (fields [authorId]): existing rows have no value for it, so the "
                  "migration fails on a table with rows unless it fills them in\n" +
        kSchema + ":30:1: removes value GUEST from enum Role [prisma-removed-enum-value]\n"
                  "  note: the migration fails while rows still hold it, and deployed clients that read or write it "
                  "fail\n");

  SECTION("a new migration (committed or untracked) satisfies schema-without-migration") {
    repo.write(kMig + "20240201000000_breaking/migration.sql", "SELECT 1;\n");
    auto t = repo.driftguard("prisma-check --base main --format gcc");  // the schema is found from the root
    CHECK(t.code == 1);
    CHECK(t.out.find("schema-without-migration") == std::string::npos);
    CHECK(t.out.find("prisma-removed-model") != std::string::npos);
  }
  SECTION("the default schema is the nearest prisma/schema.prisma under the current directory") {
    auto t = repo.driftguard("prisma-check --base main --format gcc");
    CHECK(t.out == r.out);
  }
  SECTION("rules are configured in driftguard.toml and --fail-on sets the exit code") {
    repo.write("driftguard.toml",
               "[rules.severity]\nprisma-removed-model = \"off\"\nprisma-removed-field = \"warning\"\n"
               "schema-without-migration = \"off\"\nprisma-required-without-default = \"off\"\n"
               "prisma-changed-type = \"off\"\nprisma-changed-map = \"off\"\nprisma-removed-enum-value = \"off\"\n");
    auto t = repo.driftguard("prisma-check --base main --format gcc");
    CHECK(t.code == 0);
    CHECK(t.out == kSchema + ":6:1: warning: removes field phone from model User [prisma-removed-field]\n" +
                       kSchema + ":21:3: warning: adds the required relation author to existing model Post "
                                 "[prisma-new-required-relation]\n");
    CHECK(repo.driftguard("prisma-check --base main --fail-on warning").code == 1);
  }
  SECTION("json output names the rule, category and position") {
    auto t = repo.driftguard("prisma-check --base main --format json");
    CHECK(t.out.find("\"rule\": \"prisma-removed-enum-value\"") != std::string::npos);
    CHECK(t.out.find("\"category\": \"breaking\"") != std::string::npos);
    CHECK(t.out.find("\"category\": \"convention\"") != std::string::npos);
  }
}

TEST_CASE("prisma-check: non-breaking changes, with and without a migration", "[git][prisma-check]") {
  Repo repo;
  init(repo);
  std::string base = trim(repo.sh("git merge-base main HEAD")).substr(0, 12);
  // A new optional field (line 14) and a new model.
  std::string grown = kBase;
  grown.replace(grown.find("  slug"), 0, "  bio   String?\n");
  repo.write(kSchema, grown + "\nmodel Tag {\n  id Int @id\n}\n");

  auto r = repo.driftguard("prisma-check --base main prisma/schema.prisma --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out == kSchema + ":13:1: error: the Prisma schema changed but no migration was added to prisma/migrations/ "
                           "[schema-without-migration]\n");
  CHECK(dgtest::report_with_notes(repo.driftguard("prisma-check --base main prisma/schema.prisma --format json").out) ==
        kSchema + ":13:1: the Prisma schema changed but no migration was added to prisma/migrations/ "
                  "[schema-without-migration]\n"
                  "  note: changed since " + base +
            " (merge base with main): databases deployed with `prisma migrate deploy` do not get the change\n");

  repo.write(kMig + "20240201000000_bio/migration.sql", "ALTER TABLE \"User\" ADD COLUMN bio text;\n");
  repo.commit("bio");
  auto ok = repo.driftguard("prisma-check --base main prisma/schema.prisma");
  CHECK(ok.code == 0);
  CHECK(ok.out == "0 errors, 0 warnings in 1 file\n");

  SECTION("an unchanged schema needs no migration") {
    auto t = repo.driftguard("prisma-check --base HEAD --format gcc");
    CHECK(t.code == 0);
    CHECK(t.out.empty());
  }
}

TEST_CASE("prisma-check: a multi-file schema folder", "[git][prisma-check]") {
  Repo repo;
  repo.write("prisma/schema/main.prisma", kHead);
  repo.write("prisma/schema/user.prisma", "model User {\n  id    Int @id\n  email String\n}\n");
  repo.write("prisma/schema/audit.prisma", "model AuditLog {\n  id Int @id\n}\n");
  repo.commit("init");
  repo.sh("git checkout -q -b feature");
  std::string base = trim(repo.sh("git merge-base main HEAD")).substr(0, 12);
  fs::remove(repo.dir() / "prisma/schema/audit.prisma");
  repo.write("prisma/schema/user.prisma", "model User {\n  id Int @id\n}\n");

  auto r = repo.driftguard("prisma-check --base main --format gcc");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out ==
        "prisma/schema/main.prisma:1:1: error: removes model AuditLog [prisma-removed-model]\n"
        "prisma/schema/user.prisma:1:1: error: removes field email from model User [prisma-removed-field]\n"
        "prisma/schema/user.prisma:2:1: error: the Prisma schema changed but no migration was added to "
        "prisma/migrations/ [schema-without-migration]\n");
  // The merge base of the folder's schema is in the note.
  CHECK(dgtest::report_with_notes(repo.driftguard("prisma-check --base main --format json").out,
                                  "schema-without-migration") ==
        "prisma/schema/user.prisma:2:1: the Prisma schema changed but no migration was added to prisma/migrations/ "
        "[schema-without-migration]\n"
        "  note: changed since " + base +
            " (merge base with main): databases deployed with `prisma migrate deploy` do not get the change\n");

  repo.write("prisma/migrations/20240201000000_drop/migration.sql", "DROP TABLE \"AuditLog\";\n");
  auto t = repo.driftguard("prisma-check --base main prisma/schema --format gcc");
  CHECK(t.out.find("schema-without-migration") == std::string::npos);
  CHECK(t.out.find("prisma/schema/user.prisma:1:1: error: removes field email") != std::string::npos);
}

TEST_CASE("prisma-check: errors exit 2 with a clear message", "[git][prisma-check]") {
  Repo repo;
  init(repo);
  SECTION("a ref that does not exist") {
    auto r = repo.driftguard("prisma-check --base nope");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("driftguard: error: --base nope: no merge base with HEAD", 0) == 0);
  }
  SECTION("a schema that does not parse is reported at its file:line:col") {
    repo.write(kSchema, kHead + "model User {\n  id Int @id\n  email\n}\n");
    auto r = repo.driftguard("prisma-check --base main");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "driftguard: prisma/schema.prisma:8:8: field 'email' has no type\n");
  }
  SECTION("a base schema that does not parse names the ref") {
    repo.write(kSchema, kHead + "model User {\n  id Int @id\n  email\n}\n");
    repo.commit("broken");
    repo.write(kSchema, kBase);
    auto r = repo.driftguard("prisma-check --base HEAD");
    CHECK(r.code == 2);
    CHECK(r.err == "driftguard: HEAD:prisma/schema.prisma:8:8: field 'email' has no type\n");
  }
  SECTION("not a repository") {
    fs::remove_all(repo.dir() / ".git");
    auto r = repo.driftguard("prisma-check --base main");
    CHECK(r.code == 2);
    CHECK(r.err.rfind("driftguard: error: --base main: fatal: not a git repository", 0) == 0);
  }
  SECTION("no schema under the current directory") {
    fs::remove_all(repo.dir() / "prisma");
    auto r = repo.driftguard("prisma-check --base main");
    CHECK(r.code == 2);
    CHECK(r.err == "driftguard: error: no prisma/schema.prisma or prisma/schema/ under the current directory; give "
                   "the schema path\n");
  }
}
