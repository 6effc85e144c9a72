#include "cli/rollback.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "analyzer/names.hpp"
#include "analyzer/parse.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

namespace fs = std::filesystem;

RollbackTarget rollback_target(const std::vector<std::string>& undone) {
  RollbackTarget t;
  t.options.rollback = true;
  if (undone.empty()) return t;
  const std::string& up = undone.back();
  fs::path p(up);
  SourceFile file;
  try {
    file = load_file(up);
  } catch (const InputFailure&) {
    file = make_source(up, "");
  }
  MigrationInfo info = classify(up);
  Runner runner = detect_runner(file);
  std::string file_name = p.filename().string();
  if (runner == Runner::goose || runner == Runner::dbmate) {
    t.why_not_written = std::string(to_string(runner)) + " keeps the Down section in the migration file itself (" + up +
                        "); driftguard never writes into an Up file";
  } else if (info.layout == Layout::supabase) {
    t.why_not_written = "the Supabase CLI applies every .sql file of supabase/migrations as a migration";
  } else if (runner == Runner::flyway) {
    // Flyway's undo migration of V<version>__<name>.sql is U<version>__<name>.sql.
    t.path = (p.parent_path() / ("U" + file_name.substr(1))).string();
  } else if (info.layout == Layout::prisma || file_name == "up.sql") {
    t.path = (p.parent_path() / "down.sql").string();
  } else if (info.layout == Layout::up_down && p.parent_path().filename() == "up") {
    t.path = (p.parent_path().parent_path() / "down" / file_name).string();
  } else if (file_name.size() > 7 && file_name.compare(file_name.size() - 7, 7, ".up.sql") == 0) {
    t.path = (p.parent_path() / (file_name.substr(0, file_name.size() - 7) + ".down.sql")).string();
  } else {
    t.path = (p.parent_path() / (p.stem().string() + ".down.sql")).string();
  }
  // CONCURRENTLY only outside a transaction block, as the runner of the down file (what lint assumes of it; a
  // Prisma down.sql and a printed script run as their up file) sends it. A rollback has more than one statement:
  // request-mode runners make it one implicit transaction.
  SourceFile down = t.path.empty() || info.layout == Layout::prisma ? file : make_source(t.path, file.text);
  FileTransaction tx = file_transaction(detect_runner(down), false, down, parse_sql("SELECT 1; SELECT 2").statements, 15);
  t.options.concurrently = tx.mode == TxMode::none;
  return t;
}

}  // namespace driftguard

namespace driftguard {

namespace {

// The renames of tables, columns, sequences, types, domains, views, functions and schemas in the undone migrations,
// reversed (last first): the model keeps no rename
// history, and without them a rollback would drop the renamed table and create an empty one.
std::vector<model::Rename> reversed_renames(const std::vector<std::string>& undone) {
  std::vector<model::Rename> out;
  for (const auto& path : undone) {
    SourceFile file;
    try {
      file = load_file(path);
    } catch (const InputFailure&) {
      continue;
    }
    for (const auto& st : parse_sql(file.text).statements) {
      if (st.kind != "RenameStmt") continue;
      const auto& n = unwrap(st.node);
      std::string type = str(n, "renameType");
      model::Rename r;
      if (type == "OBJECT_SCHEMA") {
        r.kind = model::Rename::Kind::schema;
        r.from_name = str(n, "newname");
        r.to_name = str(n, "subname");
        out.push_back(r);
        continue;
      }
      if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
        // ALTER FUNCTION [schema.]name[(args)] RENAME TO new: every overload with a counterpart is renamed back.
        std::vector<std::string> parts = strings(field(field(field(n, "object"), "ObjectWithArgs"), "objname"));
        if (parts.empty()) continue;
        r.kind = model::Rename::Kind::function;
        r.schema = parts.size() > 1 ? parts[parts.size() - 2] : "public";
        r.from_name = str(n, "newname");
        r.to_name = parts.back();
        out.push_back(r);
        continue;
      }
      if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
        // ALTER TYPE [schema.]name RENAME TO new: the name is a list, not a relation.
        std::vector<std::string> parts = strings(field(field(field(n, "object"), "List"), "items"));
        if (parts.empty()) continue;
        r.kind = model::Rename::Kind::type;
        r.schema = parts.size() > 1 ? parts[parts.size() - 2] : "public";
        r.from_name = str(n, "newname");
        r.to_name = parts.back();
        out.push_back(r);
        continue;
      }
      if (type == "OBJECT_SEQUENCE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW") {
        const auto& rv = field(n, "relation");
        r.kind = type == "OBJECT_SEQUENCE" ? model::Rename::Kind::sequence : model::Rename::Kind::view;
        r.schema = str(rv, "schemaname").empty() ? "public" : str(rv, "schemaname");
        r.from_name = str(n, "newname");
        r.to_name = str(rv, "relname");
        out.push_back(r);
        continue;
      }
      if (type != "OBJECT_TABLE" && type != "OBJECT_COLUMN") continue;
      const auto& rv = field(n, "relation");
      r.schema = str(rv, "schemaname").empty() ? "public" : str(rv, "schemaname");
      if (type == "OBJECT_TABLE") {
        r.kind = model::Rename::Kind::table;
        r.table = str(n, "newname");
        r.from_name = str(n, "newname");
        r.to_name = str(rv, "relname");
      } else {
        r.kind = model::Rename::Kind::column;
        r.table = str(rv, "relname");
        r.from_name = str(n, "newname");
        r.to_name = str(n, "subname");
      }
      out.push_back(r);
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Rollback compute_rollback(const std::vector<std::string>& ups, std::size_t first, std::size_t last, const LoadContext& ctx) {
  Rollback r;
  r.undone.assign(ups.begin() + static_cast<std::ptrdiff_t>(first), ups.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  r.target = rollback_target(r.undone);
  r.target.options.renames = reversed_renames(r.undone);
  ModelSource before = load_files({ups.begin(), ups.begin() + static_cast<std::ptrdiff_t>(first)}, ctx);
  ModelSource after = load_files({ups.begin(), ups.begin() + static_cast<std::ptrdiff_t>(last) + 1}, ctx);
  r.errors = after.errors;
  r.script = model::script_between(after.model, before.model, r.target.options);
  // What the model does not hold cannot be undone from it: every such statement of the undone migrations, and
  // every statement the replay refused, is named (never skipped silently).
  std::set<std::string> undone(r.undone.begin(), r.undone.end());
  for (const auto& s : after.skipped) {
    if (s.no_effect || !undone.count(s.where.file)) continue;
    r.script.incomplete.push_back(s.what + " at " + s.where.str() +
                                  " is not undone (the schema model does not hold it): undo it by hand");
  }
  for (const auto& f : after.findings) {
    if (!undone.count(f.file)) continue;
    r.script.incomplete.push_back("the replay could not apply " + f.file + ":" + std::to_string(f.start.line) + ": " +
                                  f.message);
  }
  r.before = std::move(before.model);
  r.after = std::move(after.model);
  return r;
}

std::string Rollback::sql() const {
  std::string what = undone.size() == 1 ? undone.front() : undone.front() + " … " + undone.back();
  std::vector<std::string> header = {"Rollback of " + what + " (driftguard rollback): restores the schema before it."};
  if (!script.incomplete.empty()) {
    header.push_back("INCOMPLETE: " + std::to_string(script.incomplete.size()) + " thing" +
                     (script.incomplete.size() == 1 ? "" : "s") + " cannot be restored:");
    for (const auto& i : script.incomplete) header.push_back("  - " + i);
  }
  return script.text(target.options, header);
}

}  // namespace driftguard
