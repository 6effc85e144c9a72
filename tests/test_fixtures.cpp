// Data-driven rule tests: every fixtures/rules/<rule-id>/bad_*.sql and ok_*.sql is its own test case.
//   -- expect: <rule-id> [line=+K] [col=N]
// on the line above a statement says: a finding of <rule-id> starts on the next non-expect line (K lines further
// down when given) at its first non-blank column (or column N). The findings of that rule must be exactly these.
// ok_*.sql files must produce no finding of their rule. No fixture may contain a syntax error unless it is the
// syntax-error rule's. An optional first line "-- options: pg-version=N runner=NAME assume-in-transaction
// baseline=VERSION" sets the target version, the migration runner, and the baseline. Lines "-- migration: NAME"
// split a fixture into several migrations of one run (linted in order as <fixture dir>/migrations/NAME, each seeing
// only its own lines; line numbers stay those of the fixture). Lines "-- option: NAME = VALUE" (TOML, anywhere in
// the fixture) set options of the rule under test as [rules.options.<rule-id>] does in driftguard.toml.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <tuple>

#include "analyzer/fix.hpp"
#include "cli/config.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "shell.hpp"
#include "rules/registry.hpp"
#include "rules/transaction/runner.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

struct Expect {
  std::string rule;
  int line;
  int column;
  bool operator<(const Expect& o) const { return std::tie(rule, line, column) < std::tie(o.rule, o.line, o.column); }
  bool operator==(const Expect& o) const { return rule == o.rule && line == o.line && column == o.column; }
};

using dgtest::read_file;

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back(cur);
      cur.clear();
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      cur += s[i];
    }
  }
  lines.push_back(cur);
  return lines;
}

std::vector<Expect> expectations(const std::string& text) {
  auto lines = split_lines(text);
  std::vector<Expect> out;
  const std::string marker = "-- expect:";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto pos = lines[i].find(marker);
    if (pos == std::string::npos) continue;
    std::istringstream ss(lines[i].substr(pos + marker.size()));
    Expect e;
    ss >> e.rule;
    int line_off = 0;
    int col = 0;
    std::string opt;
    while (ss >> opt) {
      if (opt.rfind("line=+", 0) == 0) line_off = std::stoi(opt.substr(6));
      if (opt.rfind("col=", 0) == 0) col = std::stoi(opt.substr(4));
    }
    std::size_t target = i + 1;
    while (target < lines.size() && lines[target].find(marker) != std::string::npos) ++target;
    target += static_cast<std::size_t>(line_off);
    e.line = static_cast<int>(target + 1);
    if (col == 0) {
      const std::string& l = target < lines.size() ? lines[target] : std::string();
      auto first = l.find_first_not_of(" \t");
      col = first == std::string::npos ? 1 : static_cast<int>(first + 1);
    }
    e.column = col;
    out.push_back(e);
  }
  return out;
}

// `-- option: NAME = VALUE` lines (TOML) set options of the rule under test, read by the config loader as
// [rules.options.RULE] would be in driftguard.toml.
RuleOptions rule_options(const std::string& rule, const std::string& text) {
  std::string toml;
  const std::string marker = "-- option:";
  for (const auto& line : split_lines(text)) {
    if (line.rfind(marker, 0) == 0) toml += line.substr(marker.size()) + "\n";
  }
  if (toml.empty()) return {};
  return parse_config("[rules.options." + rule + "]\n" + toml, "fixture.toml", make_all_rules()).rule_options;
}

Settings options(const std::string& text) {
  Settings s;
  auto first = split_lines(text).front();
  auto pos = first.find("-- options:");
  if (pos == std::string::npos) return s;
  std::istringstream ss(first.substr(pos + 11));
  std::string opt;
  while (ss >> opt) {
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (key == "pg-version") {
      s.pg_version = std::stoi(value);
    } else if (key == "runner") {
      auto r = parse_runner(value);
      REQUIRE(r);
      s.runner = *r;
    } else if (key == "assume-in-transaction") {
      s.assume_in_transaction = true;
    } else if (key == "baseline") {
      s.baseline = value;
    } else {
      FAIL("unknown fixture option " << opt);
    }
  }
  return s;
}

// Lints a fixture: one file, or the migrations its "-- migration: NAME" lines start, in order, in one run. Each
// migration sees the fixture with every other migration's bytes blanked (newlines kept), so offsets, lines and
// fixes stay those of the fixture.
std::vector<Finding> lint_fixture(const std::string& text, const RuleSelection& sel, const fs::path& file,
                                  const std::string& rule) {
  Settings settings = options(text);
  settings.rule_options = rule_options(rule, text);
  const std::string marker = "-- migration:";
  struct Part {
    std::string path;
    std::size_t begin;
  };
  std::vector<Part> parts;
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    if (at != 0 && text[at - 1] != '\n') continue;
    std::size_t eol = text.find('\n', at);
    std::string name = text.substr(at + marker.size(), eol == std::string::npos ? std::string::npos : eol - at - marker.size());
    name.erase(0, name.find_first_not_of(' '));
    parts.push_back({(file.parent_path() / "migrations" / name).string(), parts.empty() ? 0 : at});
  }
  if (parts.empty()) return dgtest::lint_text(text, sel, settings, file.string());
  parts.front().begin = 0;
  Engine engine(settings, sel);
  RunState run;
  std::vector<SourceFile> sources;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t end = i + 1 < parts.size() ? parts[i + 1].begin : text.size();
    std::string masked = text;
    for (std::size_t k = 0; k < masked.size(); ++k) {
      if ((k < parts[i].begin || k >= end) && masked[k] != '\n') masked[k] = ' ';
    }
    sources.push_back(make_source(parts[i].path, masked));
  }
  // As `lint` does for a migration folder: the rules that judge by the end of the history see all of it.
  run.set_history_end(engine.history_end(sources));
  std::vector<Finding> out;
  for (const auto& src : sources) {
    for (auto& f : engine.lint(src, run).findings) out.push_back(std::move(f));
  }
  return out;
}

void run_fixture(const std::string& rule, const fs::path& file) {
  std::string text = read_file(file);
  bool bad = file.filename().string().rfind("bad_", 0) == 0;
  RuleSelection sel;
  // The default selection (rules that defer to each other or to the context see what users see), plus the rule
  // under test when it is opt-in or limited to one layout (it then counts as chosen, as --severity makes it).
  auto all = make_all_rules();
  for (const auto& r : all) {
    if (r->info().id != rule) continue;
    if (r->info().severity == Severity::off) {
      sel.severity[rule] = Severity::warning;
    } else if (r->info().default_layout) {
      sel.severity[rule] = r->info().severity;
    }
  }
  auto findings = lint_fixture(text, sel, file, rule);
  std::vector<Expect> actual;
  for (const auto& f : findings) {
    if (f.rule == "syntax-error" && rule != "syntax-error") {
      FAIL("fixture has a syntax error at " << f.start.line << ":" << f.start.column << ": " << f.message);
    }
    if (f.rule == rule) actual.push_back({f.rule, f.start.line, f.start.column});
  }
  std::vector<Expect> expected = bad ? expectations(text) : std::vector<Expect>{};
  if (bad) REQUIRE_FALSE(expected.empty());
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  auto show = [](const std::vector<Expect>& v) {
    std::string s;
    for (const auto& e : v) s += e.rule + "@" + std::to_string(e.line) + ":" + std::to_string(e.column) + " ";
    return s.empty() ? std::string("(none)") : s;
  };
  INFO("file: " << file.string());
  INFO("expected: " << show(expected));
  INFO("actual:   " << show(actual));
  CHECK(actual == expected);

  // Every finding of the fixture (any rule) states its hazard in a short first line; the rest is in notes.
  for (const auto& f : findings) {
    INFO(f.rule << " at " << f.start.line << ":" << f.start.column << ": " << f.message);
    CHECK(dgtest::first_line_width(f.message) <= dgtest::kFirstLineWidth);
  }

  // Machine fixes: applying every fix of this rule gives SQL that still parses, where the rule no longer fires
  // on the fixed statements.
  std::vector<const Fix*> fixes;
  std::size_t unfixed = 0;
  for (const auto& f : findings) {
    if (f.rule != rule) continue;
    if (f.fix) {
      fixes.push_back(&*f.fix);
    } else {
      ++unfixed;
    }
  }
  if (!fixes.empty()) {
    auto outcome = apply_fixes(text, fixes);
    INFO("fixed text:\n" << outcome.text);
    CHECK(outcome.skipped == 0);
    auto again = lint_fixture(outcome.text, sel, file, rule);
    std::size_t remaining = 0;
    for (const auto& f : again) {
      CHECK(f.rule != "syntax-error");
      if (f.rule == rule) ++remaining;
    }
    CHECK(remaining == unfixed);
  }
}

struct FixtureInvoker : Catch::ITestInvoker {
  std::string rule;
  fs::path file;
  FixtureInvoker(std::string r, fs::path f) : rule(std::move(r)), file(std::move(f)) {}
  void invoke() const override { run_fixture(rule, file); }
};

std::vector<std::unique_ptr<std::string>>& names() {
  static std::vector<std::unique_ptr<std::string>> n;
  return n;
}

const bool registered = [] {
  fs::path root = fs::path(dgtest::source_dir()) / "fixtures" / "rules";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return false;
  std::vector<fs::path> files;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() == ".sql") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string rule = f.parent_path().filename().string();
    names().push_back(std::make_unique<std::string>("fixture " + rule + "/" + f.filename().string()));
    Catch::AutoReg(new FixtureInvoker(rule, f), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{Catch::StringRef(*names().back()), Catch::StringRef("[fixtures]")});
  }
  return true;
}();

}  // namespace

TEST_CASE("fixture expectations are parsed", "[fixtures]") {
  auto e = expectations("-- expect: ban-drop-table\n-- expect: x col=7\n  DROP TABLE a;\n-- expect: y line=+1\nALTER TABLE t\n  DROP COLUMN c;\n");
  REQUIRE(e.size() == 3);
  CHECK(e[0] == Expect{"ban-drop-table", 3, 3});
  CHECK(e[1] == Expect{"x", 3, 7});
  CHECK(e[2] == Expect{"y", 6, 3});
}
