// Where the replay finds an index by name: PostgreSQL keeps indexes (and the indexes behind primary key, unique
// and exclusion constraints) in the schema's one namespace of relations, but the model keeps them on their table
// or materialized view, so answering "is this name taken?" by walking the model made every CREATE TABLE and CREATE
// INDEX cost the size of the schema, and a history quadratic in its length (bench/RESULTS.md).
//
// RelationNames maps each such name to the relations that hold it. The map is allowed to be a superset: every
// hit is checked against the model (the holder still exists and still holds the name) and stale entries are
// dropped, so the replay only has to note names as they appear (an index or constraint added or renamed, a
// relation inserted under a new name or schema), never as they go. Whatever replaces the model wholesale (a
// restore, the caller's changes) clears the map, and the next lookup rebuilds it from the model.
// With DRIFTGUARD_CHECK_NAME_INDEX set (the test binaries set it), every lookup is compared with the scan of the
// model (Schema::relation_kind, SchemaModel::find_index) and a difference throws std::logic_error.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analyzer/model/model.hpp"

namespace driftguard::model {

class RelationNames {
 public:
  // `holder` (a table or materialized view of `schema`) holds an index or a constraint named `name`.
  void note(const Schema& schema, const std::string& name, const std::string& holder);
  // Every index and constraint name of a relation of `schema` (just created, renamed or moved there).
  void note_relation(const Schema& schema, const std::string& relation);
  void clear();
  // Whether any table of the model may have INHERITS parents (a superset, with the same lifetime as the names:
  // cleared with them, then counted from the model once). Replayer::Impl::inheritors walks every table, once per
  // ALTER TABLE; histories without inheritance (nearly all) skip that walk, which made lint quadratic.
  bool may_have_inheritance(const SchemaModel& m);
  void note_inheritance() { inheritance_ = Known::yes; }
  // Schema::relation_kind and SchemaModel::find_index, without the walk.
  std::string relation_kind(const SchemaModel& m, const Schema& schema, const std::string& name);
  SchemaModel::IndexRef find_index(SchemaModel& m, const std::string& schema, const std::string& name);
  // The relations of `schema` that hold an index, or a constraint with an index, named `name` (unordered).
  std::vector<std::string> holders_of(const SchemaModel& m, const Schema& schema, const std::string& name) {
    return holders(m, schema, name, false);
  }

 private:
  using Holders = std::vector<std::pair<const Schema*, std::string>>;
  bool built_ = false;
  enum class Known { unknown, no, yes };
  Known inheritance_ = Known::unknown;
  std::unordered_map<std::string, Holders> holders_;  // index or constraint name -> (schema, relation)
  void build(const SchemaModel& m);
  // The holders of `name` in `schema` that still hold it (stale ones are removed).
  std::vector<std::string> holders(const SchemaModel& m, const Schema& schema, const std::string& name,
                                   bool indexes_only);
};

// Compares every lookup with the scan of the model (set by the test binaries; also DRIFTGUARD_CHECK_NAME_INDEX).
void set_check_relation_names(bool on);
bool check_relation_names();

}  // namespace driftguard::model
