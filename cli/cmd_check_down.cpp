// driftguard check-down [DIR]: every down migration of a folder must restore the schema before its up migration
// (cli/check_down). Findings of rule incomplete-down-migration, through the lint reporters; the SQL that completes
// a down is the fix of its first finding.
#include <iostream>
#include <memory>

#include "analyzer/supabase_layout.hpp"
#include "cli/check_down.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/escape.hpp"
#include "cli/report.hpp"
#include "cli/terminal.hpp"
#include "rules/engine.hpp"

namespace driftguard {
namespace {

struct CheckDownOptions {
  std::string dir = ".";
  bool shadow = false;
  std::string format = "text";
  std::string color = "auto";
  bool verbose = false;
  PlatformFlags platform;
  std::string config;                   // --config: this driftguard.toml instead of the nearest one
  std::vector<std::string> severities;  // --severity incomplete-down-migration=LEVEL
};

int run_check_down(const CheckDownOptions& o) {
  // The rule's severity is configured as for lint (driftguard.toml [rules.severity], --severity); off silences it.
  Overrides ov;
  ov.severity = severity_flags(o.severities);
  ConfigSet configs(o.config.empty() ? std::nullopt : std::optional<std::string>(o.config), ov);
  configs.for_path(o.dir);  // a bad config or --severity is a usage error even when there is no down migration
  std::vector<InputError> notes;
  Discovery d = discover_with_notes({o.dir}, notes);
  for (const auto& e : d.errors) std::cerr << "driftguard: " << visible(e.path) << ": " << visible(e.message) << "\n";
  if (!d.errors.empty()) return 2;
  LoadContext ctx;
  ctx.shadow = o.shadow;
  if (o.verbose) ctx.log = &std::cerr;
  ctx.platform = choose_platform(o.platform.platform, o.platform.prelude, find_config(o.dir), {{"migrations", o.dir}}).baseline;
  DownHistory history = down_history(d.files);
  CheckDownResult checked = check_down(history, ctx);

  RunResult result;
  result.errors = checked.errors;
  int complete = 0;
  int cannot = 0;
  for (auto& c : checked.checks) {
    result.paths.push_back(c.pair.down);
    ++result.files;
    if (!c.cannot_check.empty()) {
      ++cannot;
      std::cerr << "driftguard: " << visible(c.pair.down) << ": not checked: " << visible(c.cannot_check) << "\n";
      continue;
    }
    // The down file's driftguard-ignore comments and the configured severity apply (Engine::suppress).
    std::vector<Finding> kept = configs.for_path(c.pair.down).engine->suppress(load_file(c.pair.down), std::move(c.findings));
    if (kept.empty()) ++complete;
    for (auto& f : kept) result.findings.push_back(std::move(f));
  }
  result.texts = checked.texts;
  sort_findings(result.findings);
  for (const auto& e : result.errors) std::cerr << "driftguard: " << visible(e.path) << ": " << visible(e.message) << "\n";
  report(std::cout, o.format, result, use_color(o.color), output_width());
  std::cerr << "driftguard: " << history.pairs.size() << " down migration" << (history.pairs.size() == 1 ? "" : "s")
            << " of " << history.ups.size() << " up migration" << (history.ups.size() == 1 ? "" : "s") << " checked"
            << (o.shadow ? " in throwaway clusters" : "") << ": " << complete << " restore the schema before their up";
  if (cannot > 0) std::cerr << ", " << cannot << " could not be checked";
  std::cerr << "\n";
  if (!result.errors.empty() || cannot > 0) return 2;
  // Every finding left counts, whatever its severity: a down migration that does not restore the schema fails
  // the check (severity off, or a driftguard-ignore comment, accepts it).
  return result.findings.empty() ? 0 : 1;
}

}  // namespace

void add_check_down_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<CheckDownOptions>();
  auto* cmd = app.add_subcommand("check-down", "Check that each down migration restores the schema before its up migration");
  cmd->add_option("dir", o->dir, "The migration folder (default: .)");
  cmd->add_flag("--shadow", o->shadow, "Let PostgreSQL apply history, up and down in throwaway clusters (two per pair)");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember(report_formats()));
  cmd->add_option("--color", o->color, "auto, always or never")->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("-v,--verbose", o->verbose, "With --shadow: each step of the throwaway clusters on stderr");
  add_platform_flags(cmd, o->platform);
  cmd->add_option("--config", o->config, "Use this driftguard.toml (default: the nearest one above DIR)");
  cmd->add_option("--severity", o->severities,
                  "Severity of incomplete-down-migration: incomplete-down-migration=error|warning|info|off (as for lint)");
  out.push_back({cmd, [o] { return run_check_down(*o); }});
}

}  // namespace driftguard
