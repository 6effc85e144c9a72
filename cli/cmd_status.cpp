// driftguard status: the migration history (Prisma's _prisma_migrations or Supabase's
// supabase_migrations.schema_migrations in a live database, or a JSON tracker file: cli/tracker) against the
// migration files: applied, pending, failed, rolled back, edited after apply, missing from the directory, applied
// out of order; `--file` answers for one file with the exit code.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/escape.hpp"
#include "cli/git.hpp"
#include "cli/model_source.hpp"
#include "cli/report_records.hpp"
#include "cli/terminal.hpp"
#include "cli/tracker.hpp"
#include "introspect/db/connection.hpp"
#include "introspect/history.hpp"

namespace fs = std::filesystem;

namespace driftguard {
namespace {

using history::Entry;
using history::Problem;
using history::State;
using history::Tracker;

struct StatusOptions {
  DbFlags db;
  std::string migrations;
  std::string tracker = "auto";
  std::string format = "text";
  std::string color = "auto";
  std::string file;  // --file: the state of this one migration, as the exit code
  bool pending_only = false;
  std::vector<std::string> fail_on;
  bool fail_on_given = false;
};

// (and partially-applied with --tracker infer)
const std::set<Problem> kDefaultFailOn = {Problem::failed, Problem::edited, Problem::missing, Problem::out_of_order};

std::set<Problem> parse_fail_on(const std::vector<std::string>& values) {
  std::set<Problem> out;
  for (const auto& v : values) {
    if (v == "none" || v.empty()) continue;
    if (v == "all") {
      for (auto p : {Problem::pending, Problem::failed, Problem::edited, Problem::missing, Problem::out_of_order,
                     Problem::rolled_back, Problem::partial}) {
        out.insert(p);
      }
      continue;
    }
    auto p = history::parse_problem(v);
    if (!p) {
      throw UsageError("--fail-on: unknown condition '" + v +
                       "' (expected pending, failed, edited, missing, out-of-order, rolled-back, partially-applied, all or "
                       "none)");
    }
    out.insert(*p);
  }
  return out;
}

bool to_apply(const Entry& e) {
  return !e.path.empty() && (e.problems.count(Problem::pending) || e.problems.count(Problem::rolled_back));
}

std::string first_line(const std::string& s);

// What went wrong, from Prisma's logs: PostgreSQL's "ERROR: ..." to the end of its line, else the first line.
// The ERROR may start a line (Prisma 5/6: "Database error:\nERROR: ...") or follow a prefix (Prisma 7 logs
// "external connector error\nError querying the database: ERROR: ...").
std::string log_line(const std::string& logs) {
  std::size_t at = logs.find("ERROR:");
  if (at == std::string::npos) return first_line(logs);
  return first_line(logs.substr(at));
}

std::string first_line(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_first_of("\r\n", b);
  return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

std::string edit_text(history::EditKind k) {
  switch (k) {
    case history::EditKind::line_endings:
      return "line endings only";
    case history::EditKind::whitespace_comments:
      return "white space or comments only";
    case history::EditKind::real_change:
      return "a real change";
    case history::EditKind::unknown:
      return "the applied content is unknown";
    case history::EditKind::none:
      break;
  }
  return "";
}

// What the line of a migration says after its state and name.
std::string detail(const Entry& e, Tracker t) {
  std::vector<std::string> parts;
  auto when = [](const std::optional<std::string>& s) { return s && !s->empty() ? " " + *s : std::string(); };
  switch (e.state) {
    case State::applied:
      if (t == Tracker::json && e.finished_at) parts.push_back("applied" + when(e.finished_at));
      break;
    case State::pending:
      break;
    case State::failed:
      parts.push_back("started" + when(e.started_at) + ", not finished" +
                      (e.logs && !log_line(*e.logs).empty() ? "; logs: " + log_line(*e.logs) : ""));
      break;
    case State::rolled_back:
      parts.push_back("rolled back" + when(e.rolled_back_at) + (e.path.empty() ? "" : "; the next deploy applies it again"));
      break;
    case State::edited:
      if (e.edit == history::EditKind::unknown) {
        parts.push_back("edited after apply: the applied content is unknown (" + e.original_unknown + ")");
      } else {
        parts.push_back("edited after apply: " + edit_text(e.edit) + " (applied content from " + e.original_source +
                        ")");
      }
      break;
    case State::missing:
      parts.push_back("applied" + when(e.finished_at ? e.finished_at : e.started_at));
      break;
    case State::out_of_order:
      break;
    case State::partial: {
      for (const auto& n : e.not_in_database) parts.push_back(n);
      break;
    }
  }
  if (e.problems.count(Problem::out_of_order)) {
    if (e.in_database) {
      parts.push_back("applied" + when(e.started_at) + ", after " + e.out_of_order_after + ", which sorts after it");
    } else {
      parts.push_back("pending; sorts before " + e.out_of_order_after + ", which is already applied");
    }
  }
  if (e.path.empty()) parts.push_back("not in the directory");
  if (e.line_endings_differ) {
    parts.push_back(t == Tracker::prisma ? "line endings differ from what was applied (accepted, as Prisma does)"
                                         : "line endings differ from the applied statements (accepted)");
  }
  if (e.whitespace_differs) parts.push_back("white space differs from the applied statements (accepted)");
  if (e.unverified) parts.push_back("the tracker holds no statements: content not compared");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

constexpr State kStateOrder[] = {State::applied, State::partial, State::pending,     State::out_of_order,
                                 State::edited,  State::failed,  State::rolled_back, State::missing};

// The state word's colour: done (green), still to do (cyan), needs a look (yellow), broken (red).
const char* state_color(State s) {
  switch (s) {
    case State::applied:
      return "\x1b[32m";
    case State::pending:
      return "\x1b[36m";
    case State::out_of_order:
    case State::rolled_back:
    case State::partial:
      return "\x1b[33m";
    case State::edited:
    case State::failed:
    case State::missing:
      return "\x1b[1;31m";
  }
  return "";
}

// One migration: its state, name and detail, then the diff of an edit.
void print_entry(std::ostream& out, const Entry& e, Tracker t, bool color) {
  std::string state(to_string(e.state));
  out << (color ? state_color(e.state) : "") << state << (color ? "\x1b[0m" : "")
      << std::string(state.size() < 13 ? 13 - state.size() : 1, ' ') << visible(e.name);
  std::string d = detail(e, t);
  if (!d.empty()) out << "  " << visible(d);
  out << "\n";
  if (!e.diff.empty()) {
    std::size_t pos = 0;
    while (pos < e.diff.size()) {
      std::size_t nl = e.diff.find('\n', pos);
      std::string line = visible(e.diff.substr(pos, nl == std::string::npos ? nl : nl - pos));
      const char* c = !color || line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0 ? ""
                      : line.rfind("+", 0) == 0                                          ? "\x1b[32m"
                      : line.rfind("-", 0) == 0                                          ? "\x1b[31m"
                                                                                         : "";
      out << "    " << c << line << (*c ? "\x1b[0m" : "") << "\n";
      pos = nl + 1;
    }
  }
}

void print_text(std::ostream& out, const history::Report& rep, const std::string& target, const std::string& dir,
                const std::vector<const Entry*>& shown, bool color) {
  // Names and logs come from the database's tracker table: every one is printed visibly (cli/escape.hpp).
  out << "tracker:    " << to_string(rep.tracker) << " (" << visible(rep.table) << ")\n";
  out << "database:   " << visible(target) << "\n";
  out << "migrations: " << visible(dir) << "\n\n";
  for (const Entry* e : shown) print_entry(out, *e, rep.tracker, color);
  if (shown.empty()) out << "(no migration to show)\n";
  if (!rep.notes.empty()) out << "\n";
  for (const auto& n : rep.notes) out << "note: " << visible(n) << "\n";
  std::map<State, int> counts;
  for (const auto& e : rep.entries) ++counts[e.state];
  out << "\n" << rep.entries.size() << " migration" << (rep.entries.size() == 1 ? "" : "s") << ":";
  bool first = true;
  for (State s : kStateOrder) {
    if (!counts[s]) continue;
    out << (first ? " " : ", ") << counts[s] << " " << to_string(s);
    first = false;
  }
  if (first) out << " none";
  out << "\n";
}

void print_json(std::ostream& out, const history::Report& rep, const std::string& target, const std::string& dir,
                const std::vector<const Entry*>& shown, const std::set<Problem>& fail_on, int code) {
  using oj = nlohmann::ordered_json;
  auto opt = [](const std::optional<std::string>& s) { return s ? oj(*s) : oj(nullptr); };
  auto str_or_null = [](const std::string& s) { return s.empty() ? oj(nullptr) : oj(s); };
  oj j;
  j["version"] = 1;
  j["tracker"] = to_string(rep.tracker);
  j["table"] = rep.table;
  j["database"] = target.empty() ? oj(nullptr) : oj(target);
  j["migrations_dir"] = dir;
  oj list = oj::array();
  for (const Entry* e : shown) {
    oj m;
    m["name"] = e->name;
    m["version"] = e->version;
    m["path"] = str_or_null(e->path);
    m["state"] = to_string(e->state);
    oj problems = oj::array();
    for (auto p : e->problems) problems.push_back(to_string(p));
    m["problems"] = problems;
    m["in_database"] = e->in_database;
    m["started_at"] = opt(e->started_at);
    m["finished_at"] = opt(e->finished_at);
    m["rolled_back_at"] = opt(e->rolled_back_at);
    m["attempts"] = e->attempts;
    m["logs"] = opt(e->logs);
    if (rep.tracker == Tracker::prisma) {
      m["checksum"] = oj{{"database", str_or_null(e->checksum)}, {"file", str_or_null(e->file_checksum)}};
    } else {
      m["checksum"] = nullptr;
    }
    m["line_endings_differ"] = e->line_endings_differ;
    m["whitespace_differs"] = e->whitespace_differs;
    m["unverified"] = e->unverified;
    if (e->edit == history::EditKind::none) {
      m["edit"] = nullptr;
    } else {
      m["edit"] = oj{{"kind", to_string(e->edit)},
                     {"original", str_or_null(e->original_source)},
                     {"original_unknown", str_or_null(e->original_unknown)},
                     {"diff", str_or_null(e->diff)}};
    }
    m["out_of_order_after"] = str_or_null(e->out_of_order_after);
    if (rep.tracker == Tracker::infer) m["not_in_database"] = e->not_in_database;
    list.push_back(m);
  }
  j["migrations"] = list;
  j["notes"] = rep.notes;
  oj summary;
  summary["total"] = rep.entries.size();
  std::map<State, int> counts;
  for (const auto& e : rep.entries) ++counts[e.state];
  for (State s : kStateOrder) {
    if (s != State::partial || rep.tracker == Tracker::infer) summary[std::string(to_string(s))] = counts[s];
  }
  j["summary"] = summary;
  oj fo = oj::array();
  for (auto p : fail_on) fo.push_back(to_string(p));
  j["fail_on"] = fo;
  j["exit_code"] = code;
  out << j.dump(2) << "\n";
}

// github, markdown, junit, sarif: one record per migration that is not simply applied, at its file; an error when
// one of its conditions is in --fail-on, a note otherwise (pending is what a deploy is for).
void print_records(std::ostream& out, const std::string& format, const history::Report& rep,
                   const std::vector<const Entry*>& shown, const std::set<Problem>& fail_on) {
  RecordReport r;
  r.command = "status";
  r.docs = "docs/status.md";
  std::size_t failing = 0;
  for (const Entry* e : shown) {
    if (e->problems.empty()) continue;
    Record x;
    x.id = std::string(to_string(e->state));
    bool fails = std::any_of(e->problems.begin(), e->problems.end(), [&](Problem p) { return fail_on.count(p) > 0; });
    x.severity = fails ? Severity::error : Severity::info;
    failing += fails ? 1 : 0;
    x.file = e->path;
    x.where = rep.table;
    std::string d = detail(*e, rep.tracker);
    x.message = std::string(to_string(e->state)) + " " + e->name + (d.empty() ? "" : ": " + d);
    r.records.push_back(std::move(x));
  }
  r.summary = std::to_string(rep.entries.size()) + " migration" + (rep.entries.size() == 1 ? "" : "s") + ", " +
              std::to_string(failing) + " failing (" + std::string(to_string(rep.tracker)) + ": " + rep.table + ")";
  report_records(out, format, r);
}

// --file: the exit code that answers "already applied?" for a deploy script (docs/status.md).
constexpr int kFileApplied = 0;
constexpr int kFileEdited = 1;
constexpr int kFileToApply = 3;  // pending, or rolled back (the next deploy applies it)
constexpr int kFileFailed = 4;
constexpr int kFilePartial = 5;  // --tracker infer: part of its effect is in the database

int file_code(const Entry& e) {
  if (e.problems.count(Problem::failed)) return kFileFailed;
  if (e.problems.count(Problem::partial)) return kFilePartial;
  if (e.problems.count(Problem::edited)) return kFileEdited;
  if (to_apply(e)) return kFileToApply;
  return kFileApplied;
}

// The entry of --file PATH: the same file, however the path is spelled.
const Entry* entry_of_file(const history::Report& rep, const std::string& file) {
  std::error_code ec;
  fs::path want = fs::weakly_canonical(file, ec);
  for (const auto& e : rep.entries) {
    if (e.path.empty()) continue;
    if (fs::weakly_canonical(e.path, ec) == want) return &e;
  }
  return nullptr;
}

int run_status(const StatusOptions& o) {
  std::set<Problem> fail_on = o.fail_on_given ? parse_fail_on(o.fail_on) : kDefaultFailOn;
  // --tracker infer replays the history on the platform it starts from (Supabase: auth.users exists).
  std::shared_ptr<const platform::Baseline> baseline;
  if (o.tracker == "infer") {
    baseline = choose_platform("", "", find_config(o.migrations), {{"migrations", o.migrations}}).baseline;
  }
  AuditedHistory h = audit_folder(o.migrations, o.tracker, o.db, baseline);
  const history::Report& rep = h.report;
  if (!o.fail_on_given && rep.tracker == Tracker::infer) fail_on.insert(Problem::partial);
  std::error_code ec;

  int code = 0;
  for (const auto& e : rep.entries) {
    for (auto p : e.problems) {
      if (fail_on.count(p)) code = 1;
    }
  }
  std::vector<const Entry*> shown;
  if (!o.file.empty()) {
    const Entry* e = entry_of_file(rep, o.file);
    if (e == nullptr) {
      throw UsageError("--file " + o.file + ": not a migration of " + o.migrations +
                       (fs::exists(o.file, ec) ? "" : " (no such file)"));
    }
    shown.push_back(e);
    code = file_code(*e);
  } else {
    for (const auto& e : rep.entries) {
      if (!o.pending_only || to_apply(e)) shown.push_back(&e);
    }
  }
  std::string target = h.target.empty() ? "(none: the tracker is a file)" : h.target;
  if (o.format == "names") {
    for (const Entry* e : shown) {
      if (!e->path.empty() && (o.file.empty() || to_apply(*e))) std::cout << visible(e->path) << "\n";
    }
  } else if (o.format == "json") {
    print_json(std::cout, rep, h.target, o.migrations, shown, fail_on, code);
  } else if (o.format != "text") {
    print_records(std::cout, o.format, rep, shown, fail_on);
  } else {
    // A table of one line per migration: cut to the terminal's width (never when piped).
    std::ostringstream text;
    if (!o.file.empty()) {
      print_entry(text, *shown.front(), rep.tracker, use_color(o.color));
    } else {
      print_text(text, rep, target, o.migrations, shown, use_color(o.color));
    }
    std::cout << fit_width(text.str(), output_width());
  }
  return code;
}

}  // namespace

void add_status_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand(
      "status", "Migration history of a database: applied, pending, failed, rolled back, edited, missing, out of order");
  add_db_flags(cmd, o->db, false);
  cmd->add_option("--migrations", o->migrations, "The migrations folder (prisma/migrations, supabase/migrations)")
      ->required();
  cmd->add_option("--tracker", o->tracker, kTrackerHelp)->check(check_tracker_spec)->capture_default_str();
  cmd->add_option("--file", o->file,
                  "Only this migration file: print its state and exit 0 applied, 3 to apply (pending or rolled "
                  "back), 1 edited after apply, 4 failed, 5 partially applied (see docs/status.md)");
  cmd->add_option("--color", o->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--format", o->format, "Output format; names: one file path per line")
      ->check(CLI::IsMember({"text", "json", "names", "github", "markdown", "junit", "sarif"}))
      ->capture_default_str();
  cmd->add_flag("--pending-only", o->pending_only,
                "Only the migrations still to apply (pending, and rolled back), in order");
  auto* fo = cmd->add_option("--fail-on", o->fail_on,
                             "Conditions that make the exit code 1, comma-separated: pending, failed, edited, missing, "
                             "out-of-order, rolled-back, all, none (default: failed,edited,missing,out-of-order)")
                 ->delimiter(',');
  out.push_back({cmd, [o, fo] {
                   o->fail_on_given = fo->count() > 0;
                   // [database] connect_timeout of the config nearest the migrations folder
                   if (auto config = find_config(o->migrations)) {
                     o->db.config_connect_timeout_s = load_config(*config).connect_timeout_s;
                   }
                   return run_status(*o);
                 }});
}

}  // namespace driftguard
