// driftguard status: the migration history of a live database (Prisma's _prisma_migrations or Supabase's
// supabase_migrations.schema_migrations) against the migration files: applied, pending, failed, rolled back,
// edited after apply, missing from the directory, applied out of order.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "analyzer/source.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/command.hpp"
#include "cli/db_flags.hpp"
#include "cli/escape.hpp"
#include "cli/git.hpp"
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
  bool pending_only = false;
  std::vector<std::string> fail_on;
  bool fail_on_given = false;
};

const std::set<Problem> kDefaultFailOn = {Problem::failed, Problem::edited, Problem::missing, Problem::out_of_order};

std::set<Problem> parse_fail_on(const std::vector<std::string>& values) {
  std::set<Problem> out;
  for (const auto& v : values) {
    if (v == "none" || v.empty()) continue;
    if (v == "all") {
      for (auto p : {Problem::pending, Problem::failed, Problem::edited, Problem::missing, Problem::out_of_order,
                     Problem::rolled_back}) {
        out.insert(p);
      }
      continue;
    }
    auto p = history::parse_problem(v);
    if (!p) {
      throw UsageError("--fail-on: unknown condition '" + v +
                       "' (expected pending, failed, edited, missing, out-of-order, rolled-back, all or none)");
    }
    out.insert(*p);
  }
  return out;
}

// The applied content of an edited Prisma migration: the newest committed version of the file whose checksum is
// the stored one (`git log` of the file, newest first, at most 500 commits).
history::OriginalLookup find_in_git(const history::MigrationFile& file,
                                    const std::function<bool(std::string_view)>& matches) {
  history::OriginalLookup r;
  fs::path p(file.path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  std::string name = p.filename().string();
  try {
    auto top = run_git(dir, {"rev-parse", "--show-toplevel"});
    if (top.code != 0) {
      r.why_not = "the migrations are not in a git repository";
      return r;
    }
    auto log = run_git(dir, {"log", "--format=%H", "--max-count=500", "--", name});
    std::size_t pos = 0;
    while (pos < log.out.size()) {
      std::size_t nl = log.out.find('\n', pos);
      std::string commit = log.out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? log.out.size() : nl + 1;
      if (commit.empty()) continue;
      auto show = run_git(dir, {"show", commit + ":./" + name});
      if (show.code == 0 && matches(show.out)) {
        r.content = show.out;
        r.source = "git commit " + commit.substr(0, 12);
        return r;
      }
    }
    r.why_not = "no commit of the file in git history has the applied checksum";
  } catch (const UsageError&) {
    r.why_not = "git is not available";
  }
  return r;
}

bool to_apply(const Entry& e) {
  return !e.path.empty() && (e.problems.count(Problem::pending) || e.problems.count(Problem::rolled_back));
}

std::string first_line(const std::string& s);

// The line of Prisma's logs that says what went wrong: the first "ERROR: ..." line, else the first line.
std::string log_line(const std::string& logs) {
  std::size_t pos = 0;
  while (pos < logs.size()) {
    std::size_t nl = logs.find('\n', pos);
    std::string line = logs.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("ERROR:", 0) == 0) return line;
    pos = nl == std::string::npos ? logs.size() : nl + 1;
  }
  return first_line(logs);
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

constexpr State kStateOrder[] = {State::applied, State::pending,     State::out_of_order, State::edited,
                                 State::failed,  State::rolled_back, State::missing};

void print_text(std::ostream& out, const history::Report& rep, const std::string& target, const std::string& dir,
                const std::vector<const Entry*>& shown) {
  // Names and logs come from the database's tracker table: every one is printed visibly (cli/escape.hpp).
  out << "tracker:    " << to_string(rep.tracker) << " (" << visible(rep.table) << ")\n";
  out << "database:   " << visible(target) << "\n";
  out << "migrations: " << visible(dir) << "\n\n";
  for (const Entry* e : shown) {
    std::string state(to_string(e->state));
    out << state << std::string(state.size() < 13 ? 13 - state.size() : 1, ' ') << visible(e->name);
    std::string d = detail(*e, rep.tracker);
    if (!d.empty()) out << "  " << visible(d);
    out << "\n";
    if (!e->diff.empty()) {
      std::size_t pos = 0;
      while (pos < e->diff.size()) {
        std::size_t nl = e->diff.find('\n', pos);
        out << "    " << visible(e->diff.substr(pos, nl == std::string::npos ? nl : nl - pos)) << "\n";
        pos = nl + 1;
      }
    }
  }
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
  j["database"] = target;
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
    list.push_back(m);
  }
  j["migrations"] = list;
  j["notes"] = rep.notes;
  oj summary;
  summary["total"] = rep.entries.size();
  std::map<State, int> counts;
  for (const auto& e : rep.entries) ++counts[e.state];
  for (State s : kStateOrder) summary[std::string(to_string(s))] = counts[s];
  j["summary"] = summary;
  oj fo = oj::array();
  for (auto p : fail_on) fo.push_back(to_string(p));
  j["fail_on"] = fo;
  j["exit_code"] = code;
  out << j.dump(2) << "\n";
}

std::string table_of(Tracker t) {
  return t == Tracker::prisma ? "_prisma_migrations" : "supabase_migrations.schema_migrations";
}

int run_status(const StatusOptions& o) {
  std::set<Problem> fail_on = o.fail_on_given ? parse_fail_on(o.fail_on) : kDefaultFailOn;
  db::ConnectOptions conn = connect_options(o.db);

  // The files. An existing directory without SQL files is an empty history, not an error.
  std::error_code ec;
  if (!fs::is_directory(o.migrations, ec)) {
    throw UsageError("--migrations " + o.migrations + ": " +
                     (fs::exists(o.migrations, ec) ? "not a directory" : "no such directory"));
  }
  std::vector<InputError> skipped;  // files the Supabase CLI would not apply (archive/, other names)
  Discovery found = discover_with_notes({o.migrations}, skipped);
  for (const auto& err : found.errors) {
    if (err.message != "directory contains no .sql files") throw UsageError(err.path + ": " + err.message);
  }

  std::optional<Tracker> tracker;
  if (o.tracker == "prisma") tracker = Tracker::prisma;
  if (o.tracker == "supabase") tracker = Tracker::supabase;
  if (!tracker) {
    for (const auto& f : found.files) {
      auto layout = classify(f).layout;
      if (layout == Layout::prisma) tracker = Tracker::prisma;
      if (layout == Layout::supabase && !tracker) tracker = Tracker::supabase;
    }
  }

  db::ReadOnlySession session(conn);
  const std::string& target = session.target();
  try {
    if (!tracker) {
      auto prisma = history::locate_tracker(session.tx(), Tracker::prisma);
      auto supabase = history::locate_tracker(session.tx(), Tracker::supabase);
      if (prisma && supabase) {
        throw UsageError(target + " has both _prisma_migrations and supabase_migrations.schema_migrations, and " +
                         o.migrations + " is neither a Prisma nor a Supabase migrations folder: choose with --tracker");
      }
      if (!prisma && !supabase) {
        throw UsageError(target + " has no migration tracker table (neither _prisma_migrations nor "
                                  "supabase_migrations.schema_migrations): nothing was recorded as applied there. "
                                  "Is it the right database?");
      }
      tracker = prisma ? Tracker::prisma : Tracker::supabase;
    }
    auto table = history::locate_tracker(session.tx(), *tracker);
    if (!table) {
      throw UsageError(target + " has no " + table_of(*tracker) + " table: no " + std::string(to_string(*tracker)) +
                       " migration was recorded as applied there. Is it the right database?");
    }
    history::TrackerData data = history::read_tracker(session.tx(), *tracker, *table);

    std::vector<std::string> ignored;
    std::vector<history::MigrationFile> files;
    try {
      files = history::migration_files(*tracker, found.files, ignored);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    history::Report rep = history::audit(*tracker, files, data, find_in_git);
    // Files discovery skipped as the Supabase CLI does (archive/ subfolders, other names) are ignored too.
    for (const auto& note : skipped) ignored.push_back(note.path);
    std::sort(ignored.begin(), ignored.end());
    for (const auto& i : ignored) {
      rep.notes.insert(rep.notes.begin(), "ignored " + i + " (not a " + std::string(to_string(*tracker)) +
                                              " migration file)");
    }
    std::stable_partition(rep.notes.begin(), rep.notes.end(),
                          [](const std::string& n) { return n.rfind("ignored ", 0) == 0; });

    int code = 0;
    for (const auto& e : rep.entries) {
      for (auto p : e.problems) {
        if (fail_on.count(p)) code = 1;
      }
    }
    std::vector<const Entry*> shown;
    for (const auto& e : rep.entries) {
      if (!o.pending_only || to_apply(e)) shown.push_back(&e);
    }
    if (o.format == "names") {
      for (const Entry* e : shown) {
        if (!e->path.empty()) std::cout << visible(e->path) << "\n";
      }
    } else if (o.format == "json") {
      print_json(std::cout, rep, target, o.migrations, shown, fail_on, code);
    } else {
      print_text(std::cout, rep, target, o.migrations, shown);
    }
    return code;
  } catch (const pqxx::failure& e) {
    throw UsageError("reading the migration history from " + target + ": " + db::redact(first_line(e.what())));
  }
}

}  // namespace

void add_status_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand(
      "status", "Migration history of a database: applied, pending, failed, rolled back, edited, missing, out of order");
  add_db_flags(cmd, o->db, false);
  cmd->add_option("--migrations", o->migrations, "The migrations folder (prisma/migrations, supabase/migrations)")
      ->required();
  cmd->add_option("--tracker", o->tracker, "Tracker table: prisma (_prisma_migrations), supabase "
                                           "(supabase_migrations.schema_migrations), or auto (by folder layout, "
                                           "then by which table exists)")
      ->check(CLI::IsMember({"auto", "prisma", "supabase"}))
      ->capture_default_str();
  cmd->add_option("--format", o->format, "Output format; names: one file path per line")
      ->check(CLI::IsMember({"text", "json", "names"}))
      ->capture_default_str();
  cmd->add_flag("--pending-only", o->pending_only,
                "Only the migrations still to apply (pending, and rolled back), in order");
  auto* fo = cmd->add_option("--fail-on", o->fail_on,
                             "Conditions that make the exit code 1, comma-separated: pending, failed, edited, missing, "
                             "out-of-order, rolled-back, all, none (default: failed,edited,missing,out-of-order)")
                 ->delimiter(',');
  out.push_back({cmd, [o, fo] {
                   o->fail_on_given = fo->count() > 0;
                   return run_status(*o);
                 }});
}

}  // namespace driftguard
