// The rule engine: parses a file, walks each statement's tree once, dispatches nodes to the rules that asked for
// their type, applies suppressions, and returns sorted findings with line/column positions.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "rules/rule.hpp"
#include "rules/state.hpp"

namespace driftguard {

struct RuleSelection {
  std::set<std::string> only;                 // --rule: when non-empty, just these
  std::set<std::string> exclude;              // --exclude-rule
  std::map<std::string, Severity> severity;   // --severity RULE=level (off disables)
};

struct FileReport {
  std::vector<Finding> findings;
  int statements = 0;
  int meta_commands = 0;
};

class Engine {
 public:
  // Throws std::invalid_argument naming an unknown rule id in the selection.
  Engine(const Settings& settings, const RuleSelection& selection);

  // `external`: findings of this file produced outside the engine (incomplete-down-migration, cli/check_down):
  // the file's driftguard-ignore comments, severities and unused-ignore accounting apply to them too.
  FileReport lint(const SourceFile& file, RunState& run, std::vector<Finding> external = {}) const;
  // The same with the file parsed already (parse(file), e.g. on another thread: lint --jobs).
  FileReport lint(const SourceFile& file, ParsedFile parsed, RunState& run, std::vector<Finding> external = {}) const;
  // The file parsed as lint parses it (comments collected when it may hold driftguard-ignore directives).
  static ParsedFile parse(const SourceFile& file);
  // Findings of `file` produced outside the engine, as lint would report them: suppressed by the file's
  // driftguard-ignore comments (an unused ignore is not reported: lint does that), with the configured severity
  // and category (a rule set to off drops them), located and sorted. Spans stay relative to the text (no BOM).
  std::vector<Finding> suppress(const SourceFile& file, std::vector<Finding> findings) const;
  // The schema at the end of a history (its files in migration order), replayed as lint replays each file from
  // `start` (the run's starting point: empty, or a platform baseline): what RunState::set_history_end wants for
  // the rules that judge a file by the end of its history.
  std::shared_ptr<const model::SchemaModel> history_end(const std::vector<SourceFile>& files,
                                                        RunState start = {}) const;
  // The same from files on disk, each read just before it is replayed (a folder's texts are never held together);
  // one that cannot be read is skipped (lint reports it when it lints the file). Nothing when none could be read.
  std::optional<model::SchemaModel> history_end(const std::vector<std::string>& paths, RunState start) const;
  // The same, handing each file it replayed, with the parse lint would make of it (parse(file)), to `keep`, which
  // may move them out (lint then need not read and parse the file again). A file parse(file) would cut at
  // drizzle's markers is replayed as parse_sql parses it, as the overload above does, and not handed over.
  std::optional<model::SchemaModel> history_end(const std::vector<std::string>& paths, RunState start,
                                                const std::function<void(SourceFile&, ParsedFile&)>& keep) const;
  Severity severity_of(const std::string& rule) const;
  bool enabled(const std::string& rule) const { return severity_of(rule) != Severity::off; }
  // Enabled for this file: a rule with a default layout that was not selected explicitly runs only on files of
  // that layout (RuleInfo::default_layout).
  bool enabled_for(const std::string& rule, const SourceFile& file) const;

 private:
  std::vector<Finding> apply_ignores(const SourceFile& file, const ParsedFile& pf, std::vector<Finding> raw,
                                     bool report_unused) const;
  std::vector<Finding> finish(const SourceFile& file, std::vector<Finding> kept) const;
  void walk(const json& node, RuleContext& ctx, int depth) const;
  void replay_up(const SourceFile& file, RunState& run) const;  // history_end's replay of one file

  Settings settings_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::map<std::string, Severity> severity_;
  std::map<std::string, std::string> category_;
  std::unordered_map<std::string, std::vector<const Rule*>> dispatch_;
  std::vector<const Rule*> active_;
  std::map<std::string, Layout> layout_gated_;  // rule id -> the only layout it runs on
  std::set<std::string> chosen_;                // --rule or --severity (presets, config) named these
};

// Fills start/end line/column of findings from their byte spans.
void locate(std::vector<Finding>& findings, const std::string& text);
void sort_findings(std::vector<Finding>& findings);

}  // namespace driftguard
