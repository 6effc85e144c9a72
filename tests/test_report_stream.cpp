// Streaming reports (cli/report_stream.hpp): lint writes text, gcc, github, json, gitlab and sarif a few files at a time;
// the bytes must be those of the report built from every finding at the end, in the same order (by path), whatever
// order the files are linted in.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/paths.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"
#include "helpers.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

fs::path stream_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "driftguard_stream_XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

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
  RunResult whole;
  whole.files = 4;
  whole.errors.push_back({"m/d.sql", "cannot open: Permission denied"});
  for (const RunResult* part : {&a, &b, &c}) {
    for (const auto& f : part->findings) whole.findings.push_back(f);
    for (const auto& [path, text] : part->texts) whole.texts[path] = text;
  }
  for (const std::string format : {"text", "gcc", "github", "json", "gitlab", "sarif"}) {
    std::ostringstream expected;
    report(expected, format, whole, false);
    std::ostringstream streamed;
    auto stream = ReportStream::open(streamed, format, false);
    REQUIRE(stream != nullptr);
    stream->write(a);
    stream->write(b);
    RunResult rest = c;  // the end of the run: the last part, the counts and the input errors
    rest.files = 4;
    rest.errors = whole.errors;
    stream->finish(rest);
    INFO(format);
    CHECK(streamed.str() == expected.str());
  }
  // Formats whose first bytes depend on every finding have no stream.
  for (const std::string format : {"junit", "markdown"}) {
    std::ostringstream out;
    CHECK(ReportStream::open(out, format, false) == nullptr);
  }
}

TEST_CASE("lint writes files in path order while it lints in migration order, schema.prisma findings included",
          "[report][stream]") {
  fs::path tmp = stream_temp_dir();
  // Linted 9 before 10 (migration order), reported 10 before 9 (path order): the 9 waits for the 10.
  write(tmp / "a/9_drop.sql", "DROP TABLE nine;\n");
  write(tmp / "a/10_drop.sql", "DROP TABLE ten;\n");
  // A Prisma folder whose type finding is reported at schema.prisma, which sorts after the migrations folder and
  // is written once the folder's last migration is linted, before z/.
  write(tmp / "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n"
        "model User {\n  id        Int      @id @default(autoincrement())\n  createdAt DateTime @default(now())\n}\n");
  write(tmp / "prisma/migrations/20240101000000_init/migration.sql",
        "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n"
        "    \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n\n"
        "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n");
  write(tmp / "prisma/migrations/20240102000000_drop/migration.sql", "DROP TABLE \"Old\";\n");
  write(tmp / "prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
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
