// Reporters: GitHub escaping, fingerprints, SARIF validity against the vendored SARIF 2.1.0 schema, and the
// progress line on a terminal.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/report.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

fs::path temp_dir(const std::string& name) {
  std::string tmpl = (fs::temp_directory_path() / ("driftguard_" + name + "_XXXXXX")).string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

int shell(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

RunResult lint_into_result(const std::string& path, const std::string& sql) {
  RunResult r;
  RuleSelection two;  // a fixed rule set, so that new rules do not change what these tests count
  two.only = {"ban-drop-table", "require-if-exists"};
  r.findings = dgtest::lint_text(sql, two, {}, path);
  r.texts[path] = sql;
  r.files = 1;
  return r;
}

}  // namespace

TEST_CASE("github workflow commands escape properties and data", "[report]") {
  CHECK(github_property("a,b:c%d\r\ne") == "a%2Cb%3Ac%25d%0D%0Ae");
  CHECK(github_data("a,b:c%d\r\ne") == "a,b:c%25d%0D%0Ae");
  CHECK(github_property("plain/path.sql") == "plain/path.sql");
}

TEST_CASE("fingerprints survive moved lines and tell identical findings apart", "[report]") {
  auto a = lint_into_result("m/0001.sql", "DROP TABLE a;\nDROP TABLE b;\nDROP TABLE a;\n");
  auto b = lint_into_result("m/0001.sql", "-- a comment\n\nDROP   TABLE a;\nDROP TABLE b;\nDROP TABLE a;\n");
  auto fa = fingerprints(a);
  auto fb = fingerprints(b);
  REQUIRE(fa.size() == 6);  // ban-drop-table and require-if-exists for each statement
  CHECK(fa == fb);
  CHECK(fa[0].size() == 16);
  CHECK(fa[0] != fa[4]);  // the second DROP TABLE a
  CHECK(fa[0] != fa[2]);
}

TEST_CASE("SARIF output validates against the SARIF 2.1.0 schema", "[report][sarif]") {
  fs::path src = dgtest::source_dir();
  fs::path schema = src / "tests/schemas/sarif-schema-2.1.0.json";
  std::string validate = "python3 '" + (src / "tests/schemas/validate.py").string() + "' '" + schema.string() + "' ";
  fs::path tmp = temp_dir("sarif");
  // Present in CI (scripts/install-deps.sh installs python3-jsonschema); elsewhere the test says why it skips.
  std::ofstream(tmp / "empty.json") << "{}";
  if (shell(validate + "'" + (tmp / "empty.json").string() + "' > /dev/null 2>&1") == 3) {
    WARN("python3-jsonschema is not installed: SARIF schema validation skipped");
    fs::remove_all(tmp);
    return;
  }
  struct Case {
    std::string dir;
    std::string args;
  };
  for (const Case& c : {Case{"tests/golden/format_sarif", "lint m --severity unused-ignore=info"},
                        Case{"tests/golden/sarif_input_error", "lint m missing.sql"},
                        Case{"examples/demo", "lint prisma/migrations"},
                        Case{"fixtures/rules", "lint ."}}) {
    INFO(c.dir << ": " << c.args);
    fs::path out = tmp / "out.sarif";
    shell("cd '" + (src / c.dir).string() + "' && '" + DRIFTGUARD_BINARY + "' " + c.args + " --format sarif > '" +
          out.string() + "' 2>/dev/null");
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    REQUIRE(ss.str().find("\"version\": \"2.1.0\"") != std::string::npos);
    CHECK(shell(validate + "'" + out.string() + "'") == 0);
  }
  // The validator does reject what the schema forbids.
  std::ofstream(tmp / "bad.sarif") << R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
      "results": [{"message": {"text": "m"}, "level": "fatal",
                   "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]})";
  CHECK(shell(validate + "'" + (tmp / "bad.sarif").string() + "' > /dev/null") == 1);
  fs::remove_all(tmp);
}

// Runs driftguard with stderr on a pseudo-terminal (stdout to /dev/null) and returns what the terminal got.
std::string stderr_on_tty(const fs::path& dir, const std::vector<std::string>& args) {
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    std::vector<char*> argv;
    std::string bin = DRIFTGUARD_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child has exited
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  return got;
}

TEST_CASE("long runs show progress on a terminal's stderr, and nothing otherwise", "[report]") {
  fs::path tmp = temp_dir("progress");
  for (int i = 1; i <= 12; ++i) std::ofstream(tmp / ("00" + std::to_string(10 + i) + "_m.sql")) << "SELECT 1;\n";
  std::string tty = stderr_on_tty(tmp, {"lint", "."});
  CHECK(tty.find("\rdriftguard: 1/12 files") != std::string::npos);
  CHECK(tty.find("\rdriftguard: 12/12 files") != std::string::npos);
  CHECK(tty.size() >= 4);
  CHECK(tty.substr(tty.size() - 4) == "\r\x1b[K");  // the line is cleared at the end
  // Fewer than 10 files: no progress even on a terminal.
  CHECK(stderr_on_tty(tmp, {"lint", "0011_m.sql", "0012_m.sql"}).empty());
  // Not a terminal: nothing on stderr.
  CHECK(shell("cd '" + tmp.string() + "' && test -z \"$('" + DRIFTGUARD_BINARY + "' lint . 2>&1 >/dev/null)\"") == 0);
  fs::remove_all(tmp);
}
