#include "cli/tracker.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "analyzer/source.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/command.hpp"
#include "cli/git.hpp"
#include "introspect/db/connection.hpp"

namespace fs = std::filesystem;

namespace driftguard {
namespace {

using history::Tracker;

std::string first_line(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_first_of("\r\n", b);
  return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
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

std::string table_of(Tracker t) {
  return t == Tracker::prisma ? "_prisma_migrations" : "supabase_migrations.schema_migrations";
}

// The tracker rows: a JSON file (no database), or a tracker table read in one read-only transaction.
struct History {
  history::TrackerData data;
  std::string target;  // describe() of the database; "" with a JSON tracker
};

History read_history(const std::string& dir, const std::string& spec, const DbFlags& db,
                     std::optional<Tracker> tracker) {
  History h;
  if (spec.rfind("json:", 0) == 0) {
    std::string path = spec.substr(5);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw UsageError("--tracker " + spec + ": no such file");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    try {
      h.data = history::read_json_tracker(path, ss.str());
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    return h;
  }
  db::ReadOnlySession session(connect_options(db));
  h.target = session.target();
  try {
    if (!tracker) {
      auto prisma = history::locate_tracker(session.tx(), Tracker::prisma);
      auto supabase = history::locate_tracker(session.tx(), Tracker::supabase);
      if (prisma && supabase) {
        throw UsageError(h.target + " has both _prisma_migrations and supabase_migrations.schema_migrations, and " +
                         dir + " is neither a Prisma nor a Supabase migrations folder: choose with --tracker");
      }
      if (!prisma && !supabase) {
        throw UsageError(h.target + " has no migration tracker table (neither _prisma_migrations nor "
                                    "supabase_migrations.schema_migrations): nothing was recorded as applied there. "
                                    "Is it the right database? A team that records applied migrations in a file: "
                                    "--tracker json:FILE");
      }
      tracker = prisma ? Tracker::prisma : Tracker::supabase;
    }
    auto table = history::locate_tracker(session.tx(), *tracker);
    if (!table) {
      throw UsageError(h.target + " has no " + table_of(*tracker) + " table: no " + std::string(to_string(*tracker)) +
                       " migration was recorded as applied there. Is it the right database?");
    }
    h.data = history::read_tracker(session.tx(), *tracker, *table);
  } catch (const pqxx::failure& e) {
    throw UsageError("reading the migration history from " + h.target + ": " + db::redact(first_line(e.what())));
  }
  return h;
}

}  // namespace

std::string check_tracker_spec(const std::string& spec) {
  if (spec == "auto" || spec == "prisma" || spec == "supabase") return "";
  if (spec.rfind("json:", 0) == 0 && spec.size() > 5) return "";
  return "expected auto, prisma, supabase or json:FILE, got '" + spec + "'";
}

AuditedHistory audit_folder(const std::string& dir, const std::string& spec, const DbFlags& db) {
  // The files. An existing directory without SQL files is an empty history, not an error.
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UsageError("--migrations " + dir + ": " + (fs::exists(dir, ec) ? "not a directory" : "no such directory"));
  }
  std::vector<InputError> skipped;  // files the Supabase CLI would not apply (archive/, other names)
  Discovery found = discover_with_notes({dir}, skipped);
  for (const auto& err : found.errors) {
    if (err.message != "directory contains no .sql files") throw UsageError(err.path + ": " + err.message);
  }

  std::optional<Tracker> tracker;
  if (spec == "prisma") tracker = Tracker::prisma;
  if (spec == "supabase") tracker = Tracker::supabase;
  if (spec.rfind("json:", 0) == 0) tracker = Tracker::json;
  if (!tracker) {
    for (const auto& f : found.files) {
      auto layout = classify(f).layout;
      if (layout == Layout::prisma) tracker = Tracker::prisma;
      if (layout == Layout::supabase && !tracker) tracker = Tracker::supabase;
    }
  }
  History h = read_history(dir, spec, db, tracker);
  Tracker t = h.data.tracker;

  std::vector<std::string> ignored;
  std::vector<history::MigrationFile> files;
  try {
    files = history::migration_files(t, found.files, ignored);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  AuditedHistory out;
  out.target = h.target;
  out.report = history::audit(t, files, h.data, find_in_git);
  history::Report& rep = out.report;
  // Files discovery skipped as the Supabase CLI does (archive/ subfolders, other names) are ignored too; a JSON
  // tracker's down migrations are not the history (no note).
  for (const auto& note : skipped) ignored.push_back(note.path);
  std::sort(ignored.begin(), ignored.end());
  for (const auto& i : ignored) {
    if (t == Tracker::json && classify(i).direction == Direction::down) continue;
    rep.notes.insert(rep.notes.begin(), "ignored " + i + " (not a " + std::string(to_string(t)) + " migration file)");
  }
  std::stable_partition(rep.notes.begin(), rep.notes.end(),
                        [](const std::string& n) { return n.rfind("ignored ", 0) == 0; });
  return out;
}

std::vector<std::string> applied_files(const history::Report& report) {
  std::vector<std::string> out;
  for (const auto& e : report.entries) {
    if (e.path.empty() || !e.in_database) continue;
    if (e.problems.count(history::Problem::failed) || e.problems.count(history::Problem::rolled_back)) continue;
    out.push_back(e.path);
  }
  return out;
}

}  // namespace driftguard
