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

// A domain's CHECK sees VALUE as its base type (an extension's operator on it: citext's ~).
norm::ExprContext Replayer::Impl::domain_ectx(const Type::DomainParts& d) {
  norm::ExprContext c = ectx();
  c.value_type = d.base_type;
  return c;
}

void Replayer::Impl::create_domain(const json& b) {
  Type::DomainParts d;
  d.base_type = column_type(field(b, "typeName"));
  if (const json& cc = field(b, "collClause"); cc.is_object()) d.collation = collation_name(field(cc, "collname"));
  for (const auto& c : field(b, "constraints")) {
    const json& cb = field(c, "Constraint");
    std::string ct = str(cb, "contype");
    if (ct == "CONSTR_NOTNULL") d.not_null = true;
    if (ct == "CONSTR_NULL") d.not_null = false;
    if (ct == "CONSTR_DEFAULT") d.default_expr = norm::expr(field(cb, "raw_expr"), ectx());
    if (ct == "CONSTR_CHECK") d.checks.emplace_back(nm(str(cb, "conname")), norm::expr(field(cb, "raw_expr"), domain_ectx(d)));
  }
  auto parts = strings(field(b, "domainname"));
  create_other_type("domain", parts, domain_definition(d.base_type, d.collation, d.default_expr, d.not_null,
                                                       parts.empty() ? std::string() : nm(parts.back()), d.checks));
  auto [s, n] = resolve_type(parts);
  if (Schema* sc = m.schema(s); sc && sc->types.count(n)) sc->types[n].domain = std::move(d);
}

// The names of a domain's checks, the chosen ones filled in: <domain>_check, <domain>_check1, ... (PostgreSQL's
// ChooseConstraintName, in creation order).
static std::vector<std::string> domain_check_names(const Type& t) {
  std::vector<std::string> names;
  for (const auto& [n, e_] : t.domain.checks) names.push_back(n);
  for (auto& n : names) {
    if (!n.empty()) continue;
    std::string chosen = norm::object_name(t.name, "", "check");
    for (int pass = 1; contains(names, chosen); ++pass) chosen = norm::object_name(t.name, "", "check" + std::to_string(pass));
    n = chosen;
  }
  return names;
}

// ALTER DOMAIN: SET/DROP DEFAULT, SET/DROP NOT NULL, ADD/DROP/VALIDATE CONSTRAINT (typecmds.c).
void Replayer::Impl::alter_domain(const json& b) {
  Type* t = find_type(strings(field(b, "typeName")), false);
  if (t->kind != "domain") fail(named(t->schema, t->name) + " is not a domain");
  Type::DomainParts& d = t->domain;
  if (d.base_type.empty()) return;  // a domain the replay did not create (a model read elsewhere): parts unknown
  std::string sub = str(b, "subtype");
  auto names = domain_check_names(*t);
  for (std::size_t i = 0; i < names.size(); ++i) d.checks[i].first = names[i];
  if (sub == "T") {
    const json& def = field(b, "def");
    d.default_expr = def.is_null() ? "" : norm::expr(def, ectx(nullptr, d.base_type));
  } else if (sub == "N" || sub == "O") {
    d.not_null = sub == "O";
  } else if (sub == "C") {
    const json& cb = field(field(b, "def"), "Constraint");
    if (str(cb, "contype") == "CONSTR_NOTNULL") {
      d.not_null = true;
    } else if (str(cb, "contype") == "CONSTR_CHECK") {
      std::string name = nm(str(cb, "conname"));
      if (name.empty()) {
        name = norm::object_name(t->name, "", "check");
        for (int pass = 1; contains(names, name); ++pass) name = norm::object_name(t->name, "", "check" + std::to_string(pass));
      } else if (contains(names, name)) {
        fail("constraint " + dq(name) + " for domain " + named(t->schema, t->name) + " already exists");
      }
      d.checks.emplace_back(name, norm::expr(field(cb, "raw_expr"), domain_ectx(d)));
    }
  } else if (sub == "X") {
    std::string name = nm(str(b, "name"));
    if (!contains(names, name)) {
      if (flag(b, "missing_ok")) return;
      fail("constraint " + dq(name) + " of domain " + named(t->schema, t->name) + " does not exist");
    }
    std::erase_if(d.checks, [&](const auto& c) { return c.first == name; });
  }
  t->definition = domain_definition(d.base_type, d.collation, d.default_expr, d.not_null, t->name, d.checks);
}

// ALTER DOMAIN ... RENAME CONSTRAINT.
void Replayer::Impl::rename_domain_constraint(Type& t, const std::string& from, const std::string& to) {
  auto names = domain_check_names(t);
  if (!contains(names, from)) fail("constraint " + dq(from) + " for domain " + named(t.schema, t.name) + " does not exist");
  if (contains(names, to)) fail("constraint " + dq(to) + " for domain " + named(t.schema, t.name) + " already exists");
  for (std::size_t i = 0; i < names.size(); ++i) t.domain.checks[i].first = names[i] == from ? to : names[i];
  t.definition = domain_definition(t.domain.base_type, t.domain.collation, t.domain.default_expr, t.domain.not_null,
                                   t.name, t.domain.checks);
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

// A default holds an enum label by its oid: after RENAME VALUE, PostgreSQL prints the new label. The defaults of
// columns of the enum type that are that label ('a', or 'a'::type where the cast stays) follow it.
void Replayer::Impl::relabel_defaults(const std::string& type, const std::string& from, const std::string& to) {
  auto literal = [](const std::string& v) {
    std::string lit = "'";
    for (char c : v) lit += c == '\'' ? std::string("''") : std::string(1, c);
    return lit + "'";
  };
  for (auto& [sc_key_, sc] : m.schemas) {
    for (auto&& [t_key_, t] : sc.tables.editing()) {  // rare (RENAME VALUE): every table made the model's own
      for (auto& c : t.columns) {
        if (c.type != type) continue;
        if (c.default_expr == literal(from)) c.default_expr = literal(to);
        if (c.default_expr == literal(from) + "::" + type) c.default_expr = literal(to) + "::" + type;
      }
    }
  }
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
    relabel_defaults(q(t.schema, t.name), old_val, new_val);
    return;
  }
  if (contains(t.values, new_val)) {
    if (flag(b, "skipIfNewValExists")) return;
    fail("enum label " + dq(new_val) + " already exists in " + named(t.schema, t.name));
  }
  std::string neighbor = str(b, "newValNeighbor");
  // Until the block commits, PostgreSQL refuses to use the label (even when the type is new in the block too).
  if (in_block()) new_enum_labels.insert({q(t.schema, t.name), new_val});
  if (neighbor.empty()) {
    t.values.push_back(new_val);
    return;
  }
  auto it = std::find(t.values.begin(), t.values.end(), neighbor);
  if (it == t.values.end()) fail(dq(neighbor) + " is not an existing enum label of " + named(t.schema, t.name));
  t.values.insert(flag(b, "newValIsAfter") ? it + 1 : it, new_val);
}

// "unsafe use of new value": a label ALTER TYPE ... ADD VALUE added in the open transaction block, cast to its enum,
// written into a column of the enum (defaults, UPDATE SET, INSERT) or compared with one (CHECK, WHERE, index
// predicates, policies). PostgreSQL reads such a literal with enum_in, which refuses it until COMMIT.
void Replayer::Impl::refuse_new_enum_labels(const json& stmt) {
  if (new_enum_labels.empty()) return;
  std::string k = node_type(stmt);
  const json& b = unwrap(stmt);
  // The columns a bare column name refers to: the statement's table's, and those the statement defines.
  std::map<std::string, std::string> cols;
  const json& rel = field(b, k == "CreatePolicyStmt" || k == "AlterPolicyStmt" ? "table" : "relation");
  if (k != "CreateStmt" && rel.is_object()) {
    auto [s, n] = resolve_relation(rangevar_parts(rel));
    if (const Table* t = m.table(s, n)) cols = t->column_types();
  }
  for (const auto& e : field(b, "tableElts")) {
    const json& cd = field(e, "ColumnDef");
    if (cd.is_object()) cols[nm(str(cd, "colname"))] = column_type(field(cd, "typeName"));
  }
  for (const auto& c : field(b, "cmds")) {
    const json& cd = field(field(field(c, "AlterTableCmd"), "def"), "ColumnDef");
    if (cd.is_object()) cols[nm(str(cd, "colname"))] = column_type(field(cd, "typeName"));
  }
  check_enum_literals(stmt, cols);  // the node itself: UpdateStmt and InsertStmt are recognized by their name
}

void Replayer::Impl::check_enum_literals(const json& node, const std::map<std::string, std::string>& cols) {
  if (node.is_array()) {
    for (const auto& v : node) check_enum_literals(v, cols);
    return;
  }
  if (!node.is_object()) return;
  auto column_of = [&](const json& e) -> std::string {
    if (node_type(e) != "ColumnRef") return {};
    auto f = strings(field(unwrap(e), "fields"));
    auto it = f.empty() ? cols.end() : cols.find(nm(f.back()));
    return it == cols.end() ? std::string() : it->second;
  };
  for (const auto& [key, v] : node.items()) {
    if (key == "TypeCast") {
      check_enum_value(column_type(field(v, "typeName")), field(v, "arg"));
    } else if (key == "ColumnDef") {
      for (const auto& c : field(v, "constraints")) {
        const json& cb = field(c, "Constraint");
        if (str(cb, "contype") == "CONSTR_DEFAULT") check_enum_value(column_type(field(v, "typeName")), field(cb, "raw_expr"));
      }
    } else if (key == "AlterTableCmd" && str(v, "subtype") == "AT_ColumnDefault") {
      if (auto it = cols.find(nm(str(v, "name"))); it != cols.end()) check_enum_value(it->second, field(v, "def"));
    } else if (key == "A_Expr") {
      if (std::string t = column_of(field(v, "lexpr")); !t.empty()) check_enum_value(t, field(v, "rexpr"));
      if (std::string t = column_of(field(v, "rexpr")); !t.empty()) check_enum_value(t, field(v, "lexpr"));
    } else if (key == "UpdateStmt") {
      for (const auto& target : field(v, "targetList")) {
        const json& rt = field(target, "ResTarget");
        if (auto it = cols.find(nm(str(rt, "name"))); it != cols.end()) check_enum_value(it->second, field(rt, "val"));
      }
    } else if (key == "InsertStmt") {
      std::vector<std::string> names;
      for (const auto& c : field(v, "cols")) names.push_back(nm(str(field(c, "ResTarget"), "name")));
      for (const auto& row : field(field(field(v, "selectStmt"), "SelectStmt"), "valuesLists")) {
        const json& items = field(field(row, "List"), "items");
        for (std::size_t i = 0; i < names.size() && items.is_array() && i < items.size(); ++i) {
          if (auto it = cols.find(names[i]); it != cols.end()) check_enum_value(it->second, items[i]);
        }
      }
    }
    check_enum_literals(v, cols);
  }
}

// `value` (a literal, an array of literals, a list of them) read as `type`.
void Replayer::Impl::check_enum_value(const std::string& type, const json& value) {
  bool array = type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0;
  std::string base = array ? type.substr(0, type.size() - 2) : type;
  auto it = new_enum_labels.lower_bound({base, ""});
  if (it == new_enum_labels.end() || it->first != base) return;
  std::string k = node_type(value);
  const json& v = unwrap(value);
  if (k == "List" || value.is_array()) {
    for (const auto& e : k == "List" ? field(v, "items") : value) check_enum_value(type, e);
    return;
  }
  if (k == "A_ArrayExpr") {
    for (const auto& e : field(v, "elements")) check_enum_value(base, e);
    return;
  }
  if (k != "A_Const" || !field(v, "sval").is_object()) return;
  std::string literal = str(field(v, "sval"), "sval");
  std::vector<std::string> labels;
  if (array) {
    // '{a,"b c"}': the elements, without braces and quotes
    std::string cur;
    for (char c : literal) {
      if (c == ',' || c == '}') {
        labels.push_back(cur);
        cur.clear();
      } else if (c != '{' && c != '"' && !(cur.empty() && c == ' ')) {
        cur += c;
      }
    }
  } else {
    labels.push_back(literal);
  }
  for (const auto& l : labels) {
    if (new_enum_labels.count({base, l})) {
      fail("unsafe use of new value " + dq(l) + " of enum type " + base +
           " (new enum values must be committed before they can be used)");
    }
  }
}

}  // namespace driftguard::model
