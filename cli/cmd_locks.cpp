// driftguard locks: per statement, the locks it takes, on which relation, what they block, and whether the
// relation existed before the migration — a static lock trace.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "analyzer/source.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/settings_flags.hpp"
#include "rules/locking/lock_trace.hpp"
#include "rules/names.hpp"

namespace driftguard {
namespace {

struct LocksOptions {
  std::vector<std::string> paths;
  std::string format = "text";
  SettingsFlags settings;
};

std::string relation_text(const LockTaken& l) {
  if (l.relation.empty()) return "?";
  return l.table_of_index ? "the table of index " + display(l.relation) : display(l.relation);
}

void print_text(std::ostream& out, const FileTrace& t) {
  out << t.path << " (runner " << to_string(t.runner.runner) << ": " << t.runner.why << ")\n";
  // Statements and syntax errors in file order.
  std::vector<std::pair<std::size_t, std::string>> lines;
  auto at = [](Position p) {
    std::string w = std::to_string(p.line) + ":" + std::to_string(p.column);
    return "  " + w + std::string(w.size() < 8 ? 8 - w.size() : 1, ' ');
  };
  for (std::size_t i = 0; i < t.errors.size(); ++i) {
    lines.emplace_back(t.errors[i].span.begin, at(t.error_positions[i]) + "syntax error: " + t.errors[i].message + "\n");
  }
  for (const auto& s : t.statements) {
    std::string text = at(s.start) + s.text;
    if (s.transaction != "none") {
      text += "  [" + (s.transaction == "do-block" ? std::string("DO block") : s.transaction + " transaction") + "]";
    }
    text += "\n";
    for (const auto& l : s.locks) {
      text += "            " + std::string(lock_name(l.lock.mode)) + " on " + relation_text(l.lock) + " (" + l.origin +
              "): " + blocks_text(l.lock.mode) + "\n";
    }
    lines.emplace_back(s.span.begin, text);
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& l : lines) out << l.second;
}

nlohmann::ordered_json to_json(const FileTrace& t) {
  using oj = nlohmann::ordered_json;
  oj f;
  f["file"] = t.path;
  f["runner"] = std::string(to_string(t.runner.runner));
  f["transaction_mode"] = std::string(to_string(t.runner.mode));
  f["transaction_reason"] = t.runner.why;
  oj errors = oj::array();
  for (std::size_t i = 0; i < t.errors.size(); ++i) {
    errors.push_back({{"line", t.error_positions[i].line}, {"column", t.error_positions[i].column},
                      {"message", t.errors[i].message}});
  }
  f["syntax_errors"] = errors;
  oj stmts = oj::array();
  for (const auto& s : t.statements) {
    oj st;
    st["line"] = s.start.line;
    st["column"] = s.start.column;
    st["offset"] = s.span.begin;
    st["text"] = s.text;
    st["transaction"] = s.transaction;
    oj locks = oj::array();
    for (const auto& l : s.locks) {
      locks.push_back({{"mode", std::string(lock_name(l.lock.mode))},
                       {"relation", relation_text(l.lock)},
                       {"taken_by", l.lock.why},
                       {"blocks_reads", blocks_reads(l.lock.mode)},
                       {"blocks_writes", blocks_writes(l.lock.mode)},
                       {"blocks", blocks_text(l.lock.mode)},
                       {"relation_existed", l.origin == "existing"},
                       {"origin", l.origin}});
    }
    st["locks"] = locks;
    stmts.push_back(st);
  }
  f["statements"] = stmts;
  return f;
}

int run_locks(const LocksOptions& o) {
  // Each file's settings (runner, pg_version, baseline) from its nearest driftguard.toml, as lint reads them; the
  // flags win.
  Overrides overrides;
  overrides.flags = o.settings;
  ConfigSet configs(std::nullopt, overrides);
  auto d = discover(o.paths);
  for (const auto& e : d.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  std::map<std::string, RunState> runs;  // one per migration folder, files in version order
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  bool failed = !d.errors.empty();
  for (const auto& path : d.files) {
    try {
      SourceFile src = load_file(path);
      FileTrace t = trace_locks(src, runs[src.info.set], configs.for_path(path).effective.settings);
      if (o.format == "json") {
        files.push_back(to_json(t));
      } else {
        print_text(std::cout, t);
      }
    } catch (const InputFailure& e) {
      std::cerr << "driftguard: " << path << ": " << e.message << "\n";
      failed = true;
    }
  }
  if (o.format == "json") {
    nlohmann::ordered_json doc;
    doc["version"] = 1;
    doc["files"] = files;
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return failed ? 2 : 0;
}

}  // namespace

void add_locks_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto lo = std::make_shared<LocksOptions>();
  auto* cmd = app.add_subcommand("locks", "Show, per statement, the table locks it takes and what they block");
  cmd->add_option("paths", lo->paths, "Files, directories (recursive) or glob patterns")->required();
  cmd->add_option("--format", lo->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  add_settings_flags(cmd, lo->settings);
  out.push_back({cmd, [lo] { return run_locks(*lo); }});
}

}  // namespace driftguard
