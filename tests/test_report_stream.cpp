// Streaming reports (cli/report_stream.hpp): lint writes text, gcc, github, json, gitlab, sarif and junit a few files at a time;
// the bytes must be those of the report built from every finding at the end, in the same order (by path), whatever
// order the files are linted in.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/paths.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"
#include "helpers.hpp"
#include "lint_tree.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

fs::path stream_temp_dir() { return dgtest::lint_temp_dir("stream"); }

void write(const fs::path& p, const std::string& text) { dgtest::write_tree_file(p, text); }

// One file's findings as lint reports them.
RunResult one_file(const std::string& path, const std::string& sql) {
  RunResult r;
  r.findings = dgtest::lint_text(sql, {}, {}, path);
  REQUIRE(!r.findings.empty());
  r.texts[path] = sql;
  return r;
}

// `lint --format gcc` of `paths` in `dir` with the two rules these tests need.
dgtest::Run lint_gcc(const fs::path& dir, const std::string& paths) {
  return dgtest::run_shell("cd " + dgtest::shell_quote(dir.string()) + " && " + dgtest::shell_quote(DRIFTGUARD_BINARY) +
                           " lint --format gcc --rule=ban-drop-table --rule=prefer-timestamptz -- " + paths +
                           " < /dev/null");
}

}  // namespace

TEST_CASE("a report written file by file has the bytes of the report of the whole run", "[report][stream]") {
  RunResult a = one_file("m/a.sql", "DROP TABLE a;\nALTER TABLE b ADD COLUMN c int NOT NULL;\n");
  RunResult b = one_file("m/b.sql", "CREATE INDEX i ON t (c);\nDROP TABLE a;\n");
  RunResult c = one_file("m/c.sql", "DROP TABLE z;\n");
  b.paths = {"m/b.sql", "m/b2.sql"};  // junit lists a file without findings too (a passing suite)
  RunResult whole;
  whole.files = 5;
  whole.errors.push_back({"m/d.sql", "cannot open: Permission denied"});
  for (const RunResult* part : {&a, &b, &c}) {
    for (const auto& f : part->findings) whole.findings.push_back(f);
    for (const auto& [path, text] : part->texts) whole.texts[path] = text;
    for (const auto& path : part->paths) whole.paths.push_back(path);
  }
  for (const std::string format : {"text", "gcc", "github", "json", "gitlab", "sarif", "junit"}) {
    std::ostringstream expected;
    report(expected, format, whole, false);
    std::ostringstream streamed;
    auto stream = ReportStream::open(streamed, format, false);
    REQUIRE(stream != nullptr);
    stream->write(a);
    stream->write(b);
    RunResult rest = c;  // the end of the run: the last part, the counts and the input errors
    rest.files = 5;
    rest.errors = whole.errors;
    stream->finish(rest);
    INFO(format);
    CHECK(streamed.str() == expected.str());
    if (format == "junit") {
      CHECK(expected.str().find("<testsuites name=\"driftguard\">\n  <testsuite name=\"m/a.sql\"") != std::string::npos);
      CHECK(expected.str().find("  <testsuite name=\"m/b2.sql\" tests=\"1\" failures=\"0\" errors=\"0\">\n"
                                "    <testcase name=\"driftguard\" classname=\"m/b2.sql\"/>\n  </testsuite>\n"
                                "  <testsuite name=\"m/c.sql\"") != std::string::npos);
    }
  }
  // Markdown's tables by rule need every finding first: it has no stream.
  std::ostringstream out;
  CHECK(ReportStream::open(out, "markdown", false) == nullptr);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)  // (the test below is skipped there)
namespace {

// The peak RSS (KB) of `lint DIR --format FORMAT` with its output discarded.
long lint_peak_kb(const fs::path& dir, const std::string& format) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(DRIFTGUARD_BINARY, "driftguard", "lint", dir.c_str(), "--format", format.c_str(), "--jobs", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  return usage.ru_maxrss;
}

}  // namespace
#endif

TEST_CASE("lint's streamed junit report does not hold the findings: its peak memory does not grow with them",
          "[report][stream]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  WARN("skipped: peak memory is measured in the Release build (a sanitizer keeps what is freed)");
#else
  // 100 and 400 files of 100 dropped tables each: 10,000 and 40,000 findings. Held to the end (markdown), the
  // extra 30,000 cost tens of megabytes; streamed, nothing but the paths of the files still to lint.
  fs::path tmp = stream_temp_dir();
  std::string sql;
  for (int k = 0; k < 100; ++k) {
    sql += "DROP TABLE t";
    sql += std::to_string(k);
    sql += ";\n";
  }
  for (int i = 0; i < 400; ++i) {
    std::string name = "m";  // (GCC 12 -O3 warns about a false -Wrestrict in "m" + to_string + ".sql")
    name += std::to_string(1000 + i);
    name += ".sql";
    if (i < 100) write(tmp / "small" / name, sql);
    write(tmp / "large" / name, sql);
  }
  long held_small = lint_peak_kb(tmp / "small", "markdown");
  long held_large = lint_peak_kb(tmp / "large", "markdown");
  long streamed_small = lint_peak_kb(tmp / "small", "junit");
  long streamed_large = lint_peak_kb(tmp / "large", "junit");
  INFO("markdown " << held_small << " -> " << held_large << " KB, junit " << streamed_small << " -> " << streamed_large
                   << " KB");
  CHECK(held_large - held_small > 20000);
  CHECK(streamed_large - streamed_small < 3000);
  fs::remove_all(tmp);
#endif
}

TEST_CASE("lint writes files in path order while it lints in migration order, schema.prisma findings included",
          "[report][stream]") {
  fs::path tmp = stream_temp_dir();
  // Linted 9 before 10 (migration order), reported 10 before 9 (path order): the 9 waits for the 10.
  write(tmp / "a/9_drop.sql", "DROP TABLE nine;\n");
  write(tmp / "a/10_drop.sql", "DROP TABLE ten;\n");
  // A Prisma folder whose type finding is reported at schema.prisma, which sorts after the migrations folder and
  // is written once the folder's last migration is linted, before z/.
  dgtest::write_prisma_user_project(tmp / "prisma");
  write(tmp / "z/1_drop.sql", "DROP TABLE zed;\n");
  auto r = lint_gcc(tmp, "z prisma a");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  const std::string drops = " [ban-drop-table]\n";
  CHECK(r.out == "a/10_drop.sql:1:1: error: drops table ten" + drops +
                     "a/9_drop.sql:1:1: error: drops table nine" + drops +
                     "prisma/migrations/20240102000000_drop/migration.sql:1:1: error: drops table \"Old\"" + drops +
                     "prisma/schema.prisma:8:3: warning: field createdAt of model User generates timestamp(3) "
                     "(without time zone) [prefer-timestamptz]\n"
                     "z/1_drop.sql:1:1: error: drops table zed" + drops);
  fs::remove_all(tmp);
}

TEST_CASE("schema.prisma findings wait for the last migration of their folder when the schema sorts first",
          "[report][stream]") {
  // package.json puts the schema at db/, which sorts before prisma/migrations: both migrations report at it, so
  // migration a's own finding must wait until b has been linted (written early, it would split db/'s findings).
  fs::path tmp = stream_temp_dir();
  write(tmp / "package.json", "{\"name\":\"x\",\"prisma\":{\"schema\":\"db/schema.prisma\"}}\n");
  write(tmp / "db/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n"
        "model A {\n  id        Int      @id\n  createdAt DateTime\n}\n\n"
        "model B {\n  id        Int      @id\n  updatedAt DateTime\n}\n");
  write(tmp / "prisma/migrations/20240101000000_a/migration.sql",
        "CREATE TABLE \"A\" (\n    \"id\" INTEGER NOT NULL,\n    \"createdAt\" TIMESTAMP(3) NOT NULL,\n"
        "    CONSTRAINT \"A_pkey\" PRIMARY KEY (\"id\")\n);\nDROP TABLE \"Older\";\n");
  write(tmp / "prisma/migrations/20240102000000_b/migration.sql",
        "CREATE TABLE \"B\" (\n    \"id\" INTEGER NOT NULL,\n    \"updatedAt\" TIMESTAMP(3) NOT NULL,\n"
        "    CONSTRAINT \"B_pkey\" PRIMARY KEY (\"id\")\n);\nDROP TABLE \"Old\";\n");
  write(tmp / "prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
  auto r = lint_gcc(tmp, "prisma");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  const std::string wall_clock = " generates timestamp(3) (without time zone) [prefer-timestamptz]\n";
  const std::string drops = " [ban-drop-table]\n";
  CHECK(r.out == "db/schema.prisma:8:3: warning: field createdAt of model A" + wall_clock +
                     "db/schema.prisma:13:3: warning: field updatedAt of model B" +
                     wall_clock + "prisma/migrations/20240101000000_a/migration.sql:6:1: error: drops table \"Older\"" +
                     drops + "prisma/migrations/20240102000000_b/migration.sql:6:1: error: drops table \"Old\"" + drops);
  fs::remove_all(tmp);
}
