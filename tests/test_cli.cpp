// Golden CLI tests: each folder tests/golden/<case>/ holds `args` (the command line after `driftguard`, run from
// that folder), optional `stdin`, and the expected `expected.stdout`, `expected.stderr` and `expected.exit`.
// UPDATE_GOLDEN=1 rewrites the expected files from the current output (review the diff before committing).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "git_repo.hpp"
#include "helpers.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;

namespace {

using dgtest::read_file;

void write(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

using dgtest::Run;

Run run_cli(const fs::path& dir, const std::string& args) {
  std::string cmd = "cd '" + dir.string() + "' && NO_COLOR=1 '" + std::string(DRIFTGUARD_BINARY) + "' " + args;
  return dgtest::run_shell(cmd + (fs::exists(dir / "stdin") ? " < stdin" : " < /dev/null"));
}

// The checkout's absolute path (in SARIF's originalUriBaseIds and workingDirectory) as a placeholder, so that the
// expected files hold on every checkout.
std::string portable(std::string s) {
  const std::string src = fs::canonical(dgtest::source_dir()).string();
  for (auto at = s.find(src); at != std::string::npos; at = s.find(src, at)) s.replace(at, src.size(), "$SOURCE_DIR");
  return s;
}

void run_golden(const fs::path& dir) {
  std::string args = trim(read_file(dir / "args"));
  Run r = run_cli(dir, args);
  r.out = portable(r.out);
  if (std::getenv("UPDATE_GOLDEN")) {
    write(dir / "expected.stdout", r.out);
    write(dir / "expected.stderr", r.err);
    write(dir / "expected.exit", std::to_string(r.code) + "\n");
  }
  INFO("driftguard " << args);
  CHECK(r.out == read_file(dir / "expected.stdout"));
  CHECK(r.err == read_file(dir / "expected.stderr"));
  CHECK(std::to_string(r.code) == trim(read_file(dir / "expected.exit")));
}

struct GoldenInvoker : Catch::ITestInvoker {
  fs::path dir;
  explicit GoldenInvoker(fs::path d) : dir(std::move(d)) {}
  void invoke() const override { run_golden(dir); }
};

std::vector<std::unique_ptr<std::string>>& names() {
  static std::vector<std::unique_ptr<std::string>> n;
  return n;
}

const bool registered = [] {
  fs::path root = fs::path(dgtest::source_dir()) / "tests" / "golden";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return false;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(root)) {
    if (d.is_directory() && fs::exists(d.path() / "args")) dirs.push_back(d.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) {
    names().push_back(std::make_unique<std::string>("golden " + d.filename().string()));
    Catch::AutoReg(new GoldenInvoker(d), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{Catch::StringRef(*names().back()), Catch::StringRef("[golden]")});
  }
  return true;
}();

}  // namespace

TEST_CASE("a large file (10 MB) is linted in one piece", "[cli]") {
  fs::path f = fs::temp_directory_path() / "driftguard_big.sql";
  {
    std::ofstream out(f);
    std::string stmt = "INSERT INTO t (a, b) VALUES (1, 'some text to make the line longer') ON CONFLICT DO NOTHING;\n";
    for (std::size_t written = 0; written < 10 * 1024 * 1024; written += stmt.size()) out << stmt;
    out << "DROP TABLE t;\n";
  }
  Run r = run_cli(fs::temp_directory_path(), "lint driftguard_big.sql --format gcc");
  fs::remove(f);
  CHECK(r.code == 1);
  CHECK(r.out.find("driftguard_big.sql:") != std::string::npos);
  CHECK(r.out.find("[ban-drop-table]") != std::string::npos);
}

TEST_CASE("lint with fix rewrites the file atomically, keeps its permissions, and reports what remains", "[cli]") {
  fs::path dir = fs::temp_directory_path() / ("driftguard_fix_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path f = dir / "0001_views.sql";
  write(f, "create view v as select 1;\nDROP TABLE t;\n");
  fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  Run r = run_cli(dir, "lint 0001_views.sql --rule require-or-replace --rule ban-drop-table --fix --format gcc");
  CHECK(read_file(f) == "create or replace view v as select 1;\nDROP TABLE t;\n");
  CHECK(fs::status(f).permissions() == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(r.err == "0001_views.sql: applied 1 fix\n");
  CHECK(r.out == "0001_views.sql:2:1: error: drops table t: every row is deleted and code that still reads it fails "
                 "[ban-drop-table]\n");
  CHECK(r.code == 1);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == 1);  // no temporary file left behind
  fs::remove_all(dir);
}

TEST_CASE("lint with fix refuses stdin", "[cli]") {
  Run r = run_cli(fs::temp_directory_path(), "lint - --fix");
  CHECK(r.code == 2);
  CHECK(r.err.find("--fix") != std::string::npos);
}
