// CREATE TYPE (enum, composite, range), CREATE DOMAIN, ALTER TYPE ... ADD/RENAME VALUE: PostgreSQL's typecmds.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

bool Replayer::Impl::is_user_type(const std::string& type) const {
  std::string base = norm::element_type(type).empty() ? type : norm::element_type(type);
  for (const auto& [sn, sc] : m.schemas) {
    for (const auto& [tn, t] : sc.types) {
      if (q(sn, tn) == base) return true;
    }
  }
  return false;
}

void Replayer::Impl::create_enum(const json& b) {
  auto [s, n] = create_target(strings(field(b, "typeName")));
  new_type(s, n);
  Type t;
  t.schema = s;
  t.name = n;
  t.kind = "enum";
  t.values = strings(field(b, "vals"));
  t.src = stmt_ref();
  m.schema(s)->types[n] = t;
}

void Replayer::Impl::new_type(const std::string& s, const std::string& n) {
  if (m.schema(s)->types.count(n)) fail("type " + named(s, n) + " already exists");
}

void Replayer::Impl::create_other_type(const std::string& kind, const std::vector<std::string>& parts, std::string def) {
  auto [s, n] = create_target(parts);
  new_type(s, n);
  if (kind == "composite") check_new_relation(s, n);
  Type t;
  t.schema = s;
  t.name = n;
  t.kind = kind;
  t.definition = std::move(def);
  t.src = stmt_ref();
  m.schema(s)->types[n] = t;
}

void Replayer::Impl::create_composite(const json& b) {
  std::string def = "(";
  bool first = true;
  for (const auto& c : field(b, "coldeflist")) {
    const json& cd = field(c, "ColumnDef");
    def += (first ? "" : ", ") + norm::ident(str(cd, "colname")) + " " + column_type(field(cd, "typeName"));
    first = false;
  }
  create_other_type("composite", rangevar_parts(field(b, "typevar")), def + ")");
}

void Replayer::Impl::create_domain(const json& b) {
  std::string collation;
  if (const json& cc = field(b, "collClause"); cc.is_object()) collation = collation_name(field(cc, "collname"));
  std::string default_expr;
  bool not_null = false;
  std::vector<std::pair<std::string, std::string>> checks;
  for (const auto& c : field(b, "constraints")) {
    const json& cb = field(c, "Constraint");
    std::string ct = str(cb, "contype");
    if (ct == "CONSTR_NOTNULL") not_null = true;
    if (ct == "CONSTR_NULL") not_null = false;
    if (ct == "CONSTR_DEFAULT") default_expr = norm::expr(field(cb, "raw_expr"), ectx());
    if (ct == "CONSTR_CHECK") checks.emplace_back(nm(str(cb, "conname")), norm::expr(field(cb, "raw_expr"), ectx()));
  }
  auto parts = strings(field(b, "domainname"));
  std::string def = domain_definition(column_type(field(b, "typeName")), collation, default_expr, not_null,
                                      parts.empty() ? std::string() : nm(parts.back()), checks);
  create_other_type("domain", parts, def);
}

void Replayer::Impl::create_range(const json& b) {
  std::string def = "(";
  bool first = true;
  for (const auto& p : field(b, "params")) {
    const json& d = field(p, "DefElem");
    std::string v;
    if (const json& tn = field(field(d, "arg"), "TypeName"); tn.is_object()) {
      v = column_type(tn);
    } else {
      v = display(drop_object_parts(field(d, "arg")));
    }
    def += (first ? "" : ", ") + str(d, "defname") + " = " + v;
    first = false;
  }
  create_other_type("range", strings(field(b, "typeName")), def + ")");
}

// nullptr when missing and missing_ok
Type* Replayer::Impl::find_type(const std::vector<std::string>& parts, bool missing_ok) {
  auto [s, n] = resolve_type(parts);
  Schema* sc = m.schema(s);
  if (sc && sc->types.count(n)) return &sc->types[n];
  if (missing_ok) return nullptr;
  fail("type " + named(s, n) + " does not exist");
}

void Replayer::Impl::alter_enum(const json& b) {
  Type& t = *find_type(strings(field(b, "typeName")), false);
  if (t.kind != "enum") fail(named(t.schema, t.name) + " is not an enum");
  std::string old_val = str(b, "oldVal");
  std::string new_val = str(b, "newVal");
  if (!old_val.empty()) {
    auto it = std::find(t.values.begin(), t.values.end(), old_val);
    if (it == t.values.end()) fail(dq(old_val) + " is not an existing enum label of " + named(t.schema, t.name));
    if (contains(t.values, new_val)) fail("enum label " + dq(new_val) + " already exists");
    *it = new_val;
    return;
  }
  if (contains(t.values, new_val)) {
    if (flag(b, "skipIfNewValExists")) return;
    fail("enum label " + dq(new_val) + " already exists in " + named(t.schema, t.name));
  }
  std::string neighbor = str(b, "newValNeighbor");
  if (neighbor.empty()) {
    t.values.push_back(new_val);
    return;
  }
  auto it = std::find(t.values.begin(), t.values.end(), neighbor);
  if (it == t.values.end()) fail(dq(neighbor) + " is not an existing enum label of " + named(t.schema, t.name));
  t.values.insert(flag(b, "newValIsAfter") ? it + 1 : it, new_val);
}

}  // namespace driftguard::model
