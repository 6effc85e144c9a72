#include "analyzer/model/sql_out.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "analyzer/model/normalize.hpp"
#include "analyzer/model/replay.hpp"

namespace driftguard::model {

namespace {

// The order of a script. Dependents go first (policies, triggers and views before the tables and functions they
// use; foreign keys before the keys they reference), creations after (types and functions before the tables that
// use them, tables before their constraints, indexes, views, policies and triggers), schemas and extensions last.
enum Phase {
  renames,
  drop_policies_triggers,
  drop_row_type_functions,  // functions taking or returning a view's row type: before the view (it depends on them)
  drop_views,
  drop_sql_body_functions,  // SQL-standard bodies (BEGIN ATOMIC, RETURN) depend on the tables they read
  drop_foreign_keys,
  drop_constraints,
  leave_parents,  // NO INHERIT: before a parent's DROP COLUMN or DROP TABLE would reach the child
  drop_indexes,
  drop_tables,
  drop_columns,
  prepare_columns,  // DROP DEFAULT / DROP IDENTITY before a type change, before the old sequence goes
  drop_functions,
  drop_sequences,
  create_schemas,
  create_extensions,
  create_types,
  create_sequences,
  create_functions,
  create_tables,
  add_columns,
  alter_columns,
  add_generated_columns,  // after the type changes of the columns their expressions read
  drop_types_on_domains,  // types built on a domain the script drops, after the columns that used them changed type
  drop_types,             // domains
  drop_domain_functions,  // functions only a dropped domain's CHECK or DEFAULT called (their argument types go next)
  drop_other_types,
  table_properties,  // storage parameters, sequence ownership, partitions attached
  add_constraints,
  join_parents,  // INHERIT: once the child has the parent's columns and check constraints
  create_indexes,
  add_foreign_keys,
  create_views,
  create_row_type_functions,  // functions taking or returning a view's row type: the type exists once the view does
  row_level_security,
  create_policies_triggers,
  set_privileges,  // GRANT/REVOKE once every object exists
  set_default_privileges,  // after the objects the script creates took the defaults they had
  set_comments,  // once every object exists: new ones, and the ones created again (a comment goes with a dropped object)
  drop_extensions,
  drop_schemas,
  phase_count
};

std::string rel_of(const std::string& schema, const std::string& name) { return norm::qualified(schema, name); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Type families within which PostgreSQL has an assignment cast, so ALTER COLUMN ... TYPE needs no USING (and an
// explicit cast would silently truncate where the assignment cast raises an error, e.g. into varchar(n)).
std::string type_family(const std::string& type) {
  if (type.find("[]") != std::string::npos) return "array:" + type_family(type.substr(0, type.find('[')));
  static const std::array<std::pair<const char*, const char*>, 12> prefixes = {{
      {"smallint", "number"},
      {"integer", "number"},
      {"bigint", "number"},
      {"numeric", "number"},
      {"real", "number"},
      {"double precision", "number"},
      {"text", "text"},
      {"character", "text"},
      {"\"char\"", "text"},
      {"timestamp", "time"},
      {"date", "time"},
      {"bit", "bit"},
  }};
  for (const auto& [prefix, family] : prefixes) {
    if (type.rfind(prefix, 0) == 0) return family;
  }
  return type;
}

bool needs_using(const std::string& from, const std::string& to) {
  if (type_family(to) == "text") return false;  // every type has an assignment cast to text
  return type_family(from) != type_family(to);
}

// CREATE FUNCTION ... as CREATE OR REPLACE FUNCTION ... (the text may be as written: any case, already OR REPLACE).
std::string or_replace(const std::string& create) {
  std::string head = lower(create.substr(0, 40));
  if (head.find("or replace") != std::string::npos) return create;
  auto after_create = create.find_first_of(" \t\n", 0);
  return create.substr(0, after_create) + " OR REPLACE" + create.substr(after_create);
}

std::string drop_function(const Function& f) {
  return std::string("DROP ") + (f.procedure ? "PROCEDURE" : "FUNCTION") + " IF EXISTS " + f.signature() + ";\n";
}

// Does f take or return the row type of the view named view_name (PostgreSQL records the dependency: the view
// cannot be dropped while f exists, and f cannot be created before the view)?
bool on_row_type_of(const Function& f, const std::string& view_name) {
  return norm::mentions_identifier(f.arguments, view_name) || norm::mentions_identifier(f.returns, view_name);
}

bool on_view_row_type(const Function& f, const SchemaModel& model) {
  for (const auto& [sn, s] : model.schemas) {
    for (const auto& [vn, v] : s.views) {
      if (on_row_type_of(f, vn)) return true;
    }
  }
  return false;
}

class Planner {
 public:
  Planner(const SchemaModel& from, const SchemaModel& to, const ScriptOptions& o) : from_(from), to_(to), o_(o) {}

  Script run() {
    for (const auto& r : o_.renames) rename(r);
    schemas_and_extensions();
    types();
    sequences();
    functions();
    tables();
    views();
    privileges();
    comments();
    Script s;
    for (auto& phase : phases_) {
      for (auto& st : phase) s.statements.push_back(std::move(st));
    }
    s.incomplete = std::move(incomplete_);
    s.creates_functions = !phases_[create_functions].empty() || !phases_[create_row_type_functions].empty();
    return s;
  }

 private:
  SchemaModel from_;  // a copy: renames are applied to it first
  // Columns dropped and added again (schema, table -> column names): their indexes are built again.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> readded_;
  const SchemaModel& to_;
  const ScriptOptions& o_;
  std::array<std::vector<ScriptStatement>, phase_count> phases_;
  std::vector<std::string> incomplete_;
  // The domains the script drops (types()): name, definition.
  std::vector<std::pair<std::string, std::string>> dropped_domains_;
  // Relations whose columns change type or go away: the views reading them are dropped and created again.
  std::set<std::pair<std::string, std::string>> reshaped_;
  // The COMMENT ON targets of objects the script drops and creates again: their comments are set again.
  std::set<std::string> recreated_;

  ScriptStatement& emit(Phase p, std::string sql, bool destructive = false, std::vector<std::string> ignores = {}) {
    ScriptStatement st;
    st.sql = std::move(sql);
    if (!st.sql.empty() && st.sql.back() == '\n') st.sql.pop_back();
    st.destructive = destructive;
    st.ignores = std::move(ignores);
    phases_[p].push_back(std::move(st));
    return phases_[p].back();
  }
  // Something the script cannot do: a comment at its place, and a line of the incomplete list.
  void cannot(Phase p, const std::string& what, const std::string& instead) {
    incomplete_.push_back(what);
    ScriptStatement st;
    st.comments.push_back("CANNOT RESTORE: " + what);
    if (!instead.empty()) st.comments.push_back("instead: " + instead);
    phases_[p].push_back(std::move(st));
  }
  // A rollback that creates an object the migration dropped: the structure comes back, its rows do not.
  void data_lost(ScriptStatement& st, const std::string& what) {
    if (!o_.rollback) return;
    st.comments.push_back("data cannot be restored: " + what + " comes back empty (restore it from a backup)");
    incomplete_.push_back("data of " + what + " cannot be restored");
  }

  // Reverses a rename on the starting model (where both names say it is one), so that the rest compares equals.
  void rename(const Rename& r) {
    if (r.kind == Rename::Kind::schema) {
      rename_schema(r);
      return;
    }
    if (r.kind == Rename::Kind::table && !from_.table(r.schema, r.from_name)) {
      // ALTER TABLE on a sequence or a view renames it as ALTER SEQUENCE / ALTER VIEW would.
      const Schema* fs = from_.schema(r.schema);
      if (fs && (fs->sequences.count(r.from_name) || fs->views.count(r.from_name))) {
        Rename as = r;
        as.kind = fs->sequences.count(r.from_name) ? Rename::Kind::sequence : Rename::Kind::view;
        rename_object(as);
        return;
      }
    }
    if (r.kind != Rename::Kind::table && r.kind != Rename::Kind::column) {
      rename_object(r);
      return;
    }
    Table* t = from_.table(r.schema, r.table);
    std::string target_table = r.kind == Rename::Kind::table ? r.to_name : r.table;
    if (r.kind == Rename::Kind::column && !to_.table(r.schema, target_table)) {
      // The table is renamed too: the column's table has its other name at the end.
      for (const auto& tr : o_.renames) {
        if (tr.kind == Rename::Kind::table && tr.schema == r.schema && tr.from_name == r.table) target_table = tr.to_name;
      }
    }
    const Table* target = to_.table(r.schema, target_table);
    if (!t || !target) return;
    std::string rel = rel_of(r.schema, r.table);
    if (r.kind == Rename::Kind::table) {
      if (r.from_name != r.table || from_.table(r.schema, r.to_name)) return;
      Table moved = *t;
      moved.name = r.to_name;
      for (auto& [sn, s] : from_.schemas) {
        for (auto&& [tn, other] : s.tables.editing()) {
          if (other.parent_schema == r.schema && other.parent_table == r.from_name) other.parent_table = r.to_name;
          for (auto& c : other.constraints) {
            if (c.ref_schema == r.schema && c.ref_table == r.from_name) c.ref_table = r.to_name;
          }
        }
      }
      for (auto& [qn, q] : from_.schema(r.schema)->sequences) {
        if (q.owned_by.rfind(r.from_name + ".", 0) == 0) q.owned_by = r.to_name + q.owned_by.substr(r.from_name.size());
      }
      from_.schema(r.schema)->tables.erase(r.from_name);
      for (auto& c : moved.constraints) {
        if (c.ref_schema == r.schema && c.ref_table == r.from_name) c.ref_table = r.to_name;
      }
      from_.schema(r.schema)->tables[r.to_name] = std::move(moved);
      emit(renames, "ALTER TABLE " + rel + " RENAME TO " + norm::ident(r.to_name) + ";", false, {"renaming-table"});
      return;
    }
    Column* c = t->column(r.from_name);
    if (!c || t->column(r.to_name) || !target->column(r.to_name)) return;
    c->name = r.to_name;
    auto rename_in = [&](std::vector<std::string>& cols) {
      for (auto& x : cols) {
        if (x == r.from_name) x = r.to_name;
      }
    };
    for (auto& k : t->constraints) {
      rename_in(k.columns);
      rename_in(k.include);
      if (k.kind == ConstraintKind::check) k.expression = norm::rename_identifier(k.expression, r.from_name, r.to_name);
    }
    for (auto& i : t->indexes) {
      rename_in(i.include);
      for (auto& k : i.keys) {
        if (!k.is_expression && k.expr == norm::ident(r.from_name)) k.expr = norm::ident(r.to_name);
      }
    }
    for (auto& [sn, s] : from_.schemas) {
      for (auto&& [tn, other] : s.tables.editing()) {
        for (auto& k : other.constraints) {
          if (k.kind == ConstraintKind::foreign_key && k.ref_schema == r.schema && k.ref_table == r.table) rename_in(k.ref_columns);
        }
      }
    }
    emit(renames, "ALTER TABLE " + rel + " RENAME COLUMN " + norm::ident(r.from_name) + " TO " + norm::ident(r.to_name) + ";",
         false, {"renaming-column"});
  }

  // A sequence, type or view renamed back: moved in the starting model under its other name (with the column
  // types and nextval() defaults that name it), when the end model has it under that name and not the first one.
  void rename_object(const Rename& r) {
    Schema* fs = from_.schema(r.schema);
    const Schema* ts = to_.schema(r.schema);
    if (!fs || !ts) return;
    auto move = [&](auto& from_map, const auto& to_map) {
      auto it = from_map.find(r.from_name);
      if (it == from_map.end() || from_map.count(r.to_name) || !to_map.count(r.to_name) || to_map.count(r.from_name)) {
        return false;
      }
      auto moved = it->second;
      moved.name = r.to_name;
      from_map.erase(it);
      from_map[r.to_name] = std::move(moved);
      return true;
    };
    std::string old_ref = rel_of(r.schema, r.from_name);
    std::string new_ref = rel_of(r.schema, r.to_name);
    auto each_column = [&](auto fn) {
      for (auto& [sn, s] : from_.schemas) {
        for (auto&& [tn, t] : s.tables.editing()) {
          for (auto& c : t.columns) fn(c);
        }
      }
    };
    std::string what;
    if (r.kind == Rename::Kind::sequence) {
      if (!move(fs->sequences, ts->sequences)) return;
      what = "SEQUENCE";
      each_column([&](Column& c) {
        std::string from = "'" + old_ref + "'::regclass";
        std::string d = c.default_expr;
        for (auto at = d.find(from); at != std::string::npos; at = d.find(from, at + 1)) {
          d.replace(at, from.size(), "'" + new_ref + "'::regclass");
        }
        if (d != c.default_expr) c.default_expr = d;
      });
    } else if (r.kind == Rename::Kind::function) {
      rename_functions(r, *fs, *ts);
      return;
    } else if (r.kind == Rename::Kind::type) {
      auto it = fs->types.find(r.from_name);
      bool domain = it != fs->types.end() && it->second.kind == "domain";
      if (!move(fs->types, ts->types)) return;
      what = domain ? "DOMAIN" : "TYPE";
      each_column([&](Column& c) {
        if (c.type.rfind(old_ref, 0) != 0) return;
        std::string rest = c.type.substr(old_ref.size());
        if (rest.find_first_not_of("[]") == std::string::npos) c.type = new_ref + rest;
      });
    } else {
      auto it = fs->views.find(r.from_name);
      bool materialized = it != fs->views.end() && it->second.materialized;
      if (!move(fs->views, ts->views)) return;
      what = materialized ? "MATERIALIZED VIEW" : "VIEW";
    }
    emit(renames, "ALTER " + what + " " + old_ref + " RENAME TO " + norm::ident(r.to_name) + ";");
  }

  // Every overload named from_name whose arguments a function named to_name has at the end, and not already
  // under that name: renamed back (the triggers that call it follow: PostgreSQL holds the function by oid).
  void rename_functions(const Rename& r, Schema& fs, const Schema& ts) {
    std::vector<std::string> keys;
    for (const auto& [key, f] : fs.functions) {
      if (f.name != r.from_name) continue;
      Function back = f;
      back.name = r.to_name;
      if (ts.functions.count(back.signature()) && !fs.functions.count(back.signature())) keys.push_back(key);
    }
    std::string old_fn = rel_of(r.schema, r.from_name);
    std::string new_fn = rel_of(r.schema, r.to_name);
    for (const auto& key : keys) {
      Function f = fs.functions.at(key);
      fs.functions.erase(key);
      std::string sql = std::string("ALTER ") + (f.procedure ? "PROCEDURE " : "FUNCTION ") + f.signature() +
                        " RENAME TO " + norm::ident(r.to_name) + ";";
      f.name = r.to_name;
      fs.functions[f.signature()] = std::move(f);
      emit(renames, sql);
    }
    if (keys.empty()) return;
    for (auto& [sn, s] : from_.schemas) {
      for (auto&& [tn, t] : s.tables.editing()) {
        for (auto& g : t.triggers) {
          // "f(args)": the callee as written, then its arguments
          std::string callee = g.function.substr(0, g.function.find('('));
          if (callee == old_fn) g.function = new_fn + g.function.substr(callee.size());
        }
      }
    }
  }

  // A schema renamed back: the schema and everything that names it (objects, foreign keys, partitions, column
  // types, sequence defaults, triggers) moved under its other name by the replay's own ALTER SCHEMA ... RENAME, which
  // renames what views and SQL-standard bodies read on their parse trees (an alias, a string or a quoted name that
  // only looks like the schema's name stays) and prints them again. Bodies stored as text keep what they name.
  void rename_schema(const Rename& r) {
    if (!from_.schema(r.from_name) || from_.schema(r.to_name) || !to_.schema(r.to_name) || to_.schema(r.from_name)) return;
    std::string statement = "ALTER SCHEMA " + norm::ident(r.from_name) + " RENAME TO " + norm::ident(r.to_name) + ";";
    Replayer replay;
    replay.model() = std::move(from_);
    std::vector<Finding> findings;
    replay.apply_sql(statement, SourceRef{}, findings);
    from_ = replay.take();
    // Refused (it cannot be, the names were checked): the objects stay under the old name and are created again.
    if (!findings.empty()) return;
    emit(renames, statement);
  }

  void schemas_and_extensions() {
    for (const auto& [n, s] : to_.schemas) {
      if (!from_.schema(n)) emit(create_schemas, "CREATE SCHEMA IF NOT EXISTS " + norm::ident(n) + ";");
    }
    for (const auto& [n, s] : from_.schemas) {
      if (!to_.schema(n)) emit(drop_schemas, "DROP SCHEMA IF EXISTS " + norm::ident(n) + ";", true, {"ban-drop-schema"});
    }
    for (const auto& [n, e] : to_.extensions) {
      auto it = from_.extensions.find(n);
      if (it != from_.extensions.end() && it->second.schema == e.schema) continue;
      if (it != from_.extensions.end()) {
        emit(create_extensions, "ALTER EXTENSION " + norm::ident(n) + " SET SCHEMA " + norm::ident(e.schema) + ";");
        continue;
      }
      emit(create_extensions, "CREATE EXTENSION IF NOT EXISTS " + norm::ident(n) +
                                  (e.schema.empty() ? "" : " WITH SCHEMA " + norm::ident(e.schema)) + ";");
    }
    for (const auto& [n, e] : from_.extensions) {
      if (!to_.extensions.count(n)) {
        emit(drop_extensions, "DROP EXTENSION IF EXISTS " + norm::ident(n) + ";", true, {"ban-drop-extension"});
      }
    }
  }

  void types() {
    for (const auto& [sn, s] : from_.schemas) {
      const Schema* ts = to_.schema(sn);
      for (const auto& [n, t] : s.types) {
        if (ts && ts->types.count(n)) continue;
        if (t.kind == "domain") dropped_domains_.emplace_back(n, t.definition);
      }
    }
    auto uses_dropped_domain = [&](const Type& t) {
      return std::any_of(dropped_domains_.begin(), dropped_domains_.end(),
                         [&](const auto& d) { return norm::mentions_identifier(t.definition, d.first); });
    };
    for (const auto& [sn, s] : from_.schemas) {
      const Schema* ts = to_.schema(sn);
      for (const auto& [n, t] : s.types) {
        if (ts && ts->types.count(n)) continue;
        // A domain may call functions whose arguments are other types: domains go first (after the types built on
        // them), then those functions, then the other types.
        Phase p = uses_dropped_domain(t) ? drop_types_on_domains : t.kind == "domain" ? drop_types : drop_other_types;
        emit(p, std::string("DROP ") + (t.kind == "domain" ? "DOMAIN" : "TYPE") + " IF EXISTS " + rel_of(sn, n) + ";",
             true, {"ban-drop-type"});
      }
    }
    for (const auto& [sn, s] : to_.schemas) {
      const Schema* fs = from_.schema(sn);
      for (const auto& [n, t] : s.types) {
        const Type* old = nullptr;
        if (fs) {
          auto it = fs->types.find(n);
          if (it != fs->types.end()) old = &it->second;
        }
        if (!old) {
          emit(create_types, ddl::create_type(t));
          continue;
        }
        if (old->kind == "enum" && t.kind == "enum") {
          enum_values(*old, t);
        } else if (old->kind != t.kind || old->definition != t.definition) {
          cannot(create_types, "type " + rel_of(sn, n) + " is " + old->kind + " " + old->definition + ", it should be " +
                                   t.kind + " " + t.definition,
                 "ALTER " + std::string(t.kind == "domain" ? "DOMAIN" : "TYPE") +
                     " it by hand, or create the new type under another name and convert the columns that use it");
        }
      }
    }
  }

  void enum_values(const Type& old, const Type& t) {
    std::string rel = rel_of(t.schema, t.name);
    std::vector<std::string> extra;
    for (const auto& v : old.values) {
      if (std::find(t.values.begin(), t.values.end(), v) == t.values.end()) extra.push_back(v);
    }
    // Values to add, each placed BEFORE the next value that exists (or AFTER the previous one).
    std::vector<std::string> have = old.values;
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      const std::string& v = t.values[i];
      if (std::find(have.begin(), have.end(), v) != have.end()) continue;
      std::string where;
      if (i + 1 < t.values.size() && std::find(have.begin(), have.end(), t.values[i + 1]) != have.end()) {
        where = " BEFORE " + ddl::literal(t.values[i + 1]);
        have.insert(std::find(have.begin(), have.end(), t.values[i + 1]), v);
      } else if (i > 0) {
        where = " AFTER " + ddl::literal(t.values[i - 1]);
        have.insert(std::find(have.begin(), have.end(), t.values[i - 1]) + 1, v);
      } else {
        have.push_back(v);
      }
      emit(create_types, "ALTER TYPE " + rel + " ADD VALUE IF NOT EXISTS " + ddl::literal(v) + where + ";");
    }
    for (const auto& v : extra) {
      cannot(create_types, "enum " + rel + " keeps the value " + ddl::literal(v) + " (ALTER TYPE ... ADD VALUE cannot be undone)",
             "PostgreSQL cannot drop an enum value: update the rows that use it, then rename the type, create it with "
             "the old values, convert each column (USING col::text::" + rel + ") and drop the renamed type");
    }
    std::vector<std::string> kept;
    for (const auto& v : have) {
      if (std::find(extra.begin(), extra.end(), v) == extra.end()) kept.push_back(v);
    }
    if (extra.empty() && kept != t.values) {
      cannot(create_types, "the values of enum " + rel + " are in another order", "recreate the type as above");
    }
  }

  // A sequence owned by a column that the script drops (with its table or alone) goes with it.
  bool owner_goes(const std::string& schema, const Sequence& q) const {
    if (q.owned_by.empty()) return false;
    auto dot = q.owned_by.find('.');
    const Table* now = to_.table(schema, q.owned_by.substr(0, dot));
    return !now || !now->column(q.owned_by.substr(dot + 1));
  }

  void sequences() {
    for (const auto& [sn, s] : from_.schemas) {
      const Schema* ts = to_.schema(sn);
      for (const auto& [n, q] : s.sequences) {
        if (ts && ts->sequences.count(n)) continue;
        if (owner_goes(sn, q)) continue;  // dropped with its column
        emit(drop_sequences, "DROP SEQUENCE IF EXISTS " + rel_of(sn, n) + ";", true, {"ban-drop-sequence"});
      }
    }
    for (const auto& [sn, s] : to_.schemas) {
      const Schema* fs = from_.schema(sn);
      for (const auto& [n, q] : s.sequences) {
        const Sequence* old = nullptr;
        if (fs) {
          auto it = fs->sequences.find(n);
          if (it != fs->sequences.end()) old = &it->second;
        }
        if (!old) {
          emit(create_sequences, ddl::create_sequence(q));
        } else if (old->type != q.type) {
          emit(create_sequences, "ALTER SEQUENCE " + rel_of(sn, n) + " AS " + q.type + ";");
        }
        if (!q.owned_by.empty() && (!old || old->owned_by != q.owned_by)) emit(table_properties, ddl::sequence_owned_by(q));
      }
    }
  }

  void functions() {
    for (const auto& [sn, s] : from_.schemas) {
      const Schema* ts = to_.schema(sn);
      for (const auto& [k, f] : s.functions) {
        const Function* now = nullptr;
        if (ts) {
          auto it = ts->functions.find(k);
          if (it != ts->functions.end()) now = &it->second;
        }
        // CREATE OR REPLACE cannot change the result type or turn a function into a procedure.
        // (nor rename an argument or change its default)
        if (!now || now->returns != f.returns || now->procedure != f.procedure || now->arguments != f.arguments) {
          bool called_by_dropped_domain =
              !now && std::any_of(dropped_domains_.begin(), dropped_domains_.end(),
                                  [call = norm::ident(f.name) + "("](const auto& d) {
                                    return d.second.find(call) != std::string::npos;
                                  });
          // PostgreSQL refuses to drop a view whose row type a function takes or returns: such functions go first.
          bool row_type = on_view_row_type(f, from_);
          emit(called_by_dropped_domain ? drop_domain_functions
               : row_type               ? drop_row_type_functions
               : f.sql_text.empty()     ? drop_functions
                                        : drop_sql_body_functions,
               drop_function(f), !now);
        }
      }
    }
    for (const auto& [sn, s] : to_.schemas) {
      const Schema* fs = from_.schema(sn);
      for (const auto& [k, f] : s.functions) {
        const Function* old = nullptr;
        if (fs) {
          auto it = fs->functions.find(k);
          if (it != fs->functions.end()) old = &it->second;
        }
        std::string sql = ddl::create_function(f);
        if (old && ddl::create_function(*old) == sql) continue;
        bool replace = old && old->returns == f.returns && old->procedure == f.procedure && old->arguments == f.arguments;
        emit(on_view_row_type(f, to_) ? create_row_type_functions : create_functions, replace ? or_replace(sql) : sql);
        if (old && !replace) recreated_.insert(ddl::comment_target(f));
      }
    }
  }

  void tables() {
    drop_tables_in_order();
    for (const auto& [sn, s] : to_.schemas) {
      for (const auto& [n, t] : s.tables) {
        const Table* old = from_.table(sn, n);
        if (!old) {
          create_table(t);
        } else {
          alter_table(*old, t);
        }
      }
    }
  }

  // Tables that go: partitions before their parents, a table before the tables its foreign keys reference (the
  // referencing side first), so that each DROP finds its table and nothing depends on it; in a cycle of foreign
  // keys, the keys are dropped first.
  void drop_tables_in_order() {
    std::vector<const Table*> left;
    for (const auto& [sn, s] : from_.schemas) {
      for (const auto& [n, t] : s.tables) {
        if (!to_.table(sn, n)) left.push_back(&t);
      }
    }
    auto needed_by = [&](const Table* x, const Table* y) {  // does y depend on x (y must go first)?
      if (x == y) return false;
      if (y->parent_schema == x->schema && y->parent_table == x->name) return true;
      if (std::find(y->inherits.begin(), y->inherits.end(), std::pair{x->schema, x->name}) != y->inherits.end()) return true;
      for (const auto& c : y->constraints) {
        if (c.kind == ConstraintKind::foreign_key && c.ref_schema == x->schema && c.ref_table == x->name) return true;
      }
      return false;
    };
    while (!left.empty()) {
      auto next = std::find_if(left.begin(), left.end(), [&](const Table* x) {
        return std::none_of(left.begin(), left.end(), [&](const Table* y) { return needed_by(x, y); });
      });
      if (next == left.end()) {
        next = left.begin();
        for (const Table* y : left) {
          for (const auto& c : y->constraints) {
            if (c.kind == ConstraintKind::foreign_key && c.ref_schema == (*next)->schema && c.ref_table == (*next)->name && y != *next) {
              emit(drop_foreign_keys, "ALTER TABLE " + rel_of(y->schema, y->name) + " DROP CONSTRAINT IF EXISTS " +
                                          norm::ident(c.name) + ";");
            }
          }
        }
      }
      const Table* t = *next;
      emit(drop_tables, "DROP TABLE IF EXISTS " + rel_of(t->schema, t->name) + ";", true, {"ban-drop-table"});
      reshaped_.insert({t->schema, t->name});
      left.erase(next);
    }
  }

  void create_table(const Table& t) {
    std::string rel = rel_of(t.schema, t.name);
    auto& st = emit(create_tables, ddl::create_table(t.parent_table.empty() ? t : ddl::with_parent_checks(to_, t)));
    data_lost(st, "table " + rel);
    if (t.opaque) {
      cannot(create_tables, "the columns of " + rel + " are not fully known (it was created from a query or another table)",
             "compare the table with the one before the migration");
    }
    if (!t.parent_table.empty()) emit(table_properties, ddl::attach_partition(t));
    for (const auto& c : t.constraints) {
      if (!ddl::created_with_table(c)) add_constraint(t, c, false);
    }
    for (const auto& i : t.indexes) emit(create_indexes, ddl::create_index(i, rel));
    Table none;
    row_security(none, t);
    for (const auto& p : t.policies) emit(create_policies_triggers, ddl::create_policy(p, rel));
    for (const auto& g : t.triggers) emit(create_policies_triggers, ddl::create_trigger(g, rel));
  }

  // `existing`: the table has rows (it is not created by the script): lock-safe mode validates separately.
  void add_constraint(const Table& t, const Constraint& c, bool existing = true) {
    std::string rel = rel_of(t.schema, t.name);
    Phase p = c.kind == ConstraintKind::foreign_key ? add_foreign_keys : add_constraints;
    bool validate_later = existing && o_.lock_safe && !c.not_valid &&
                          (c.kind == ConstraintKind::foreign_key || c.kind == ConstraintKind::check);
    if (!validate_later) {
      emit(p, ddl::add_constraint(c, rel));
      return;
    }
    Constraint nv = c;
    nv.not_valid = true;
    emit(p, ddl::add_constraint(nv, rel)).comments.push_back("added NOT VALID, then validated without blocking writes");
    emit(p, "ALTER TABLE " + rel + " VALIDATE CONSTRAINT " + norm::ident(c.name) + ";");
  }

  // A type of the model (enum, domain, composite, range), or an array of one, by its canonical name.
  bool user_type(std::string type) const {
    if (auto b = type.find('['); b != std::string::npos) type.erase(b);
    for (const SchemaModel* m : {&from_, &to_}) {
      for (const auto& [sn, s] : m->schemas) {
        for (const auto& [n, t] : s.types) {
          if (type == rel_of(sn, n) || type == norm::ident(n)) return true;
        }
      }
    }
    return false;
  }

  void alter_table(const Table& old, const Table& t) {
    std::string rel = rel_of(t.schema, t.name);
    columns(old, t, rel);
    if (old.partition_by != t.partition_by || old.parent_table != t.parent_table || old.parent_schema != t.parent_schema ||
        old.partition_bound != t.partition_bound) {
      cannot(table_properties, "the partitioning of " + rel + " changes",
             "create the table again with its partitioning and move the rows");
    }
    if (old.options != t.options) {
      std::map<std::string, std::string> set;
      std::string reset;
      for (const auto& [k, v] : t.options) {
        auto it = old.options.find(k);
        if (it == old.options.end() || it->second != v) set[k] = v;
      }
      for (const auto& [k, v] : old.options) {
        if (!t.options.count(k)) reset += (reset.empty() ? "" : ", ") + k;
      }
      if (!reset.empty()) emit(table_properties, "ALTER TABLE " + rel + " RESET (" + reset + ");");
      if (!set.empty()) emit(table_properties, "ALTER TABLE " + rel + " SET " + storage_clause(set).substr(5) + ";");
    }
    // INHERITS parents the table leaves or joins (the order of its parents is not changed).
    for (const auto& p : old.inherits) {
      if (std::find(t.inherits.begin(), t.inherits.end(), p) == t.inherits.end()) {
        emit(leave_parents, "ALTER TABLE " + rel + " NO INHERIT " + rel_of(p.first, p.second) + ";");
      }
    }
    for (const auto& p : t.inherits) {
      if (std::find(old.inherits.begin(), old.inherits.end(), p) == old.inherits.end()) {
        emit(join_parents, "ALTER TABLE " + rel + " INHERIT " + rel_of(p.first, p.second) + ";");
      }
    }
    constraints(old, t, rel);
    indexes(old.indexes, t.indexes, rel, t.schema, readded_[{t.schema, t.name}]);
    row_security(old, t);
    // PostgreSQL refuses to change the type of a column a policy or trigger uses: on a reshaped table they are
    // dropped and created again around the change.
    bool reshaped = reshaped_.count({t.schema, t.name}) > 0;
    named_list(old.policies, t.policies, rel, "POLICY", reshaped,
               [&](const Policy& p) { return ddl::create_policy(p, rel); });
    named_list(old.triggers, t.triggers, rel, "TRIGGER", reshaped,
               [&](const Trigger& g) { return ddl::create_trigger(g, rel); });
  }

  void columns(const Table& old, const Table& t, const std::string& rel) {
    std::string alter = "ALTER TABLE " + rel + " ";
    // Generated columns first: they depend on the columns they are computed from.
    std::vector<const Column*> gone;
    for (const auto& c : old.columns) {
      if (!t.column(c.name) && !c.generated().empty()) gone.push_back(&c);
    }
    for (const auto& c : old.columns) {
      if (!t.column(c.name) && c.generated().empty()) gone.push_back(&c);
    }
    for (const Column* gc : gone) {
      const Column& c = *gc;
      emit(drop_columns, alter + "DROP COLUMN IF EXISTS " + norm::ident(c.name) + ";", true, {"ban-drop-column"});
      reshaped_.insert({t.schema, t.name});
    }
    for (const auto& c : t.columns) {
      const Column* was = old.column(c.name);
      if (!was) {
        add_column(c, rel, true);
        continue;
      }
      std::string col = alter + "ALTER COLUMN " + norm::ident(c.name) + " ";
      if (was->generated() != c.generated()) {
        if (c.generated().empty()) {
          emit(alter_columns, col + "DROP EXPRESSION;");
        } else {
          // PostgreSQL 15 cannot change a generation expression: the column is added again, its values computed
          // (and the indexes on it, dropped with it, are built again: `indexes`).
          emit(drop_columns, alter + "DROP COLUMN IF EXISTS " + norm::ident(c.name) + ";", true, {"ban-drop-column"});
          add_column(c, rel, false);
          recreated_.insert("COLUMN " + rel + "." + norm::ident(c.name));
          reshaped_.insert({t.schema, t.name});
          readded_[{t.schema, t.name}].insert(c.name);
          continue;
        }
      }
      bool retype = was->type != c.type || was->collation != c.collation;
      bool default_changes = was->default_expr != c.default_expr || (retype && !was->default_expr.empty());
      if (!was->identity.empty() && was->identity != c.identity && c.identity.empty()) {
        emit(prepare_columns, col + "DROP IDENTITY IF EXISTS;");
      }
      if (default_changes && !was->default_expr.empty()) emit(prepare_columns, col + "DROP DEFAULT;");
      if (retype) {
        std::string sql = col + "TYPE " + c.type;
        if (was->collation != c.collation) sql += " COLLATE " + (c.collation.empty() ? "\"default\"" : c.collation);
        // Between a user type (an enum) and anything else there is no direct cast: through text.
        if (needs_using(was->type, c.type)) {
          sql += " USING " + norm::ident(c.name) + (user_type(c.type) || user_type(was->type) ? "::text::" : "::") + c.type;
        }
        emit(alter_columns, sql + ";", true, {"changing-column-type"})
            .comments.push_back("type " + was->type + (o_.rollback ? " back to " : " to ") + c.type);
        reshaped_.insert({t.schema, t.name});
      }
      if (default_changes && !c.default_expr.empty()) emit(alter_columns, col + "SET DEFAULT " + c.default_sql() + ";");
      // NOT NULL before an identity is added (PostgreSQL requires it).
      if (was->not_null != c.not_null) {
        if (c.not_null) {
          set_not_null(t, c, rel);
        } else if (c.identity.empty()) {
          emit(alter_columns, col + "DROP NOT NULL;");
        }
      }
      if (c.identity != was->identity && !c.identity.empty()) {
        emit(alter_columns, col + (was->identity.empty() ? "ADD GENERATED " + c.identity + " AS IDENTITY;"
                                                          : "SET GENERATED " + c.identity + ";"));
      }
    }
  }

  // ADD COLUMN; a NOT NULL column without a default gets its NOT NULL afterwards (adding it at once fails on a
  // table with rows), with a comment saying the column must be filled first.
  void add_column(const Column& c, const std::string& rel, bool lost) {
    Column added = c;
    bool later_not_null = c.not_null && c.default_expr.empty() && c.identity.empty() && c.generated().empty();
    if (later_not_null) added.not_null = false;
    auto& st = emit(c.generated().empty() ? add_columns : add_generated_columns,
                    "ALTER TABLE " + rel + " ADD COLUMN " + ddl::column(added) + ";");
    // A stored generated column is computed again from its expression: nothing of it is lost.
    if (lost && c.generated().empty()) data_lost(st, "column " + rel + "." + norm::ident(c.name));
    if (later_not_null) {
      emit(alter_columns, "ALTER TABLE " + rel + " ALTER COLUMN " + norm::ident(c.name) + " SET NOT NULL;")
          .comments.push_back("fails while a row has no value in " + norm::ident(c.name) + ": fill it first");
    }
  }

  void set_not_null(const Table& t, const Column& c, const std::string& rel) {
    std::string col = "ALTER TABLE " + rel + " ALTER COLUMN " + norm::ident(c.name) + " ";
    if (!o_.lock_safe) {
      emit(alter_columns, col + "SET NOT NULL;");
      return;
    }
    // PostgreSQL 12+ skips the scan of SET NOT NULL when a validated CHECK (col IS NOT NULL) proves it.
    std::string check = norm::object_name(t.name, c.name, "not_null");
    std::string alter = "ALTER TABLE " + rel + " ";
    emit(alter_columns, alter + "ADD CONSTRAINT " + norm::ident(check) + " CHECK (" + norm::ident(c.name) +
                            " IS NOT NULL) NOT VALID;")
        .comments.push_back("SET NOT NULL behind a validated CHECK: no scan under ACCESS EXCLUSIVE");
    emit(alter_columns, alter + "VALIDATE CONSTRAINT " + norm::ident(check) + ";");
    emit(alter_columns, col + "SET NOT NULL;");
    emit(alter_columns, alter + "DROP CONSTRAINT " + norm::ident(check) + ";");
  }

  // Constraints by name; one with the same definition under another name is renamed.
  void constraints(const Table& old, const Table& t, const std::string& rel) {
    std::string alter = "ALTER TABLE " + rel + " ";
    std::vector<const Constraint*> gone;
    std::vector<const Constraint*> added;
    for (const auto& c : old.constraints) {
      const Constraint* now = t.constraint(c.name);
      if (!now || now->definition() != c.definition() || now->kind != c.kind) gone.push_back(&c);
    }
    for (const auto& c : t.constraints) {
      const Constraint* was = old.constraint(c.name);
      if (!was || was->definition() != c.definition() || was->kind != c.kind) added.push_back(&c);
    }
    for (auto g = gone.begin(); g != gone.end();) {
      auto a = std::find_if(added.begin(), added.end(), [&](const Constraint* x) {
        return x->kind == (*g)->kind && x->definition() == (*g)->definition() && !old.constraint(x->name);
      });
      if (a == added.end() || t.constraint((*g)->name)) {
        ++g;
        continue;
      }
      emit(drop_constraints, alter + "RENAME CONSTRAINT " + norm::ident((*g)->name) + " TO " + norm::ident((*a)->name) + ";");
      added.erase(a);
      g = gone.erase(g);
    }
    for (const Constraint* c : gone) {
      emit(c->kind == ConstraintKind::foreign_key ? drop_foreign_keys : drop_constraints,
           alter + "DROP CONSTRAINT IF EXISTS " + norm::ident(c->name) + ";");
    }
    for (const Constraint* c : added) {
      if (old.constraint(c->name)) recreated_.insert(ddl::comment_target_on("CONSTRAINT", c->name, rel));
      add_constraint(t, *c);
    }
  }

  // Whether an index reads a column (a key, an INCLUDE column, its predicate or a key expression).
  static bool reads_column(const Index& i, const std::string& column) {
    std::string id = norm::ident(column);
    auto in_expr = [&](const std::string& e) { return !e.empty() && norm::rename_identifier(e, column, column + "\x01") != e; };
    for (const auto& k : i.keys) {
      if (k.expr == id || (k.is_expression && in_expr(k.expr))) return true;
    }
    return std::find(i.include.begin(), i.include.end(), column) != i.include.end() || in_expr(i.predicate());
  }

  // `readded`: columns the script drops and adds again (a changed generation expression): the indexes on them go
  // with the column and are created again even where their definition does not change.
  void indexes(const std::vector<Index>& old, const std::vector<Index>& now, const std::string& rel, const std::string& schema,
               const std::set<std::string>& readded = {}) {
    auto find = [](const std::vector<Index>& v, const std::string& n) {
      auto it = std::find_if(v.begin(), v.end(), [&](const Index& i) { return i.name == n; });
      return it == v.end() ? nullptr : &*it;
    };
    auto rebuilt = [&](const Index& i) {
      return std::any_of(readded.begin(), readded.end(), [&](const std::string& c) { return reads_column(i, c); });
    };
    std::vector<const Index*> gone;
    std::vector<const Index*> added;
    for (const auto& i : old) {
      const Index* x = find(now, i.name);
      if (!x || x->definition() != i.definition() || rebuilt(i)) gone.push_back(&i);
    }
    for (const auto& i : now) {
      const Index* x = find(old, i.name);
      if (!x || x->definition() != i.definition() || rebuilt(i)) added.push_back(&i);
    }
    for (auto g = gone.begin(); g != gone.end();) {
      auto a = std::find_if(added.begin(), added.end(),
                            [&](const Index* x) { return x->definition() == (*g)->definition() && !find(old, x->name); });
      if (a == added.end() || find(now, (*g)->name)) {
        ++g;
        continue;
      }
      emit(drop_indexes, "ALTER INDEX " + rel_of(schema, (*g)->name) + " RENAME TO " + norm::ident((*a)->name) + ";");
      added.erase(a);
      g = gone.erase(g);
    }
    for (const Index* i : gone) {
      emit(drop_indexes, std::string("DROP INDEX ") + (o_.concurrently ? "CONCURRENTLY " : "") + "IF EXISTS " +
                             rel_of(schema, i->name) + ";");
    }
    for (const Index* i : added) {
      if (find(old, i->name)) recreated_.insert(ddl::comment_target("INDEX", schema, i->name));
      emit(create_indexes, ddl::create_index(*i, rel, o_.concurrently));
    }
  }

  void row_security(const Table& old, const Table& t) {
    std::string alter = "ALTER TABLE " + rel_of(t.schema, t.name) + " ";
    if (old.rls_enabled != t.rls_enabled) {
      emit(row_level_security, alter + (t.rls_enabled ? "ENABLE" : "DISABLE") + " ROW LEVEL SECURITY;");
    }
    if (old.rls_forced != t.rls_forced) {
      emit(row_level_security, alter + (t.rls_forced ? "FORCE" : "NO FORCE") + " ROW LEVEL SECURITY;");
    }
  }

  // Policies and triggers: dropped when gone or changed, created when new or changed.
  template <typename T, typename Create>
  void named_list(const std::vector<T>& old, const std::vector<T>& now, const std::string& rel, const char* what,
                  bool recreate, Create create) {
    // `what` is the COMMENT ON word too
    auto find = [](const std::vector<T>& v, const std::string& n) {
      auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == n; });
      return it == v.end() ? nullptr : &*it;
    };
    for (const auto& x : old) {
      const T* y = find(now, x.name);
      if (!y || y->definition() != x.definition() || recreate) {
        emit(drop_policies_triggers, std::string("DROP ") + what + " IF EXISTS " + norm::ident(x.name) + " ON " + rel + ";");
      }
    }
    for (const auto& y : now) {
      const T* x = find(old, y.name);
      if (!x || x->definition() != y.definition() || recreate) emit(create_policies_triggers, create(y));
      if (x && (x->definition() != y.definition() || recreate)) recreated_.insert(ddl::comment_target_on(what, y.name, rel));
    }
  }

  // GRANT/REVOKE: privileges that change, and those of objects the script creates or creates again, which start
  // with the default privileges of the database it runs on (as the model it starts from holds them: the replay's,
  // or pg_default_acl read from the catalog).
  void privileges() {
    std::map<std::string, const Grants*> before;
    for (const auto& g : grantable(from_)) before[g.target] = g.grants;
    for (const auto& g : grantable(to_)) {
      auto it = before.find(g.target);
      // a column is new too when its table is created again
      bool fresh = it == before.end() || recreated_.count(g.target) || (g.kind == 'c' && recreated_.count(g.on));
      Grants start = fresh ? initial_grants(from_, g.kind, g.schema) : *it->second;
      for (auto& st : ddl::grant_statements(g.on, start, *g.grants, g.column)) emit(set_privileges, std::move(st));
    }
    for (const auto& [key, pair] : default_grants_pairs(from_, to_)) {
      for (auto& st : ddl::default_grant_statements(key, pair.first, pair.second)) {
        emit(set_default_privileges, std::move(st));
      }
    }
  }

  // COMMENT ON, last: a comment that changes, a new object's, and one whose object the script created again.
  void comments() {
    std::map<std::string, const Comment*> before;
    for (const auto& c : commentable(from_)) before[c.target] = c.comment;
    for (const auto& c : commentable(to_)) {
      auto it = before.find(c.target);
      std::string was = it == before.end() ? std::string() : it->second->text;
      bool again = recreated_.count(c.target) && !c.comment->text.empty();
      if (was != c.comment->text || again) emit(set_comments, ddl::comment_on(c.target, c.comment->text));
    }
  }

  // A function functions() leaves alone (the same on both sides) that takes or returns the row type of a view the
  // script drops and creates again: PostgreSQL refuses the DROP VIEW while it exists ("other objects depend on
  // it"), so it is dropped before the view and created again after it, with its comment and grants.
  void recreate_row_type_functions(const std::set<std::pair<std::string, std::string>>& dropped_views) {
    for (const auto& [sn, s] : from_.schemas) {
      const Schema* ts = to_.schema(sn);
      if (!ts) continue;
      for (const auto& [k, f] : s.functions) {
        auto now = ts->functions.find(k);
        if (now == ts->functions.end() || ddl::create_function(now->second) != ddl::create_function(f)) continue;
        bool on_dropped = false;
        for (const auto& [vs_name, vn] : dropped_views) {
          const Schema* vs = to_.schema(vs_name);
          on_dropped = on_dropped || (vs && vs->views.count(vn) && on_row_type_of(f, vn));
        }
        if (!on_dropped) continue;
        emit(drop_row_type_functions, drop_function(f));
        emit(create_row_type_functions, ddl::create_function(now->second));
        recreated_.insert(ddl::comment_target(now->second));
      }
    }
  }

  // Views: dropped (dependents first) when gone, changed, or reading a relation whose columns change; created in
  // creation order when new or dropped here.
  void views() {
    std::vector<const View*> old_views;
    for (const auto& [sn, s] : from_.schemas) {
      for (const auto& [n, v] : s.views) old_views.push_back(&v);
    }
    auto now_of = [&](const View& v) -> const View* {
      const Schema* s = to_.schema(v.schema);
      if (!s) return nullptr;
      auto it = s->views.find(v.name);
      return it == s->views.end() ? nullptr : &it->second;
    };
    // A changed (not materialized) view whose columns stay, in order with their types, and only gain some at the end
    // is replaced in place (CREATE OR REPLACE VIEW, PostgreSQL's checkViewColumns): what depends on it (functions
    // returning its row type, other views) stays. Otherwise it is dropped and created again.
    auto replaceable = [](const View& was, const View& now) {
      if (was.materialized || now.materialized || was.columns.empty() || was.columns.size() > now.columns.size()) return false;
      for (std::size_t i = 0; i < was.columns.size(); ++i) {
        if (was.columns[i].second.empty() || was.columns[i] != now.columns[i]) return false;
      }
      return true;
    };
    std::set<std::pair<std::string, std::string>> dropped;
    std::set<std::pair<std::string, std::string>> replaced;
    for (const View* v : old_views) {
      const View* now = now_of(*v);
      if (now && ddl::create_view(*now) == ddl::create_view(*v)) continue;
      (now && replaceable(*v, *now) ? replaced : dropped).insert({v->schema, v->name});
    }
    // Views reading a dropped view or a reshaped relation go too, until nothing changes.
    for (bool more = true; more;) {
      more = false;
      for (const View* v : old_views) {
        if (dropped.count({v->schema, v->name})) continue;
        // The replay records what a view reads; a catalog model does not: its query names the relations.
        auto reads = [&](const std::pair<std::string, std::string>& r) {
          return v->reads.empty() ? norm::mentions_identifier(v->definition, r.second)
                                  : std::find(v->reads.begin(), v->reads.end(), r) != v->reads.end();
        };
        bool goes = std::any_of(dropped.begin(), dropped.end(), reads) ||
                    std::any_of(reshaped_.begin(), reshaped_.end(), reads);
        if (goes) {
          dropped.insert({v->schema, v->name});
          replaced.erase({v->schema, v->name});
          more = true;
        }
      }
    }
    recreate_row_type_functions(dropped);
    std::sort(old_views.begin(), old_views.end(), [](const View* a, const View* b) { return a->order > b->order; });
    for (const View* v : old_views) {
      if (!dropped.count({v->schema, v->name})) continue;
      // Destructive only when it does not come back (a view holds no data; a materialized view is refreshed).
      emit(drop_views,
           std::string("DROP ") + (v->materialized ? "MATERIALIZED VIEW" : "VIEW") + " IF EXISTS " + rel_of(v->schema, v->name) + ";",
           !now_of(*v), {"ban-drop-view"});
    }
    std::vector<const View*> new_views;
    for (const auto& [sn, s] : to_.schemas) {
      for (const auto& [n, v] : s.views) new_views.push_back(&v);
    }
    std::sort(new_views.begin(), new_views.end(), [](const View* a, const View* b) { return a->order < b->order; });
    for (const View* v : new_views) {
      std::string rel = rel_of(v->schema, v->name);
      const Schema* fs = from_.schema(v->schema);
      bool existed = fs && fs->views.count(v->name);
      if (replaced.count({v->schema, v->name})) {
        emit(create_views, "CREATE OR REPLACE VIEW " + rel + " AS " + v->definition + ";\n");
        continue;
      }
      if (existed && !dropped.count({v->schema, v->name})) {
        indexes(fs->views.at(v->name).indexes, v->indexes, rel, v->schema);
        continue;
      }
      if (v->definition.empty()) {
        cannot(create_views, "view " + rel + " has no known definition", "create it by hand");
        continue;
      }
      auto& st = emit(create_views, ddl::create_view(*v));
      if (v->materialized && existed) st.comments.push_back("materialized view: REFRESH it to fill it");
      for (const auto& i : v->indexes) emit(create_views, ddl::create_index(i, rel));
      if (existed) {
        recreated_.insert(ddl::comment_target(v->materialized ? "MATERIALIZED VIEW" : "VIEW", v->schema, v->name));
        for (const auto& i : v->indexes) recreated_.insert(ddl::comment_target("INDEX", v->schema, i.name));
      }
    }
  }
};

}  // namespace

std::string Script::text(const ScriptOptions& opts, const std::vector<std::string>& header) const {
  std::string out;
  for (const auto& h : header) out += "-- " + h + "\n";
  if (!opts.lock_timeout.empty()) out += "SET lock_timeout = " + ddl::literal(opts.lock_timeout) + ";\n";
  if (creates_functions) out += "SET check_function_bodies = off;\n";
  if (statements.empty()) out += "-- nothing to change\n";
  for (const auto& st : statements) {
    out += "\n";
    for (const auto& c : st.comments) out += "-- " + c + "\n";
    if (st.sql.empty()) continue;
    if (st.destructive && opts.comment_destructive) {
      out += "-- DESTRUCTIVE, not run (--allow-destructive writes it):\n";
      std::size_t start = 0;
      while (start <= st.sql.size()) {
        auto nl = st.sql.find('\n', start);
        out += "-- " + st.sql.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      continue;
    }
    if (!st.ignores.empty()) {
      out += "-- driftguard-ignore ";
      for (std::size_t i = 0; i < st.ignores.size(); ++i) out += (i ? ", " : "") + st.ignores[i];
      out += " " + opts.reason + "\n";
    }
    out += st.sql + "\n";
  }
  return out;
}

Script script_between(const SchemaModel& from, const SchemaModel& to, const ScriptOptions& opts) {
  return Planner(from, to, opts).run();
}

}  // namespace driftguard::model
