// driftguard drift: compare two schema models (from migrations, a SQL file, and later schema.prisma or a live
// database) and report the differences.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/model_source.hpp"
#include "cli/report.hpp"
#include "introspect/diff.hpp"

namespace driftguard {
namespace {

struct DriftOptions {
  std::map<std::string, std::vector<std::string>> sides;  // kind -> paths, as given
  std::vector<std::pair<std::string, std::string>> order;  // (kind, path) in command-line order
  std::vector<std::string> ignore;
  std::string config;  // --config; default: the nearest driftguard.toml above the first side
  std::string format = "text";
  std::string color = "auto";
  bool verbose = false;
};

std::string where(const diff::Endpoint& e) { return e.src.known() ? e.src.str() : std::string(); }

struct Counts {
  int errors = 0;
  int warnings = 0;
  int infos = 0;
  int unmanaged = 0;
  int failing = 0;  // items that make the exit code 1: warnings and errors that are not unmanaged
};
Counts count(const std::vector<diff::DriftItem>& items) {
  Counts c;
  for (const auto& i : items) {
    if (i.severity == Severity::error) ++c.errors;
    if (i.severity == Severity::warning) ++c.warnings;
    if (i.severity == Severity::info) ++c.infos;
    if (i.unmanaged) ++c.unmanaged;
    if (!i.unmanaged && i.severity >= Severity::warning) ++c.failing;
  }
  return c;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "public.users" for items of a table and its parts, the path itself otherwise.
std::string group_of(const diff::DriftItem& i) {
  auto first = i.path.find('.');
  if (first == std::string::npos) return i.path;
  auto second = i.path.find('.', first + 1);
  return second == std::string::npos ? i.path : i.path.substr(0, second);
}

void print_text(std::ostream& out, const ModelSource& e, const ModelSource& a, const std::vector<diff::DriftItem>& items,
                bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  auto sev_color = [&](Severity s) {
    if (!color) return "";
    return s == Severity::error ? "\x1b[1;31m" : s == Severity::warning ? "\x1b[1;33m" : "\x1b[1;36m";
  };
  out << "expected: " << e.label() << "\nactual:   " << a.label() << "\n";
  auto endpoint = [&](const char* name, const diff::Endpoint& p) {
    out << "    " << name << (p.present ? p.value : std::string("(absent)"));
    if (!where(p).empty()) out << dim << "  at " << where(p) << reset;
    out << "\n";
  };
  auto section = [&](bool unmanaged) {
    std::string group;
    for (const auto& i : items) {
      if (i.unmanaged != unmanaged) continue;
      if (group_of(i) != group) {
        group = group_of(i);
        out << "\n" << bold << group << reset << "\n";
      }
      out << "  " << sev_color(i.severity) << to_string(i.severity) << "[" << i.kind << "]" << reset << " " << i.message
          << "\n";
      endpoint("expected: ", i.expected);
      endpoint("actual:   ", i.actual);
    }
  };
  section(false);
  Counts c = count(items);
  if (c.unmanaged > 0) {
    out << "\n" << bold << "Unmanaged by schema.prisma" << reset
        << " (raw SQL that Prisma cannot express; allow with --ignore):\n";
    section(true);
  }
  for (const auto* src : {&e, &a}) {
    for (const auto& f : src->findings) {
      out << "\n" << f.file << ":" << f.start.line << ":" << f.start.column << ": " << sev_color(f.severity)
          << "error[" << f.rule << "]" << reset << ": " << f.message << "\n";
    }
  }
  std::size_t replay = e.findings.size() + a.findings.size();
  out << "\n" << bold << plural(items.size(), "drift item") << reset << " (" << plural(c.errors, "error") << ", "
      << plural(c.warnings, "warning") << ", " << c.infos << " info";
  if (c.unmanaged > 0) out << "; " << c.unmanaged << " unmanaged";
  out << "); " << plural(replay, "replay error") << "\n";
}

void print_gcc(std::ostream& out, const ModelSource& e, const ModelSource& a, const std::vector<diff::DriftItem>& items) {
  RunResult r;
  r.findings = e.findings;
  r.findings.insert(r.findings.end(), a.findings.begin(), a.findings.end());
  report_gcc(out, r);
  // One line per item at the first known location, sorted by file, line and column.
  struct Line {
    SourceRef at;
    std::string text;
  };
  std::vector<Line> lines;
  for (const auto& i : items) {
    const auto& p = i.expected.src.known() ? i.expected : i.actual;
    SourceRef at = p.src.known() ? p.src : SourceRef{i.expected.present ? e.label() : a.label(), 0, 0};
    std::string text = at.str() + ": " + std::string(to_string(i.severity)) + ": " + i.message + " [" + i.kind + "]";
    if (i.unmanaged) text += " (unmanaged by schema.prisma)";
    lines.push_back({at, text});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& x, const Line& y) {
    return std::tie(x.at.file, x.at.line, x.at.column) < std::tie(y.at.file, y.at.line, y.at.column);
  });
  for (const auto& l : lines) out << l.text << "\n";
}

void print_json(std::ostream& out, const ModelSource& e, const ModelSource& a, const std::vector<diff::DriftItem>& items,
                bool verbose) {
  using oj = nlohmann::ordered_json;
  auto side = [&](const ModelSource& s) {
    oj j;
    j["source"] = s.label();
    j["files"] = s.files;
    j["statements_applied"] = s.applied;
    if (verbose) {
      oj sk = oj::array();
      for (const auto& k : s.skipped) {
        sk.push_back(oj{{"location", k.where.str()}, {"what", k.what}, {"no_effect", k.no_effect}});
      }
      j["skipped"] = sk;
    }
    return j;
  };
  auto endpoint = [](const diff::Endpoint& p) {
    if (!p.present) return oj(nullptr);
    oj j;
    j["value"] = p.value;
    if (p.src.known()) {
      j["file"] = p.src.file;
      j["line"] = p.src.line;
      j["column"] = p.src.column;
    }
    return j;
  };
  oj doc;
  doc["version"] = 1;
  doc["expected"] = side(e);
  doc["actual"] = side(a);
  oj arr = oj::array();
  for (const auto& i : items) {
    oj j;
    j["kind"] = i.kind;
    j["severity"] = std::string(to_string(i.severity));
    j["path"] = i.path;
    j["message"] = i.message;
    j["unmanaged"] = i.unmanaged;
    j["expected"] = endpoint(i.expected);
    j["actual"] = endpoint(i.actual);
    arr.push_back(j);
  }
  doc["items"] = arr;
  oj replay = oj::array();
  for (const auto* s : {&e, &a}) {
    for (const auto& f : s->findings) {
      replay.push_back(oj{{"file", f.file}, {"line", f.start.line}, {"column", f.start.column}, {"message", f.message}});
    }
  }
  doc["replay_errors"] = replay;
  Counts c = count(items);
  doc["summary"] = oj{{"items", items.size()},   {"errors", c.errors},       {"warnings", c.warnings},
                      {"infos", c.infos},         {"unmanaged", c.unmanaged}, {"replay_errors", replay.size()}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int run_drift(const DriftOptions& o) {
  if (o.order.size() != 2) {
    std::string opts;
    for (const auto& k : source_kinds()) opts += std::string(opts.empty() ? "" : ", ") + k.option;
    throw UsageError("drift compares exactly two schemas: give two of " + opts + " (got " + std::to_string(o.order.size()) + ")");
  }
  // The side with the lower rank (prisma < migrations < sql < database) is what is expected; ties keep the
  // command-line order.
  auto rank = [](const std::string& kind) {
    for (const auto& k : source_kinds()) {
      if (kind == k.name) return k.rank;
    }
    return 99;
  };
  auto sides = o.order;
  std::stable_sort(sides.begin(), sides.end(), [&](const auto& x, const auto& y) { return rank(x.first) < rank(y.first); });
  ModelSource expected = load_model(sides[0].first, sides[0].second);
  ModelSource actual = load_model(sides[1].first, sides[1].second);
  bool input_errors = false;
  for (const auto* s : {&expected, &actual}) {
    for (const auto& e : s->errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
    input_errors = input_errors || !s->errors.empty();
  }
  if (input_errors && (expected.files == 0 || actual.files == 0)) return 2;
  diff::Options opts;
  opts.prisma = expected.prisma ? diff::Side::expected : actual.prisma ? diff::Side::actual : diff::Side::none;
  opts.ignore = o.ignore;
  // [ignore] drift patterns of the config (--config, or the nearest driftguard.toml above the first side).
  std::optional<std::string> config_path = o.config.empty() ? find_config(o.order.front().second) : o.config;
  if (config_path) {
    Config c = load_config(*config_path);
    opts.ignore.insert(opts.ignore.end(), c.ignore_drift.begin(), c.ignore_drift.end());
  }
  auto items = diff::diff(expected.model, actual.model, opts);
  if (o.format == "json") {
    print_json(std::cout, expected, actual, items, o.verbose);
  } else if (o.format == "gcc") {
    print_gcc(std::cout, expected, actual, items);
  } else {
    print_text(std::cout, expected, actual, items, use_color(o.color));
  }
  if (o.verbose) {
    print_skipped(std::cerr, expected);
    print_skipped(std::cerr, actual);
  }
  if (input_errors) return 2;
  bool replay_errors = !expected.findings.empty() || !actual.findings.empty();
  return count(items).failing > 0 || replay_errors ? 1 : 0;
}

}  // namespace

void add_drift_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<DriftOptions>();
  auto* cmd = app.add_subcommand("drift", "Compare two schemas (schema.prisma, migrations, a SQL file) and report the drift");
  std::vector<std::pair<CLI::Option*, std::string>> side_options;
  for (const auto& k : source_kinds()) {
    auto* opt = cmd->add_option(k.option, o->sides[k.name], k.help);
    side_options.emplace_back(opt, k.name);
  }
  cmd->add_option("--ignore", o->ignore, "Ignore objects: table, schema.*, table.column, globs (repeatable)");
  cmd->add_option("--config", o->config,
                  "driftguard.toml whose [ignore] drift patterns apply (default: the nearest one above the first side)");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "gcc"}));
  cmd->add_option("--color", o->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--verbose", o->verbose, "Also list the statements the models do not represent");
  out.push_back({cmd, [o, cmd, side_options] {
                   // The sides in command-line order.
                   std::map<std::string, std::size_t> used;
                   for (const CLI::Option* opt : cmd->parse_order()) {
                     for (const auto& [so, kind] : side_options) {
                       if (so == opt) o->order.emplace_back(kind, o->sides[kind].at(used[kind]++));
                     }
                   }
                   return run_drift(*o);
                 }});
}

}  // namespace driftguard
