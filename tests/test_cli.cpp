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
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.hpp"
#include "git_repo.hpp"
#include "helpers.hpp"
#include "cli/terminal.hpp"
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
  CHECK(r.out == "0001_views.sql:2:1: error: drops table t [ban-drop-table]\n");
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

namespace {

// A folder of its own under the temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("driftguard_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

const std::vector<std::string> kSubcommands = {"check-down", "completions", "config", "drift", "explain", "install-hook", "lint",
                                               "locks",      "man", "prisma-check", "prisma-ddl", "rollback",
                                               "rules",      "schema", "status", "verify"};

}  // namespace

TEST_CASE("a mistyped subcommand, option, rule or config key names the closest one", "[cli]") {
  TempDir dir("suggest");
  write(dir.path / "0001_init.sql", "SELECT 1;\n");
  Run r = run_cli(dir.path, "lnt 0001_init.sql");
  CHECK(r.err == "driftguard: error: unknown command 'lnt'; did you mean 'lint'? (see `driftguard --help`)\n");
  CHECK(r.code == 2);
  r = run_cli(dir.path, "deploy");  // nothing close: no guess
  CHECK(r.err == "driftguard: error: unknown command 'deploy' (see `driftguard --help`)\n");
  CHECK(r.code == 2);
  r = run_cli(dir.path, "lint --formt gcc 0001_init.sql");
  CHECK(r.err ==
        "driftguard: error: unknown option '--formt' for 'lint'; did you mean '--format'? (see `driftguard help lint`)\n");
  CHECK(r.code == 2);
  r = run_cli(dir.path, "status --migrations . --database-ulr=x");
  CHECK(r.err == "driftguard: error: unknown option '--database-ulr' for 'status'; did you mean '--database-url'? (see "
                 "`driftguard help status`)\n");
  CHECK(r.code == 2);
  // after `--` every word is an argument
  r = run_cli(dir.path, "lint --format gcc -- 0001_init.sql");
  CHECK(r.err.empty());
  CHECK(r.code == 0);
  r = run_cli(dir.path, "lint --rule ban-drop-colum 0001_init.sql");
  CHECK(r.err == "driftguard: error: --rule: unknown rule or category 'ban-drop-colum'; did you mean 'ban-drop-column'? "
                 "(see `driftguard rules`)\n");
  CHECK(r.code == 2);
  r = run_cli(dir.path, "lint --exclude-rule destructiv 0001_init.sql");
  CHECK(r.err == "driftguard: error: --exclude-rule: unknown rule or category 'destructiv'; did you mean "
                 "'destructive'? (see `driftguard rules`)\n");
  r = run_cli(dir.path, "lint --severity no-such-thing=error 0001_init.sql");
  CHECK(r.err == "driftguard: error: --severity: unknown rule or category 'no-such-thing' (see `driftguard rules`)\n");
  CHECK(r.code == 2);
  r = run_cli(dir.path, "explain ban-drop-tabel");
  CHECK(r.err == "driftguard: error: unknown rule 'ban-drop-tabel'; did you mean 'ban-drop-table'? (see `driftguard "
                 "rules`)\n");
  CHECK(r.code == 2);
  write(dir.path / "driftguard.toml", "fial_on = \"warning\"\n");
  r = run_cli(dir.path, "lint 0001_init.sql");
  CHECK(r.err == "driftguard: error: driftguard.toml:1:1: unknown key 'fial_on'; did you mean 'fail_on'? (known: "
                 "extend, preset, pg_version, runner, fail_on, baseline, platform, prelude, docs_url, rules, rls, ignore, "
                 "verify, database)\n");
  CHECK(r.code == 2);
  write(dir.path / "driftguard.toml", "[rules]\nban-drop-colum = \"off\"\n");
  r = run_cli(dir.path, "lint 0001_init.sql");
  CHECK(r.err == "driftguard: error: driftguard.toml:2:1: unknown key 'ban-drop-colum' in [rules]; did you mean "
                 "'ban-drop-column'? (known: select, exclude, severity, options, or a rule id or category set to a "
                 "severity)\n");
  CHECK(r.code == 2);
}

TEST_CASE("the version: -V and --version print the version CMake took from git describe", "[cli]") {
  fs::path generated = fs::path(DRIFTGUARD_BINARY).parent_path().parent_path() / "generated" / "version.txt";
  std::string version = trim(read_file(generated));
  REQUIRE_FALSE(version.empty());
  Run v = run_cli(fs::temp_directory_path(), "-V");
  CHECK(v.out == "driftguard " + version + "\n");
  CHECK(v.code == 0);
  CHECK(run_cli(fs::temp_directory_path(), "--version").out == v.out);
  // In a git checkout the version is a `git describe` of one of its commits (a source tarball: the project version).
  if (fs::exists(fs::path(dgtest::source_dir()) / ".git")) {
    std::string commit = version.substr(0, version.rfind("-dirty") == version.size() - 6 ? version.size() - 6 : version.size());
    Run git = dgtest::run_shell("git -C " + dgtest::shell_quote(dgtest::source_dir()) + " rev-parse --verify --quiet " +
                                dgtest::shell_quote(commit + "^{commit}"));
    CHECK(git.code == 0);
  }
}

TEST_CASE("help SUBCOMMAND is the subcommand's --help, and every subcommand has examples", "[cli]") {
  Run top = run_cli(fs::temp_directory_path(), "--help");
  CHECK(top.code == 0);
  for (const auto& name : kSubcommands) {
    INFO(name);
    CHECK(top.out.find("\n  " + name + " ") != std::string::npos);  // the list above is complete
    Run help = run_cli(fs::temp_directory_path(), "help " + name);
    Run flag = run_cli(fs::temp_directory_path(), name + " --help");
    CHECK(help.code == 0);
    CHECK(help.out == flag.out);
    CHECK(help.out.find("\nUsage: driftguard " + name + " ") != std::string::npos);
    CHECK(help.out.find("\nExamples:\n  ") != std::string::npos);
  }
  std::size_t begin = top.out.find("\nSubcommands:\n");
  REQUIRE(begin != std::string::npos);
  begin += std::string("\nSubcommands:\n").size();
  std::string block = top.out.substr(begin, top.out.find("\n\n", begin) - begin);
  CHECK(static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n')) + 1 == kSubcommands.size());
  Run bad = run_cli(fs::temp_directory_path(), "help stauts");
  CHECK(bad.err == "driftguard: error: unknown command 'stauts'; did you mean 'status'? (see `driftguard --help`)\n");
  CHECK(bad.code == 2);
}

TEST_CASE("docs_url in driftguard.toml is the base of the rule links, as --docs-url, which wins", "[cli][config]") {
  TempDir dir("docs_url");
  fs::create_directories(dir.path / "db");
  write(dir.path / "db" / "0001_drop.sql", "DROP TABLE t;\n");
  write(dir.path / "driftguard.toml", "docs_url = \"https://docs.example.com/dg/\"\n");
  auto help_uri = [&](const std::string& args) {
    Run r = run_cli(dir.path, "lint db --format sarif " + args);
    CHECK(r.code == 1);
    CHECK(r.err.empty());
    auto at = r.out.find("\"helpUri\": \"");
    REQUIRE(at != std::string::npos);
    at += std::string("\"helpUri\": \"").size();
    return r.out.substr(at, r.out.find('"', at) - at);
  };
  CHECK(help_uri("") == "https://docs.example.com/dg/docs/rules/ban-drop-table.md");
  CHECK(help_uri("--docs-url https://flag.example.com") == "https://flag.example.com/docs/rules/ban-drop-table.md");
  Run md = run_cli(dir.path, "lint db --format markdown");
  CHECK(md.out.find("[`ban-drop-table`](https://docs.example.com/dg/docs/rules/ban-drop-table.md)") != std::string::npos);
  Run shown = run_cli(dir.path, "config --show");
  CHECK(shown.out.find("\ndocs_url = \"https://docs.example.com/dg/\"\n") != std::string::npos);

  write(dir.path / "driftguard.toml", "docs_ulr = \"https://docs.example.com\"\n");
  Run typo = run_cli(dir.path, "lint db");
  CHECK(typo.err == "driftguard: error: driftguard.toml:1:1: unknown key 'docs_ulr'; did you mean 'docs_url'? (known: "
                    "extend, preset, pg_version, runner, fail_on, baseline, platform, prelude, docs_url, rules, rls, "
                    "ignore, verify, database)\n");
  CHECK(typo.code == 2);
  write(dir.path / "driftguard.toml", "docs_url = \"\"\n");
  Run empty = run_cli(dir.path, "lint db");
  CHECK(empty.err == "driftguard: error: driftguard.toml:1:12: docs_url must not be empty\n");
  CHECK(empty.code == 2);
  write(dir.path / "driftguard.toml", "docs_url = 1\n");
  Run number = run_cli(dir.path, "lint db");
  CHECK(number.err == "driftguard: error: driftguard.toml:1:12: docs_url must be a string, got an integer\n");
  CHECK(number.code == 2);
}

TEST_CASE("config --show prints [verify] and [database]", "[cli][config]") {
  TempDir dir("show_verify");
  write(dir.path / "driftguard.toml",
        "[database]\nconnect_timeout = \"1min\"\n[verify]\ntables = [\"profiles\", \"app.audit\"]\n"
        "columns = { \"profiles\" = [\"id\", \"email\"] }\nrls = [\"public\", \"app.audit\"]\n"
        "policies = { \"profiles\" = [\"Users read own\"], \"app.audit\" = [] }\nextensions = [\"citext\"]\n");
  Run r = run_cli(dir.path, "config --show");
  CHECK(r.code == 0);
  CHECK(r.out.find("\n[verify]\ntables = [\"public.profiles\", \"app.audit\"]\n"
                   "columns = { \"public.profiles\" = [\"id\", \"email\"] }\nrls = [\"public\", \"app.audit\"]\n"
                   "policies = { \"app.audit\" = [], \"public.profiles\" = [\"Users read own\"] }\n"
                   "extensions = [\"citext\"]\n\n[database]\nconnect_timeout = \"60s\"\n") != std::string::npos);
  write(dir.path / "driftguard.toml", "[database]\nconnect_timeout = \"1s\"\n");
  r = run_cli(dir.path, "config --show");
  CHECK(r.err == "driftguard: error: driftguard.toml:2:19: connect_timeout: '1s' is below libpq's minimum of 2s (0 = "
                 "wait forever)\n");
  CHECK(r.code == 2);
  write(dir.path / "driftguard.toml", "");
  r = run_cli(dir.path, "config --show");
  CHECK(r.out.find("\n[verify]\ntables = []\ncolumns = {}\nrls = []\npolicies = {}\nextensions = []\n\n[database]\n"
                   "# connect_timeout: not set (10s)\n") != std::string::npos);
}

TEST_CASE("drift --prisma without a value reads the schema path prisma.config.ts or package.json names", "[cli]") {
  TempDir dir("drift_prisma_path");
  fs::create_directories(dir.path / "db" / "migrations" / "20240101000000_init");
  write(dir.path / "db" / "schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id Int @id\n}\n");
  write(dir.path / "db" / "migrations" / "20240101000000_init" / "migration.sql",
        "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n");
  write(dir.path / "package.json", "{\"prisma\": {\"schema\": \"db/schema.prisma\"}}\n");
  Run r = run_cli(dir.path, "drift --prisma --migrations db/migrations --format gcc");
  CHECK(r.err.empty());
  CHECK(r.out.empty());
  CHECK(r.code == 0);
  // prisma.config.ts comes first; a schema that differs shows the path was read
  fs::create_directories(dir.path / "other");
  write(dir.path / "other" / "schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel Account {\n  id Int @id\n}\n");
  write(dir.path / "prisma.config.ts", "import { defineConfig } from 'prisma/config'\n"
                                       "export default defineConfig({ schema: path.join('other', 'schema.prisma') })\n");
  r = run_cli(dir.path, "drift --prisma --migrations db/migrations --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out.find("other/schema.prisma:5:1: ") != std::string::npos);
  // nothing configured and no prisma/ folder: a usage error
  fs::remove(dir.path / "prisma.config.ts");
  fs::remove(dir.path / "package.json");
  r = run_cli(dir.path, "drift --prisma --migrations db/migrations");
  CHECK(r.err == "driftguard: error: no prisma/schema.prisma or prisma/schema/ under the current directory; give the "
                 "schema path\n");
  CHECK(r.code == 2);
}

namespace {

// The precedence of docs/cli.md#colour on one command: `coloured(env, flags, terminal)` runs it with these
// environment variables and flags, on a terminal (`script`) or piped, and says whether its output is coloured.
void check_colour_precedence(const std::function<bool(const std::string&, const std::string&, bool)>& coloured) {
  CHECK_FALSE(coloured("", "", false));
  CHECK(coloured("", "", true));
  CHECK(coloured("FORCE_COLOR=1", "", false));
  CHECK(coloured("CLICOLOR_FORCE=1", "", false));
  CHECK_FALSE(coloured("FORCE_COLOR=0", "", false));
  CHECK_FALSE(coloured("NO_COLOR=1 FORCE_COLOR=1", "", false));
  CHECK(coloured("NO_COLOR=1", "--color always", false));
  CHECK_FALSE(coloured("FORCE_COLOR=1", "--color never", true));
  CHECK_FALSE(coloured("CLICOLOR=0", "", true));
  CHECK_FALSE(coloured("TERM=dumb", "", true));
  CHECK(coloured("TERM=dumb CLICOLOR_FORCE=1", "", true));
}

}  // namespace

TEST_CASE("colour follows --color, NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM in that order", "[cli]") {
  TempDir dir("colour");
  write(dir.path / "0001_drop.sql", "DROP TABLE t;\n");
  // `script` gives the command a terminal; its output is the terminal's
  auto coloured = [&](const std::string& env, const std::string& flags, bool terminal) {
    std::string cmd = "env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u CLICOLOR TERM=xterm " + env + " " +
                      dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint 0001_drop.sql " + flags;
    if (terminal) cmd = "script -qec " + dgtest::shell_quote(cmd) + " /dev/null";
    Run r = dgtest::run_shell("cd " + dgtest::shell_quote(dir.path.string()) + " && " + cmd + " < /dev/null");
    CHECK(r.code == 1);
    CHECK(r.out.find("DROP TABLE t;") != std::string::npos);
    return r.out.find("\x1b[") != std::string::npos;
  };
  check_colour_precedence(coloured);
}

TEST_CASE("fit_width cuts each line to the width with an ellipsis, escape sequences take no column", "[cli]") {
  using driftguard::fit_width;
  CHECK(fit_width("abcdef\nabc\n", 4) == "abc\xe2\x80\xa6\nabc\n");
  CHECK(fit_width("abcd", 4) == "abcd");
  CHECK(fit_width("abcdef", 0) == "abcdef");
  // code points, not bytes: "é" is one column
  CHECK(fit_width("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3) == "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
  // a style closed before the cut stays as written; one still on at the cut is reset after the ellipsis
  CHECK(fit_width("\x1b[32mok\x1b[0m  name", 6) == "\x1b[32mok\x1b[0m  n\xe2\x80\xa6");
  CHECK(fit_width("\x1b[1;31medited\x1b[0m", 4) == "\x1b[1;31medi\xe2\x80\xa6\x1b[0m");
  CHECK(fit_width("\x1b[32mabc\x1b[0m", 3) == "\x1b[32mabc\x1b[0m");
}

TEST_CASE("elide_excerpt shows the part of a long source line around the underline, as compilers do", "[cli]") {
  using driftguard::elide_excerpt;
  using driftguard::ExcerptLine;
  auto same = [](const ExcerptLine& got, const std::string& text, std::size_t from, std::size_t to) {
    INFO(got.text << " " << got.from << ".." << got.to);
    return got.text == text && got.from == from && got.to == to;
  };
  const std::string e = "\xe2\x80\xa6";
  CHECK(same(elide_excerpt("abc", 1, 2, 5), "abc", 1, 2));      // fits
  CHECK(same(elide_excerpt("abcdefghij", 1, 3, 0), "abcdefghij", 1, 3));  // width 0: as is
  // the underline ends before the cut: the line's start
  CHECK(same(elide_excerpt("abcdefghij", 1, 3, 6), "abcde" + e, 1, 3));
  // near the end: the line's end, as much before it as fits
  CHECK(same(elide_excerpt("abcdefghij", 8, 10, 6), e + "fghij", 4, 6));
  // in the middle: a quarter of the width before it, both ends elided
  CHECK(same(elide_excerpt("abcdefghijklmnopqrst", 10, 12, 8), e + "ijklmn" + e, 3, 5));
  // an underline longer than what is shown is cut with the line
  CHECK(same(elide_excerpt("abcdefghijklmnopqrst", 10, 20, 8), e + "ijklmn" + e, 3, 7));
  // past the end of the line (a span at its end): one caret after the text
  CHECK(same(elide_excerpt("abcdefghij", 10, 11, 6), e + "fghij", 6, 7));
  // code points, not bytes
  CHECK(same(elide_excerpt("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0, 1, 4),
             "\xc3\xa9\xc3\xa9\xc3\xa9" + e, 0, 1));
}

TEST_CASE("lint text: long source lines elided around the finding on a terminal, never when piped", "[cli]") {
  TempDir dir("lint_width");
  const std::string first = "DROP TABLE orders_archive; -- archived in release 42: nothing reads it, see the runbook";
  const std::string second = "CREATE TABLE a (id int); CREATE TABLE b (id int); DROP TABLE customers_archive; -- "
                             "archived with the orders in release 42";
  write(dir.path / "0001_drop.sql", first + "\n" + second + "\n");
  auto lint = [&](const std::string& env, const std::string& flags, bool terminal) {
    std::string cmd = "env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u CLICOLOR TERM=xterm " + env + " " +
                      dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint 0001_drop.sql --rule ban-drop-table " + flags;
    if (terminal) cmd = "script -qec " + dgtest::shell_quote(cmd) + " /dev/null";
    Run r = dgtest::run_shell("cd " + dgtest::shell_quote(dir.path.string()) + " && " + cmd + " < /dev/null");
    CHECK(r.code == 1);
    std::string out;
    for (char c : r.out) {
      if (c != '\r') out += c;
    }
    return out;
  };
  const std::string e = "\xe2\x80\xa6";
  // 40 columns: "N | " and 36 of the line. The first DROP is at the line's start: its end is cut; the second is in
  // the middle: a quarter of the 36 columns of context before it, both ends cut, the underline cut with the line.
  std::string narrow = lint("COLUMNS=40", "--color never", true);
  CHECK(narrow.find("\n1 | DROP TABLE orders_archive; -- archi" + e + "\n  | " + std::string(25, '^') + "\n") !=
        std::string::npos);
  CHECK(narrow.find("\n2 | " + e + "id int); DROP TABLE customers_arch" + e + "\n  | " + std::string(10, ' ') +
                    std::string(25, '^') + "\n") != std::string::npos);
  // messages, notes and help are whole: only source lines are cut; notes and help wrap at spaces on a terminal,
  // each further line indented under the text, and say the same as the piped output's one line
  std::string piped = lint("COLUMNS=40", "", false);
  CHECK(narrow.find("0001_drop.sql:2:51: error[ban-drop-table]: ") != std::string::npos);
  for (const std::string label : {"  = note: ", "  = help: "}) {
    INFO(label);
    std::size_t at = piped.find(label);
    REQUIRE(at != std::string::npos);
    const std::string line = piped.substr(at, piped.find('\n', at) - at);
    std::size_t from = narrow.find(label);
    REQUIRE(from != std::string::npos);
    std::string wrapped = narrow.substr(from, narrow.find("\n  = ", from) - from);
    CHECK(wrapped.find('\n') != std::string::npos);
    std::string joined;
    std::size_t start = 0;
    for (std::size_t nl = wrapped.find('\n'); start != std::string::npos; nl = wrapped.find('\n', start)) {
      std::string part = wrapped.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      CHECK(part.size() <= 40);
      if (start != 0) {
        CHECK(part.rfind(std::string(10, ' '), 0) == 0);
        CHECK(part[10] != ' ');
        part.erase(0, 9);  // the indent becomes the one space the piped line has there
      }
      joined += part;
      start = nl == std::string::npos ? nl : nl + 1;
    }
    CHECK(joined == line);
  }
  // piped, or a terminal wide enough: the whole lines
  for (const std::string& whole : {piped, lint("COLUMNS=200", "--color never", true)}) {
    CHECK(whole.find("\n1 | " + first + "\n") != std::string::npos);
    CHECK(whole.find("\n2 | " + second + "\n  | " + std::string(50, ' ') + std::string(28, '^') + "\n") !=
          std::string::npos);
  }
  // colour on: the same cut, the gutter and underline coloured
  std::string coloured = lint("COLUMNS=40", "", true);
  CHECK(coloured.find(" |\x1b[0m " + e + "id int); DROP TABLE customers_arch" + e + "\n") != std::string::npos);
}

namespace {

// A migration folder with a long name and a JSON tracker that records it applied: `status` needs no database.
struct StatusFolder {
  TempDir dir{"status_width"};
  std::string name = "0001_create_the_table_of_customer_orders_with_a_long_name";
  StatusFolder() {
    fs::create_directories(dir.path / "migrations");
    write(dir.path / "migrations" / (name + ".sql"), "CREATE TABLE orders (id int);\n");
    write(dir.path / "migrations" / "0002_drop.sql", "DROP TABLE orders;\n");
    write(dir.path / "applied.json", "[\"" + name + "\"]\n");
  }
  // `driftguard status` on a terminal (`script`) or piped; the output with CR LF made LF.
  std::string run(const std::string& env, const std::string& flags, bool terminal) {
    std::string cmd = "env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u CLICOLOR TERM=xterm " + env + " " +
                      dgtest::shell_quote(DRIFTGUARD_BINARY) +
                      " status --migrations migrations --tracker json:applied.json " + flags;
    if (terminal) cmd = "script -qec " + dgtest::shell_quote(cmd) + " /dev/null";
    Run r = dgtest::run_shell("cd " + dgtest::shell_quote(dir.path.string()) + " && " + cmd + " < /dev/null");
    std::string out;
    for (char c : r.out) {
      if (c != '\r') out += c;
    }
    return out;
  }
};

}  // namespace

TEST_CASE("status and drift text are cut to the terminal's width on a terminal, never when piped", "[cli]") {
  StatusFolder f;
  const std::string row = "applied      " + f.name;
  std::string wide = f.run("COLUMNS=200", "--color never", true);
  CHECK(wide.find("\n" + row + "\n") != std::string::npos);
  std::string cut = f.run("COLUMNS=30", "--color never", true);
  CHECK(cut.find("\n" + row.substr(0, 29) + "\xe2\x80\xa6\n") != std::string::npos);
  CHECK(cut.find(row) == std::string::npos);
  // piped: whole lines, whatever COLUMNS says
  std::string piped = f.run("COLUMNS=30", "", false);
  CHECK(piped.find("\n" + row + "\n") != std::string::npos);
  // colour on: the cut keeps the state word's colour and resets it
  std::string coloured = f.run("COLUMNS=10", "", true);
  CHECK(coloured.find("\n\x1b[32mapplied\x1b[0m  \xe2\x80\xa6\n") != std::string::npos);
  // --file: its one line too
  std::string one = f.run("COLUMNS=20", "--color never --file migrations/" + f.name + ".sql", true);
  CHECK(one == row.substr(0, 19) + "\xe2\x80\xa6\n");

  // drift: an item's line and its values
  fs::create_directories(f.dir.path / "other");
  write(f.dir.path / "other" / "0001.sql", "CREATE TABLE orders (id bigint);\n");
  auto drift = [&](const std::string& columns, bool terminal) {
    std::string cmd = "env -u NO_COLOR COLUMNS=" + columns + " " + dgtest::shell_quote(DRIFTGUARD_BINARY) +
                      " drift --sql other/0001.sql --sql migrations/" + f.name + ".sql --color never";
    if (terminal) cmd = "script -qec " + dgtest::shell_quote(cmd) + " /dev/null";
    Run r = dgtest::run_shell("cd " + dgtest::shell_quote(f.dir.path.string()) + " && " + cmd + " < /dev/null");
    std::string out;
    for (char c : r.out) {
      if (c != '\r') out += c;
    }
    return out;
  };
  std::string whole = drift("200", true);
  CHECK(whole == drift("20", false));
  std::string narrow = drift("20", true);
  CHECK(narrow != whole);
  std::stringstream lines(narrow);
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    INFO(line);
    std::size_t columns = 0;
    for (char c : line) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    CHECK(columns <= 20);
  }
  CHECK(count == static_cast<std::size_t>(std::count(whole.begin(), whole.end(), '\n')));
}

TEST_CASE("status colour follows --color, NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM as lint's",
          "[cli]") {
  StatusFolder f;
  auto coloured = [&](const std::string& env, const std::string& flags, bool terminal) {
    std::string out = f.run(env, flags, terminal);
    CHECK(out.find("applied") != std::string::npos);
    return out.find("\x1b[") != std::string::npos;
  };
  check_colour_precedence(coloured);
}

TEST_CASE("explain renders the rule's Markdown for the terminal, and prints it as written otherwise", "[cli]") {
  std::string page = read_file(fs::path(dgtest::source_dir()) / "docs" / "rules" / "ban-drop-table.md");
  Run plain = run_cli(fs::temp_directory_path(), "explain ban-drop-table");
  CHECK(plain.out == page);
  CHECK(plain.code == 0);
  Run styled = run_cli(fs::temp_directory_path(), "explain ban-drop-table --color always");
  CHECK(styled.code == 0);
  CHECK(styled.out.rfind("\x1b[1;4mban-drop-table\x1b[0m\n\n"
                         "\x1b[1mCategory:\x1b[0m destructive · \x1b[1mDefault severity:\x1b[0m error\n\n"
                         "Flags \x1b[36mDROP TABLE\x1b[0m (and \x1b[36mDROP FOREIGN TABLE\x1b[0m) of a table",
                         0) == 0);
  CHECK(styled.out.find("\n\x1b[1mBad\x1b[0m\n\n    \x1b[36mDROP TABLE orders;\x1b[0m\n"
                        "    \x1b[36mDROP TABLE legacy_events CASCADE;\x1b[0m\n\n") != std::string::npos);
  CHECK(styled.out.find("```") == std::string::npos);
}
