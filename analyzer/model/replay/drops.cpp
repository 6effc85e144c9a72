// DROP of every kind and the dependencies it follows (CASCADE or refuse): PostgreSQL's dropcmds.c and
// dependency.c.
#include <cctype>

#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

// Foreign keys of other tables (or this one) that reference these columns of t.
std::vector<std::pair<Table*, std::string>> Replayer::Impl::referencing_fks(const Table& t, const std::vector<std::string>* cols) {
  std::vector<std::pair<Table*, std::string>> out;
  for (auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [other_key_, other] : sc.tables) {
      for (const auto& c : other.constraints) {
        if (c.kind != ConstraintKind::foreign_key || c.ref_schema != t.schema || c.ref_table != t.name) continue;
        if (cols && c.ref_columns != *cols &&
            std::none_of(c.ref_columns.begin(), c.ref_columns.end(), [&](const std::string& rc) {
              return cols->size() == 1 && rc == cols->front();
            })) {
          continue;
        }
        out.emplace_back(&sc.tables.edit(other_key_), c.name);  // to change (ObjectMap): `other` may be shared
      }
    }
  }
  return out;
}

void Replayer::Impl::drop_dependents(std::vector<std::pair<Table*, std::string>> deps, bool cascade, const std::string& what,
                                     const Table* self) {
  // By name, not by address: `self` may be a copy of the model's shared table (ObjectMap).
  deps.erase(std::remove_if(deps.begin(), deps.end(),
                            [&](const auto& d) { return self && d.first->schema == self->schema && d.first->name == self->name; }),
             deps.end());
  if (deps.empty()) return;
  if (!cascade) {
    fail("cannot drop " + what + " because constraint " + dq(deps.front().second) + " on table " +
         named(deps.front().first->schema, deps.front().first->name) + " depends on it (use CASCADE)");
  }
  for (auto& dep : deps) {
    const std::string& name = dep.second;  // not a structured binding: clang 14 (the fuzz build) cannot capture one
    std::erase_if(dep.first->constraints, [&](const Constraint& c) { return c.name == name; });
  }
}

void Replayer::Impl::drop(const json& b) {
  std::string type = str(b, "removeType");
  bool missing_ok = flag(b, "missing_ok");
  bool cascade = str(b, "behavior") == "DROP_CASCADE";
  dropped_together.clear();
  if (type == "OBJECT_TABLE") {
    for (const auto& obj : field(b, "objects")) dropped_together.insert(resolve_relation(drop_object_parts(obj)));
  }
  // One object refused refuses them all: the ones dropped before it are back (fixture
  // refused-multi-object-drop.sql).
  if (field(b, "objects").size() > 1) {
    all_or_nothing([&] { drop_objects(b, type, missing_ok, cascade); });
  } else {
    drop_objects(b, type, missing_ok, cascade);
  }
}

void Replayer::Impl::drop_objects(const json& b, const std::string& type, bool missing_ok, bool cascade) {
  for (const auto& obj : field(b, "objects")) {
    auto parts = drop_object_parts(obj);
    if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" ||
        type == "OBJECT_INDEX" || type == "OBJECT_FOREIGN_TABLE") {
      drop_relation(type, parts, missing_ok, cascade);
    } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      Type* ty = find_type(parts, missing_ok);
      if (!ty) continue;
      drop_type(ty->schema, ty->name, cascade);
    } else if (type == "OBJECT_SCHEMA") {
      std::string s = parts.empty() ? "" : parts.back();
      Schema* sc = m.schema(s);
      if (!sc) {
        if (missing_ok) continue;
        fail("schema " + dq(s) + " does not exist");
      }
      if (!sc->empty() && !cascade) fail("cannot drop schema " + dq(s) + " because other objects depend on it (use CASCADE)");
      for (const auto& [qn, seq_] : sc->sequences) {
        drop_sequence_defaults(s, qn, true, "", [&](const Table& t, const Column&) { return t.schema == s; });
      }
      for (const auto& [tn, t] : sc->tables) drop_dependents(referencing_fks(t, nullptr), true, "", nullptr);
      m.schemas.erase(s);
      std::erase_if(m.extensions, [&](const auto& e) { return e.second.schema == s; });
    } else if (type == "OBJECT_EXTENSION") {
      std::string n = parts.empty() ? "" : parts.back();
      if (!m.extensions.erase(n) && !missing_ok) fail("extension " + dq(n) + " does not exist");
    } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
      std::string shown;
      Function* f = find_function(field(obj, "ObjectWithArgs"), missing_ok, &shown);
      if (!f) continue;
      std::string fname = q(f->schema, f->name);
      for (auto& [sc_key_, sc] : m.schemas) {
        for (auto&& [t_key_, t] : sc.tables.editing()) {  // rare: every table made the model's own (ObjectMap)
          for (const auto& g : t.triggers) {
            if (g.function.rfind(fname + "(", 0) == 0 && !cascade) {
              fail("cannot drop function " + f->signature() + " because trigger " + dq(g.name) + " on table " +
                   named(t.schema, t.name) + " depends on it (use CASCADE)");
            }
          }
          if (cascade) std::erase_if(t.triggers, [&](const Trigger& g) { return g.function.rfind(fname + "(", 0) == 0; });
        }
      }
      drop_function_dependents(*f, cascade);
      m.schema(f->schema)->functions.erase(f->signature());
    } else if (type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY") {
      if (parts.size() < 2) fail("malformed DROP " + object_type_word(type));
      std::string n = nm(parts.back());
      auto [s, tn] = resolve_relation(std::vector<std::string>(parts.begin(), parts.end() - 1));
      Table* t = m.table(s, tn);
      if (!t) {
        if (missing_ok) continue;
        fail("relation " + named(s, tn) + " does not exist");
      }
      bool trig = type == "OBJECT_TRIGGER";
      bool found = trig ? t->trigger(n) != nullptr : t->policy(n) != nullptr;
      if (!found) {
        if (missing_ok) continue;
        fail(std::string(trig ? "trigger " : "policy ") + dq(n) + " for table " + named(s, tn) + " does not exist");
      }
      if (trig) {
        std::erase_if(t->triggers, [&](const Trigger& g) { return g.name == n; });
      } else {
        std::erase_if(t->policies, [&](const Policy& p) { return p.name == n; });
      }
    } else {
      skip("DROP " + object_type_word(type), false);
      return;
    }
  }
}

void Replayer::Impl::drop_relation(const std::string& type, const std::vector<std::string>& parts, bool missing_ok, bool cascade) {
  auto [s, n] = resolve_relation(parts);
  Schema* sc = m.schema(s);
  std::string kind = sc ? relation_kind(*sc, n) : "";
  std::string want = type == "OBJECT_VIEW"       ? "view"
                     : type == "OBJECT_MATVIEW"  ? "materialized view"
                     : type == "OBJECT_SEQUENCE" ? "sequence"
                     : type == "OBJECT_INDEX"    ? "index"
                                                 : "table";
  if (kind.empty()) {
    if (missing_ok) return;
    fail(want + " " + named(s, n) + " does not exist");
  }
  if (kind != want) fail(named(s, n) + " is a " + kind + ", not a " + want);
  if (kind == "table" || kind == "view" || kind == "materialized view") {
    drop_reading_views(s, n, kind, cascade);
    drop_reading_functions(s, n, kind, cascade);  // SQL-standard bodies (replay/functions.cpp)
  }
  if (kind == "table") {
    drop_owned_sequence_defaults(sc->tables[n], "", cascade, "table " + named(s, n));
    drop_children(s, n, cascade);  // INHERITS (replay/inheritance.cpp)
    // Its partitions go with a partitioned table (no CASCADE needed).
    std::vector<std::pair<std::string, std::string>> partitions;
    for (const auto& [other_key_, other] : m.schemas) {
      for (const auto& [t_key_, t] : other.tables) {
        if (t.parent_schema == s && t.parent_table == n && !(t.schema == s && t.name == n)) partitions.emplace_back(t.schema, t.name);
      }
    }
    // A partition PostgreSQL refuses to drop (a view reads it) refuses the whole statement: the partitions dropped
    // before it are back (fixture refused-drop-partitioned-table-partition-read.sql).
    if (!partitions.empty()) {
      all_or_nothing([&] {
        for (const auto& [ps, pn] : partitions) {
          // Detached before the recursive drop: a cycle of parents (a history PostgreSQL refused part of) must end.
          Table& part = *m.table(ps, pn);
          part.parent_schema.clear();
          part.parent_table.clear();
        }
        for (const auto& [ps, pn] : partitions) drop_relation("OBJECT_TABLE", {ps, pn}, true, cascade);
      });
    }
    sc = m.schema(s);
    Table& t = sc->tables[n];
    drop_dependents(referencing_fks(t, nullptr), cascade, "table " + named(s, n), &t);
    for (auto it = sc->sequences.begin(); it != sc->sequences.end();) {
      it = it->second.owned_by.rfind(n + ".", 0) == 0 ? sc->sequences.erase(it) : std::next(it);
    }
    sc->tables.erase(n);
  } else if (kind == "view" || kind == "materialized view") {
    sc->views.erase(n);
  } else if (kind == "sequence") {
    drop_sequence_defaults(s, n, cascade, "sequence " + named(s, n), [](const Table&, const Column&) { return false; });
    sc->sequences.erase(n);
  } else {
    auto ref = find_index(s, n);
    if (!ref.index) fail("cannot drop index " + named(s, n) + " because a constraint requires it (drop the constraint)");
    std::string name = ref.index->name;
    auto& list = ref.table ? ref.table->indexes : ref.view->indexes;
    std::erase_if(list, [&](const Index& i) { return i.name == name; });
  }
}

namespace {
// Whether canonical SQL calls the function, bare or qualified by its schema (lexed: normalize.cpp).
bool calls(const std::string& sql, const Function& f) { return norm::calls_function(sql, f.schema, f.name); }
}  // namespace

void Replayer::Impl::drop_function_dependents(const Function& f, bool cascade) {
  // With overloads of the name the call cannot be told apart from text: nothing is assumed (as before).
  int same_name = 0;
  for (const auto& [sk_, sc] : m.schemas) {
    for (const auto& [fk_, other] : sc.functions) same_name += other.name == f.name ? 1 : 0;
  }
  if (same_name > 1) return;
  auto refuse = [&](const std::string& what) {
    fail("cannot drop function " + f.signature() + " because " + what + " depends on it (use CASCADE)");
  };
  auto index_calls = [&](const Index& i) {
    return calls(i.predicate(), f) || std::any_of(i.keys.begin(), i.keys.end(), [&](const IndexKey& k) {
             return k.is_expression && calls(k.expr, f);
           });
  };
  std::vector<std::pair<std::string, std::string>> views;
  for (auto& [sk_, sc] : m.schemas) {
    for (auto& [vk_, v] : sc.views) {
      if (calls(v.definition, f)) {
        if (!cascade) refuse("view " + named(v.schema, v.name));
        views.emplace_back(v.schema, v.name);
        continue;
      }
      for (const auto& i : v.indexes) {
        if (index_calls(i) && !cascade) refuse("index " + dq(i.name));
      }
      std::erase_if(v.indexes, index_calls);
    }
    for (auto&& [tk_, t] : sc.tables.editing()) {  // rare (DROP FUNCTION): every table made the model's own (ObjectMap)
      std::vector<std::string> generated;
      for (auto& c : t.columns) {
        if (!c.generated().empty() && calls(c.generated(), f)) {
          if (!cascade) refuse("column " + dq(c.name) + " of table " + named(t.schema, t.name));
          generated.push_back(c.name);
        } else if (calls(c.default_expr, f)) {
          if (!cascade) refuse("the default of column " + dq(c.name) + " of table " + named(t.schema, t.name));
          c.set_default("");
        }
      }
      for (const auto& c : t.constraints) {
        if (c.kind == ConstraintKind::check && calls(c.expression, f) && !cascade) {
          refuse("constraint " + dq(c.name) + " on table " + named(t.schema, t.name));
        }
      }
      std::erase_if(t.constraints, [&](const Constraint& c) { return c.kind == ConstraintKind::check && calls(c.expression, f); });
      for (const auto& i : t.indexes) {
        if (index_calls(i) && !cascade) refuse("index " + dq(i.name));
      }
      std::erase_if(t.indexes, index_calls);
      auto policy_calls = [&](const Policy& p) { return calls(p.using_expr, f) || calls(p.check_expr, f); };
      for (const auto& p : t.policies) {
        if (policy_calls(p) && !cascade) refuse("policy " + dq(p.name) + " on table " + named(t.schema, t.name));
      }
      std::erase_if(t.policies, policy_calls);
      for (const auto& g : t.triggers) {
        if (calls(g.when, f) && !cascade) refuse("trigger " + dq(g.name) + " on table " + named(t.schema, t.name));
      }
      std::erase_if(t.triggers, [&](const Trigger& g) { return calls(g.when, f); });
      for (const auto& c : generated) drop_column(t, c, false, true);
    }
  }
  for (const auto& [vs, vn] : views) {
    const View* v = m.schema(vs) ? (m.schema(vs)->views.count(vn) ? &m.schema(vs)->views.at(vn) : nullptr) : nullptr;
    if (v) drop_relation(v->materialized ? "OBJECT_MATVIEW" : "OBJECT_VIEW", {vs, vn}, true, true);
  }
}

void Replayer::Impl::drop_type(const std::string s, const std::string n, bool cascade) {  // copies: the type is erased
  std::string t1 = q(s, n);
  for (auto& [sc_key_, sc] : m.schemas) {
    for (auto&& [t_key_, t] : sc.tables.editing()) {  // rare (DROP TYPE): every table made the model's own (ObjectMap)
      std::vector<std::string> cols;
      for (auto& c : t.columns) {
        if (c.type == t1 || c.type == t1 + "[]") {
          cols.push_back(c.name);
        } else if (c.default_expr.find("::" + t1) != std::string::npos) {
          // a default that casts to the type depends on it
          if (!cascade) {
            fail("cannot drop type " + named(s, n) + " because the default of column " + dq(c.name) + " of table " +
                 named(t.schema, t.name) + " depends on it (use CASCADE)");
          }
          c.default_expr.clear();
        }
      }
      if (!cols.empty() && !cascade) {
        fail("cannot drop type " + named(s, n) + " because column " + dq(cols.front()) + " of table " +
             named(t.schema, t.name) + " depends on it (use CASCADE)");
      }
      for (const auto& c : cols) drop_column(t, c, false, true);
    }
  }
  m.schema(s)->types.erase(n);
}

// The tables and views a query reads: PostgreSQL records them as the view's dependencies. A name a WITH clause
// defines is not a relation.
// The relations a query names in FROM (and sub-selects), as written; the names of its WITH queries are not.
std::vector<std::vector<std::string>> Replayer::Impl::relations_named(const json& query) {
  std::set<std::string> ctes;
  std::vector<const json*> rangevars;
  auto walk = [&](auto& self, const json& node) -> void {
    if (node.is_array()) {
      for (const auto& v : node) self(self, v);
    } else if (node.is_object()) {
      for (const auto& [key, v] : node.items()) {
        if (key == "CommonTableExpr") ctes.insert(str(v, "ctename"));
        if (key == "RangeVar") rangevars.push_back(&v);
        self(self, v);
      }
    }
  };
  walk(walk, query);
  std::vector<std::vector<std::string>> out;
  for (const json* rv : rangevars) {
    auto parts = rangevar_parts(*rv);
    if (parts.size() == 1 && ctes.count(parts[0])) continue;
    out.push_back(std::move(parts));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Replayer::Impl::relations_read(const json& query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& parts : relations_named(query)) {
    auto rel = resolve_relation(parts);
    const Schema* sc = m.schema(rel.first);
    std::string kind = sc ? relation_kind(*sc, rel.second) : "";
    if ((kind == "table" || kind == "view" || kind == "materialized view") && !contains_pair(out, rel)) out.push_back(rel);
  }
  return out;
}

// The views that read a relation: without CASCADE they keep it (PostgreSQL's dependency), with it they go too.
void Replayer::Impl::drop_reading_views(const std::string& s, const std::string& n, const std::string& kind, bool cascade) {
  std::vector<std::pair<std::string, std::string>> readers;
  for (const auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [v_key_, v] : sc.views) {
      if ((v.schema != s || v.name != n) && contains_pair(v.reads, {s, n})) readers.emplace_back(v.schema, v.name);
    }
  }
  if (readers.empty()) return;
  if (!cascade) {
    const View& v = m.schema(readers.front().first)->views.at(readers.front().second);
    fail("cannot drop " + kind + " " + named(s, n) + " because " + (v.materialized ? "materialized view " : "view ") +
         named(v.schema, v.name) + " depends on it (use CASCADE)");
  }
  drop_views(readers);
}

// Drops these views and, as CASCADE does, the views that read them.
void Replayer::Impl::drop_views(const std::vector<std::pair<std::string, std::string>>& views) {
  for (const auto& [vs, vn] : views) {
    Schema* sc = m.schema(vs);
    if (!sc || !sc->views.count(vn)) continue;  // gone with an earlier one
    // It reads nothing any more: views that read each other (a cycle the replay let in) end the recursion.
    sc->views[vn].reads.clear();
    drop_reading_views(vs, vn, "view", true);
    sc->views.erase(vn);
  }
}

}  // namespace driftguard::model
