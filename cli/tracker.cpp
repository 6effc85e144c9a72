#include "cli/tracker.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/model_source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "introspect/diff3.hpp"
#include "rules/transaction/runner.hpp"
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
                                    "Is it the right database? Without a tracker table: --tracker json:FILE (a "
                                    "file that lists them) or --tracker infer (from the live schema)");
      }
      tracker = prisma ? Tracker::prisma : Tracker::supabase;
    }
    auto table = history::locate_tracker(session.tx(), *tracker);
    if (!table) {
      throw UsageError(h.target + " has no " + table_of(*tracker) + " table: no " + std::string(to_string(*tracker)) +
                       " migration was recorded as applied there. Is it the right database? Without a tracker table: "
                       "--tracker json:FILE (a file that lists them) or --tracker infer (from the live schema)");
    }
    h.data = history::read_tracker(session.tx(), *tracker, *table);
  } catch (const pqxx::failure& e) {
    throw UsageError("reading the migration history from " + h.target + ": " + db::redact(first_line(e.what())));
  }
  return h;
}


// What `diff(before, after)` says a migration did, as a phrase: "column public.t.c", "column-type of public.t.c".
std::string effect_text(const diff::DriftItem& i) {
  std::string fam = diff::family(i.kind);
  return fam != i.kind ? fam + " " + i.path : i.kind + " of " + i.path;
}

bool inside(const std::string& outer, const std::string& inner) {
  return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '.';
}

// --tracker infer: nothing records what was applied. Each up migration is replayed and its effect (the diff of
// the models before and after it) looked for in the live schema. An effect that a later migration changes again
// (the same property of the same object, or the object's parent) cannot be checked and is left out; an effect is
// in the database when the final model and the live schema agree on it (and on its parents' presence).
history::Report infer_history(const std::vector<std::string>& found, const DbFlags& db,
                              const std::shared_ptr<const platform::Baseline>& baseline, std::string& target,
                              std::vector<std::string>& ignored) {
  std::vector<history::MigrationFile> files = history::migration_files(Tracker::json, found, ignored);
  model::Replayer replayer;
  if (baseline) replayer.model() = baseline->model;
  std::vector<model::SchemaModel> models{std::as_const(replayer).model()};  // before the first, then after each migration
  for (const auto& f : files) {
    SourceFile src = make_source(f.path, f.bytes);
    src.info = classify(f.path);
    ParsedFile parsed = parse_sql(src.text);
    FileTransaction tx = file_transaction(Runner::auto_detect, false, src, parsed.statements, 15);
    std::vector<Finding> refused;  // a statement the replay refuses changes nothing: its effect is not expected
    replayer.apply_file(src, parsed, refused,
                        tx.mode == TxMode::request   ? model::FileMode::request
                        : tx.mode == TxMode::wrapped ? model::FileMode::transaction
                                                     : model::FileMode::statements);
    models.push_back(std::as_const(replayer).model());  // const: keeps the replay's replica
  }
  db::ConnectOptions conn = connect_options(db);
  target = db::describe(conn);
  catalog::Options copts;
  for (const auto& [name, schema] : models.back().schemas) copts.also.push_back(name);
  model::SchemaModel live = catalog::read(conn, copts);
  if (baseline) {
    for (auto& m : models) platform::strip(m, *baseline);
    platform::strip(live, *baseline, &models.back());
  }
  std::vector<std::vector<diff::DriftItem>> effects;
  for (std::size_t k = 0; k < files.size(); ++k) effects.push_back(diff::diff(models[k], models[k + 1]));
  std::vector<diff::DriftItem> live_diff = diff::diff(models.back(), live);

  history::Report rep;
  rep.tracker = Tracker::infer;
  rep.table = "inferred from the live schema";
  bool later_applied = false;
  std::vector<history::Entry> entries(files.size());
  for (std::size_t k = files.size(); k-- > 0;) {
    history::Entry& e = entries[k];
    e.name = files[k].name;
    e.version = files[k].version;
    e.path = files[k].path;
    int checkable = 0;
    int missing = 0;
    for (const auto& eff : effects[k]) {
      std::string fam = diff::family(eff.kind);
      bool changed_later = false;
      for (std::size_t j = k + 1; j < files.size() && !changed_later; ++j) {
        for (const auto& later : effects[j]) {
          if ((later.path == eff.path && diff::family(later.kind) == fam) || inside(later.path, eff.path)) {
            changed_later = true;
          }
        }
      }
      if (changed_later) continue;
      ++checkable;
      bool absent = std::any_of(live_diff.begin(), live_diff.end(), [&](const diff::DriftItem& d) {
        bool presence = diff::family(d.kind) != d.kind;
        return (d.path == eff.path && diff::family(d.kind) == fam) || (presence && inside(d.path, eff.path));
      });
      if (absent) {
        ++missing;
        e.not_in_database.push_back("missing " + effect_text(eff));
        continue;
      }
      // The object is there, but not as the migration made it (a column of another type added by hand).
      for (const auto& d : live_diff) {
        if (d.path == eff.path && diff::family(d.kind) == d.kind) e.not_in_database.push_back(d.kind + " of " + d.path + " differs");
      }
    }
    bool applied = checkable == 0 ? later_applied : missing < checkable;
    if (!applied) {
      e.problems.insert(history::Problem::pending);
      e.not_in_database.clear();
    } else if (!e.not_in_database.empty()) {
      e.problems.insert(history::Problem::partial);
    }
    e.in_database = applied;
    e.state = e.problems.count(history::Problem::partial) ? history::State::partial
              : applied                                    ? history::State::applied
                                                           : history::State::pending;
    later_applied = later_applied || applied;
  }
  rep.entries = std::move(entries);
  return rep;
}

}  // namespace

std::string check_tracker_spec(const std::string& spec) {
  if (spec == "auto" || spec == "prisma" || spec == "supabase" || spec == "infer") return "";
  if (spec.rfind("json:", 0) == 0 && spec.size() > 5) return "";
  return "expected auto, prisma, supabase, infer or json:FILE, got '" + spec + "'";
}

AuditedHistory audit_folder(const std::string& dir, const std::string& spec, const DbFlags& db,
                            std::shared_ptr<const platform::Baseline> baseline) {
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

  AuditedHistory out;
  std::vector<std::string> ignored;
  if (spec == "infer") {
    try {
      out.report = infer_history(found.files, db, baseline, out.target, ignored);
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const UsageError*>(&e)) throw;
      throw UsageError("inferring the migration history from the live schema: " + db::redact(first_line(e.what())));
    }
    return out;
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

  std::vector<history::MigrationFile> files;
  try {
    files = history::migration_files(t, found.files, ignored);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
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
    if (e.problems.count(history::Problem::failed) || e.problems.count(history::Problem::rolled_back) ||
        e.problems.count(history::Problem::partial)) {
      continue;
    }
    out.push_back(e.path);
  }
  return out;
}

}  // namespace driftguard
