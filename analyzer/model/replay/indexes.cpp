// CREATE INDEX: PostgreSQL's indexcmds.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

IndexKey Replayer::Impl::index_key(const Table& t, const json& elem, const std::string& method) {
  IndexKey k;
  std::string name = str(elem, "name");
  const json& e = field(elem, "expr");
  if (name.empty() && node_type(e) == "ColumnRef") {
    auto f = strings(field(unwrap(e), "fields"));
    if (f.size() == 1) name = f[0];
  }
  if (!name.empty()) {
    name = nm(name);
    if (!t.column(name) && !t.opaque) fail("column " + dq(name) + " does not exist");
    k.expr = norm::ident(name);
  } else {
    k.is_expression = true;
    k.expr = "(" + norm::expr(e, ectx(&t)) + ")";
  }
  auto opc = strings(field(elem, "opclass"));
  if (opc.size() == 2 && (opc[0] == "pg_catalog" || opc[0] == "public")) opc.erase(opc.begin());
  k.opclass = display(opc);
  // The default operator classes of GIN for jsonb and arrays are the same as none.
  if (method == "gin" && (k.opclass == "jsonb_ops" || k.opclass == "array_ops")) k.opclass.clear();
  k.collation = display(strings(field(elem, "collation")));
  k.desc = str(elem, "ordering") == "SORTBY_DESC";
  std::string nulls = str(elem, "nulls_ordering");
  if (nulls == "SORTBY_NULLS_FIRST" && !k.desc) k.nulls = "NULLS FIRST";
  if (nulls == "SORTBY_NULLS_LAST" && k.desc) k.nulls = "NULLS LAST";
  return k;
}

std::string Replayer::Impl::key_name(const json& elem) {
  if (std::string n = str(elem, "name"); !n.empty()) return n;
  const json& e = field(elem, "expr");
  std::string t = node_type(e);
  if (t == "ColumnRef") {
    auto f = strings(field(unwrap(e), "fields"));
    return f.empty() ? "expr" : f.back();
  }
  if (t == "FuncCall") {
    auto f = strings(field(unwrap(e), "funcname"));
    return f.empty() ? "expr" : f.back();
  }
  return "expr";
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
    } else if (sc && !sc->relation_kind(n).empty()) {
      fail("cannot create an index on " + named(s, n) + ": it is a " + sc->relation_kind(n));
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
  }
  if (const json& w = field(b, "whereClause"); !w.is_null()) idx.predicate = norm::expr(w, ectx(t));
  storage_options(idx.options, field(b, "options"), false);
  idx.name = nm(str(b, "idxname"));
  if (idx.name.empty()) {
    idx.name = choose_relation_name(s, n, name_addition(names), idx.unique ? "key" : "idx");
  } else if (std::string kind = m.schema(s)->relation_kind(idx.name); !kind.empty()) {
    if (flag(b, "if_not_exists")) return;
    fail("relation " + named(s, idx.name) + " already exists (a " + kind + ")");
  }
  (t ? t->indexes : v->indexes).push_back(std::move(idx));
}

}  // namespace driftguard::model
