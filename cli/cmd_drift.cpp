// driftguard drift: compare two or three schema models (schema.prisma, migrations, a SQL file, a live database)
// and report the differences; with three, each difference is attributed to the source that disagrees.
#include <algorithm>
#include <array>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/escape.hpp"
#include "cli/model_source.hpp"
#include "cli/settings_flags.hpp"
#include "cli/terminal.hpp"
#include "cli/tracker.hpp"
#include "cli/report.hpp"
#include "cli/report_records.hpp"
#include "introspect/diff.hpp"
#include "introspect/diff3.hpp"
#include "cli/drift_sql.hpp"

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
  bool shadow = false;
  std::string runner = "auto";  // --runner; auto: the config's runner, else detected per file
  std::string fail_on = "warning";  // --fail-on: items at or above it make the exit code 1
  bool applied_only = false;        // --applied-only: the migrations side is what the tracker says is applied
  bool pending = false;             // --pending: replay the pending migrations on the live schema
  std::string tracker = "auto";     // --tracker (status's)
  bool allow_destructive = false;  // --format sql: destructive statements written, not commented out
  bool reverse = false;            // --format sql: from the expected side to the actual one
  DbFlags db;
  PlatformFlags platform;
};

std::string where(const diff::Endpoint& e) { return e.src.known() ? visible(e.src.str()) : std::string(); }
// A value (names, defaults, expressions) printed in text: control characters as visible escapes.
std::string shown(const diff::Endpoint& e) { return e.present ? visible(e.value) : std::string("(absent)"); }

struct Counts {
  int errors = 0;
  int warnings = 0;
  int infos = 0;
  int unmanaged = 0;
  int failing = 0;  // items that make the exit code 1: at or above --fail-on, and not unmanaged
};
// Two-way (DriftItem) and three-way (Item3) items alike.
template <class Items>
Counts count(const Items& items, Severity fail_on = Severity::warning) {
  Counts c;
  for (const auto& i : items) {
    if (i.severity == Severity::error) ++c.errors;
    if (i.severity == Severity::warning) ++c.warnings;
    if (i.severity == Severity::info) ++c.infos;
    if (i.unmanaged) ++c.unmanaged;
    if (!i.unmanaged && i.severity >= fail_on) ++c.failing;
  }
  return c;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "public.users" for items of a table and its parts, the path itself otherwise.
std::string group_of(const std::string& path) {
  auto first = path.find('.');
  if (first == std::string::npos) return path;
  auto second = path.find('.', first + 1);
  return second == std::string::npos ? path : path.substr(0, second);
}

// Text output's escape sequences (all empty without colour).
struct Palette {
  bool color;
  const char* bold = color ? "\x1b[1m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  const char* severity(Severity s) const {
    if (!color) return "";
    return s == Severity::error ? "\x1b[1;31m" : s == Severity::warning ? "\x1b[1;33m" : "\x1b[1;36m";
  }
};

// Drift triage joined with the migration tracker: one label per item (empty: no tracker to join with), and what to
// do about each label, with the tools of the project (the Supabase CLI for a Supabase-first project).
struct Triage {
  std::vector<diff::Triage> labels;
  bool supabase_first = false;

  // The order of the sections; `none` last: three-way items on which the migrations and the database agree.
  static constexpr diff::Triage kOrder[] = {diff::Triage::not_applied, diff::Triage::conflict,
                                            diff::Triage::edited_migration, diff::Triage::hotfix,
                                            diff::Triage::dashboard, diff::Triage::none};
  std::string hint(diff::Triage t) const {
    switch (t) {
      case diff::Triage::not_applied:
        return std::string("only pending migrations make these differ: deploy them (") +
               (supabase_first ? "`supabase db push`" : "`prisma migrate deploy`, or your runner") +
               "; see driftguard status)";
      case diff::Triage::conflict:
        return "a pending migration changes what the database already changed: the deploy fails or overwrites it; "
               "reconcile the migration with the database first (driftguard drift --pending shows what would fail)";
      case diff::Triage::edited_migration:
        return std::string("from a migration edited after it was applied: restore the applied version and put the "
                           "change in a new migration") +
               (supabase_first ? " (`supabase migration new <name>`)" : "");
      case diff::Triage::hotfix:
        return std::string("applied by a migration that is no longer in the folder (driftguard status: missing): "
                           "bring it back") +
               (supabase_first ? " (`supabase migration fetch` writes the applied history to files)" : "");
      case diff::Triage::dashboard:
        return supabase_first ? "changed in the database without a migration (dashboard, SQL editor): capture it "
                                "with `supabase db diff -f <name>` (or `supabase db pull`), or revert it"
                              : "changed in the database without a migration (by hand, db push): capture it in a "
                                "migration, or revert it";
      case diff::Triage::none:
        return "the migrations and the database agree on these";
    }
    return "";
  }
};

void print_groups(std::ostream& out, const auto& items, const Palette& pal, const auto& item);

// The items grouped by table (or schema object), the unmanaged ones in a section of their own; `item` prints one.
// With triage, first by label (a heading with what to do), then by table.
template <class Item, class PrintItem>
void print_sections(std::ostream& out, const std::vector<Item>& items, const Palette& pal, PrintItem item,
                    const Triage& tri = {}) {
  if (tri.labels.empty()) return print_groups(out, items, pal, item);
  for (diff::Triage label : Triage::kOrder) {
    std::vector<Item> sub;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (tri.labels[k] == label) sub.push_back(items[k]);
    }
    if (sub.empty()) continue;
    out << "\n" << pal.bold << "== " << (label == diff::Triage::none ? "other" : to_string(label)) << pal.reset << " ("
        << plural(sub.size(), "item")
        << "): " << tri.hint(label) << "\n";
    print_groups(out, sub, pal, item);
  }
}

void print_groups(std::ostream& out, const auto& items, const Palette& pal, const auto& item) {
  auto section = [&](bool unmanaged) {
    std::string group;
    for (const auto& i : items) {
      if (i.unmanaged != unmanaged) continue;
      if (group_of(i.path) != group) {
        group = group_of(i.path);
        out << "\n" << pal.bold << visible(group) << pal.reset << "\n";
      }
      item(i);
    }
  };
  section(false);
  if (count(items).unmanaged > 0) {
    out << "\n" << pal.bold << "Unmanaged by schema.prisma" << pal.reset
        << " (raw SQL that Prisma cannot express; allow with --ignore):\n";
    section(true);
  }
}

void print_cross_check(std::ostream& out, const ModelSource& s);

// After the items: every side's replay errors, the shadow cross-checks, the summary line.
template <class Item>
void print_tail(std::ostream& out, const std::vector<const ModelSource*>& sources, const std::vector<Item>& items,
                const Palette& pal) {
  std::size_t replay = 0;
  for (const auto* src : sources) {
    for (const auto& f : src->findings) {
      out << "\n" << visible(f.file) << ":" << f.start.line << ":" << f.start.column << ": " << pal.severity(f.severity)
          << "error[" << f.rule << "]" << pal.reset << ": " << visible(f.message) << "\n";
    }
    replay += src->findings.size();
  }
  for (const auto* src : sources) print_cross_check(out, *src);
  Counts c = count(items);
  out << "\n" << pal.bold << plural(items.size(), "drift item") << pal.reset << " (" << plural(c.errors, "error")
      << ", " << plural(c.warnings, "warning") << ", " << c.infos << " info";
  if (c.unmanaged > 0) out << "; " << c.unmanaged << " unmanaged";
  out << "); " << plural(replay, "replay error") << "\n";
}

// What --shadow adds: PostgreSQL's replay checked against driftguard's static replay of the same files.
void print_cross_check(std::ostream& out, const ModelSource& s) {
  if (!s.shadow) return;
  out << "\nshadow: " << visible(s.label()) << " replayed by PostgreSQL " << s.server_version << " in a throwaway cluster";
  if (s.not_applied > 0) out << "; " << plural(static_cast<std::size_t>(s.not_applied), "later file") << " not run after the failure";
  out << "\n";
  if (!s.findings.empty()) {
    out << "  comparison skipped: the history does not apply in full here, so what it lacks is not drift (see the "
           "error above)\n";
    return;
  }
  if (s.cross_check.empty() && s.static_findings.empty()) {
    out << "  cross-check: driftguard's static replay builds the same schema\n";
    return;
  }
  out << "  cross-check: driftguard's static replay differs from PostgreSQL (please report it; the PostgreSQL side is "
         "what is compared above):\n";
  for (const auto& i : s.cross_check) {
    out << "    " << i.kind << " " << visible(i.path) << ": static " << shown(i.expected) << ", PostgreSQL "
        << shown(i.actual) << "\n";
  }
  for (const auto& f : s.static_findings) {
    out << "    " << visible(f.file) << ":" << f.start.line << ":" << f.start.column
        << ": static replay error: " << visible(f.message) << "\n";
  }
}

void print_text(std::ostream& out, const ModelSource& e, const ModelSource& a, const std::vector<diff::DriftItem>& items,
                bool color, const Triage& tri) {
  Palette pal{color};
  out << "expected: " << visible(e.label()) << "\nactual:   " << visible(a.label()) << "\n";
  auto endpoint = [&](const char* name, const diff::Endpoint& p) {
    out << "    " << name << shown(p);
    if (!where(p).empty()) out << pal.dim << "  at " << where(p) << pal.reset;
    out << "\n";
  };
  print_sections(out, items, pal, [&](const diff::DriftItem& i) {
    out << "  " << pal.severity(i.severity) << to_string(i.severity) << "[" << i.kind << "]" << pal.reset << " "
        << visible(i.message) << "\n";
    endpoint("expected: ", i.expected);
    endpoint("actual:   ", i.actual);
  }, tri);
  print_tail(out, {&e, &a}, items, pal);
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
    std::string text =
        visible(at.str()) + ": " + std::string(to_string(i.severity)) + ": " + visible(i.message) + " [" + i.kind + "]";
    if (i.unmanaged) text += " (unmanaged by schema.prisma)";
    lines.push_back({at, text});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& x, const Line& y) {
    return std::tie(x.at.file, x.at.line, x.at.column) < std::tie(y.at.file, y.at.line, y.at.column);
  });
  for (const auto& l : lines) out << l.text << "\n";
}

using oj = nlohmann::ordered_json;

oj endpoint_json(const diff::Endpoint& p) {
  if (!p.present) return oj(nullptr);
  oj j;
  j["value"] = p.value;
  if (p.src.known()) {
    j["file"] = p.src.file;
    j["line"] = p.src.line;
    j["column"] = p.src.column;
  }
  return j;
}

// With a tracker: "triage" (the label; null when the migrations and the database agree) and "triage_hint".
void triage_json(oj& j, const Triage& tri, std::size_t k) {
  if (tri.labels.empty()) return;
  if (tri.labels[k] == diff::Triage::none) {
    j["triage"] = nullptr;
    return;
  }
  j["triage"] = std::string(to_string(tri.labels[k]));
  j["triage_hint"] = tri.hint(tri.labels[k]);
}

oj findings_json(const std::vector<Finding>& findings) {
  oj arr = oj::array();
  for (const auto& f : findings) {
    arr.push_back(oj{{"file", f.file}, {"line", f.start.line}, {"column", f.start.column}, {"rule", f.rule}, {"message", f.message}});
  }
  return arr;
}

oj side_json(const ModelSource& s, bool verbose) {
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
  if (s.shadow) {
    oj cc = oj::array();
    for (const auto& i : s.cross_check) {
      cc.push_back(oj{{"kind", i.kind}, {"path", i.path}, {"static", endpoint_json(i.expected)},
                      {"postgresql", endpoint_json(i.actual)}});
    }
    j["shadow"] = oj{{"server_version", s.server_version},
                     {"files_not_run", s.not_applied},
                     {"cross_check", cc},
                     {"static_replay_errors", findings_json(s.static_findings)}};
  }
  return j;
}

// --pending: the migrations still to apply, replayed on the live schema, and the statements that would fail.
struct PendingCheck {
  std::vector<std::string> files;
  std::vector<Finding> errors;
};

// Every side's replay errors (`rule` only when it is not replay-error: shadow-error), the summary; then prints.
template <class Item>
void finish_json(std::ostream& out, oj& doc, const std::vector<const ModelSource*>& sources,
                 const std::vector<Item>& items, const PendingCheck* pending) {
  if (pending) {
    oj errors = oj::array();
    for (const auto& f : pending->errors) {
      errors.push_back(oj{{"file", f.file}, {"line", f.start.line}, {"column", f.start.column}, {"message", f.message}});
    }
    doc["pending"] = oj{{"migrations", pending->files}, {"would_fail", errors}};
  }
  oj replay = oj::array();
  for (const auto* s : sources) {
    for (const auto& f : s->findings) {
      oj j{{"file", f.file}, {"line", f.start.line}, {"column", f.start.column}, {"message", f.message}};
      if (f.rule != model::kReplayError) j["rule"] = f.rule;
      replay.push_back(j);
    }
  }
  doc["replay_errors"] = replay;
  Counts c = count(items);
  doc["summary"] = oj{{"items", items.size()},   {"errors", c.errors},       {"warnings", c.warnings},
                      {"infos", c.infos},         {"unmanaged", c.unmanaged}, {"replay_errors", replay.size()}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void print_json(std::ostream& out, const ModelSource& e, const ModelSource& a, const std::vector<diff::DriftItem>& items,
                bool verbose, const Triage& tri, const PendingCheck* pending) {
  auto side = [&](const ModelSource& s) { return side_json(s, verbose); };
  auto endpoint = endpoint_json;
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
    triage_json(j, tri, static_cast<std::size_t>(&i - items.data()));
    arr.push_back(j);
  }
  doc["items"] = arr;
  finish_json(out, doc, {&e, &a}, items, pending);
}


// ---- three sources ----

// "schema.prisma", "the migrations", "the live database", "the SQL file": how a source is named in sentences.
std::string noun(const ModelSource& s) {
  if (s.kind == "prisma") return "schema.prisma";
  if (s.kind == "migrations") return s.shadow ? "the migrations (as PostgreSQL applies them)" : "the migrations";
  if (s.kind == "database") return "the live database";
  return s.path;  // a SQL file: its name
}

std::string short_name(const ModelSource& s) { return s.kind; }

// What it probably means when one source disagrees with the two others, or when only two sources hold the
// object; "" when there is nothing to say (not the schema.prisma / migrations / database trio).
std::string hint(const std::array<const ModelSource*, 3>& src, const diff::Item3& i) {
  std::set<std::string> kinds;
  for (const auto* s : src) kinds.insert(s->kind);
  if (kinds != std::set<std::string>{"prisma", "migrations", "database"}) return "";
  bool presence = !i.kinds.empty() && i.family != i.kinds.front();
  if (i.odd < 0) {
    if (i.third < 0) return "";
    const std::string& k = src[static_cast<std::size_t>(i.third)]->kind;
    if (!i.third_absent) {
      return k == "prisma" ? "schema.prisma does not describe this (Prisma does not model it); the migrations and the "
                             "live database differ on it: a migration not applied yet (see driftguard status), or a "
                             "change made by hand in the database"
                           : "";
    }
    if (k == "prisma") {
      return "schema.prisma does not have it (raw SQL in a migration); the migrations and the live database differ on "
             "it: a migration not applied yet (see driftguard status), or a change made by hand in the database";
    }
    if (k == "database") {
      return "not in the live database yet: a migration not applied yet (see driftguard status); schema.prisma and "
             "the migrations also differ on it: create a migration for the schema.prisma change (prisma migrate dev)";
    }
    return "not created by any migration: applied to the database without one (prisma db push, or by hand), and "
           "schema.prisma differs from the database on it";
  }
  auto o = static_cast<std::size_t>(i.odd);
  const std::string& k = src[o]->kind;
  bool only_here = presence && i.values[o].present;  // the odd source is the only one that has the object
  if (k == "migrations") {
    if (only_here) {
      return "only the migrations create it: a migration not applied to the live database yet (see driftguard "
             "status); schema.prisma does not declare it (raw SQL in a migration, or schema.prisma is behind)";
    }
    return "schema.prisma and the live database agree, the migrations do not: the change was applied without a "
           "migration (prisma db push, or by hand); create one (prisma migrate dev) so that other databases get it";
  }
  if (k == "database") {
    if (only_here) {
      return "only in the live database: created by hand (or by a migration that is no longer in the folder); "
             "add it to schema.prisma and a migration, or drop it";
    }
    return "schema.prisma and the migrations agree, the live database does not: a migration not applied yet (see "
           "driftguard status), or a change made by hand in the database";
  }
  if (only_here) {
    return "only in schema.prisma: schema.prisma was edited without a migration; create one (prisma migrate dev)";
  }
  return "the migrations and the live database agree, schema.prisma does not: schema.prisma was edited without a "
         "migration, or is behind the database (prisma db pull)";
}

// One sentence: who has what.
std::string sentence3(const diff::Item3& i, const std::array<const ModelSource*, 3>& src) {
  auto value = [&](std::size_t k) {
    const auto& v = i.values[k];
    return v.present ? (v.value.empty() ? std::string("present") : v.value) : std::string("absent");
  };
  bool presence = i.family != i.kinds.front();  // missing-X / extra-X
  std::string what = presence ? i.family + " " + i.path : i.family + " of " + i.path;
  if (i.odd >= 0) {
    auto o = static_cast<std::size_t>(i.odd);
    std::size_t a = o == 0 ? 1 : 0;
    std::size_t b = o == 2 ? 1 : 2;
    std::string pair = noun(*src[a]) + " and " + noun(*src[b]);
    if (presence) {
      return i.values[o].present ? what + ": only in " + noun(*src[o]) + ", not in " + noun(*src[a]) + " or " +
                                       noun(*src[b])
                                 : what + ": in " + pair + ", missing from " + noun(*src[o]);
    }
    return what + ": " + value(a) + " in " + pair + ", " + value(o) + " in " + noun(*src[o]);
  }
  std::string out = what + ":";
  for (std::size_t k = 0; k < 3; ++k) {
    if (i.known[k]) out += std::string(out.back() == ':' ? " " : "; ") + value(k) + " in " + noun(*src[k]);
  }
  // Only two sources hold it: say where the third stands instead of leaving it out.
  if (i.third >= 0) {
    const std::string& t = noun(*src[static_cast<std::size_t>(i.third)]);
    out += i.third_absent ? "; not in " + t : "; " + t + " does not define it";
  }
  return out;
}



void print_text3(std::ostream& out, const std::array<const ModelSource*, 3>& src, const std::vector<diff::Item3>& items,
                 bool color, const Triage& tri) {
  Palette pal{color};
  std::size_t width = 0;
  for (const auto* s : src) width = std::max(width, short_name(*s).size());
  auto name = [&](std::size_t k) {
    return short_name(*src[k]) + ":" + std::string(width + 2 - short_name(*src[k]).size(), ' ');
  };
  for (std::size_t k = 0; k < 3; ++k) out << name(k) << visible(src[k]->label()) << "\n";
  print_sections(out, items, pal, [&](const diff::Item3& i) {
    std::string kinds;
    for (const auto& k : i.kinds) kinds += (kinds.empty() ? "" : ",") + k;
    out << "  " << pal.severity(i.severity) << to_string(i.severity) << "[" << kinds << "]" << pal.reset << " "
        << visible(sentence3(i, src)) << "\n";
    for (std::size_t k = 0; k < 3; ++k) {
      if (!i.known[k]) continue;
      const auto& v = i.values[k];
      out << "    " << name(k) << shown(v);
      if (!where(v).empty()) out << pal.dim << "  at " << where(v) << pal.reset;
      out << "\n";
    }
    std::string h = hint(src, i);
    if (!h.empty()) out << "    " << pal.dim << "-> " << visible(h) << pal.reset << "\n";
  }, tri);
  print_tail(out, {src[0], src[1], src[2]}, items, pal);
  std::array<int, 3> odd{};
  for (const auto& i : items) {
    if (i.odd >= 0 && !i.unmanaged) ++odd[static_cast<std::size_t>(i.odd)];
  }
  out << "disagreeing alone: " << short_name(*src[0]) << " " << odd[0] << ", " << short_name(*src[1]) << " " << odd[1]
      << ", " << short_name(*src[2]) << " " << odd[2] << "\n";
}

void print_json3(std::ostream& out, const std::array<const ModelSource*, 3>& src, const std::vector<diff::Item3>& items,
                 bool verbose, const Triage& tri, const PendingCheck* pending) {
  oj doc;
  doc["version"] = 1;
  oj sources = oj::array();
  for (const auto* s : src) {
    oj j = side_json(*s, verbose);
    j["name"] = short_name(*s);
    sources.push_back(j);
  }
  doc["sources"] = sources;
  oj arr = oj::array();
  for (const auto& i : items) {
    oj j;
    j["family"] = i.family;
    j["kinds"] = i.kinds;
    j["severity"] = std::string(to_string(i.severity));
    j["path"] = i.path;
    j["message"] = sentence3(i, src);
    j["odd"] = i.odd >= 0 ? oj(short_name(*src[static_cast<std::size_t>(i.odd)])) : oj(nullptr);
    j["unmanaged"] = i.unmanaged;
    oj values;
    for (std::size_t k = 0; k < 3; ++k) {
      if (i.known[k]) values[short_name(*src[k])] = endpoint_json(i.values[k]);
    }
    j["values"] = values;
    std::string h = hint(src, i);
    if (!h.empty()) j["hint"] = h;
    triage_json(j, tri, static_cast<std::size_t>(&i - items.data()));
    arr.push_back(j);
  }
  doc["items"] = arr;
  finish_json(out, doc, {src[0], src[1], src[2]}, items, pending);
}

void print_gcc3(std::ostream& out, const std::array<const ModelSource*, 3>& src, const std::vector<diff::Item3>& items) {
  RunResult r;
  for (const auto* s : src) r.findings.insert(r.findings.end(), s->findings.begin(), s->findings.end());
  report_gcc(out, r);
  for (const auto& i : items) {
    SourceRef at;
    for (std::size_t k = 0; k < 3 && !at.known(); ++k) {
      if (i.known[k] && i.values[k].src.known()) at = i.values[k].src;
    }
    // No position (a database has none): the label of the first source that holds the object, so that an item
    // only in the database is not attributed to schema.prisma.
    for (std::size_t k = 0; k < 3 && !at.known(); ++k) {
      if (i.known[k] && i.values[k].present) at = SourceRef{src[k]->label(), 0, 0};
    }
    if (!at.known()) at = SourceRef{src[0]->label(), 0, 0};
    out << visible(at.str()) << ": " << to_string(i.severity) << ": " << visible(sentence3(i, src)) << " ["
        << i.family << "]";
    if (i.unmanaged) out << " (unmanaged by schema.prisma)";
    out << "\n";
  }
}

// On a platform (Supabase), what to do about drift with its own tools: the Supabase CLI for a Supabase-first
// project, Prisma's for a Prisma-first one (a schema.prisma side, or Prisma's migrations folder).
std::string platform_hint(const std::vector<ModelSource>& sides) {
  if (sides.empty() || !sides.front().platform || sides.front().platform->name != platform::kSupabase) return "";
  bool prisma_first = std::any_of(sides.begin(), sides.end(), [](const ModelSource& s) {
    return s.kind == "prisma" || (s.kind == "migrations" && s.path.find("prisma") != std::string::npos);
  });
  bool database = std::any_of(sides.begin(), sides.end(), [](const ModelSource& s) { return s.kind == "database"; });
  if (prisma_first) {
    return "Prisma on Supabase: `prisma migrate dev` turns a schema.prisma change into a migration, `prisma db pull` "
           "brings a change made in the dashboard into schema.prisma, `prisma migrate deploy` applies pending "
           "migrations";
  }
  if (database) {
    return "Supabase: a change made in the dashboard becomes a migration with `supabase db diff -f <name>` (or "
           "`supabase db pull`); write new changes with `supabase migration new <name>`; `supabase db push` applies "
           "pending migrations (see driftguard status)";
  }
  return "Supabase: write schema changes as migrations (`supabase migration new <name>`)";
}

// The runner migrations are replayed as: --runner, else the config's `runner`, else auto (per file).
Runner runner_of(const std::string& flag, const std::optional<std::string>& config_path) {
  std::string name = flag;
  if (name == "auto" && config_path) name = load_config(*config_path).runner.value_or("auto");
  return name == "auto" ? Runner::auto_detect : *parse_runner(name);
}

// A drift item for the CI formats, at its first known position (or named by the source that holds it).
Record record_of(const std::string& id, Severity severity, const SourceRef& at, const std::string& holder,
                 const std::string& message, const std::string& help) {
  Record x;
  x.id = id;
  x.severity = severity;
  x.file = at.file;
  x.line = at.line;
  x.column = at.column;
  x.where = holder;
  x.message = message;
  x.help = help;
  return x;
}

// github, markdown, junit, sarif: the items, then every side's replay errors and (--pending) the statements that
// would fail, as records.
void print_records(std::ostream& out, const std::string& format, std::vector<Record> records,
                   const std::vector<const ModelSource*>& sources, const PendingCheck* pending) {
  std::size_t items = records.size();
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& x : records) {
    if (x.severity == Severity::error) ++errors;
    if (x.severity == Severity::warning) ++warnings;
  }
  std::size_t replay = 0;
  for (const auto* s : sources) {
    for (const auto& f : s->findings) {
      records.push_back(record_of(f.rule, Severity::error, SourceRef{f.file, f.start.line, f.start.column}, s->label(),
                                  f.message, ""));
      ++replay;
    }
  }
  if (pending) {
    for (const auto& f : pending->errors) {
      records.push_back(record_of("pending", Severity::error, SourceRef{f.file, f.start.line, f.start.column}, "",
                                  "would fail on this database: " + f.message, ""));
    }
  }
  RecordReport r;
  r.command = "drift";
  r.docs = "docs/drift.md";
  r.summary = plural(items, "drift item") + " (" + plural(errors, "error") + ", " + plural(warnings, "warning") + "); " +
              plural(replay, "replay error");
  if (pending) r.summary += "; " + plural(pending->errors.size(), "pending statement") + " would fail";
  r.records = std::move(records);
  report_records(out, format, r);
}

// --pending in text and gcc: each statement that would fail, at its position.
void print_pending(std::ostream& out, const PendingCheck& p, const std::string& format, bool color) {
  Palette pal{color};
  if (format == "text") {
    out << "\n" << pal.bold << "pending: " << plural(p.files.size(), "migration") << " to apply, replayed on the live "
        << "schema: " << plural(p.errors.size(), "statement") << " would fail" << pal.reset << "\n";
  }
  for (const auto& f : p.errors) {
    out << f.file << ":" << f.start.line << ":" << f.start.column << ": " << pal.severity(Severity::error) << "error"
        << pal.reset << ": would fail on this database: " << f.message << (format == "gcc" ? " [pending]" : "")
        << "\n";
  }
}

// What triage joins with: the migrations replayed up to what the tracker says is applied, compared with the
// database and with every migration, and the tracker's edited and missing migrations.
diff::TriageInput triage_input(const AuditedHistory& hist, const ModelSource& migrations, const ModelSource& database,
                               const LoadContext& ctx, const std::vector<std::string>& ignore, bool applied_only) {
  diff::TriageInput in;
  std::set<std::string> applied;
  for (const auto& f : applied_files(hist.report)) applied.insert(f);
  for (const auto& e : hist.report.entries) {
    if (e.problems.count(history::Problem::edited)) in.edited_files.insert(e.path);
    if (e.problems.count(history::Problem::missing)) in.missing_applied = true;
  }
  diff::Options opts;
  opts.ignore = ignore;
  if (applied_only) {
    in.applied_vs_database = diff::diff(migrations.model, database.model, opts);
    return in;
  }
  LoadContext actx = ctx;
  actx.only_files = applied;
  actx.shadow = false;  // the static replay: the applied prefix of a history a shadow cluster already ran
  actx.log = nullptr;
  std::vector<ModelSource> prefix;
  prefix.push_back(load_model("migrations", migrations.path, actx));
  scope_platform(prefix, actx);
  in.applied_vs_database = diff::diff(prefix.front().model, database.model, opts);
  in.applied_vs_all = diff::diff(prefix.front().model, migrations.model, opts);
  return in;
}

int run_drift(const DriftOptions& o) {
  if (o.order.size() != 2 && o.order.size() != 3) {
    std::string opts;
    for (const auto& k : source_kinds()) opts += std::string(opts.empty() ? "" : ", ") + k.option;
    throw UsageError("drift compares two or three schemas: give two or three of " + opts + " (got " +
                     std::to_string(o.order.size()) + ")");
  }
  if (o.shadow && std::none_of(o.order.begin(), o.order.end(),
                               [](const auto& s) { return s.first == "migrations" || s.first == "sql"; })) {
    throw UsageError("--shadow replays --migrations or --sql in a throwaway PostgreSQL: give one of them");
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
  // The config (--config, or the nearest driftguard.toml above the first file side): [ignore] drift patterns and
  // the platform baseline.
  std::string first_path;
  for (const auto& [kind, path] : o.order) {
    if (kind != "database" && first_path.empty()) first_path = path;
  }
  std::optional<std::string> config_path =
      !o.config.empty() ? std::optional<std::string>(o.config) : first_path.empty() ? std::nullopt : find_config(first_path);
  PlatformChoice platform = choose_platform(o.platform.platform, o.platform.prelude, config_path, o.order);
  LoadContext ctx;
  ctx.platform = platform.baseline;
  if (o.verbose && platform.baseline) {
    std::cerr << "driftguard: platform baseline " << platform.baseline->describe() << " (" << platform.why << ")\n";
  }
  DbFlags db = o.db;
  if (config_path) db.config_connect_timeout_s = load_config(*config_path).connect_timeout_s;
  ctx.conn = connect_options(db);
  ctx.catalog.schemas = o.db.schemas;
  ctx.catalog.include_platform = o.db.include_platform;
  ctx.shadow = o.shadow;
  ctx.runner = runner_of(o.runner, config_path);
  // The migration tracker (status's): what --applied-only replays, and what triage joins the drift between the
  // migrations and the database with.
  auto dirs = std::count_if(o.order.begin(), o.order.end(), [](const auto& s) { return s.first == "migrations"; });
  auto mig_side = std::find_if(o.order.begin(), o.order.end(), [](const auto& s) { return s.first == "migrations"; });
  bool has_database = std::any_of(o.order.begin(), o.order.end(), [](const auto& s) { return s.first == "database"; });
  std::optional<AuditedHistory> hist;
  std::optional<std::set<std::string>> applied;
  if (o.applied_only) {
    if (dirs != 1) throw UsageError("--applied-only compares what a tracker says is applied: give one --migrations");
    hist = audit_folder(mig_side->second, o.tracker, db, ctx.platform);
    std::vector<std::string> files = applied_files(hist->report);
    applied = std::set<std::string>(files.begin(), files.end());
    ctx.only_files = applied;
    if (o.verbose) {
      std::cerr << "driftguard: --applied-only: " << files.size() << " of " << hist->report.entries.size()
                << " migrations applied according to " << to_string(hist->report.tracker) << " (" << hist->report.table
                << ")\n";
    }
  }
  if (o.verbose) ctx.log = &std::cerr;
  std::vector<ModelSource> loaded;
  for (const auto& [kind, path] : sides) {
    if (kind == "database") {
      // Platform schemas (auth, storage, ...) that another side manages are read too: the database sorts last.
      for (const auto& s : loaded) {
        for (const auto& [name, schema] : s.model.schemas) ctx.catalog.also.push_back(name);
      }
    }
    loaded.push_back(load_model(kind, path, ctx));
  }
  // --pending starts from the live schema as read, platform objects included (a migration may reference auth.users).
  std::optional<model::SchemaModel> live;
  if (o.pending) {
    for (const auto& side : loaded) {
      if (side.kind == "database") live = side.model;
    }
  }
  scope_platform(loaded, ctx);
  bool input_errors = false;
  bool empty_side = false;
  for (const auto& s : loaded) {
    for (const auto& n : s.notes) std::cerr << "driftguard: note: skipped " << n.path << ": " << n.message << "\n";
    for (const auto& e : s.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
    // What a DO block runs from a text it computes at run time is not in the model: say so, or the objects it
    // creates show as drift with no hint why (--verbose lists every statement not modeled).
    int computed = 0;
    const model::Skipped* first = nullptr;
    for (const auto& k : s.skipped) {
      if (k.what.rfind("EXECUTE of a text computed at run time", 0) != 0) continue;
      if (!first) first = &k;
      ++computed;
    }
    if (computed > 0 && !o.verbose) {
      std::cerr << "driftguard: note: " << s.label() << ": " << computed << " EXECUTE statement"
                << (computed == 1 ? "" : "s") << " in DO blocks run a text computed at run time (first at "
                << first->where.str() << "), which the replay cannot read: what they create or change shows as drift\n";
    }
    input_errors = input_errors || !s.errors.empty();
    empty_side = empty_side || s.files == 0;
  }
  if (input_errors && empty_side) return 2;
  std::vector<std::string> ignore = o.ignore;
  if (config_path) {
    Config c = load_config(*config_path);
    ignore.insert(ignore.end(), c.ignore_drift.begin(), c.ignore_drift.end());
  }
  bool replay_errors = std::any_of(loaded.begin(), loaded.end(), [](const ModelSource& s) { return !s.findings.empty(); });
  // A shadow replay that stopped at a failure built part of the schema: what it lacks is not drift.
  bool incomplete = std::any_of(loaded.begin(), loaded.end(), [](const ModelSource& s) { return s.shadow_incomplete(); });
  if (incomplete) ignore.push_back("*");
  if (o.pending && !(dirs == 1 && has_database)) {
    throw UsageError("--pending replays the pending migrations on a live database: give one --migrations and "
                     "--database-url");
  }
  if (o.pending && !hist) hist = audit_folder(mig_side->second, o.tracker, db, ctx.platform);
  if (!hist && dirs == 1 && has_database) {
    try {
      hist = audit_folder(mig_side->second, o.tracker, db, ctx.platform);
    } catch (const std::exception& e) {
      // auto: no tracker to read (no table, a folder the tracker does not know) is no triage, not an error
      if (o.tracker != "auto") throw;
      if (o.verbose) std::cerr << "driftguard: no triage: " << e.what() << "\n";
    }
  }
  Triage tri;
  std::optional<diff::TriageInput> triage_in;
  std::size_t mi = 0;
  std::size_t di = 0;
  if (hist && dirs == 1 && has_database) {
    for (std::size_t k = 0; k < loaded.size(); ++k) {
      if (loaded[k].kind == "migrations") mi = k;
      if (loaded[k].kind == "database") di = k;
    }
    triage_in = triage_input(*hist, loaded[mi], loaded[di], ctx, ignore, applied.has_value());
    tri.supabase_first = platform.baseline && platform.baseline->name == platform::kSupabase &&
                         std::none_of(loaded.begin(), loaded.end(), [](const ModelSource& s) {
                           return s.kind == "prisma" || (s.kind == "migrations" && s.path.find("prisma") != std::string::npos);
                         });
  }
  std::optional<PendingCheck> pending;
  if (o.pending && live) {
    pending.emplace();
    for (const auto& e : hist->report.entries) {
      bool to_apply = e.problems.count(history::Problem::pending) || e.problems.count(history::Problem::rolled_back);
      if (!e.path.empty() && to_apply && !e.problems.count(history::Problem::failed)) pending->files.push_back(e.path);
    }
    std::vector<InputError> unreadable;
    pending->errors = replay_on(*live, pending->files, ctx.runner, unreadable);
    for (const auto& e : unreadable) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
    input_errors = input_errors || !unreadable.empty();
  }
  if (o.reverse && o.format != "sql") throw UsageError("--reverse reverses the script of --format sql: add --format sql");
  int failing = 0;
  std::ostringstream text;  // --format text, printed at the end
  if (loaded.size() == 2) {
    const ModelSource& expected = loaded[0];
    const ModelSource& actual = loaded[1];
    diff::Options opts;
    opts.prisma = expected.prisma ? diff::Side::expected : actual.prisma ? diff::Side::actual : diff::Side::none;
    opts.prisma_any_default = expected.prisma ? expected.prisma_any_default : actual.prisma_any_default;
    opts.ignore = ignore;
    auto items = diff::diff(expected.model, actual.model, opts);
    if (triage_in && mi == 0 && di == 1) {
      for (const auto& i : items) tri.labels.push_back(diff::triage(i.path, i.expected, i.actual, *triage_in));
    }
    if (o.format == "sql") {
      std::cout << drift_script(expected.model, actual.model, items, opts, o.allow_destructive, expected.label(),
                                actual.label(), o.reverse)
                       .sql;
    } else if (o.format == "json") {
      print_json(std::cout, expected, actual, items, o.verbose, tri, pending ? &*pending : nullptr);
    } else if (o.format == "gcc") {
      print_gcc(std::cout, expected, actual, items);
    } else if (o.format != "text") {
      std::vector<Record> records;
      for (std::size_t k = 0; k < items.size(); ++k) {
        const auto& i = items[k];
        const ModelSource& holder = i.expected.present ? expected : actual;
        records.push_back(record_of(i.kind, i.severity, i.expected.src.known() ? i.expected.src : i.actual.src,
                                    holder.label(), i.message, tri.labels.empty() ? "" : tri.hint(tri.labels[k])));
      }
      print_records(std::cout, o.format, records, {&expected, &actual}, pending ? &*pending : nullptr);
    } else {
      print_text(text, expected, actual, items, use_color(o.color), tri);
    }
    failing = count(items, *parse_severity(o.fail_on)).failing;
    std::string h = items.empty() ? "" : platform_hint(loaded);
    if (!h.empty() && o.format == "text") text << "hint: " << visible(h) << "\n";
  } else {
    if (o.format == "sql") throw UsageError("--format sql turns one side into the other: give two sides");
    std::array<const ModelSource*, 3> src = {&loaded[0], &loaded[1], &loaded[2]};
    diff::Options3 opts;
    for (std::size_t k = 0; k < 3; ++k) {
      if (loaded[k].prisma) {
        opts.prisma = static_cast<int>(k);
        opts.prisma_any_default = loaded[k].prisma_any_default;
      }
    }
    opts.ignore = ignore;
    auto items = diff::diff3({&loaded[0].model, &loaded[1].model, &loaded[2].model}, opts);
    if (triage_in) {
      for (const auto& i : items) {
        const auto& m = i.values[mi];
        const auto& d = i.values[di];
        bool agree = i.known[mi] && i.known[di] && m.present == d.present && m.value == d.value;
        tri.labels.push_back(agree ? diff::Triage::none : diff::triage(i.path, m, d, *triage_in));
      }
    }
    if (o.format == "json") {
      print_json3(std::cout, src, items, o.verbose, tri, pending ? &*pending : nullptr);
    } else if (o.format == "gcc") {
      print_gcc3(std::cout, src, items);
    } else if (o.format != "text") {
      std::vector<Record> records;
      for (std::size_t k = 0; k < items.size(); ++k) {
        const auto& i = items[k];
        SourceRef at;
        std::string holder;
        for (std::size_t s = 0; s < 3; ++s) {
          if (!at.known() && i.known[s] && i.values[s].src.known()) at = i.values[s].src;
          if (holder.empty() && i.known[s] && i.values[s].present) holder = src[s]->label();
        }
        bool triaged = !tri.labels.empty() && tri.labels[k] != diff::Triage::none;
        records.push_back(record_of(i.family, i.severity, at, holder.empty() ? src[0]->label() : holder,
                                    sentence3(i, src), triaged ? tri.hint(tri.labels[k]) : hint(src, i)));
      }
      print_records(std::cout, o.format, records, {src[0], src[1], src[2]}, pending ? &*pending : nullptr);
    } else {
      print_text3(text, src, items, use_color(o.color), tri);
    }
    failing = count(items, *parse_severity(o.fail_on)).failing;
  }
  if (pending && o.format == "gcc") print_pending(std::cout, *pending, o.format, use_color(o.color));
  if (pending && o.format == "text") print_pending(text, *pending, o.format, use_color(o.color));
  // Text output is a table of items and their values: cut to the terminal's width (never when piped).
  std::cout << fit_width(text.str(), output_width());
  if (o.verbose) {
    for (const auto& s : loaded) print_skipped(std::cerr, s);
  }
  if (input_errors) return 2;
  bool would_fail = pending && !pending->errors.empty();
  return failing > 0 || replay_errors || would_fail ? 1 : 0;
}

}  // namespace

void add_drift_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<DriftOptions>();
  auto* cmd = app.add_subcommand(
      "drift", "Compare two or three schemas (schema.prisma, migrations, a SQL file, a live database) and report the drift");
  std::vector<std::pair<CLI::Option*, std::string>> side_options;
  for (const auto& k : source_kinds()) {
    if (std::string(k.name) == "database") continue;  // --database-url: the shared database flags below
    auto* opt = cmd->add_option(k.option, o->sides[k.name], k.help);
    // --prisma without a value: the schema the project configures, as prisma-check finds it
    if (std::string(k.name) == "prisma") opt->expected(0, 1)->default_str("");
    side_options.emplace_back(opt, k.name);
  }
  add_db_flags(cmd, o->db, true);
  add_platform_flags(cmd, o->platform);
  add_runner_flag(cmd, o->runner);
  cmd->add_flag("--applied-only", o->applied_only,
                "Replay only the migrations the tracker says are applied (status's --tracker; default: the tracker "
                "table of --database-url)");
  cmd->add_flag("--pending", o->pending,
                "Replay the migrations the tracker says are still to apply on the live schema and report each "
                "statement that would fail, at file:line:col");
  cmd->add_option("--tracker", o->tracker, kTrackerHelp)->check(check_tracker_spec)->capture_default_str();
  cmd->add_flag("--shadow", o->shadow,
                "Replay --migrations/--sql with PostgreSQL itself in a throwaway local cluster (initdb; removed on exit) "
                "and compare what it built; the static replay becomes a cross-check");
  cmd->add_option("--ignore", o->ignore, "Ignore objects: table, schema.*, table.column, globs (repeatable)");
  cmd->add_option("--config", o->config,
                  "driftguard.toml whose [ignore] drift patterns apply (default: the nearest one above the first side)");
  cmd->add_option("--fail-on", o->fail_on,
                  "Exit 1 when an item (not unmanaged) is at or above this severity: error, warning (default) or info")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  cmd->add_option("--format", o->format, "Output format (github, markdown, junit, sarif: for CI; sql: the script turning the actual side into the expected one)")
      ->check(CLI::IsMember({"text", "json", "gcc", "github", "markdown", "junit", "sarif", "sql"}));
  cmd->add_flag("--allow-destructive", o->allow_destructive,
                "--format sql: write destructive statements (DROP, type changes) instead of commenting them out");
  cmd->add_flag("--reverse", o->reverse,
                "--format sql: the script turning the expected side into the actual one (a migration for changes made "
                "in the database)");
  cmd->add_option("--color", o->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--verbose", o->verbose, "Also list the statements the models do not represent");
  out.push_back({cmd, [o, cmd, side_options] {
                   // The sides in command-line order.
                   std::map<std::string, std::size_t> used;
                   for (const CLI::Option* opt : cmd->parse_order()) {
                     for (const auto& [so, kind] : side_options) {
                       if (so != opt) continue;
                       std::string path = o->sides[kind].at(used[kind]++);
                       o->order.emplace_back(kind, kind == "prisma" && path.empty() ? find_prisma_schema() : path);
                     }
                   }
                   // --database-url without a value: $DIRECT_URL, $DATABASE_URL, else libpq's defaults
                   if (o->db.url) o->order.emplace_back("database", database_url(o->db));
                   return run_drift(*o);
                 }});
}

}  // namespace driftguard
