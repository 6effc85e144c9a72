// driftguard: PostgreSQL migration linter and schema-drift detector.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "analyzer/pgquery.hpp"
#include "analyzer/source.hpp"
#include "cli/report.hpp"
#include "rules/docs.hpp"
#include "rules/engine.hpp"
#include "rules/registry.hpp"

namespace dg = driftguard;

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LintOptions {
  std::vector<std::string> paths;
  std::string stdin_filename;
  std::string format = "text";
  std::vector<std::string> rules;
  std::vector<std::string> exclude;
  std::vector<std::string> severities;
  std::string fail_on = "error";
  std::string color = "auto";
  int pg_version = 15;
  bool verbose = false;
};

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return isatty(STDOUT_FILENO) != 0;
}

int run_lint(const LintOptions& o) {
  dg::RuleSelection sel;
  sel.only.insert(o.rules.begin(), o.rules.end());
  sel.exclude.insert(o.exclude.begin(), o.exclude.end());
  for (const auto& s : o.severities) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw UsageError("--severity expects RULE=LEVEL, got '" + s + "'");
    auto level = dg::parse_severity(s.substr(eq + 1));
    if (!level) throw UsageError("--severity " + s + ": level must be error, warning, info or off");
    sel.severity[s.substr(0, eq)] = *level;
  }
  auto fail_on = dg::parse_severity(o.fail_on);
  if (!fail_on || *fail_on == dg::Severity::off) throw UsageError("--fail-on must be error, warning or info");
  dg::Settings settings;
  settings.pg_version = o.pg_version;
  if (o.pg_version < 9 || o.pg_version > 18) throw UsageError("--pg-version must be between 9 and 18");

  std::unique_ptr<dg::Engine> engine;
  try {
    engine = std::make_unique<dg::Engine>(settings, sel);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  dg::RunResult result;
  std::vector<std::string> inputs;
  bool want_stdin = false;
  for (const auto& p : o.paths) {
    if (p == "-") {
      want_stdin = true;
    } else {
      inputs.push_back(p);
    }
  }
  std::map<std::string, dg::RunState> runs;  // one per migration set
  auto lint_one = [&](const dg::SourceFile& src) {
    auto& run = runs[src.info.set];
    auto rep = engine->lint(src, run);
    ++result.files;
    if (o.verbose && rep.meta_commands > 0) {
      std::cerr << src.path << ": skipped " << rep.meta_commands << " psql meta-command line(s)\n";
    }
    if (!rep.findings.empty()) {
      result.texts[src.path] = src.text;
      result.boms[src.path] = src.bom;
    }
    for (auto& f : rep.findings) result.findings.push_back(std::move(f));
  };
  if (want_stdin) {
    std::string content((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string name = o.stdin_filename.empty() ? "<stdin>" : o.stdin_filename;
    try {
      lint_one(dg::make_source(name, std::move(content)));
    } catch (const dg::InputFailure& e) {
      result.errors.push_back({name, e.message});
    }
  }
  if (!inputs.empty()) {
    auto d = dg::discover(inputs);
    result.errors.insert(result.errors.end(), d.errors.begin(), d.errors.end());
    for (const auto& path : d.files) {
      try {
        lint_one(dg::load_file(path));
      } catch (const dg::InputFailure& e) {
        result.errors.push_back({path, e.message});
      }
    }
  }
  dg::sort_findings(result.findings);

  // Input errors always go to stderr too (JSON also lists them in the document).
  for (const auto& e : result.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  if (o.format == "json") {
    dg::report_json(std::cout, result);
  } else if (o.format == "gcc") {
    dg::report_gcc(std::cout, result);
  } else {
    dg::report_text(std::cout, result, use_color(o.color));
  }
  if (!result.errors.empty()) return 2;
  for (const auto& f : result.findings) {
    if (f.severity >= *fail_on) return 1;
  }
  return 0;
}

int run_rules() {
  auto rules = dg::make_all_rules();
  std::size_t w = 0;
  std::size_t wc = 0;
  for (const auto& r : rules) {
    w = std::max(w, r->info().id.size());
    wc = std::max(wc, r->info().category.size());
  }
  for (const auto& r : rules) {
    const auto& i = r->info();
    std::string sev = i.severity == dg::Severity::off ? "off" : std::string(dg::to_string(i.severity));
    std::cout << std::left << std::setw(static_cast<int>(w) + 2) << i.id << std::setw(static_cast<int>(wc) + 2)
              << i.category << std::setw(9) << sev << i.summary << "\n";
  }
  return 0;
}

int run_explain(const std::string& id) {
  for (const auto& d : dg::rule_docs()) {
    if (d.id == id) {
      std::cout << d.markdown;
      return 0;
    }
  }
  throw UsageError("unknown rule '" + id + "' (see `driftguard rules`)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"driftguard: keeps PostgreSQL schema changes safe"};
  app.set_version_flag("--version", std::string("driftguard 0.1.0"));
  app.require_subcommand(1);

  LintOptions lo;
  auto* lint = app.add_subcommand("lint", "Lint migration files for destructive, non-idempotent and unsafe statements");
  lint->add_option("paths", lo.paths, "Files, directories (recursive), glob patterns, or - for stdin")->required();
  lint->add_option("--stdin-filename", lo.stdin_filename, "Name (and layout) to use for the SQL read from stdin");
  lint->add_option("--format", lo.format, "Output format")->check(CLI::IsMember({"text", "json", "gcc"}));
  lint->add_option("--rule", lo.rules, "Run only these rules (repeatable; enables opt-in rules)");
  lint->add_option("--exclude-rule", lo.exclude, "Do not run these rules (repeatable)");
  lint->add_option("--severity", lo.severities, "Override a rule's severity: RULE=error|warning|info|off (repeatable)");
  lint->add_option("--fail-on", lo.fail_on, "Exit 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  lint->add_option("--pg-version", lo.pg_version, "Target PostgreSQL major version (default 15)");
  lint->add_option("--color", lo.color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  lint->add_flag("--verbose", lo.verbose, "Also say what was skipped (psql meta-commands)");

  app.add_subcommand("rules", "List every rule: id, category, default severity, summary");
  std::string explain_id;
  auto* explain = app.add_subcommand("explain", "Print a rule's documentation");
  explain->add_option("rule", explain_id, "Rule id")->required();

  int code = 0;
  try {
    app.parse(argc, argv);
    if (app.got_subcommand("lint")) {
      code = run_lint(lo);
    } else if (app.got_subcommand("rules")) {
      code = run_rules();
    } else if (app.got_subcommand("explain")) {
      code = run_explain(explain_id);
    }
  } catch (const CLI::ParseError& e) {
    code = app.exit(e);
    if (code != 0) code = 2;
  } catch (const UsageError& e) {
    std::cerr << "driftguard: error: " << e.what() << "\n";
    code = 2;
  } catch (const std::exception& e) {
    std::cerr << "driftguard: error: " << e.what() << "\n";
    code = 2;
  }
  std::cout.flush();
  dg::pg::shutdown();
  return code;
}
