// Platform baselines: what a hosted platform's database holds before a project's first migration (Supabase's
// auth, storage and realtime schemas, roles, default extensions), or a project's own prelude file. A history is
// replayed on top of its baseline (statically and in the --shadow cluster), and the baseline's objects are then
// taken out of every model before a comparison, so that drift is about the project's objects only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/source.hpp"

namespace driftguard::platform {

inline constexpr const char* kSupabase = "supabase";
// The role Supabase runs migrations as (the owner of what they create: grants to it are the owner's).
inline constexpr const char* kSupabaseRole = "postgres";
// The file name objects of the Supabase baseline point at (its path in driftguard's repository).
inline constexpr const char* kSupabaseFile = "platform/supabase/baseline.sql";
// Which Supabase the embedded baseline follows (docs/supabase.md).
inline constexpr const char* kSupabaseVersion =
    "supabase/postgres 7db7e1a9 init scripts + supabase/auth bc32168e + supabase/storage 4fa61fba";

// platform/supabase/baseline.sql, embedded at build time (cmake/EmbedPlatform.cmake).
const std::string& supabase_baseline_sql();
// The model snapshot of that baseline (analyzer/model/snapshot.hpp), made at build time by replaying it
// (analyzer/platform/make_snapshot.cpp) and embedded in the binary beside it.
std::string_view supabase_snapshot();

// A baseline: its files (the platform's, then a prelude), replayed in order, and the model they build (statically,
// once).
struct Baseline {
  std::string name;  // "supabase" (a prelude on it keeps the name: the platform is still Supabase), or "prelude"
  std::vector<SourceFile> files;
  model::SchemaModel model;
  std::vector<Finding> findings;  // replay errors of the baseline itself (none for the embedded one: tested)
  // Extensions the platform enables by default that a throwaway cluster cannot have (Supabase: pg_graphql,
  // supabase_vault, ...): never the project's, taken out like the baseline's own.
  std::vector<std::string> default_extensions;

  // "platform/supabase/baseline.sql + pre.sql"
  std::string describe() const;
};

// The embedded Supabase baseline, loaded on first use from its snapshot; from its SQL instead when the environment
// sets DRIFTGUARD_BASELINE_FROM_SQL (the tests compare the two; not a user-facing switch).
std::shared_ptr<const Baseline> supabase();
// The Supabase baseline replayed from its SQL (the source of truth: what the snapshot is made from).
std::shared_ptr<const Baseline> supabase_from_sql();
// The Supabase baseline with the model and findings a snapshot holds. Throws model::snapshot::Malformed.
std::shared_ptr<const Baseline> supabase_from_snapshot(std::string_view snapshot);
// A prelude file (`prelude = "file.sql"`, --prelude FILE), replayed after the platform's baseline `on` when there is
// one (a Supabase project's extension stubs or extra roles), alone otherwise. Throws InputFailure
// (analyzer/source.hpp) when it cannot be read.
std::shared_ptr<const Baseline> prelude(const std::string& path, const std::shared_ptr<const Baseline>& on = nullptr);

// Takes the baseline's objects out of `m`, by name: its tables (with all their columns, constraints and indexes;
// triggers and policies a project adds to a platform table stay, on a table shell), types, sequences, views,
// functions, extensions, and the schemas that are left empty. With `keep` (the model of the project's own side,
// stripped already): in the baseline's schemas, objects neither side of the baseline nor `keep` holds are taken
// out too — a live database runs a newer platform whose own objects the baseline does not know yet.
void strip(model::SchemaModel& m, const Baseline& baseline, const model::SchemaModel* keep = nullptr);

// Copies every object's source position from `from` to the object of the same name in `to` that has none: the
// model PostgreSQL built in the shadow cluster points at the migration lines the static replay saw.
void copy_sources(model::SchemaModel& to, const model::SchemaModel& from);

}  // namespace driftguard::platform
