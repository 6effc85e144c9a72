// CREATE INDEX: PostgreSQL's indexcmds.c.
#include "analyzer/model/replay/replayer_impl.hpp"

#include <regex>

namespace driftguard::model {

IndexKey Replayer::Impl::index_key(const Table& t, const json& elem, const std::string& method) {
  IndexKey k;
  std::string name = str(elem, "name");
  const json& e = field(elem, "expr");
  // "(column)" and "(column COLLATE c)" are the column (ComputeIndexAttrs strips a top COLLATE, then takes a bare
  // column as a column key); the COLLATE gives the key's collation unless the key names one itself.
  const json* bare = &e;
  const json* collate = nullptr;
  while (node_type(*bare) == "CollateClause") {
    if (!collate) collate = &field(unwrap(*bare), "collname");
    bare = &field(unwrap(*bare), "arg");
  }
  if (name.empty() && node_type(*bare) == "ColumnRef") {
    auto f = strings(field(unwrap(*bare), "fields"));
    if (f.size() == 1) name = f[0];
  }
  if (name.empty() || !e.is_object()) collate = nullptr;
  auto opc = strings(field(elem, "opclass"));
  if (!name.empty()) {
    name = nm(name);
    if (!t.column(name) && !t.opaque) fail("column " + dq(name) + " does not exist");
    k.expr = norm::ident(name);
    if (!opc.empty()) refuse_opclass_type(t, name, opc.back(), method);
  } else {
    k.is_expression = true;
    refuse_mutable_functions(e, "index expression");
    // appends: GCC 12 at -O3 reports a false -Wrestrict inside `"(" + std::string&&`
    k.expr = "(";
    k.expr.append(norm::expr(e, ectx(&t))).append(")");
  }
  if (opc.size() == 2 && (opc[0] == "pg_catalog" || opc[0] == "public")) opc.erase(opc.begin());
  k.opclass = display(opc);
  // The default operator classes of GIN for jsonb and arrays are the same as none.
  if (method == "gin" && (k.opclass == "jsonb_ops" || k.opclass == "array_ops")) k.opclass.clear();
  k.collation = collation_name(field(elem, "collation"));
  if (k.collation.empty() && collate) k.collation = collation_name(*collate);
  // pg_get_indexdef omits a collation that is the column's own.
  if (const Column* c = name.empty() ? nullptr : t.column(name); c && k.collation == c->collation) k.collation.clear();
  k.desc = str(elem, "ordering") == "SORTBY_DESC";
  std::string nulls = str(elem, "nulls_ordering");
  if (nulls == "SORTBY_NULLS_FIRST" && !k.desc) k.nulls = "NULLS FIRST";
  if (nulls == "SORTBY_NULLS_LAST" && k.desc) k.nulls = "NULLS LAST";
  return k;
}

// PostgreSQL requires IMMUTABLE functions in an index's expressions and predicate (CheckMutability). Refused here:
// built-ins known not to be (volatile now(), random(), gen_random_uuid(), ...; stable CURRENT_TIMESTAMP, ...) and
// functions of the model declared VOLATILE or STABLE. Other functions (unknown, extensions') are accepted.
void Replayer::Impl::refuse_mutable_functions(const json& expr, const char* where) {
  static const std::set<std::string> mutable_builtins = {
      "now",           "random",         "gen_random_uuid", "clock_timestamp", "statement_timestamp",
      "transaction_timestamp", "timeofday", "nextval",      "currval",         "lastval",
      "setval",        "current_setting", "txid_current",   "pg_backend_pid"};
  std::string message = std::string("functions in ") + where + " must be marked IMMUTABLE";
  auto walk = [&](auto& self, const json& node) -> void {
    if (node.is_array()) {
      for (const auto& v : node) self(self, v);
      return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, v] : node.items()) {
      if (key == "SQLValueFunction") fail(message);  // CURRENT_TIMESTAMP, CURRENT_USER, ...: all stable
      if (key == "FuncCall") {
        auto parts = strings(field(v, "funcname"));
        std::string n = parts.empty() ? "" : parts.back();
        bool builtin = parts.size() == 1 || (parts.size() == 2 && parts[0] == "pg_catalog");
        if (builtin && mutable_builtins.count(n)) fail(message);
        std::size_t nargs = field(v, "args").is_array() ? field(v, "args").size() : 0;
        if (!builtin || parts.size() == 1) {
          // The model's functions of that name and argument count, in its schema or the search path's first
          // that has one: refused when every one of them is not IMMUTABLE.
          auto [s, fn] = resolve(parts, [&](const Schema& sc, const std::string& name) {
            for (const auto& [key_, f] : sc.functions) {
              if (f.name == name) return true;
            }
            return false;
          });
          const Schema* sc = m.schema(s);
          int found = 0;
          bool immutable = false;
          for (const auto& [key_, f] : sc ? sc->functions : ObjectMap<Function>{}) {
            std::size_t args = f.identity_args.empty() ? 0 : std::count(f.identity_args.begin(), f.identity_args.end(), ',') + 1;
            if (f.name != fn || args != nargs) continue;
            ++found;
            immutable = immutable || contains(f.options, "IMMUTABLE");
          }
          if (found > 0 && !immutable) fail(message);
        }
      }
      self(self, v);
    }
  };
  walk(walk, expr);
}

// An operator class for another type: the pattern classes are for text and varchar (binary-compatible) or
// char(n) (text converts to it), jsonb_path_ops for jsonb. Refused only for a column of a built-in type PostgreSQL cannot coerce;
// domains and types of extensions (citext) may be binary-compatible and are accepted.
void Replayer::Impl::refuse_opclass_type(const Table& t, const std::string& column, const std::string& opclass,
                                        const std::string& method) {
  static const std::map<std::string, std::pair<std::string, std::set<std::string>>> accepts = {
      {"text_pattern_ops", {"btree", {"text", "character varying"}}},
      {"varchar_pattern_ops", {"btree", {"text", "character varying"}}},
      {"bpchar_pattern_ops", {"btree", {"character", "text", "character varying"}}},
      {"jsonb_path_ops", {"gin", {"jsonb"}}}};
  static const std::set<std::string> builtin = {
      "text", "character varying", "character", "integer", "bigint", "smallint", "numeric", "real",
      "double precision", "boolean", "uuid", "json", "jsonb", "date", "timestamp without time zone",
      "timestamp with time zone", "time without time zone", "interval", "bytea", "inet", "cidr"};
  auto it = accepts.find(opclass);
  const Column* c = t.column(column);
  if (it == accepts.end() || it->second.first != method || !c) return;
  std::string type = c->type;
  static const std::regex modifier(R"(\([0-9, ]*\))");
  type = std::regex_replace(type, modifier, "");
  if (!builtin.count(type) || it->second.second.count(type)) return;
  fail("operator class " + dq(opclass) + " does not accept data type " + type);
}

namespace {
// FigureColname of an index key's expression (parse_target.c, FigureColnameInternal): the name and its strength —
// 2 a name the expression gives (a column, a function, coalesce, ...), 1 a fallback (a cast's type, "case"), 0 none
// ("expr" in the index's name).
int expr_column_name(const json& e, std::string& name) {
  const std::string t = node_type(e);
  const json& b = unwrap(e);
  if (t == "ColumnRef") {
    const json& fields = field(b, "fields");
    if (fields.empty() || node_type(fields[fields.size() - 1]) == "A_Star") return 0;
    name = strings(fields).back();
    return 2;
  }
  if (t == "A_Indirection") {
    const json& ind = field(b, "indirection");
    for (std::size_t i = ind.size(); i-- > 0;) {
      if (node_type(ind[i]) == "String") {
        name = str(unwrap(ind[i]), "sval");
        return 2;
      }
    }
    return expr_column_name(field(b, "arg"), name);
  }
  if (t == "FuncCall") {
    auto f = strings(field(b, "funcname"));
    if (f.empty()) return 0;
    name = f.back();
    return 2;
  }
  if (t == "A_Expr" && str(b, "kind") == "AEXPR_NULLIF") {
    name = "nullif";
    return 2;
  }
  if (t == "TypeCast") {
    int strength = expr_column_name(field(b, "arg"), name);
    if (strength <= 1) {
      auto type = strings(field(field(b, "typeName"), "names"));
      if (type.empty()) return strength;
      name = type.back();
      return 1;
    }
    return strength;
  }
  if (t == "CollateClause") return expr_column_name(field(b, "arg"), name);
  if (t == "CaseExpr") {
    int strength = expr_column_name(field(b, "defresult"), name);
    if (strength <= 1) {
      name = "case";
      return 1;
    }
    return strength;
  }
  static const std::pair<const char*, const char*> fixed[] = {
      {"A_ArrayExpr", "array"}, {"RowExpr", "row"}, {"CoalesceExpr", "coalesce"}, {"GroupingFunc", "grouping"}};
  for (const auto& [node, fixed_name] : fixed) {
    if (t == node) {
      name = fixed_name;
      return 2;
    }
  }
  if (t == "MinMaxExpr") {
    name = str(b, "op") == "IS_GREATEST" ? "greatest" : "least";
    return 2;
  }
  return 0;
}

std::string expr_column_name(const json& e) {
  std::string name;
  return expr_column_name(e, name) > 0 ? name : "expr";
}
}  // namespace

std::string Replayer::Impl::key_name(const json& elem) {
  if (std::string n = str(elem, "name"); !n.empty()) return n;
  return expr_column_name(field(elem, "expr"));
}

// Read back from the keys' canonical text, unless a column rename has frozen them (Index::column_names).
std::vector<std::string> Replayer::Impl::index_column_names(const Index& i) {
  if (!i.column_names().empty()) return i.column_names();
  std::vector<std::string> names;
  std::string sql = "CREATE INDEX ON x (";
  for (std::size_t k = 0; k < i.keys.size(); ++k) sql += (k ? ", " : "") + i.keys[k].expr;
  ParsedFile p = parse_sql(sql + ")");
  if (p.statements.size() != 1) return names;
  for (const auto& e : field(unwrap(p.statements[0].node), "indexParams")) names.push_back(key_name(field(e, "IndexElem")));
  names.insert(names.end(), i.include.begin(), i.include.end());
  return names;
}

std::vector<std::string> Replayer::Impl::index_column_names(const Constraint& c) {
  if (!c.index_columns.empty()) return c.index_columns;
  std::vector<std::string> names;
  if (c.kind == ConstraintKind::exclusion) {
    // "USING gist (c WITH =, (lower(d)) WITH =) WHERE (...)": the keys read back from the definition.
    ParsedFile p = parse_sql("CREATE TABLE x (EXCLUDE " + c.expression + ")");
    if (p.statements.size() != 1) return names;
    for (const auto& e : field(unwrap(p.statements[0].node), "tableElts")) {
      for (const auto& ex : field(unwrap(e), "exclusions")) {
        const json& items = field(field(ex, "List"), "items");
        if (items.is_array() && !items.empty()) names.push_back(key_name(field(items[0], "IndexElem")));
      }
    }
    return names;
  }
  names = c.columns;
  names.insert(names.end(), c.include.begin(), c.include.end());
  return names;
}

void Replayer::Impl::create_index(const json& b) {
  auto [s, n] = resolve_relation(rangevar_parts(field(b, "relation")));
  Table* t = m.table(s, n);
  View* v = nullptr;
  if (!t) {
    Schema* sc = m.schema(s);
    auto it = sc ? sc->views.find(n) : decltype(sc->views.end()){};
    if (sc && it != sc->views.end() && it->second.materialized) {
      v = &it->second;
    } else if (sc && !relation_kind(*sc, n).empty()) {
      fail("cannot create an index on " + named(s, n) + ": it is a " + relation_kind(*sc, n));
    } else {
      fail("relation " + named(s, n) + " does not exist");
    }
  }
  Table scratch;  // a materialized view's columns are not known
  scratch.opaque = true;
  const Table& cols = t ? *t : scratch;
  Index idx;
  idx.method = str(b, "accessMethod").empty() ? "btree" : str(b, "accessMethod");
  idx.unique = flag(b, "unique");
  idx.nulls_not_distinct = flag(b, "nulls_not_distinct");
  idx.src = stmt_ref();
  std::vector<std::string> names;
  for (const auto& e : field(b, "indexParams")) {
    idx.keys.push_back(index_key(cols, field(e, "IndexElem"), idx.method));
    names.push_back(key_name(field(e, "IndexElem")));
  }
  for (const auto& e : field(b, "indexIncludingParams")) {
    std::string c = nm(str(field(e, "IndexElem"), "name"));
    if (!cols.column(c) && !cols.opaque) fail("column " + dq(c) + " does not exist");
    idx.include.push_back(c);
    names.push_back(c);  // INCLUDE columns are part of the chosen name (ChooseIndexColumnNames)
  }
  if (const json& w = field(b, "whereClause"); !w.is_null()) {
    refuse_mutable_functions(w, "index predicate");
    idx.edit().predicate = norm::expr(w, ectx(t));
  }
  if (!field(b, "options").empty()) storage_options(idx.edit().options, field(b, "options"), false);
  idx.name = nm(str(b, "idxname"));
  if (idx.name.empty()) {
    // ChooseIndexName: "key" is for unique constraints only; CREATE UNIQUE INDEX chooses "_idx" too.
    idx.name = choose_relation_name(s, n, index_name_addition(names), "idx");
  } else if (std::string kind = relation_kind(*m.schema(s), idx.name); !kind.empty()) {
    if (flag(b, "if_not_exists")) return;
    fail("relation " + named(s, idx.name) + " already exists (a " + kind + ")");
  }
  note_name(s, idx.name, n);
  append(t ? t->indexes : v->indexes, std::move(idx));
}

}  // namespace driftguard::model
