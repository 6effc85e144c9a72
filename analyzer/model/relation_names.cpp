// The replay's index of index and constraint names (relation_names.hpp).
#include "analyzer/model/relation_names.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace driftguard::model {

namespace {

bool& check_flag() {
  static bool on = std::getenv("DRIFTGUARD_CHECK_NAME_INDEX") != nullptr;
  return on;
}

// What Schema::relation_kind counts as an index: indexes, and the constraints that own one.
bool owns_index(const Constraint& c) {
  return c.kind != ConstraintKind::check && c.kind != ConstraintKind::foreign_key;
}

bool has_index(const std::vector<Index>& indexes, const std::string& name) {
  return std::any_of(indexes.begin(), indexes.end(), [&](const Index& i) { return i.name == name; });
}

[[noreturn]] void stale(const std::string& what, const std::string& schema, const std::string& name,
                        const std::string& indexed, const std::string& scanned) {
  throw std::logic_error("the relation name index is stale (" + what + " of \"" + schema + "\".\"" + name +
                         "\": " + indexed + ", the model: " + scanned + ")");
}

}  // namespace

void set_check_relation_names(bool on) { check_flag() = on; }
bool check_relation_names() { return check_flag(); }

bool RelationNames::may_have_inheritance(const SchemaModel& m) {
  if (inheritance_ == Known::unknown) {
    inheritance_ = Known::no;
    for (const auto& [s_key_, sc] : m.schemas) {
      for (const auto& [t_key_, t] : sc.tables) {
        if (!t.inherits.empty()) inheritance_ = Known::yes;
      }
    }
  }
  return inheritance_ == Known::yes;
}

void RelationNames::note(const Schema& schema, const std::string& name, const std::string& holder) {
  if (!built_) return;  // the first lookup builds the map from the model
  Holders& hs = holders_[name];
  for (const auto& h : hs) {
    if (h.first == &schema && h.second == holder) return;
  }
  hs.emplace_back(&schema, holder);
}

void RelationNames::note_relation(const Schema& schema, const std::string& relation) {
  if (!built_) return;
  if (auto t = schema.tables.find(relation); t != schema.tables.end()) {
    for (const auto& i : t->second.indexes) note(schema, i.name, relation);
    for (const auto& c : t->second.constraints) {
      if (owns_index(c)) note(schema, c.name, relation);
    }
  }
  if (auto v = schema.views.find(relation); v != schema.views.end()) {
    for (const auto& i : v->second.indexes) note(schema, i.name, relation);
  }
}

void RelationNames::clear() {
  built_ = false;
  holders_.clear();
  inheritance_ = Known::unknown;
}

void RelationNames::build(const SchemaModel& m) {
  holders_.clear();
  built_ = true;
  for (const auto& [s_key_, sc] : m.schemas) {
    for (const auto& [t_key_, t] : sc.tables) note_relation(sc, t_key_);
    for (const auto& [v_key_, v] : sc.views) note_relation(sc, v_key_);
  }
}

std::vector<std::string> RelationNames::holders(const SchemaModel& m, const Schema& schema, const std::string& name,
                                                bool indexes_only) {
  if (!built_) build(m);
  std::vector<std::string> out;
  auto it = holders_.find(name);
  if (it == holders_.end()) return out;
  std::erase_if(it->second, [&](const std::pair<const Schema*, std::string>& h) {
    if (h.first != &schema) return false;  // another schema's (or one since dropped: never dereferenced)
    bool index = false, constraint = false;
    if (auto t = schema.tables.find(h.second); t != schema.tables.end()) {
      index = has_index(t->second.indexes, name);
      constraint = std::any_of(t->second.constraints.begin(), t->second.constraints.end(),
                               [&](const Constraint& c) { return c.name == name && owns_index(c); });
    } else if (auto v = schema.views.find(h.second); v != schema.views.end()) {
      index = has_index(v->second.indexes, name);
    }
    if (index || (constraint && !indexes_only)) out.push_back(h.second);
    return !index && !constraint;
  });
  if (it->second.empty()) holders_.erase(it);
  return out;
}

std::string RelationNames::relation_kind(const SchemaModel& m, const Schema& schema, const std::string& name) {
  std::string kind;
  if (schema.tables.count(name)) {
    kind = "table";
  } else if (auto v = schema.views.find(name); v != schema.views.end()) {
    kind = v->second.materialized ? "materialized view" : "view";
  } else if (schema.sequences.count(name)) {
    kind = "sequence";
  } else if (!holders(m, schema, name, false).empty()) {
    kind = "index";
  }
  if (check_flag()) {
    if (std::string scanned = schema.relation_kind(name); scanned != kind) {
      stale("relation_kind", schema.name, name, kind.empty() ? "none" : kind, scanned.empty() ? "none" : scanned);
    }
  }
  return kind;
}

SchemaModel::IndexRef RelationNames::find_index(SchemaModel& m, const std::string& schema, const std::string& name) {
  SchemaModel::IndexRef ref;
  if (Schema* sc = m.schema(schema)) {
    // The scan's answer when (against PostgreSQL's rules) two relations hold the name: the first table, then the
    // first materialized view, in name order.
    std::vector<std::string> hs = holders(m, *sc, name, true);
    std::sort(hs.begin(), hs.end());
    for (const auto& h : hs) {
      if (Table* t = sc->tables.find_edit(h)) {  // the table to change (ObjectMap)
        ref = {t, nullptr, t->index(name)};
        break;
      }
    }
    if (!ref.index) {
      for (const auto& h : hs) {
        if (auto v = sc->views.find(h); v != sc->views.end()) {
          auto i = std::find_if(v->second.indexes.begin(), v->second.indexes.end(),
                                [&](const Index& x) { return x.name == name; });
          ref = {nullptr, &v->second, &*i};
          break;
        }
      }
    }
  }
  if (check_flag()) {
    SchemaModel::IndexRef scanned = m.find_index(schema, name);
    if (scanned.table != ref.table || scanned.view != ref.view || scanned.index != ref.index) {
      auto where = [](const SchemaModel::IndexRef& r) {
        return r.table ? "table " + r.table->name : r.view ? "view " + r.view->name : std::string("none");
      };
      stale("find_index", schema, name, where(ref), where(scanned));
    }
  }
  return ref;
}

}  // namespace driftguard::model
