// driftguard rollback: the SQL that undoes a migration (or the last N), computed from the replayed models before
// and after it (analyzer/model/sql_out), printed as SQL or as a Markdown rollback guide, or written where the
// layout keeps down migrations.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <cerrno>
#include <cstring>

#include "analyzer/model/sql_out.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/model_source.hpp"
#include "cli/rollback.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {
namespace {

namespace fs = std::filesystem;

struct RollbackOptions {
  std::string migration;
  std::string migrations;
  int steps = 1;
  std::string format = "sql";
  bool write = false;
  bool force = false;
  PlatformFlags platform;
};

// The index of the migration the user named: its path, its file or folder name, its version or its name.
std::size_t find_migration(const std::vector<std::string>& files, const std::string& wanted) {
  std::error_code ec;
  fs::path want = fs::weakly_canonical(wanted, ec);
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::path p(files[i]);
    MigrationInfo info = classify(files[i]);
    bool same_path = fs::exists(wanted) && (fs::weakly_canonical(p, ec) == want || fs::weakly_canonical(p.parent_path(), ec) == want);
    std::string folder = p.parent_path().filename().string();
    bool named = p.filename() == wanted || p.stem() == wanted || (info.layout == Layout::prisma && folder == wanted) ||
                 (!info.version.empty() && info.version == wanted) || info.name == wanted;
    if (same_path || named) hits.push_back(i);
  }
  if (hits.empty()) throw UsageError("no migration named '" + wanted + "' in the history");
  if (hits.size() > 1) {
    std::string list;
    for (auto h : hits) list += "\n  " + files[h];
    throw UsageError("'" + wanted + "' names " + std::to_string(hits.size()) + " migrations; give the path:" + list);
  }
  return hits.front();
}

// Writes `text` to `path` atomically: a temporary file in the same folder, then rename (--force) or link (which
// fails when the file exists, so that nothing is overwritten even by a file created meanwhile).
void write_atomically(const fs::path& path, const std::string& text, bool force) {
  if (!force && fs::exists(path)) {
    throw UsageError(path.string() + " exists; use --force to replace it");
  }
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  fs::path tmp = path;
  tmp += ".driftguard-tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  if (force) {
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
      fs::remove(tmp);
      throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
    }
    return;
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  fs::remove(tmp);
  if (rc != 0) {
    if (err == EEXIST) throw UsageError(path.string() + " exists; use --force to replace it");
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(err));
  }
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  std::string line = s.substr(0, nl);
  if (nl != std::string::npos) line += " …";
  return line;
}

std::string markdown(const std::string& label, const model::Script& forward, const std::string& sql,
                     const model::Script& back) {
  std::string out = "# Rollback of `" + label + "`\n\n## What the migration changes\n\n";
  int n = 0;
  for (const auto& st : forward.statements) {
    if (st.sql.empty()) continue;
    out += "- `" + first_line(st.sql) + "`\n";
    ++n;
  }
  if (n == 0) out += "Nothing in the schema model.\n";
  out += "\n## Rollback SQL\n\n```sql\n" + sql + "```\n\n## What the rollback cannot restore\n\n";
  if (back.incomplete.empty()) out += "Nothing: the rollback restores the schema before the migration.\n";
  for (const auto& i : back.incomplete) out += "- " + i + "\n";
  return out;
}

int run_rollback(const RollbackOptions& o) {
  if (o.steps < 1) throw UsageError("--steps must be 1 or more");
  std::string dir = o.migrations.empty() ? classify(o.migration).set : o.migrations;
  if (dir.empty()) dir = ".";
  std::vector<InputError> notes;
  Discovery d = discover_with_notes({dir}, notes);
  for (const auto& e : d.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  if (!d.errors.empty()) return 2;
  std::vector<std::string> ups;
  for (const auto& f : d.files) {
    if (classify(f).direction == Direction::up) ups.push_back(f);
  }
  std::size_t last = find_migration(ups, o.migration);
  if (static_cast<std::size_t>(o.steps) > last + 1) {
    throw UsageError("--steps " + std::to_string(o.steps) + " goes past the first migration (" +
                     std::to_string(last + 1) + " up to " + o.migration + ")");
  }
  std::size_t first = last + 1 - static_cast<std::size_t>(o.steps);

  LoadContext ctx;
  ctx.platform = choose_platform(o.platform.platform, o.platform.prelude, find_config(dir), {{"migrations", dir}}).baseline;
  Rollback rb = compute_rollback(ups, first, last, ctx);
  for (const auto& e : rb.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  if (!rb.errors.empty()) return 2;
  const std::vector<std::string>& undone = rb.undone;
  const RollbackTarget& target = rb.target;
  const model::Script& script = rb.script;
  std::string sql = rb.sql();

  std::string output = sql;
  if (o.format == "markdown") {
    model::Script forward = model::script_between(rb.before, rb.after, model::ScriptOptions{});
    output = markdown(undone.size() == 1 ? undone.front() : undone.front() + " … " + undone.back(), forward, sql, script);
  }
  if (o.write) {
    if (o.format != "sql") throw UsageError("--write writes SQL; drop --format markdown");
    if (undone.size() != 1) throw UsageError("--write writes the down file of one migration; drop --steps");
    if (!target.why_not_written.empty()) {
      std::cerr << "driftguard: not written: " << target.why_not_written << "; printed instead\n";
      std::cout << output;
    } else {
      write_atomically(target.path, output, o.force);
      std::cerr << "driftguard: wrote " << target.path << "\n";
    }
  } else {
    std::cout << output;
  }
  return script.complete() ? 0 : 1;
}

}  // namespace

void add_rollback_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<RollbackOptions>();
  auto* cmd = app.add_subcommand("rollback", "Print (or write) the SQL that undoes a migration, from the schema before and after it");
  cmd->add_option("migration", o->migration, "The migration: its path, folder or file name, version or name")->required();
  cmd->add_option("--migrations", o->migrations, "The migration folder (default: the migration's own history)");
  cmd->add_option("--steps", o->steps, "Undo this many migrations, ending with MIGRATION (default 1)");
  cmd->add_option("--format", o->format, "sql (default) or markdown (a rollback guide)")->check(CLI::IsMember({"sql", "markdown"}));
  cmd->add_flag("--write", o->write, "Write the down file where the layout keeps it (never into an Up file)");
  cmd->add_flag("--force", o->force, "With --write: replace an existing down file");
  add_platform_flags(cmd, o->platform);
  out.push_back({cmd, [o] { return run_rollback(*o); }});
}

}  // namespace driftguard
