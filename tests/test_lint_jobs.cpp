// lint --jobs: migration sets are linted on several threads at once, and the files of a lone set are parsed ahead
// (cli/parse_ahead.hpp) while one thread lints them in migration order; the report must be the same bytes for any
// number of jobs.
#include <catch2/catch.hpp>


#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.hpp"
#include "helpers.hpp"
#include "lint_tree.hpp"
#include "shell.hpp"

TEST_CASE("lint --jobs N writes the same report for every N", "[lint][jobs]") {
  // fixtures/: 332 SQL files in many folders and layouts, with syntax errors, suppressions and Prisma schemas.
  auto lint = [](const std::string& jobs, const std::string& format) {
    auto r = dgtest::run_shell("cd " + dgtest::shell_quote(dgtest::source_dir()) + " && " +
                               dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint fixtures --format " + format +
                               " --jobs " + jobs + " < /dev/null");
    CHECK(r.code == 1);
    return r.out;
  };
  const std::string one = lint("1", "json");
  CHECK(one.find("\"findings\": 0") == std::string::npos);
  CHECK(one.size() > 100000);
  for (const std::string jobs : {"2", "3", "8", "0"}) {
    INFO("--jobs " << jobs);
    CHECK(lint(jobs, "json") == one);
  }
  CHECK(lint("3", "text") == lint("1", "text"));
}

namespace fs = std::filesystem;
using dgtest::write_tree_file;

TEST_CASE("lint --jobs lints migration sets in parallel and writes every format as one thread does",
          "[lint][jobs]") {
  // Set a/ sorts first and is long; the small sets after it are linted on the other threads and finish first:
  // their findings wait for a/'s. The Prisma folder reports at its schema.prisma (which sorts between sets), the
  // Supabase project starts on the platform baseline, b/ holds an unused driftguard-ignore, and e/'s down check
  // runs on its set's thread.
  fs::path tmp = dgtest::lint_temp_dir("jobs");
  for (int i = 1; i <= 120; ++i) {
    write_tree_file(tmp / ("a/" + std::to_string(i) + "_step.sql"),
                    "CREATE TABLE t" + std::to_string(i) + " (id int PRIMARY KEY, at timestamp);\n" +
                        (i > 1 ? "DROP TABLE t" + std::to_string(i - 1) + ";\n" : std::string()) +
                        "ALTER TABLE t" + std::to_string(i) + " ADD COLUMN n int NOT NULL;\n");
  }
  write_tree_file(tmp / "b/1_x.sql", "-- driftguard-ignore ban-drop-column\nDROP TABLE x;\n");
  write_tree_file(tmp / "b/2_y.sql", "CREATE INDEX i ON y (c);\n");
  write_tree_file(tmp / "c/1_ok.sql", "SELECT 1;\n");
  write_tree_file(tmp / "d/1_z.sql", "ALTER TABLE z ALTER COLUMN c TYPE bigint;\n");
  // A down migration that undoes nothing: its folder's history is replayed by the down check on the set's thread.
  write_tree_file(tmp / "e/1_t.up.sql", "CREATE TABLE e1 (id bigint PRIMARY KEY);\n");
  write_tree_file(tmp / "e/1_t.down.sql", "SELECT 1;\n");
  dgtest::write_prisma_user_project(tmp / "p/prisma");
  write_tree_file(tmp / "s/supabase/config.toml", "project_id = \"s\"\n");
  write_tree_file(tmp / "s/supabase/migrations/20240101000000_profiles.sql",
                  "CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users (id), name varchar(20));\n");
  write_tree_file(tmp / "z/1_last.sql", "DROP TABLE last;\n");
  auto lint = [&](const std::string& jobs, const std::string& format) {
    auto r = dgtest::run_shell("cd " + dgtest::shell_quote(tmp.string()) + " && " +
                               dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint a b c d e p s z --format " + format +
                               " --jobs " + jobs + " < /dev/null");
    CHECK(r.code == 1);
    CHECK(r.err == "");
    return r.out;
  };
  for (const std::string format : {"text", "json", "gcc", "sarif", "github", "junit", "gitlab", "markdown"}) {
    INFO(format);
    const std::string one = lint("1", format);
    for (const std::string jobs : {"2", "3", "8"}) {
      INFO("--jobs " << jobs);
      CHECK(lint(jobs, format) == one);
    }
    if (format == "gcc") {
      // Every set is there, in path order.
      std::vector<std::string> firsts;
      std::istringstream lines(one);
      for (std::string line; std::getline(lines, line);) {
        std::string top = line.substr(0, line.find('/'));
        if (firsts.empty() || firsts.back() != top) firsts.push_back(top);
      }
      CHECK(firsts == std::vector<std::string>{"a", "b", "d", "e", "p", "s", "z"});
      CHECK(one.find("e/1_t.down.sql:1:1: warning: the down migration leaves 1 difference from the schema before "
                     "1_t.up.sql [incomplete-down-migration]\n") != std::string::npos);
      CHECK(one.find("b/1_x.sql:1:22: warning: driftguard-ignore for ban-drop-column suppresses nothing [unused-ignore]\n") !=
            std::string::npos);
      CHECK(one.find("p/prisma/schema.prisma:8:3: warning: field createdAt of model User generates timestamp(3) "
                     "(without time zone) [prefer-timestamptz]\n") != std::string::npos);
    }
  }
  fs::remove_all(tmp);
}
