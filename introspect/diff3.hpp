// Three-way drift: three schema models (say schema.prisma, the migrations, the live database) compared pairwise
// with the differ, and each difference attributed to the source that disagrees with the other two ("in
// schema.prisma and in the live database, missing from the migrations"). Two sources agree on an object when
// their pair has no item for it (same path, same kind family: missing-X and extra-X are the family X).
#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

#include "introspect/diff.hpp"

namespace driftguard::diff {

struct Item3 {
  std::string family;  // "column-type", "table" (presence), "column" (presence), ...
  std::string path;
  std::array<Endpoint, 3> values;  // each source's value (present=false: the object is not there)
  std::array<bool, 3> known{};     // whether a value was seen for the source (always, when `odd` >= 0)
  int odd = -1;          // the source that disagrees with the two others; -1: no two agree, or only one pair differs
  bool all_differ = false;  // three different values
  // Only one pair differs (the object, or this property of it, is in two sources only): the third source, and
  // whether it lacks the object (or its table) rather than not defining this property (a schema.prisma view has
  // no query).
  int third = -1;
  bool third_absent = false;
  Severity severity = Severity::error;  // the highest of the pairwise items
  bool unmanaged = false;               // every pairwise item is unmanaged
  std::vector<std::string> kinds;       // the pairwise kinds, e.g. {"missing-column", "extra-column"}
  std::string message;                  // from the first pairwise item
};

struct Options3 {
  int prisma = -1;                   // the index of the source built from schema.prisma, or -1
  std::vector<std::string> ignore;
  std::set<std::string> prisma_any_default;  // as Options::prisma_any_default
};

// Items sorted by path, then family.
std::vector<Item3> diff3(const std::array<const model::SchemaModel*, 3>& sources, const Options3& opts = {});

// "column-type" -> "column-type"; "missing-column" / "extra-column" -> "column".
std::string family(const std::string& kind);

// Drift triage: why the migrations and the live database differ on an object, from the migration tracker
// (`driftguard status`) joined with the replay of only the applied migrations.
enum class Triage {
  none,              // no tracker to join with
  not_applied,       // the difference comes from pending migrations only: deploying them removes it
  edited_migration,  // the object comes from a migration edited after it was applied
  hotfix,            // only in the database, and the tracker lists applied migrations missing from the folder
  dashboard,         // the database differs from the applied migrations: changed by hand (dashboard, psql)
  conflict,          // a pending migration changes an object that the database changed too
};
std::string_view to_string(Triage t);  // "", "not-applied", "edited-migration", "hotfix", "dashboard", "conflict"

struct TriageInput {
  std::vector<DriftItem> applied_vs_database;  // diff(the applied migrations only, the database)
  std::vector<DriftItem> applied_vs_all;       // diff(the applied migrations only, every migration): what the
                                               // pending migrations change
  std::set<std::string> edited_files;          // migration files edited after they were applied
  bool missing_applied = false;                // the tracker lists applied migrations missing from the folder
};
// The label of a difference on `path` between the migrations (`migrations`: the object as every migration builds
// it) and the database (`database`).
Triage triage(const std::string& path, const Endpoint& migrations, const Endpoint& database, const TriageInput& in);

}  // namespace driftguard::diff
