// Reporters: GitHub escaping, fingerprints, SARIF validity against the vendored SARIF 2.1.0 schema and the SARIF
// multitool's GitHub rules, SARIF's places and keys for code scanning, the markdown comment's cap, and the progress line on a terminal.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/paths.hpp"
#include "cli/report.hpp"
#include "git_repo.hpp"
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

// driftguard's SARIF for logs of every kind (findings, an input error, a Prisma project, every rule's fixture):
// each is written to `out`, then `check` is called with what was run.
void for_each_sarif_log(const fs::path& out, const std::function<void(const std::string& what)>& check) {
  struct Case {
    std::string dir;
    std::string args;
  };
  for (const Case& c : {Case{"tests/golden/format_sarif", "lint m --severity unused-ignore=info"},
                        Case{"tests/golden/sarif_input_error", "lint m missing.sql"},
                        Case{"examples/demo", "lint prisma/migrations"},
                        Case{"fixtures/rules", "lint ."}}) {
    shell("cd '" + (fs::path(dgtest::source_dir()) / c.dir).string() + "' && '" + DRIFTGUARD_BINARY + "' " + c.args +
          " --format sarif > '" + out.string() + "' 2>/dev/null");
    check(c.dir + ": " + c.args);
  }
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
  fs::path out = tmp / "out.sarif";
  for_each_sarif_log(out, [&](const std::string& what) {
    INFO(what);
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    REQUIRE(ss.str().find("\"version\": \"2.1.0\"") != std::string::npos);
    CHECK(shell(validate + "'" + out.string() + "'") == 0);
  });
  // The validator does reject what the schema forbids.
  std::ofstream(tmp / "bad.sarif") << R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
      "results": [{"message": {"text": "m"}, "level": "fatal",
                   "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]})";
  CHECK(shell(validate + "'" + (tmp / "bad.sarif").string() + "' > /dev/null") == 1);
  fs::remove_all(tmp);
}

TEST_CASE("SARIF passes the SARIF multitool's GitHub rules (what code scanning requires) and SARIF rules",
          "[report][sarif]") {
  // Installed by scripts/install-deps.sh (npm: @microsoft/sarif-multitool-linux, pinned); elsewhere the test says
  // why it skips.
  const char* home = std::getenv("HOME");
  fs::path tool = std::getenv("DRIFTGUARD_SARIF_MULTITOOL") != nullptr
                      ? fs::path(std::getenv("DRIFTGUARD_SARIF_MULTITOOL"))
                      : fs::path(home != nullptr ? home : "/") / ".cache/driftguard/sarif-multitool/node_modules" /
                            "@microsoft/sarif-multitool-linux/Sarif.Multitool";
  if (!fs::exists(tool)) {
    WARN(tool.string() << " is not installed (scripts/install-deps.sh): SARIF multitool checks skipped");
    return;
  }
  fs::path tmp = temp_dir("multitool");
  // The rules the multitool reports on a log: ids of its results (GH1xxx: GitHub's, SARIF1xxx/2xxx: the spec's).
  auto findings = [&](const fs::path& sarif) {
    fs::path validation = tmp / "validation.sarif";
    fs::remove(validation);
    int code = shell("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 '" + tool.string() + "' validate --rule-kind 'Gh;Sarif' -o '" +
                     validation.string() + "' '" + sarif.string() + "' > /dev/null 2>&1");
    REQUIRE(code <= 1);  // 1: results at error level
    std::ifstream in(validation);
    nlohmann::json log = nlohmann::json::parse(in);
    std::set<std::string> ids;
    for (const auto& r : log["runs"][0]["results"]) ids.insert(r["ruleId"].get<std::string>() + " " + r["message"].dump());
    return ids;
  };
  fs::path out = tmp / "out.sarif";
  for_each_sarif_log(out, [&](const std::string& what) {
    INFO(what);
    CHECK(findings(out).empty());
  });
  // A monorepo job in a sub-folder (paths from the repository root, with their base).
  dgtest::Repo repo;
  repo.write("services/api/migrations/0001_init.sql", "DROP TABLE a;\n");
  std::ofstream(tmp / "sub.sarif") << repo.run("cd services/api && '" + std::string(DRIFTGUARD_BINARY) +
                                               "' lint migrations --format sarif").out;
  CHECK(findings(tmp / "sub.sarif").empty());
  // The tool does reject what code scanning refuses: a result without a location.
  std::ofstream(tmp / "bad.sarif") << R"({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
      "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "r"}]}},
                "results": [{"ruleId": "r", "message": {"text": "m"}}]}]})";
  std::set<std::string> bad = findings(tmp / "bad.sarif");
  INFO(nlohmann::json(bad).dump());
  CHECK(std::any_of(bad.begin(), bad.end(), [](const std::string& id) { return id.rfind("GH1015 ", 0) == 0; }));
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

namespace {

// GitHub's line hash as documented for partialFingerprints: FNV-1a (64 bits) of the line, whitespace collapsed.
std::string line_hash(const std::string& line) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : line) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

TEST_CASE("SARIF: paths from the repository root, line hashes, help URIs, precision and security severity",
          "[report][sarif]") {
  using nlohmann::json;
  dgtest::Repo repo;
  const std::string mig = "services/api/migrations/0001_init.sql";
  repo.write(mig,
             "DROP TABLE a;\n"
             "CREATE FUNCTION public.is_admin() RETURNS boolean LANGUAGE sql SECURITY DEFINER AS $$ SELECT true $$;\n"
             "  DROP   TABLE a;\n");
  // A monorepo job runs in its sub-folder: GitHub must still get paths from the repository root.
  auto r = repo.run("cd services/api && '" + std::string(DRIFTGUARD_BINARY) +
                    "' lint migrations --format sarif --rule ban-drop-table --rule security --docs-url "
                    "https://docs.example.com/driftguard/");
  INFO(r.err);
  REQUIRE(r.code == 1);
  json log = json::parse(r.out);
  const json& run = log["runs"][0];
  const std::string root = "file://" + fs::canonical(repo.dir()).string() + "/";
  CHECK(run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root);
  CHECK(run["invocations"][0]["workingDirectory"]["uri"] == root + "services/api/");
  const json& results = run["results"];
  REQUIRE(results.size() == 3);
  for (const auto& res : results) {
    CHECK(res["locations"][0]["physicalLocation"]["artifactLocation"] ==
          json{{"uri", mig}, {"uriBaseId", "%SRCROOT%"}});
  }
  // The same statement twice (spaced differently): one line hash, told apart by the occurrence.
  CHECK(results[0]["ruleId"] == "ban-drop-table");
  CHECK(results[0]["partialFingerprints"]["primaryLocationLineHash"] == line_hash("DROP TABLE a;") + ":1");
  CHECK(results[2]["partialFingerprints"]["primaryLocationLineHash"] == line_hash("DROP TABLE a;") + ":2");
  CHECK(results[1]["ruleId"] == "security-definer-without-search-path");
  CHECK(results[1]["partialFingerprints"]["primaryLocationLineHash"] ==
        line_hash("CREATE FUNCTION public.is_admin() RETURNS boolean LANGUAGE sql SECURITY DEFINER AS $$ SELECT true "
                  "$$;") + ":1");

  std::map<std::string, json> rules;
  for (const auto& rule : run["tool"]["driver"]["rules"]) rules[rule["id"].get<std::string>()] = rule;
  REQUIRE(rules.size() == 2);
  CHECK(rules["ban-drop-table"]["helpUri"] == "https://docs.example.com/driftguard/docs/rules/ban-drop-table.md");
  CHECK(rules["ban-drop-table"]["properties"] ==
        json{{"category", "destructive"}, {"tags", {"destructive"}}, {"precision", "very-high"}});
  CHECK(rules["security-definer-without-search-path"]["properties"] ==
        json{{"category", "security"}, {"tags", {"security"}}, {"precision", "high"}, {"security-severity", "5.0"}});

  // Lines added above keep every hash (code scanning keeps the alerts open, not new ones).
  repo.write(mig, "-- moved down\n\n" + repo.read(mig));
  json moved = json::parse(repo.run("cd services/api && '" + std::string(DRIFTGUARD_BINARY) +
                                    "' lint migrations --format sarif --rule ban-drop-table --rule security").out);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(moved["runs"][0]["results"][k]["partialFingerprints"] == results[k]["partialFingerprints"]);
  }
  // Without --docs-url, the published pages.
  CHECK(moved["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] ==
        "https://github.com/driftguard/driftguard/blob/main/docs/rules/ban-drop-table.md");

  // A file outside the repository keeps an absolute URI, with no base.
  fs::path outside = temp_dir("sarif_outside");
  std::ofstream(outside / "x.sql") << "DROP TABLE a;\n";
  json abs = json::parse(repo.run("'" + std::string(DRIFTGUARD_BINARY) + "' lint '" + (outside / "x.sql").string() +
                                  "' --format sarif --rule ban-drop-table").out);
  CHECK(abs["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] ==
        json{{"uri", "file://" + (outside / "x.sql").string()}});
  fs::remove_all(outside);
}

TEST_CASE("markdown: the PR comment stays under GitHub's 65,536 characters, errors first, the rest collapsed",
          "[report][markdown]") {
  // The corpus migration with the longest markdown report (measured over ../shared/corpus: a Flyway migration of
  // DSpace, about 160,000 characters of findings, 112 of them errors).
  fs::path big = fs::path(dgtest::source_dir()) /
                 "../shared/corpus/sql/DSpace__DSpace/dspace-api/src/main/resources/org/dspace/storage/rdbms/"
                 "sqlmigration/postgres/V6.0_2015.03.07__DS-2701_Hibernate_migration.sql";
  if (!fs::exists(big)) {
    WARN("../shared/corpus is not there: skipped");
    return;
  }
  auto full = dgtest::run_shell("'" + std::string(DRIFTGUARD_BINARY) + "' lint '" + big.string() + "' --format json");
  auto all = nlohmann::json::parse(full.out)["findings"];
  std::size_t errors = 0;
  for (const auto& f : all) errors += f["severity"] == "error";
  REQUIRE(errors > 0);
  auto md = dgtest::run_shell("'" + std::string(DRIFTGUARD_BINARY) + "' lint '" + big.string() + "' --format markdown");
  CHECK(md.code == 1);
  INFO(md.out.size() << " bytes, " << all.size() << " findings, " << errors << " errors");
  CHECK(md.out.size() < 65536);
  CHECK(md.out.size() > 60000);  // the cap is what stopped it
  // Rows: errors first, in the open, then the rest inside <details>; what did not fit is counted.
  std::size_t rows = 0;
  std::size_t error_rows = 0;
  std::size_t details_at = md.out.find("\n<details>\n<summary>");
  std::istringstream lines(md.out);
  std::string line;
  for (std::size_t pos = 0; std::getline(lines, line); pos += line.size() + 1) {
    if (line.rfind("| ", 0) != 0 || line.find("<br>**Fix:**") == std::string::npos) continue;
    ++rows;
    if (line.find(" | error | `") != std::string::npos) {
      ++error_rows;
      CHECK(pos < details_at);
    } else {
      CHECK(pos > details_at);
    }
  }
  REQUIRE(rows < all.size());
  if (error_rows < errors) {
    CHECK(details_at == std::string::npos);  // the errors alone filled the comment
  } else {
    CHECK(md.out.find("\n</details>\n") != std::string::npos);
  }
  CHECK(md.out.find("\n**" + std::to_string(all.size() - rows) +
                    " more findings** not shown: a comment holds at most 65,536 characters. Run `driftguard lint` (or "
                    "see the SARIF or JSON output) for all of them.\n") != std::string::npos);
}
