#include "analyzer/model/model.hpp"
#include "analyzer/model/write_sql.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "analyzer/model/normalize.hpp"

namespace driftguard::model {

std::string_view to_string(ConstraintKind k) {
  switch (k) {
    case ConstraintKind::primary_key:
      return "primary key";
    case ConstraintKind::unique:
      return "unique";
    case ConstraintKind::check:
      return "check";
    case ConstraintKind::foreign_key:
      return "foreign key";
    case ConstraintKind::exclusion:
      return "exclusion";
  }
  return "constraint";
}

namespace {

std::string ident_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + norm::ident(names[i]);
  return out;
}

template <typename T>
T* find_named(std::vector<T>& v, const std::string& n) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == n; });
  return it == v.end() ? nullptr : &*it;
}
template <typename T>
const T* find_named(const std::vector<T>& v, const std::string& n) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == n; });
  return it == v.end() ? nullptr : &*it;
}

std::string key_text(const IndexKey& k) {
  std::string out = k.expr;
  if (!k.collation.empty()) out += " COLLATE " + k.collation;
  if (!k.opclass.empty()) out += " " + k.opclass;
  if (k.desc) out += " DESC";
  if (!k.nulls.empty()) out += " " + k.nulls;
  return out;
}

}  // namespace

std::string Constraint::definition() const {
  std::string out;
  switch (kind) {
    case ConstraintKind::primary_key:
      out = "PRIMARY KEY (" + ident_list(columns) + ")";
      break;
    case ConstraintKind::unique:
      out = std::string("UNIQUE ") + (nulls_not_distinct ? "NULLS NOT DISTINCT " : "") + "(" + ident_list(columns) + ")";
      break;
    case ConstraintKind::check:
      out = "CHECK (" + expression + ")";
      break;
    case ConstraintKind::exclusion:
      out = "EXCLUDE " + expression;
      break;
    case ConstraintKind::foreign_key:
      out = "FOREIGN KEY (" + ident_list(columns) + ") REFERENCES " + norm::qualified(ref_schema, ref_table);
      if (!ref_columns.empty()) out += "(" + ident_list(ref_columns) + ")";
      if (!match.empty()) out += " MATCH " + match;
      if (on_update != "NO ACTION") out += " ON UPDATE " + on_update;
      if (on_delete != "NO ACTION") out += " ON DELETE " + on_delete;
      break;
  }
  if (!include.empty()) out += " INCLUDE (" + ident_list(include) + ")";
  if (deferrable) out += initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  if (not_valid) out += " NOT VALID";
  return out;
}

std::string Index::definition() const {
  std::string out = unique ? "UNIQUE " : "";
  out += method + " (";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + key_text(keys[i]);
  out += ")";
  if (!include.empty()) out += " INCLUDE (" + ident_list(include) + ")";
  if (nulls_not_distinct) out += " NULLS NOT DISTINCT";
  if (!options().empty()) out += " " + storage_clause(options());
  if (!predicate().empty()) out += " WHERE (" + predicate() + ")";
  return out;
}

std::string storage_clause(const std::map<std::string, std::string>& options) {
  if (options.empty()) return {};
  std::string out = "WITH (";
  bool first = true;
  for (const auto& [k, v] : options) {
    // A value that is not a plain word or number is quoted, so that the clause is valid SQL.
    bool plain = !v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) {
      return std::islower(c) || std::isdigit(c) || c == '_' || c == '.';
    });
    std::string value = v;
    if (!plain) {
      value = "'";
      for (char c : v) value += c == '\'' ? std::string("''") : std::string(1, c);
      value += "'";
    }
    out += (first ? "" : ", ") + k + "=" + value;
    first = false;
  }
  return out + ")";
}

bool Index::has_expressions() const {
  return std::any_of(keys.begin(), keys.end(), [](const IndexKey& k) { return k.is_expression; });
}

namespace {
std::string trigger_events(const Trigger& t) {
  std::string out;
  for (std::size_t i = 0; i < t.events.size(); ++i) out += (i ? " OR " : "") + t.events[i];
  return out;
}
std::string trigger_tail(const Trigger& t) {
  std::string out = t.deferrable ? (t.initially_deferred ? "DEFERRABLE INITIALLY DEFERRED " : "DEFERRABLE ") : "";
  out += t.for_each_row ? "FOR EACH ROW" : "FOR EACH STATEMENT";
  if (!t.when.empty()) out += " WHEN (" + t.when + ")";
  return out + " EXECUTE FUNCTION " + t.function;
}
}  // namespace

std::string Trigger::definition() const {
  return (constraint ? "CONSTRAINT " : "") + timing + " " + trigger_events(*this) + " " + trigger_tail(*this);
}

std::string Policy::definition() const {
  std::string out = std::string("AS ") + (permissive ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + command + " TO ";
  for (std::size_t i = 0; i < roles.size(); ++i) out += (i ? ", " : "") + (roles[i] == "public" ? "public" : norm::ident(roles[i]));
  if (!using_expr.empty()) out += " USING (" + using_expr + ")";
  if (!check_expr.empty()) out += " WITH CHECK (" + check_expr + ")";
  return out;
}

std::string domain_definition(const std::string& base_type, const std::string& collation, const std::string& default_expr,
                              bool not_null, const std::string& domain,
                              const std::vector<std::pair<std::string, std::string>>& checks) {
  std::string out = base_type;
  if (!collation.empty()) out += " COLLATE " + collation;
  if (!default_expr.empty()) out += " DEFAULT " + default_expr;
  if (not_null) out += " NOT NULL";
  std::string chosen = norm::object_name(domain, "", "check");
  for (const auto& [name, expr] : checks) {
    bool auto_named = name.empty() || name == chosen ||
                      (name.size() > chosen.size() && name.compare(0, chosen.size(), chosen) == 0 &&
                       std::all_of(name.begin() + static_cast<std::ptrdiff_t>(chosen.size()), name.end(),
                                   [](unsigned char c) { return std::isdigit(c); }));
    out += (auto_named ? " CHECK (" : " CONSTRAINT " + norm::ident(name) + " CHECK (") + expr + ")";
  }
  return out;
}

void Column::set_default(std::string canonical, std::string spelled) {
  default_expr = std::move(canonical);
  bool other = !spelled.empty() && spelled != default_expr;
  spelling = other ? std::make_shared<const std::pair<std::string, std::string>>(std::move(spelled), default_expr) : nullptr;
}

// A later change of default_expr (a sequence or enum label renamed, a type dropped) leaves the old spelling stale:
// it is used only while the canonical form it was written for is still the default.
const std::string& Column::default_sql() const {
  return spelling && spelling->second == default_expr ? spelling->first : default_expr.str();
}

Column* Table::column(const std::string& n) { return find_named(columns, n); }
const Column* Table::column(const std::string& n) const { return find_named(columns, n); }
Constraint* Table::constraint(const std::string& n) { return find_named(constraints, n); }
const Constraint* Table::constraint(const std::string& n) const { return find_named(constraints, n); }
Index* Table::index(const std::string& n) { return find_named(indexes, n); }
Trigger* Table::trigger(const std::string& n) { return find_named(triggers, n); }
Policy* Table::policy(const std::string& n) { return find_named(policies, n); }
const Constraint* Table::primary_key() const {
  for (const auto& c : constraints) {
    if (c.kind == ConstraintKind::primary_key) return &c;
  }
  return nullptr;
}
std::map<std::string, std::string> Table::column_types() const {
  std::map<std::string, std::string> out;
  for (const auto& c : columns) out[c.name] = c.type;
  return out;
}

std::string Function::signature() const { return norm::qualified(schema, name) + "(" + identity_args + ")"; }

std::string Schema::relation_kind(const std::string& n) const {
  if (tables.count(n)) return "table";
  if (auto it = views.find(n); it != views.end()) return it->second.materialized ? "materialized view" : "view";
  if (sequences.count(n)) return "sequence";
  for (const auto& [t_key_, t] : tables) {
    if (find_named(t.indexes, n)) return "index";
    for (const auto& c : t.constraints) {
      if (c.name == n && c.kind != ConstraintKind::check && c.kind != ConstraintKind::foreign_key) return "index";
    }
  }
  for (const auto& [v_key_, v] : views) {
    if (find_named(v.indexes, n)) return "index";
  }
  return {};
}

SchemaModel::SchemaModel() {
  schemas["public"].name = "public";
  schemas["public"].grants = builtin_grants('n', "public");
}

Schema* SchemaModel::schema(const std::string& name) {
  auto it = schemas.find(name);
  return it == schemas.end() ? nullptr : &it->second;
}
const Schema* SchemaModel::schema(const std::string& name) const {
  auto it = schemas.find(name);
  return it == schemas.end() ? nullptr : &it->second;
}
Table* SchemaModel::table(const std::string& s, const std::string& name) {
  Schema* sc = schema(s);
  return sc ? sc->tables.find_edit(name) : nullptr;
}
const Table* SchemaModel::table(const std::string& s, const std::string& name) const {
  const Schema* sc = schema(s);
  if (!sc) return nullptr;
  auto it = sc->tables.find(name);
  return it == sc->tables.end() ? nullptr : &it->second;
}
SchemaModel::IndexRef SchemaModel::find_index(const std::string& s, const std::string& name) {
  IndexRef r;
  Schema* sc = schema(s);
  if (!sc) return r;
  for (const auto& [t_key_, t] : sc->tables) {
    if (find_named(t.indexes, name)) {
      Table& own = sc->tables.edit(t_key_);  // the one to change (ObjectMap)
      return {&own, nullptr, own.index(name)};
    }
  }
  for (auto& [v_key_, v] : sc->views) {
    if (Index* i = find_named(v.indexes, name)) return {nullptr, &v, i};
  }
  return r;
}
std::size_t SchemaModel::table_count() const {
  std::size_t n = 0;
  for (const auto& [s_key_, s] : schemas) n += s.tables.size();
  return n;
}

// ---- JSON ----

namespace {
using oj = nlohmann::ordered_json;

void put_src(oj& j, const SourceRef& s, bool sources) {
  if (sources && s.known()) j["source"] = s.str();
}

oj index_json(const Index& i, bool sources) {
  oj j;
  j["name"] = i.name;
  j["unique"] = i.unique;
  j["method"] = i.method;
  oj keys = oj::array();
  for (const auto& k : i.keys) keys.push_back(key_text(k));
  j["keys"] = keys;
  if (!i.include.empty()) j["include"] = i.include;
  if (i.nulls_not_distinct) j["nulls_not_distinct"] = true;
  if (!i.predicate().empty()) j["where"] = i.predicate();
  if (!i.options().empty()) j["storage_parameters"] = i.options();
  j["definition"] = i.definition();
  put_src(j, i.src, sources);
  return j;
}
}  // namespace

nlohmann::ordered_json to_json(const SchemaModel& m, bool sources) {
  oj doc;
  oj exts = oj::object();
  for (const auto& [n, e] : m.extensions) {
    oj j;
    if (!e.schema.empty()) j["schema"] = e.schema;
    put_src(j, e.src, sources);
    exts[n] = j.is_null() ? oj::object() : j;
  }
  doc["extensions"] = exts;
  oj schemas = oj::object();
  for (const auto& [sn, s] : m.schemas) {
    oj sj;
    put_src(sj, s.src, sources);
    oj types = oj::object();
    for (const auto& [n, t] : s.types) {
      oj j;
      j["kind"] = t.kind;
      if (t.kind == "enum") {
        j["values"] = t.values;
      } else {
        j["definition"] = t.definition;
      }
      put_src(j, t.src, sources);
      types[n] = j;
    }
    sj["types"] = types;
    oj seqs = oj::object();
    for (const auto& [n, q] : s.sequences) {
      oj j;
      j["type"] = q.type;
      if (!q.owned_by.empty()) j["owned_by"] = q.owned_by;
      put_src(j, q.src, sources);
      seqs[n] = j;
    }
    sj["sequences"] = seqs;
    oj tables = oj::object();
    for (const auto& [tn, t] : s.tables) {
      oj tj;
      oj cols = oj::array();
      for (const auto& c : t.columns) {
        oj j;
        j["name"] = c.name;
        j["type"] = c.type;
        j["not_null"] = c.not_null;
        if (!c.default_expr.empty()) j["default"] = c.default_expr;
        if (!c.identity.empty()) j["identity"] = c.identity;
        if (!c.generated().empty()) j["generated"] = c.generated();
        if (!c.collation.empty()) j["collation"] = c.collation;
        put_src(j, c.src, sources);
        cols.push_back(j);
      }
      tj["columns"] = cols;
      oj cons = oj::array();
      for (const auto& c : t.constraints) {
        oj j;
        j["name"] = c.name;
        j["kind"] = std::string(to_string(c.kind));
        j["definition"] = c.definition();
        put_src(j, c.src, sources);
        cons.push_back(j);
      }
      tj["constraints"] = cons;
      oj idx = oj::array();
      for (const auto& i : t.indexes) idx.push_back(index_json(i, sources));
      tj["indexes"] = idx;
      if (t.rls_enabled || t.rls_forced) tj["row_level_security"] = {{"enabled", t.rls_enabled}, {"forced", t.rls_forced}};
      if (!t.policies.empty()) {
        oj pol = oj::array();
        for (const auto& p : t.policies) {
          oj j;
          j["name"] = p.name;
          j["definition"] = p.definition();
          put_src(j, p.src, sources);
          pol.push_back(j);
        }
        tj["policies"] = pol;
      }
      if (!t.triggers.empty()) {
        oj trg = oj::array();
        for (const auto& g : t.triggers) {
          oj j;
          j["name"] = g.name;
          j["definition"] = g.definition();
          put_src(j, g.src, sources);
          trg.push_back(j);
        }
        tj["triggers"] = trg;
      }
      if (!t.options.empty()) tj["storage_parameters"] = t.options;
      if (!t.partition_by.empty()) tj["partition_by"] = t.partition_by;
      if (!t.parent_table.empty()) {
        tj["partition_of"] = norm::qualified(t.parent_schema, t.parent_table);
        tj["partition_bound"] = t.partition_bound;
      }
      if (!t.inherits.empty()) {
        oj parents = oj::array();
        for (const auto& [ps, pn] : t.inherits) parents.push_back(norm::qualified(ps, pn));
        tj["inherits"] = parents;
      }
      if (t.opaque) tj["columns_incomplete"] = true;
      put_src(tj, t.src, sources);
      tables[tn] = tj;
    }
    sj["tables"] = tables;
    oj views = oj::object();
    for (const auto& [n, v] : s.views) {
      oj j;
      j["materialized"] = v.materialized;
      j["definition"] = v.definition;
      if (!v.indexes.empty()) {
        oj idx = oj::array();
        for (const auto& i : v.indexes) idx.push_back(index_json(i, sources));
        j["indexes"] = idx;
      }
      put_src(j, v.src, sources);
      views[n] = j;
    }
    sj["views"] = views;
    oj funcs = oj::object();
    for (const auto& [n, f] : s.functions) {
      oj j;
      j["arguments"] = f.arguments;
      if (!f.procedure) j["returns"] = f.returns;
      j["language"] = f.language;
      if (f.procedure) j["procedure"] = true;
      if (!f.options.empty()) j["options"] = f.options;
      put_src(j, f.src, sources);
      funcs[n] = j;
    }
    sj["functions"] = funcs;
    schemas[sn] = sj;
  }
  doc["schemas"] = schemas;
  // Comments by their COMMENT ON target; the key only appears when the model holds one.
  oj comments = oj::object();
  for_each_commentable(m, [&](const Commented& c) {
    if (c.comment->text.empty()) return;
    oj j;
    j["text"] = c.comment->text;
    put_src(j, c.comment->src, sources);
    comments[c.target] = j;
  });
  if (!comments.empty()) doc["comments"] = comments;
  // Privileges that differ from what a fresh database gives the object, by its COMMENT ON target; only when some do.
  oj privileges = oj::object();
  for_each_grantable(m, [&](const Granted& g) {
    if (*g.grants == builtin_grants(g.kind, g.path)) return;
    oj j = oj::object();
    for (const auto& [grantee, letters] : *g.grants) j[grantee] = letters;
    privileges[g.target] = j;
  });
  if (!privileges.empty()) doc["privileges"] = privileges;
  return doc;
}

// ---- SQL ----

namespace {

std::string dollar_quote(const std::string& body) {
  std::string tag = "$body$";
  for (int n = 1; body.find(tag) != std::string::npos; ++n) tag = "$body" + std::to_string(n) + "$";
  return tag + body + tag;
}

// Every table, schema by schema in name order, except that a table that INHERITS comes after its parents (CREATE
// TABLE ... INHERITS names them). A cycle (a history PostgreSQL refused part of) ends in name order.
std::vector<const Table*> tables_parents_first(const SchemaModel& m) {
  std::vector<const Table*> waiting;
  for (const auto& [sn, s] : m.schemas) {
    for (const auto& [tn, t] : s.tables) waiting.push_back(&t);
  }
  std::vector<const Table*> out;
  std::set<std::pair<std::string, std::string>> printed;
  while (!waiting.empty()) {
    std::vector<const Table*> later;
    for (const Table* t : waiting) {
      bool ready = std::all_of(t->inherits.begin(), t->inherits.end(), [&](const auto& p) {
        return printed.count(p) || !m.table(p.first, p.second);
      });
      if (ready) {
        out.push_back(t);
        printed.emplace(t->schema, t->name);
      } else {
        later.push_back(t);
      }
    }
    if (later.size() == waiting.size()) {  // a cycle
      out.insert(out.end(), later.begin(), later.end());
      break;
    }
    waiting = std::move(later);
  }
  return out;
}

}  // namespace

namespace ddl {

std::string literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string column(const Column& c) {
  std::string out = norm::ident(c.name) + " " + c.type;
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (!c.generated().empty()) out += " GENERATED ALWAYS AS (" + c.generated() + ") STORED";
  if (!c.identity.empty()) out += " GENERATED " + c.identity + " AS IDENTITY";
  if (!c.default_expr.empty()) out += " DEFAULT " + c.default_sql();
  if (c.not_null) out += " NOT NULL";
  return out;
}

std::string create_index(const Index& i, const std::string& rel, bool concurrently) {
  std::string def = i.definition();
  std::string unique = i.unique ? "UNIQUE " : "";
  std::string rest = def.substr(unique.size());  // "btree (...) ..."
  return "CREATE " + unique + "INDEX " + (concurrently ? "CONCURRENTLY " : "") + norm::ident(i.name) + " ON " + rel +
         " USING " + rest + ";\n";
}

std::string create_function(const Function& f) {
  if (!f.sql_text.empty()) return f.sql_text + ";\n";
  std::string out = std::string("CREATE ") + (f.procedure ? "PROCEDURE " : "FUNCTION ") + norm::qualified(f.schema, f.name) +
                    "(" + f.arguments + ")";
  if (!f.procedure && !f.returns.empty()) out += " RETURNS " + f.returns;
  out += " LANGUAGE " + f.language;
  for (const auto& o : f.options) out += " " + o;
  return out + " AS " + dollar_quote(f.body) + ";\n";
}

std::string create_type(const Type& t) {
  std::string name = norm::qualified(t.schema, t.name);
  if (t.kind == "enum") {
    std::string out = "CREATE TYPE " + name + " AS ENUM (";
    for (std::size_t i = 0; i < t.values.size(); ++i) out += (i ? ", " : "") + literal(t.values[i]);
    return out + ");\n";
  }
  if (t.kind == "domain") return "CREATE DOMAIN " + name + " AS " + t.definition + ";\n";
  if (t.kind == "range") return "CREATE TYPE " + name + " AS RANGE " + t.definition + ";\n";
  return "CREATE TYPE " + name + " AS " + t.definition + ";\n";
}

std::string create_sequence(const Sequence& q) {
  return "CREATE SEQUENCE " + norm::qualified(q.schema, q.name) + (q.type != "bigint" ? " AS " + q.type : "") + ";\n";
}

std::string sequence_owned_by(const Sequence& q) {
  auto dot = q.owned_by.find('.');
  return "ALTER SEQUENCE " + norm::qualified(q.schema, q.name) + " OWNED BY " +
         norm::qualified(q.schema, q.owned_by.substr(0, dot)) + "." + norm::ident(q.owned_by.substr(dot + 1)) + ";\n";
}

bool created_with_table(const Constraint& c) { return c.kind != ConstraintKind::foreign_key && !c.not_valid; }

std::string add_constraint(const Constraint& c, const std::string& rel) {
  return "ALTER TABLE " + rel + " ADD CONSTRAINT " + norm::ident(c.name) + " " + c.definition() + ";\n";
}

std::string create_table(const Table& t) {
  std::string rel = norm::qualified(t.schema, t.name);
  std::string out = "CREATE TABLE " + rel + " (";
  bool first = true;
  for (const auto& c : t.columns) {
    out += (first ? "\n  " : ",\n  ") + column(c);
    first = false;
  }
  for (const auto& c : t.constraints) {
    if (!created_with_table(c)) continue;
    out += (first ? "\n  " : ",\n  ") + ("CONSTRAINT " + norm::ident(c.name) + " " + c.definition());
    first = false;
  }
  out += "\n)";
  // An inheriting table's columns merge with its parents' (printed after them: to_sql's tables_parents_first);
  // the check constraints it has from them are not its own (conislocal) and come with INHERITS.
  for (std::size_t i = 0; i < t.inherits.size(); ++i) {
    out += (i ? ", " : " INHERITS (") + norm::qualified(t.inherits[i].first, t.inherits[i].second);
    if (i + 1 == t.inherits.size()) out += ")";
  }
  if (!t.partition_by.empty()) out += " PARTITION BY " + t.partition_by;
  if (!t.options.empty()) out += " " + storage_clause(t.options);
  return out + ";\n";
}

Table with_parent_checks(const SchemaModel& m, const Table& t) {
  Table out = t;
  const Table* p = t.parent_table.empty() ? nullptr : m.table(t.parent_schema, t.parent_table);
  std::vector<const Table*> up;
  for (int depth = 0; p && depth < 100; ++depth) {  // (a cycle only a refused history could make)
    up.push_back(p);
    for (const auto& [ps, pn] : p->inherits) {
      if (const Table* q = m.table(ps, pn)) up.push_back(q);
    }
    p = p->parent_table.empty() ? nullptr : m.table(p->parent_schema, p->parent_table);
  }
  for (const Table* a : up) {
    for (const auto& c : a->constraints) {
      if (c.kind != ConstraintKind::check || out.constraint(c.name)) continue;
      Constraint copy = c;
      copy.not_valid = false;  // checked on the new, empty table
      copy.comment = {};
      out.constraints.push_back(copy);
    }
  }
  return out;
}

std::string attach_partition(const Table& t) {
  return "ALTER TABLE " + norm::qualified(t.parent_schema, t.parent_table) + " ATTACH PARTITION " +
         norm::qualified(t.schema, t.name) + " " + t.partition_bound + ";\n";
}

std::string create_view(const View& v) {
  return std::string("CREATE ") + (v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + norm::qualified(v.schema, v.name) +
         " AS " + v.definition + ";\n";
}

std::string create_policy(const Policy& p, const std::string& rel) {
  return "CREATE POLICY " + norm::ident(p.name) + " ON " + rel + " " + p.definition() + ";\n";
}

std::string create_trigger(const Trigger& g, const std::string& rel) {
  return std::string("CREATE ") + (g.constraint ? "CONSTRAINT " : "") + "TRIGGER " + norm::ident(g.name) + " " + g.timing +
         " " + trigger_events(g) + " ON " + rel + " " + trigger_tail(g) + ";\n";
}

std::string comment_on(const std::string& target, const std::string& text) {
  return "COMMENT ON " + target + " IS " + (text.empty() ? std::string("NULL") : literal(text)) + ";\n";
}

std::string comment_target(const char* kind, const std::string& schema, const std::string& name) {
  return std::string(kind) + " " + norm::qualified(schema, name);
}

std::string comment_target_on(const char* kind, const std::string& name, const std::string& rel) {
  return std::string(kind) + " " + norm::ident(name) + " ON " + rel;
}

std::string comment_target(const Function& f) { return (f.procedure ? "PROCEDURE " : "FUNCTION ") + f.signature(); }

}  // namespace ddl

void for_each_commentable(const SchemaModel& m, const std::function<void(const Commented&)>& visit) {
  for (const auto& [n, s] : m.schemas) visit({"SCHEMA " + norm::ident(n), n, &s.comment});
  for (const auto& [sn, s] : m.schemas) {
    std::string prefix = sn + ".";
    for (const auto& [n, t] : s.types) {
      visit({ddl::comment_target(t.kind == "domain" ? "DOMAIN" : "TYPE", sn, n), prefix + n, &t.comment});
    }
    for (const auto& [n, q] : s.sequences) visit({ddl::comment_target("SEQUENCE", sn, n), prefix + n, &q.comment});
    for (const auto& [k, f] : s.functions) {
      visit({ddl::comment_target(f), prefix + f.name + "(" + f.identity_args + ")", &f.comment});
    }
    for (const auto& [n, t] : s.tables) {
      std::string rel = norm::qualified(sn, n);
      std::string path = prefix + n + ".";
      // A platform's table shell (auth.users) is the platform's; only the project's triggers and policies on it count.
      if (!t.platform_shell) {
        visit({"TABLE " + rel, prefix + n, &t.comment});
        for (const auto& c : t.columns) visit({"COLUMN " + rel + "." + norm::ident(c.name), path + c.name, &c.comment()});
        for (const auto& c : t.constraints) {
          visit({ddl::comment_target_on("CONSTRAINT", c.name, rel), path + c.name, &c.comment});
        }
        for (const auto& i : t.indexes) visit({ddl::comment_target("INDEX", sn, i.name), path + i.name, &i.comment()});
      }
      for (const auto& g : t.triggers) visit({ddl::comment_target_on("TRIGGER", g.name, rel), path + g.name, &g.comment});
      for (const auto& p : t.policies) visit({ddl::comment_target_on("POLICY", p.name, rel), path + p.name, &p.comment});
    }
    for (const auto& [n, v] : s.views) {
      visit({ddl::comment_target(v.materialized ? "MATERIALIZED VIEW" : "VIEW", sn, n), prefix + n, &v.comment});
      for (const auto& i : v.indexes) {
        visit({ddl::comment_target("INDEX", sn, i.name), prefix + n + "." + i.name, &i.comment()});
      }
    }
  }
}

std::vector<Commented> commentable(const SchemaModel& m) {
  std::vector<Commented> out;
  for_each_commentable(m, [&](const Commented& x) { out.push_back(x); });
  return out;
}

std::string to_sql(const SchemaModel& m) {
  std::ostringstream out;
  write_sql(out, m);
  return out.str();
}

// Written piece by piece to `out`: the printed schema is as large as the history (50 MB for a 50 MB history) and
// was a third of `schema`'s peak when built as one string (bench/RESULTS.md, fourteenth session).
void write_sql(std::ostream& out, const SchemaModel& m) {
  out << "-- Generated by driftguard from a schema model.\nSET check_function_bodies = off;\n";
  auto section = [&](const char* title) { out << "\n-- " << title << "\n"; };
  section("schemas");
  for (const auto& [n, s] : m.schemas) {
    // A schema that only holds platform table shells is the platform's.
    bool platform_only = s.types.empty() && s.sequences.empty() && s.views.empty() && s.functions.empty() &&
                         !s.tables.empty() &&
                         std::all_of(s.tables.begin(), s.tables.end(), [](const auto& t) { return t.second.platform_shell; });
    if (n != "public" && !platform_only) out << "CREATE SCHEMA IF NOT EXISTS " << norm::ident(n) << ";\n";
  }
  if (!m.extensions.empty()) section("extensions");
  for (const auto& [n, e] : m.extensions) {
    out << "CREATE EXTENSION IF NOT EXISTS " << norm::ident(n);
    if (!e.schema.empty()) out << " WITH SCHEMA " << norm::ident(e.schema);
    out << ";\n";
  }
  std::vector<const View*> views;
  std::vector<const Function*> funcs;
  for (const auto& [sn, s] : m.schemas) {
    for (const auto& [v_key_, v] : s.views) views.push_back(&v);
    for (const auto& [f_key_, f] : s.functions) funcs.push_back(&f);
    if (!s.types.empty()) section(("types in " + sn).c_str());
    for (const auto& [n, t] : s.types) out << ddl::create_type(t);
    if (!s.sequences.empty()) section(("sequences in " + sn).c_str());
    for (const auto& [n, q] : s.sequences) out << ddl::create_sequence(q);
  }
  std::sort(funcs.begin(), funcs.end(), [](const Function* a, const Function* b) { return a->order < b->order; });
  // A function whose arguments or result name a table's or view's row type can only be created after that
  // relation: it goes with the views, in dependency order; the others come before the tables (defaults and
  // checks call them).
  std::set<std::string> relations;
  for (const auto& [sn, s] : m.schemas) {
    for (const auto& [n, t] : s.tables) relations.insert(n);
    for (const auto& [n, v] : s.views) relations.insert(n);
  }
  auto row_typed = [&](const Function* f) {
    std::string sig = f->arguments + " " + f->returns;
    for (const auto& r : relations) {
      if (norm::mentions_identifier(sig, r)) return true;
    }
    return false;
  };
  std::vector<const Function*> late_funcs;
  bool header_done = false;
  for (const Function* f : funcs) {
    if (row_typed(f)) {
      late_funcs.push_back(f);
      continue;
    }
    if (!header_done) section("functions");
    header_done = true;
    out << ddl::create_function(*f);
  }
  std::vector<const Table*> printed;  // in the order their CREATE TABLE is printed
  for (const Table* tp : tables_parents_first(m)) {
    const Table& t = *tp;
    if (t.platform_shell) continue;  // its triggers and policies are printed with the others below
    printed.push_back(tp);
    out << "\n" << ddl::create_table(t.parent_table.empty() ? t : ddl::with_parent_checks(m, t));
    if (t.opaque) {
      out << "-- (the columns of " << norm::qualified(t.schema, t.name)
          << " are not fully known: it was created from a query or another table)\n";
    }
  }
  // After every table exists: sequence ownership, then indexes (a foreign key needs the unique index it
  // references), then foreign keys, NOT VALID constraints and attached partitions (a partition's parent may come
  // later in name order), each group in the tables' order. Printed group by group, not collected.
  auto owned = [](const Sequence& q) { return !q.owned_by.empty(); };
  bool any_after = std::any_of(printed.begin(), printed.end(), [](const Table* t) {
    return !t->indexes.empty() || !t->parent_table.empty() ||
           std::any_of(t->constraints.begin(), t->constraints.end(),
                       [](const Constraint& c) { return !ddl::created_with_table(c); });
  });
  for (const auto& [sn, s] : m.schemas) {
    any_after = any_after || std::any_of(s.sequences.begin(), s.sequences.end(), [&](const auto& q) { return owned(q.second); });
  }
  if (any_after) section("sequence ownership, indexes and foreign keys");
  for (const auto& [sn, s] : m.schemas) {
    for (const auto& [n, q] : s.sequences) {
      if (owned(q)) out << ddl::sequence_owned_by(q);
    }
  }
  for (const Table* t : printed) {
    std::string rel = norm::qualified(t->schema, t->name);
    for (const auto& i : t->indexes) out << ddl::create_index(i, rel);
  }
  for (const Table* t : printed) {
    std::string rel = norm::qualified(t->schema, t->name);
    for (const auto& c : t->constraints) {
      if (!ddl::created_with_table(c)) out << ddl::add_constraint(c, rel);
    }
    if (!t->parent_table.empty()) out << ddl::attach_partition(*t);
  }
  // Views and row-typed functions in dependency order: a view after the views it selects from and the functions
  // it calls, a function after the relations its signature names; creation order otherwise (CREATE OR REPLACE
  // VIEW keeps a view's place while it may then read a later one). A cycle (which PostgreSQL would not have let
  // a history build) falls back to creation order.
  struct Late {
    const View* view = nullptr;
    const Function* func = nullptr;
    int order = 0;
    bool done = false;
  };
  std::vector<Late> late;
  for (const View* v : views) late.push_back({v, nullptr, v->order});
  for (const Function* f : late_funcs) late.push_back({nullptr, f, f->order});
  std::stable_sort(late.begin(), late.end(), [](const Late& a, const Late& b) { return a.order < b.order; });
  auto depends = [](const Late& a, const Late& b) {  // does a need b first?
    if (a.view && b.view) return norm::mentions_identifier(a.view->definition, b.view->name);
    if (a.view && b.func) return a.view->definition.find(norm::ident(b.func->name) + "(") != std::string::npos;
    if (a.func && b.view) return norm::mentions_identifier(a.func->arguments + " " + a.func->returns, b.view->name);
    return false;
  };
  if (!late.empty()) section("views");
  for (std::size_t emitted = 0; emitted < late.size(); ++emitted) {
    Late* next = nullptr;
    for (auto& c : late) {
      if (c.done) continue;
      bool ready = true;
      for (const auto& d : late) {
        if (&d != &c && !d.done && depends(c, d)) ready = false;
      }
      if (ready) {
        next = &c;
        break;
      }
    }
    if (!next) {
      for (auto& c : late) {
        if (!c.done) {
          next = &c;
          break;
        }
      }
    }
    next->done = true;
    if (next->func) {
      out << ddl::create_function(*next->func);
      continue;
    }
    const View* v = next->view;
    std::string rel = norm::qualified(v->schema, v->name);
    out << ddl::create_view(*v);
    for (const auto& i : v->indexes) out << ddl::create_index(i, rel);
  }
  bool header = false;
  for (const auto& [sn, s] : m.schemas) {
    for (const auto& [tn, t] : s.tables) {
      if (!t.rls_enabled && !t.rls_forced && t.policies.empty() && t.triggers.empty()) continue;
      if (!header) section("row-level security, policies and triggers");
      header = true;
      std::string rel = norm::qualified(sn, tn);
      if (t.rls_enabled) out << "ALTER TABLE " << rel << " ENABLE ROW LEVEL SECURITY;\n";
      if (t.rls_forced) out << "ALTER TABLE " << rel << " FORCE ROW LEVEL SECURITY;\n";
      for (const auto& p : t.policies) out << ddl::create_policy(p, rel);
      for (const auto& g : t.triggers) out << ddl::create_trigger(g, rel);
    }
  }
  header = false;
  for_each_grantable(m, [&](const Granted& g) {
    for (const auto& st : ddl::grant_statements(g.on, builtin_grants(g.kind, g.path), *g.grants, g.column)) {
      if (!header) section("privileges");
      header = true;
      out << st;
    }
  });
  header = false;
  for_each_commentable(m, [&](const Commented& c) {
    if (c.comment->text.empty()) return;
    if (!header) section("comments");
    header = true;
    out << ddl::comment_on(c.target, c.comment->text);
  });
}

}  // namespace driftguard::model
