// driftguard lint: lint migration files.
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>

#include "analyzer/fix.hpp"
#include "analyzer/source.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"
#include "cli/settings_flags.hpp"
#include "rules/engine.hpp"

namespace driftguard {
namespace {

struct LintOptions {
  std::vector<std::string> paths;
  std::string stdin_filename;
  std::string format = "text";
  std::vector<std::string> rules;
  std::vector<std::string> exclude;
  std::vector<std::string> severities;
  std::string fail_on = "error";
  std::string color = "auto";
  SettingsFlags settings;
  bool verbose = false;
  bool fix = false;
};

int run_lint(const LintOptions& o) {
  RuleSelection sel;
  sel.only.insert(o.rules.begin(), o.rules.end());
  sel.exclude.insert(o.exclude.begin(), o.exclude.end());
  for (const auto& s : o.severities) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw UsageError("--severity expects RULE=LEVEL, got '" + s + "'");
    auto level = parse_severity(s.substr(eq + 1));
    if (!level) throw UsageError("--severity " + s + ": level must be error, warning, info or off");
    sel.severity[s.substr(0, eq)] = *level;
  }
  auto fail_on = parse_severity(o.fail_on);
  if (!fail_on || *fail_on == Severity::off) throw UsageError("--fail-on must be error, warning or info");
  Settings settings;
  apply_settings_flags(o.settings, settings);

  std::unique_ptr<Engine> engine;
  try {
    engine = std::make_unique<Engine>(settings, sel);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  RunResult result;
  std::vector<std::string> inputs;
  bool want_stdin = false;
  for (const auto& p : o.paths) {
    if (p == "-") {
      want_stdin = true;
    } else {
      inputs.push_back(p);
    }
  }
  std::map<std::string, RunState> runs;  // one per migration set
  auto lint_one = [&](const SourceFile& first) {
    auto& run = runs[first.info.set];
    RunState before = o.fix ? run : RunState{};
    auto rep = engine->lint(first, run);
    const SourceFile* src = &first;
    SourceFile fixed;
    if (o.fix) {
      std::vector<const Fix*> fixes;
      for (const auto& f : rep.findings) {
        if (f.fix) fixes.push_back(&*f.fix);
      }
      if (!fixes.empty()) {
        std::string on_disk = (first.bom ? std::string("\xEF\xBB\xBF") : std::string()) + first.text;
        auto outcome = apply_fixes(on_disk, fixes);
        if (outcome.applied > 0) {
          write_file_atomically(first.path, outcome.text);
          std::cerr << first.path << ": applied " << outcome.applied << " fix" << (outcome.applied == 1 ? "" : "es");
          if (outcome.skipped > 0) std::cerr << " (" << outcome.skipped << " overlapping, run again)";
          std::cerr << "\n";
          run = before;
          fixed = make_source(first.path, outcome.text);
          rep = engine->lint(fixed, run);
          src = &fixed;
        }
      }
    }
    ++result.files;
    if (o.verbose && rep.meta_commands > 0) {
      std::cerr << src->path << ": skipped " << rep.meta_commands << " psql meta-command line(s)\n";
    }
    if (!rep.findings.empty()) {
      result.texts[src->path] = src->text;
      result.boms[src->path] = src->bom;
    }
    for (auto& f : rep.findings) result.findings.push_back(std::move(f));
  };
  if (want_stdin && o.fix) throw UsageError("--fix rewrites files: it cannot be used with - (stdin)");
  if (want_stdin) {
    std::string content((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string name = o.stdin_filename.empty() ? "<stdin>" : o.stdin_filename;
    try {
      lint_one(make_source(name, std::move(content)));
    } catch (const InputFailure& e) {
      result.errors.push_back({name, e.message});
    }
  }
  if (!inputs.empty()) {
    auto d = discover(inputs);
    result.errors.insert(result.errors.end(), d.errors.begin(), d.errors.end());
    for (const auto& path : d.files) {
      try {
        lint_one(load_file(path));
      } catch (const InputFailure& e) {
        result.errors.push_back({path, e.message});
      }
    }
  }
  sort_findings(result.findings);

  // Input errors always go to stderr too (JSON also lists them in the document).
  for (const auto& e : result.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  if (o.format == "json") {
    report_json(std::cout, result);
  } else if (o.format == "gcc") {
    report_gcc(std::cout, result);
  } else {
    report_text(std::cout, result, use_color(o.color));
  }
  if (!result.errors.empty()) return 2;
  for (const auto& f : result.findings) {
    if (f.severity >= *fail_on) return 1;
  }
  return 0;
}

}  // namespace

void add_lint_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto lo = std::make_shared<LintOptions>();
  auto* lint = app.add_subcommand("lint", "Lint migration files for destructive, non-idempotent and unsafe statements");
  lint->add_option("paths", lo->paths, "Files, directories (recursive), glob patterns, or - for stdin")->required();
  lint->add_option("--stdin-filename", lo->stdin_filename, "Name (and layout) to use for the SQL read from stdin");
  lint->add_option("--format", lo->format, "Output format")->check(CLI::IsMember({"text", "json", "gcc"}));
  lint->add_option("--rule", lo->rules, "Run only these rules (repeatable; enables opt-in rules)");
  lint->add_option("--exclude-rule", lo->exclude, "Do not run these rules (repeatable)");
  lint->add_option("--severity", lo->severities, "Override a rule's severity: RULE=error|warning|info|off (repeatable)");
  lint->add_option("--fail-on", lo->fail_on, "Exit 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  add_settings_flags(lint, lo->settings);
  lint->add_option("--color", lo->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  lint->add_flag("--verbose", lo->verbose, "Also say what was skipped (psql meta-commands)");
  lint->add_flag("--fix", lo->fix, "Apply the machine fixes of the findings to the files (atomically), then report what remains");
  out.push_back({lint, [lo] { return run_lint(*lo); }});
}

}  // namespace driftguard
