// The migration history of a folder, from whatever records what was applied: a tracker table in a live database
// (Prisma's _prisma_migrations, Supabase's schema_migrations, read-only) or a JSON file the team keeps
// (`--tracker json:FILE`). Shared by `status` (the report) and `drift --applied-only` (the applied files).
#pragma once

#include <string>
#include <vector>

#include <memory>

#include "analyzer/platform/platform.hpp"
#include "cli/db_flags.hpp"
#include "introspect/history.hpp"

namespace driftguard {

// `--tracker` values: auto, prisma, supabase, json:FILE, infer. Returns "" when valid, else why not (for CLI11's
// check).
std::string check_tracker_spec(const std::string& spec);
inline constexpr const char* kTrackerHelp =
    "What records the applied migrations: prisma (_prisma_migrations), supabase "
    "(supabase_migrations.schema_migrations), json:FILE (a JSON file: a list of names, or of objects with "
    "name/number/applied_at; no database needed), infer (no record: each migration's effect looked for in the "
    "live schema), or auto (by folder layout, then by which table exists)";

struct AuditedHistory {
  history::Report report;
  std::string target;  // describe() of the database read; "" with a JSON tracker
};

// Discovers the migrations of `dir`, reads the tracker `spec` names (a database through `db`: one read-only
// transaction), and audits them (history::audit; edited Prisma migrations are looked up in git). With `infer`, each
// migration is replayed (on `baseline`, the platform the history starts from, if any) and its effect looked for
// in the live schema: applied, partially applied (what is not in the database), or pending. Throws UsageError
// for a bad folder, a missing tracker, an unreadable JSON file or a query error.
AuditedHistory audit_folder(const std::string& dir, const std::string& spec, const DbFlags& db,
                            std::shared_ptr<const platform::Baseline> baseline = nullptr);

// The files a deploy has applied, as the tracker says (applied, edited after apply, applied out of order; not
// failed, rolled back, partially applied or pending), in migration order.
std::vector<std::string> applied_files(const history::Report& report);

}  // namespace driftguard
