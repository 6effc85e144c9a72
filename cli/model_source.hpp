// Where a schema model comes from on the command line: `prisma:PATH`, `migrations:DIR`, `sql:FILE`,
// `database:URL` (the live catalog); migrations and SQL files replayed statically, or by PostgreSQL itself in a
// throwaway cluster (`--shadow`). One table of source kinds serves `driftguard schema --from` and the sides of
// `driftguard drift`; adding a kind is one row and one loader.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/platform/platform.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/db/connection.hpp"
#include "introspect/diff.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

// What loading needs besides a path: the connection and catalog options of a database side, and whether
// migrations and SQL files are replayed by PostgreSQL (shadow) instead of statically.
struct LoadContext {
  db::ConnectOptions conn;
  catalog::Options catalog;
  bool shadow = false;
  // The runner each migration file is replayed as (its transaction: rules/transaction/runner): --runner, else the
  // config's `runner`, else detected per file from the layout.
  Runner runner = Runner::auto_detect;
  // Migration folders: replay only these files (drift --applied-only: what the tracker says is applied); none =
  // every file.
  std::optional<std::set<std::string>> only_files;
  std::ostream* log = nullptr;  // --verbose: progress of a shadow replay
  // The platform baseline migrations and SQL files are replayed on (statically and in the shadow cluster); null =
  // none. Its objects are taken out of the models by scope_platform().
  std::shared_ptr<const platform::Baseline> platform;
};

struct ModelSource {
  std::string kind;   // "migrations", "sql", ...
  std::string path;   // for a database: db::describe() of the connection (never the password)
  bool prisma = false;  // built from schema.prisma (the differ's "managed by Prisma" side)
  std::set<std::string> prisma_any_default;  // schema.prisma: diff::Options::prisma_any_default
  model::SchemaModel model;
  std::vector<Finding> findings;           // replay errors (sorted)
  std::vector<model::Skipped> skipped;     // statements the model does not represent, or that change nothing
  std::vector<InputError> errors;          // unreadable inputs
  std::vector<InputError> notes;           // files skipped as the Supabase CLI skips them
  std::map<std::string, std::string> texts;  // file -> text, for excerpts
  int files = 0;
  int applied = 0;
  // shadow replay: the static replay of the same files compared with what PostgreSQL built (items: expected =
  // the static replay, actual = PostgreSQL), and the static replay's own errors
  bool shadow = false;
  std::string server_version;
  int not_applied = 0;  // files after the first one PostgreSQL refused
  std::vector<diff::DriftItem> cross_check;
  std::vector<Finding> static_findings;
  std::shared_ptr<const platform::Baseline> platform;  // the baseline this side was built on (or stripped of)

  std::string label() const { return kind + ":" + path; }
  // A shadow replay that stopped at a failure: its model is partial, comparing it would report the rest as drift.
  bool shadow_incomplete() const { return shadow && !findings.empty(); }
};

struct SourceKind {
  const char* name;     // "migrations"
  const char* option;   // "--migrations" (drift side)
  const char* what;     // what follows the colon in KIND:WHAT: "PATH", "URL"
  const char* help;
  int rank;             // the side with the lower rank is "expected" in drift (prisma < migrations < sql < database)
  std::function<void(ModelSource&, const LoadContext&)> load;
};

// Every kind, in rank order.
const std::vector<SourceKind>& source_kinds();
// Builds a model from "kind:path" (or a kind and a path). Throws UsageError for an unknown kind.
ModelSource load_model(const std::string& kind, const std::string& path, const LoadContext& ctx = {});
ModelSource load_model(const std::string& spec, const LoadContext& ctx = {});
// Replays these migration files (in the given order, down files skipped) as the `migrations` kind does.
ModelSource load_files(const std::vector<std::string>& paths, const LoadContext& ctx = {});

// The replay of a history, one file at a time (check-down compares the model after each up and down): a replayer
// that starts where a history on ctx's platform starts (its objects, its search_path), and one loaded file applied
// as its runner runs it (ctx.runner, else detected from the file). Returns the file's mode, for the shadow cluster.
model::Replayer start_replay(const LoadContext& ctx);
model::FileMode apply_source(model::Replayer& replayer, const SourceFile& file, const LoadContext& ctx,
                             std::vector<Finding>& findings);
// The same, with the file already parsed (parse_sql of file.text).
model::FileMode apply_source(model::Replayer& replayer, const SourceFile& file, const ParsedFile& parsed,
                             const LoadContext& ctx, std::vector<Finding>& findings);

// Which platform baseline a run uses, and why (for --verbose): --platform/--prelude, else the config's `platform`
// / `prelude` (relative to the config's folder), else Supabase when a side looks like a Supabase project (a
// supabase/migrations folder; a schema.prisma beside a supabase/ folder, or with a
// supabase.co / pooler.supabase.com URL; migrations that call auth.*; a database URL on supabase.co).
struct PlatformChoice {
  std::shared_ptr<const platform::Baseline> baseline;  // null: none
  std::string why;
};
PlatformChoice choose_platform(const std::string& flag_platform, const std::string& flag_prelude,
                               const std::optional<std::string>& config_path,
                               const std::vector<std::pair<std::string, std::string>>& sides);
// The schema path a project configures for Prisma in `dir`: prisma.config.ts's `schema: "..."` (or
// `path.join("a", "b")`), else package.json's `"prisma": {"schema": "..."}`; relative to `dir`. `from` says which
// file set it. Throws UsageError for a package.json that is not valid JSON.
struct ConfiguredSchema {
  std::string path;
  std::string from;
};
std::optional<ConfiguredSchema> configured_prisma_schema(const std::string& dir);
// The default schema of `prisma-check` and `drift --prisma` (no value): configured_prisma_schema("."), else the
// nearest prisma/schema.prisma or prisma/schema/ folder under the current directory (fewest path components; a
// file before a folder at the same depth; then byte order; hidden folders and node_modules skipped). Throws
// UsageError when there is none.
std::string find_prisma_schema();

// Why a side (kind, path) looks like a Supabase project; "" when it does not. A Prisma folder (what a one-file lint
// of a Prisma migration asks, ConfigSet::for_path) is walked once, for its .prisma files and its migrations' SQL.
std::string supabase_evidence(const std::string& kind, const std::string& path);

// Replays `paths` (in order) on `start` as their runner runs them (`runner`: Runner::auto_detect = from each file's
// layout): `drift --pending` starts from the live schema. Returns the replay errors (sorted); unreadable files go
// to `errors`.
std::vector<Finding> replay_on(const model::SchemaModel& start, const std::vector<std::string>& paths, Runner runner,
                               std::vector<InputError>& errors);

// Takes the platform baseline's objects out of every loaded side (platform::strip), unless include_platform: the
// file sides first, then each database side with the first file side as what the project owns.
void scope_platform(std::vector<ModelSource>& sides, const LoadContext& ctx);

// Prints the --verbose account of a replay to `out`: counts, then every statement the model does not represent.
void print_skipped(std::ostream& out, const ModelSource& src);

}  // namespace driftguard
