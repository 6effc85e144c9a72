// `lint --changed-since` and `install-hook` on real git repositories created in a temporary folder: commits, a
// base branch that moves on, an edited old migration, a reordered one, duplicate versions, untracked files, and
// a pre-commit hook (install-hook's, and the pre-commit framework's) that blocks a commit.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/paths.hpp"
#include "first_line.hpp"
#include "git_repo.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;

using dgtest::Repo;
using dgtest::Run;
using dgtest::trim;

namespace {
const std::string kMig = "prisma/migrations/";
}  // namespace

TEST_CASE("changed-since: lints only what changed since the merge base and checks the history", "[git]") {
  Repo repo;
  // Only the history rules and the one rule whose finding needs a type from an unchanged migration, so that the
  // expected output does not change whenever a rule is added.
  repo.write("driftguard.toml",
             "[rules]\nselect = [\"edited-applied-migration\", \"migration-order\", \"duplicate-migration-version\", "
             "\"changing-column-type\"]\n");
  repo.write(kMig + "20240101000000_init/migration.sql",
             "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));\n");
  repo.write(kMig + "20240201000000_orders/migration.sql",
             "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY);\nCREATE INDEX IF NOT EXISTS orders_id ON orders (id);\n");
  repo.write(kMig + "20240301000000_items/migration.sql", "CREATE TABLE IF NOT EXISTS items (id int);\n");
  repo.write(kMig + "migration_lock.toml", "provider = \"postgresql\"\n");
  repo.commit("history");
  repo.sh("git checkout -q -b feature");

  // An edit of an applied migration (a new line 3), a reordered new migration, a duplicate version, and a new
  // migration whose finding needs a type declared by an unchanged one (users.name varchar(20)).
  repo.write(kMig + "20240201000000_orders/migration.sql",
             "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY);\nCREATE INDEX IF NOT EXISTS orders_id ON orders (id);\n"
             "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\n");
  repo.write(kMig + "20240215000000_late/migration.sql", "SELECT 1;\n");
  repo.write(kMig + "20240301000000_dup/migration.sql", "SELECT 2;\n");
  repo.commit("feature work");

  // main moves on after the branch point: its new migration is neither linted nor a reason for migration-order.
  repo.sh("git checkout -q main");
  repo.write(kMig + "20240501000000_main_only/migration.sql", "DROP TABLE items;\n");
  repo.commit("main moves on");
  repo.sh("git checkout -q feature");
  // untracked, not committed: still part of the change
  repo.write(kMig + "20240401000000_shorter/migration.sql", "ALTER TABLE users ALTER COLUMN name TYPE varchar(10);\n");
  std::string base = trim(repo.sh("git merge-base main feature")).substr(0, 12);

  auto r = repo.driftguard("lint prisma/migrations --changed-since main --format gcc");
  INFO(r.err);
  CHECK(r.err.empty());
  CHECK(r.code == 1);
  CHECK(r.out ==
        kMig + "20240201000000_orders/migration.sql:3:1: error: edits migration " + kMig +
            "20240201000000_orders/migration.sql, which already existed [edited-applied-migration]\n" +
            kMig + "20240215000000_late/migration.sql:1:1: error: new migration version 20240215000000 sorts before " +
            kMig + "20240301000000_items/migration.sql [migration-order]\n" +
            kMig + "20240301000000_dup/migration.sql:1:1: error: migration version 20240301000000 is also used by " +
            kMig + "20240301000000_items/migration.sql [duplicate-migration-version]\n" +
            kMig + "20240401000000_shorter/migration.sql:1:19: error: ALTER COLUMN name TYPE varchar(10) rewrites users "
            "under ACCESS EXCLUSIVE [changing-column-type]\n");
  // The notes name the merge base the history is compared with, and the type read from the unchanged migration.
  CHECK(dgtest::report_with_notes(repo.driftguard("lint prisma/migrations --changed-since main --format json").out) ==
        kMig + "20240201000000_orders/migration.sql:3:1: edits migration " + kMig +
            "20240201000000_orders/migration.sql, which already existed [edited-applied-migration]\n"
            "  note: it existed at " + base +
            " (merge base with main): databases that applied it will not run it again, so they drift from databases "
            "created from the edited history\n" +
            kMig + "20240215000000_late/migration.sql:1:1: new migration version 20240215000000 sorts before " + kMig +
            "20240301000000_items/migration.sql [migration-order]\n"
            "  note: " + kMig + "20240301000000_items/migration.sql already existed at " + base +
            ": databases that already applied the later migration run this one after it (or skip it), fresh "
            "databases run it before, so they can end up different\n" +
            kMig + "20240301000000_dup/migration.sql:1:1: migration version 20240301000000 is also used by " + kMig +
            "20240301000000_items/migration.sql [duplicate-migration-version]\n"
            "  note: tools that key applied migrations by version apply only one of them, or fail\n" +
            kMig + "20240401000000_shorter/migration.sql:1:19: ALTER COLUMN name TYPE varchar(10) rewrites users "
            "under ACCESS EXCLUSIVE [changing-column-type]\n"
            "  note: changes the type of column name of users from varchar(20) to varchar(10): PostgreSQL rewrites "
            "the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, and clients see the new type\n");

  SECTION("the text summary counts only the linted (changed) files") {
    auto t = repo.driftguard("lint prisma/migrations --changed-since main");
    CHECK(t.out.find("4 errors, 0 warnings in 4 files") != std::string::npos);
  }
  SECTION("the history rules are selected and configured like any rule") {
    auto t = repo.driftguard(
        "lint prisma/migrations --changed-since main --format gcc --severity migration-order=warning "
        "--exclude-rule edited-applied-migration --exclude-rule duplicate-migration-version "
        "--exclude-rule changing-column-type");
    CHECK(t.code == 0);
    CHECK(t.out.find("warning: new migration version 20240215000000 sorts before") != std::string::npos);
    CHECK(t.out.find("edited-applied-migration") == std::string::npos);
  }
  SECTION("a driftguard-ignore-file comment reaches the history rules; one that suppresses nothing is unused") {
    repo.write(kMig + "20240201000000_orders/migration.sql",
               "-- driftguard-ignore-file edited-applied-migration never deployed anywhere\n"
               "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY);\nCREATE INDEX IF NOT EXISTS orders_id ON orders (id);\n"
               "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\n");
    repo.write(kMig + "20240215000000_late/migration.sql",
               "-- driftguard-ignore-file migration-order applied by hand before 20240301000000\nSELECT 1;\n");
    repo.write(kMig + "20240301000000_dup/migration.sql", "-- driftguard-ignore-file migration-order\nSELECT 2;\n");
    auto t = repo.driftguard("lint prisma/migrations --changed-since main --format gcc --rule edited-applied-migration "
                             "--rule migration-order --rule duplicate-migration-version --rule unused-ignore");
    CHECK(t.code == 1);
    CHECK(t.out == kMig + "20240301000000_dup/migration.sql:1:1: error: migration version 20240301000000 is also used "
                   "by " + kMig + "20240301000000_items/migration.sql [duplicate-migration-version]\n" +
                   kMig + "20240301000000_dup/migration.sql:1:27: warning: driftguard-ignore-file for migration-order "
                   "suppresses nothing [unused-ignore]\n");
    CHECK(dgtest::report_with_notes(
              repo.driftguard("lint prisma/migrations --changed-since main --format json --rule edited-applied-migration "
                              "--rule migration-order --rule duplicate-migration-version --rule unused-ignore")
                  .out,
              "unused-ignore") ==
          kMig + "20240301000000_dup/migration.sql:1:27: driftguard-ignore-file for migration-order suppresses nothing "
                 "[unused-ignore]\n"
                 "  note: migration-order reports nothing in this file\n");
  }
  SECTION("without changes nothing is linted") {
    fs::remove_all(repo.dir() / kMig / "20240401000000_shorter");
    repo.sh("git checkout -q main");
    auto t = repo.driftguard("lint prisma/migrations --changed-since main");
    CHECK(t.code == 0);
    CHECK(t.out == "0 errors, 0 warnings in 0 files\n");
  }
  SECTION("a pure deletion in an applied migration is reported at the line after it") {
    repo.write(kMig + "20240101000000_init/migration.sql", "");
    auto t = repo.driftguard("lint prisma/migrations --changed-since main --format gcc --rule edited-applied-migration");
    CHECK(t.out.find(kMig + "20240101000000_init/migration.sql:1:1: error: edits migration") != std::string::npos);
  }
}

TEST_CASE("changed-since: a deleted or renamed applied migration is an error", "[git]") {
  Repo repo;
  repo.write(kMig + "20240101000000_init/migration.sql", "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);\n");
  repo.write(kMig + "20240201000000_seed/migration.sql",
             "INSERT INTO users (id) VALUES (1) ON CONFLICT DO NOTHING;\n-- the seed of the first release\n");
  repo.write(kMig + "20240301000000_gone/migration.sql", "CREATE TABLE IF NOT EXISTS gone (id bigint);\n");
  repo.write("other/migrations/0001_x.sql", "SELECT 1;\n");
  repo.commit("history");
  repo.sh("git checkout -q -b feature");
  repo.sh("git mv " + kMig + "20240201000000_seed " + kMig + "20240201000000_seed_users");
  repo.sh("git rm -q -r " + kMig + "20240301000000_gone other/migrations/0001_x.sql");
  repo.commit("squash the history");
  std::string base = trim(repo.sh("git merge-base main feature")).substr(0, 12);

  auto r = repo.driftguard("lint prisma/migrations --changed-since main --format gcc --rule deleted-applied-migration");
  INFO(r.err);
  CHECK(r.code == 1);
  // other/migrations is not linted: its deletion is not reported here.
  CHECK(r.out == kMig + "20240201000000_seed/migration.sql:1:1: error: renames migration " + kMig +
                     "20240201000000_seed/migration.sql to " + kMig + "20240201000000_seed_users/migration.sql, which "
                     "already existed [deleted-applied-migration]\n" +
                     kMig + "20240301000000_gone/migration.sql:1:1: error: deletes migration " + kMig +
                     "20240301000000_gone/migration.sql, which already existed [deleted-applied-migration]\n");
  // The notes: the merge base, and what a rename or a deletion does to old and new databases.
  CHECK(dgtest::report_with_notes(
            repo.driftguard("lint prisma/migrations --changed-since main --format json --rule deleted-applied-migration")
                .out) ==
        kMig + "20240201000000_seed/migration.sql:1:1: renames migration " + kMig + "20240201000000_seed/migration.sql to " +
            kMig + "20240201000000_seed_users/migration.sql, which already existed [deleted-applied-migration]\n"
            "  note: it existed at " + base + " (merge base with main): databases that applied it keep what it did, "
            "databases created from the new history run it again under the new name\n" +
            kMig + "20240301000000_gone/migration.sql:1:1: deletes migration " + kMig +
            "20240301000000_gone/migration.sql, which already existed [deleted-applied-migration]\n"
            "  note: it existed at " + base + " (merge base with main): databases that applied it keep what it did, "
            "databases created from the new history never run it\n");
  // From a sub-folder, paths stay relative to the working directory; the rule is configured like any rule.
  auto sub = repo.run("cd prisma && '" + std::string(DRIFTGUARD_BINARY) +
                      "' lint migrations --changed-since main --format gcc --severity deleted-applied-migration=warning");
  CHECK(sub.code == 0);
  CHECK(sub.out.find("migrations/20240301000000_gone/migration.sql:1:1: warning: deletes migration " + kMig +
                     "20240301000000_gone/migration.sql") != std::string::npos);
  auto text = repo.driftguard("lint prisma/migrations --changed-since main --rule deleted-applied-migration");
  CHECK(text.code == 1);
  CHECK(text.out.find("2 errors, 0 warnings in 1 file") != std::string::npos);
}

TEST_CASE("changed-since: two new migrations with the same version are both reported", "[git]") {
  Repo repo;
  // Only the history rules and the one rule whose finding needs a type from an unchanged migration, so that the
  // expected output does not change whenever a rule is added.
  repo.write("driftguard.toml",
             "[rules]\nselect = [\"edited-applied-migration\", \"migration-order\", \"duplicate-migration-version\", "
             "\"changing-column-type\"]\n");
  repo.write("supabase/migrations/20240101000000_init.sql", "SELECT 1;\n");
  repo.commit("init");
  repo.write("supabase/migrations/20240202000000_a.sql", "SELECT 2;\n");
  repo.write("supabase/migrations/20240202000000_b.sql", "SELECT 3;\n");
  // up and down files of one migration share their version by design
  repo.write("db/0001_x.up.sql", "SELECT 1;\n");
  repo.write("db/0001_x.down.sql", "SELECT 1;\n");
  auto r = repo.driftguard("lint supabase db --changed-since HEAD --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out ==
        "supabase/migrations/20240202000000_a.sql:1:1: error: migration version 20240202000000 is also used by "
        "supabase/migrations/20240202000000_b.sql [duplicate-migration-version]\n"
        "supabase/migrations/20240202000000_b.sql:1:1: error: migration version 20240202000000 is also used by "
        "supabase/migrations/20240202000000_a.sql [duplicate-migration-version]\n");
  // Each note says the other migration is new too.
  CHECK(dgtest::report_with_notes(repo.driftguard("lint supabase db --changed-since HEAD --format json").out) ==
        "supabase/migrations/20240202000000_a.sql:1:1: migration version 20240202000000 is also used by "
        "supabase/migrations/20240202000000_b.sql [duplicate-migration-version]\n"
        "  note: that migration is new too; tools that key applied migrations by version apply only one of them, or "
        "fail\n"
        "supabase/migrations/20240202000000_b.sql:1:1: migration version 20240202000000 is also used by "
        "supabase/migrations/20240202000000_a.sql [duplicate-migration-version]\n"
        "  note: that migration is new too; tools that key applied migrations by version apply only one of them, or "
        "fail\n");
}

// Unchanged migrations are replayed for context only: no rule runs on them. When they were linted (and their
// findings dropped), the first finding at a schema.prisma field, which a run reports once, was the unchanged
// migration's, and the changed migration's finding at that field was lost.
TEST_CASE("changed-since: a changed migration's finding at a schema.prisma field is reported though an unchanged one "
          "declared the field first",
          "[git][prisma]") {
  Repo repo;
  repo.write("prisma/schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n"
             "model User {\n  id        Int      @id @default(autoincrement())\n"
             "  createdAt DateTime @default(now())\n}\n");
  repo.write(kMig + "20240101000000_init/migration.sql",
             "CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT "
             "CURRENT_TIMESTAMP, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n");
  repo.commit("init");
  repo.write(kMig + "20240201000000_created_at/migration.sql",
             "ALTER TABLE \"User\" ALTER COLUMN \"createdAt\" SET DATA TYPE TIMESTAMP(3);\n");
  const std::string finding = "prisma/schema.prisma:8:3: warning: field createdAt of model User generates timestamp(3) "
                              "(without time zone) [prefer-timestamptz]\n";
  auto r = repo.driftguard("lint prisma/migrations --changed-since HEAD --format gcc --rule prefer-timestamptz");
  INFO(r.err);
  CHECK(r.out == finding);
  // Linted whole, the field is reported once too (both migrations declare its type).
  CHECK(repo.driftguard("lint prisma/migrations --format gcc --rule prefer-timestamptz").out == finding);
  // With nothing changed, nothing is reported: the unchanged migration's finding is not.
  repo.commit("created_at");
  CHECK(repo.driftguard("lint prisma/migrations --changed-since HEAD --rule prefer-timestamptz").out ==
        "0 errors, 0 warnings in 0 files\n");
}

TEST_CASE("changed-since: errors: unknown ref, not a repository, stdin", "[git]") {
  Repo repo;
  repo.write("m/0001_a.sql", "SELECT 1;\n");
  repo.commit("init");
  auto r = repo.driftguard("lint m --changed-since no-such-branch");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("driftguard: error: --changed-since no-such-branch: no merge base with HEAD (", 0) == 0);

  auto s = repo.driftguard("lint - --changed-since main");
  CHECK(s.code == 2);
  CHECK(s.err == "driftguard: error: --changed-since cannot be used with - (stdin)\n");

  fs::remove_all(repo.dir() / ".git");
  auto t = repo.driftguard("lint m --changed-since main");
  CHECK(t.code == 2);
  CHECK(t.err.rfind("driftguard: error: --changed-since main: fatal: not a git repository", 0) == 0);
}

namespace {
// The folder of the driftguard under test, to put on PATH: the hook finds driftguard there when it runs.
std::string path_with_driftguard() {
  return "PATH='" + fs::canonical(DRIFTGUARD_BINARY).parent_path().string() + "':\"$PATH\" ";
}
}  // namespace

TEST_CASE("install-hook writes a pre-commit hook that blocks a destructive migration", "[git]") {
  Repo repo;
  repo.write("README", "x\n");
  repo.commit("init");
  auto r = repo.driftguard("install-hook");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out == "driftguard: installed .git/hooks/pre-commit\n");
  struct stat st {};
  REQUIRE(::stat((repo.dir() / ".git/hooks/pre-commit").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  // driftguard is found on PATH when the hook runs, not pinned to the binary that wrote it.
  std::string hook = repo.read(".git/hooks/pre-commit");
  CHECK(hook.find("DRIFTGUARD=${DRIFTGUARD:-driftguard}\n") != std::string::npos);
  CHECK(hook.find(fs::canonical(DRIFTGUARD_BINARY).string()) == std::string::npos);

  // The hook selects migration files with the same pattern as the three hooks of .pre-commit-hooks.yaml.
  std::ifstream yaml(fs::path(dgtest::source_dir()) / ".pre-commit-hooks.yaml");
  std::string line;
  std::vector<std::string> files;
  while (std::getline(yaml, line)) {
    if (line.rfind("  files: ", 0) == 0) files.push_back(line.substr(9));
  }
  REQUIRE(files.size() == 3);
  CHECK(files[0] == files[1]);
  CHECK(files[0] == files[2]);
  CHECK(hook.find("grep -z -E " + files[0] + " |") != std::string::npos);

  const std::string commit = path_with_driftguard() + "git commit -q -m ";
  // A destructive migration is refused; a safe one, SQL that is not a migration, and a commit without SQL go
  // through.
  repo.write("migrations/0001_drop.sql", "DROP TABLE orders;\n");
  auto blocked = repo.run("git add -A && " + commit + "drop");
  CHECK(blocked.code != 0);
  // git sends a hook's standard output to standard error
  CHECK(blocked.err.find("migrations/0001_drop.sql:1:1: error[ban-drop-table]") != std::string::npos);
  CHECK(blocked.err.find("driftguard: commit blocked") != std::string::npos);
  repo.write("migrations/0001_drop.sql", "CREATE TABLE IF NOT EXISTS orders (id int);\n");
  repo.sh("git add -A && " + commit + "safe");
  repo.write("queries/cleanup.sql", "DROP TABLE scratch;\n");
  repo.sh("git add -A && " + commit + "'not a migration'");
  repo.write("README", "y\n");
  repo.sh("git add -A && " + commit + "'no sql'");

  SECTION("every supported layout is selected: Flyway, Supabase, Prisma, up/down files and folders") {
    for (const std::string path : {"src/main/resources/db/migration/V2__drop.sql", "supabase/migrations/20240101000000_drop.sql",
                                   "prisma/migrations/20240101000000_drop/migration.sql", "db/0002_drop.up.sql",
                                   "db/0002_drop/up.sql", "db/up/0002_drop.sql"}) {
      INFO(path);
      repo.write(path, "DROP TABLE orders;\n");
      auto b = repo.run("git add -A && " + commit + "drop");
      CHECK(b.code != 0);
      CHECK(b.err.find(path + ":1:1: error[ban-drop-table]") != std::string::npos);
      repo.sh("git rm -q --cached '" + path + "' && rm '" + path + "'");
    }
  }

  SECTION("the staged content is linted, not the working copy") {
    // staged DROP TABLE, safe working copy: blocked
    repo.write("migrations/0002_next.sql", "DROP TABLE orders;\n");
    repo.sh("git add migrations/0002_next.sql");
    repo.write("migrations/0002_next.sql", "SELECT 1;\n");
    auto b = repo.run(commit + "staged-drop");
    CHECK(b.code != 0);
    CHECK(b.err.find("migrations/0002_next.sql:1:1: error[ban-drop-table]: drops table orders") != std::string::npos);
    // the reverse: safe staged content, DROP TABLE only in the working copy: the commit goes through
    repo.write("migrations/0002_next.sql", "SELECT 1;\n");
    repo.sh("git add migrations/0002_next.sql");
    repo.write("migrations/0002_next.sql", "DROP TABLE orders;\n");
    auto ok = repo.run(commit + "staged-safe");
    INFO(ok.err);
    CHECK(ok.code == 0);
    CHECK(repo.sh("git show HEAD:migrations/0002_next.sql") == "SELECT 1;\n");
  }

  SECTION("without driftguard on PATH the commit is blocked with a clear message") {
    repo.write("migrations/0002_next.sql", "SELECT 1;\n");
    auto b = repo.run("git add -A && PATH=/usr/bin:/bin git commit -q -m next");
    CHECK(b.code == 1);
    CHECK(b.err ==
          "driftguard: the pre-commit hook cannot find 'driftguard' on PATH; install it "
          "(https://github.com/driftguard/driftguard/blob/main/docs/install.md) or set DRIFTGUARD=/path/to/driftguard\n");
  }

  SECTION("an existing hook is not replaced without --force") {
    repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
    auto again = repo.driftguard("install-hook");
    CHECK(again.code == 2);
    CHECK(again.err ==
          "driftguard: error: install-hook: .git/hooks/pre-commit already exists; use --force to replace it (or call "
          "driftguard from it)\n");
    CHECK(repo.read(".git/hooks/pre-commit") == "#!/bin/sh\necho mine\n");

    auto forced = repo.driftguard("install-hook --force");
    CHECK(forced.code == 0);
    CHECK(repo.read(".git/hooks/pre-commit").find("driftguard pre-commit hook") != std::string::npos);
    // no temporary file is left behind
    int leftovers = 0;
    for (const auto& e : fs::directory_iterator(repo.dir() / ".git/hooks")) leftovers += e.path().filename().string().find("driftguard") != std::string::npos;
    CHECK(leftovers == 0);
  }
}

TEST_CASE("lint --staged: the index, with the folder's earlier staged migrations as context", "[git]") {
  Repo repo;
  repo.write("migrations/0001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(20));\n");
  repo.commit("users");
  // The type the finding needs comes from the earlier migration as staged, not as edited in the working tree.
  repo.write("migrations/0001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(5));\n");
  repo.write("migrations/0002_shorter.sql", "ALTER TABLE users ALTER COLUMN name TYPE varchar(10);\n");
  repo.sh("git add migrations/0002_shorter.sql");
  const std::string expected =
      "migrations/0002_shorter.sql:1:19: error: ALTER COLUMN name TYPE varchar(10) rewrites users under ACCESS "
      "EXCLUSIVE [changing-column-type]\n";
  auto r = repo.driftguard("lint --staged migrations/0002_shorter.sql --format gcc --rule changing-column-type");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out == expected);
  // The note names the staged type (varchar(20)), not the working tree's (varchar(5)).
  CHECK(dgtest::report_with_notes(
            repo.driftguard("lint --staged migrations/0002_shorter.sql --format json --rule changing-column-type").out) ==
        "migrations/0002_shorter.sql:1:19: ALTER COLUMN name TYPE varchar(10) rewrites users under ACCESS EXCLUSIVE "
        "[changing-column-type]\n"
        "  note: changes the type of column name of users from varchar(20) to varchar(10): PostgreSQL rewrites the "
        "table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, and clients see the new type\n");
  // CI's verdict on the committed folder is the same.
  repo.sh("git checkout -- migrations/0001_users.sql && git commit -q -m shorter");
  auto ci = repo.driftguard("lint migrations --format gcc --rule changing-column-type");
  CHECK(ci.out == expected);
  // From a sub-folder, paths are relative to it; a folder names its staged files.
  auto sub = repo.run("cd migrations && '" + std::string(DRIFTGUARD_BINARY) +
                      "' lint --staged . --format gcc --rule changing-column-type");
  CHECK(sub.out == expected.substr(std::string("migrations/").size()));

  SECTION("errors: a file that is not in the index, and options that read elsewhere") {
    repo.write("migrations/0003_new.sql", "SELECT 1;\n");
    auto e = repo.driftguard("lint --staged migrations/0003_new.sql");
    CHECK(e.code == 2);
    CHECK(e.err == "driftguard: error: --staged: error: pathspec 'migrations/0003_new.sql' did not match any file(s) "
                   "known to git (not in the git index: git add it first)\n");
    auto fix = repo.driftguard("lint --staged --fix migrations");
    CHECK(fix.code == 2);
    CHECK(fix.err == "driftguard: error: --staged lints the git index: it cannot be used with - (stdin), --fix or "
                     "--changed-since\n");
  }
}

TEST_CASE("lint --staged: runner markers come from the index, as the commit holds them", "[git]") {
  Repo repo;
  const std::string journal =
      R"({"version":"7","dialect":"postgresql","entries":[)"
      R"({"idx":0,"version":"7","when":1700000000000,"tag":"0000_init","breakpoints":true}]})";
  repo.write("db/0000_init.sql", "CREATE TABLE t (id bigint);\n");
  repo.write("db/meta/_journal.json", journal);
  repo.sh("git add db");
  // The default selection (naming a rule would turn it on whatever the runner) and its idempotency finding.
  const std::string lint = "--format gcc | grep -F '[require-if-not-exists]'";
  const std::string plain =
      "db/0000_init.sql:1:1: warning: re-run fails: table t already exists [require-if-not-exists]\n";
  // Staged with its journal: drizzle's migrator runs it in its transaction, as `lint DIR` (CI) says.
  auto dir = repo.driftguard("lint db " + lint);
  CHECK(dir.out.empty());
  auto staged = repo.driftguard("lint --staged db/0000_init.sql " + lint);
  INFO(staged.err);
  CHECK(staged.err.empty());
  CHECK(staged.out == dir.out);

  SECTION("a journal staged but gone from the working tree: the commit holds it") {
    repo.sh("rm db/meta/_journal.json");
    CHECK(repo.driftguard("lint db " + lint).out == plain);  // the working tree has no journal
    CHECK(repo.driftguard("lint --staged db/0000_init.sql " + lint).out.empty());
  }
  SECTION("a journal only in the working tree: the commit does not hold it, so CI sees a plain file") {
    repo.sh("git rm -q --cached db/meta/_journal.json");
    CHECK(repo.driftguard("lint db " + lint).out.empty());
    CHECK(repo.driftguard("lint --staged db/0000_init.sql " + lint).out == plain);
    repo.sh("git commit -q -m 'without the journal' && git clone -q . ci");
    CHECK(repo.driftguard("lint ci/db " + lint).out == "ci/" + plain);
  }
  SECTION("sqlx: the Cargo.toml above the migrations folder, from the index") {
    repo.write("crate/migrations/20240101000000_init.sql", "CREATE TABLE u (id bigint);\n");
    repo.write("crate/Cargo.toml", "[package]\nname = \"x\"\n");
    repo.sh("git add crate/migrations");
    const std::string u_plain =
        "crate/migrations/20240101000000_init.sql:1:1: warning: re-run fails: table u already exists "
        "[require-if-not-exists]\n";
    CHECK(repo.driftguard("lint crate/migrations " + lint).out.empty());  // sqlx: in its transaction
    CHECK(repo.driftguard("lint --staged crate/migrations " + lint).out == u_plain);
    repo.sh("git add crate/Cargo.toml");
    CHECK(repo.driftguard("lint --staged crate/migrations " + lint).out.empty());
  }
}

TEST_CASE("the pre-commit framework's driftguard hook lints the staged content, with the folder as context",
          "[git]") {
  if (std::system("command -v pre-commit > /dev/null 2>&1") != 0) {
    WARN("pre-commit is not installed (scripts/install-deps.sh installs it): skipped");
    return;
  }
  // A hook repository holding this checkout's .pre-commit-hooks.yaml, and a project that pins it by full SHA.
  Repo hooks;
  hooks.write(".pre-commit-hooks.yaml", dgtest::read_file(fs::path(dgtest::source_dir()) / ".pre-commit-hooks.yaml"));
  hooks.commit("hooks");
  Repo repo;
  repo.write(".pre-commit-config.yaml", "repos:\n  - repo: " + hooks.dir().string() + "\n    rev: " +
                                            trim(hooks.sh("git rev-parse HEAD")) +
                                            "\n    hooks:\n      - id: driftguard\n");
  repo.write(kMig + "0001_init/migration.sql", "CREATE TABLE orders (id int);\n");
  repo.commit("init");
  const std::string env = "PRE_COMMIT_HOME='" + (repo.dir() / ".pre-commit-cache").string() + "' " + path_with_driftguard();
  repo.write(".git/info/exclude", ".pre-commit-cache/\n");
  Run installed = repo.run(env + "pre-commit install");
  INFO(installed.out << installed.err);
  REQUIRE(installed.code == 0);
  const std::string commit = env + "git commit -q -m ";

  // staged DROP TABLE of the table an earlier migration created, safe working copy: blocked
  repo.write(kMig + "0002_drop/migration.sql", "DROP TABLE orders;\n");
  repo.sh("git add -A");
  repo.write(kMig + "0002_drop/migration.sql", "SELECT 1;\n");
  Run blocked = repo.run(commit + "drop");
  INFO(blocked.out << blocked.err);
  CHECK(blocked.code != 0);
  // git sends a hook's output to standard error
  CHECK(blocked.err.find(kMig + "0002_drop/migration.sql:1:1: error[ban-drop-table]: drops table orders") !=
        std::string::npos);
  CHECK(trim(repo.sh("git rev-list --count HEAD")) == "1");
  CHECK(repo.read(kMig + "0002_drop/migration.sql") == "SELECT 1;\n");  // pre-commit restored the working copy

  // the earlier migration is context: a column type change of its table is reported with the type it had
  repo.write(kMig + "0002_drop/migration.sql", "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n");
  repo.sh("git add -A");
  Run typed = repo.run(commit + "retype");
  CHECK(typed.code != 0);
  CHECK(typed.err.find(kMig + "0002_drop/migration.sql:1:20: error[changing-column-type]: ALTER COLUMN id TYPE bigint "
                       "rewrites orders under ACCESS EXCLUSIVE\n") != std::string::npos);
  CHECK(typed.err.find("  = note: changes the type of column id of orders from integer to bigint: ") != std::string::npos);

  // safe staged content, DROP TABLE only in the working copy: the commit goes through
  repo.write(kMig + "0002_drop/migration.sql", "CREATE TABLE IF NOT EXISTS audit (id bigint PRIMARY KEY);\n");
  repo.sh("git add -A");
  repo.write(kMig + "0002_drop/migration.sql", "DROP TABLE orders;\n");
  Run ok = repo.run(commit + "safe");
  INFO(ok.out << ok.err);
  CHECK(ok.code == 0);
  CHECK(trim(repo.sh("git rev-list --count HEAD")) == "2");
}

TEST_CASE("install-hook outside a repository is an error", "[git]") {
  Repo repo;
  fs::remove_all(repo.dir() / ".git");
  auto r = repo.driftguard("install-hook");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: install-hook: not in a git repository\n");
}
