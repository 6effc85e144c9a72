// Positions, findings, name resolution and the names PostgreSQL chooses for unnamed objects.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

SourceRef Replayer::Impl::stmt_ref() const {
  if (!lines || !st) return origin;
  auto p = lines->position(st->span.begin);
  return SourceRef{file, p.line, p.column};
}

SourceRef Replayer::Impl::ref(const json& b) const {
  long loc = num(b, "location", -1);
  if (!lines || !st || st->approximate || loc < 0) return stmt_ref();
  auto p = lines->position(st->base + static_cast<std::size_t>(loc));
  return SourceRef{file, p.line, p.column};
}

norm::ExprContext Replayer::Impl::ectx(const Table* t, const std::string& target) {
  norm::ExprContext c;
  if (st && !st->approximate) {
    c.text = text;
    c.base = st->base;
  }
  c.target_type = target;
  if (t) {
    cols_cache = t->column_types();
    c.columns = &cols_cache;
    c.table = t->name;
    c.table_schema = t->schema;
  }
  c.relations = [this](const std::vector<std::string>& parts) { return relation_info(parts); };
  c.function_schema = [this](const std::string& f) { return function_schema(f); };
  c.operator_schema = [this](const std::string& op, const std::string& type) { return operator_schema(op, type); };
  c.implicit_cast = [this](const std::string& type, const std::string& name, bool op) {
    return implicit_cast(type, name, op);
  };
  c.domain_base = [this](const std::string& type) { return domain_base(type); };
  return c;
}

// The base type of the domain a canonical type names ("d", "app.d"), through domains over domains; "" when it
// names no domain of the model.
std::string Replayer::Impl::domain_base(const std::string& type) const {
  std::string t = type;
  std::string base;
  for (int depth = 0; depth < 10 && !t.empty(); ++depth) {
    const Type* found = nullptr;
    for (const auto& [sn, sc] : m.schemas) {
      for (const auto& [tn, ty] : sc.types) {
        if (ty.kind == "domain" && norm::qualified(sn, tn) == t) found = &ty;
      }
    }
    if (!found) break;
    base = t = found->domain.base_type;
  }
  return base;
}

// The columns of a table or view, for the column references of view queries and sub-selects.
std::optional<norm::RelationInfo> Replayer::Impl::relation_info(const std::vector<std::string>& parts) {
  if (parts.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& p : parts) names.push_back(nm(p));
  auto [s, n] = resolve_relation(names);
  norm::RelationInfo info{s, n, {}};
  if (const Table* t = m.table(s, n)) {
    if (t->opaque) return std::nullopt;
    for (const auto& c : t->columns) info.columns.push_back({c.name, c.type});
    return info;
  }
  const Schema* sc = m.schema(s);
  auto v = sc ? sc->views.find(n) : decltype(sc->views.end()){};
  if (sc && v != sc->views.end() && v->second.resolved && !v->second.columns.empty()) {
    for (const auto& [cn, ct] : v->second.columns) info.columns.push_back({cn, ct});
    return info;
  }
  if (r.fallback_) return r.fallback_(names);
  return std::nullopt;
}

void Replayer::Impl::error(const std::string& message) {
  Finding f;
  f.rule = kReplayError;
  f.category = "drift";
  f.severity = Severity::error;
  f.file = lines ? file : origin.file.str();
  if (lines && st) {
    f.span = st->span;
    f.start = lines->position(st->span.begin);
    f.end = lines->position(st->span.end);
  } else {
    f.start = Position{std::max(origin.line, 1), std::max(origin.column, 1)};
    f.end = f.start;
  }
  f.message = message;
  f.help = "The migrations do not apply in this order to an empty database: fix the history (a missing, reordered "
           "or edited migration), or this is a statement driftguard models wrongly — please report it.";
  findings.push_back(std::move(f));
}

// A failure of the current statement: a replay error, or a note when a guard makes the statement optional.
void Replayer::Impl::report(const Failure& f) {
  if (st && st->guarded) {
    skip("guarded statement not applied (" + st->guard + "): " + f.message, true);
  } else {
    error(f.message);
  }
}

std::string Replayer::Impl::creation_schema() {
  for (const auto& s : search_path) {
    if (m.schema(s)) return s;
  }
  fail("no schema has been selected to create in (search_path is " + join(search_path, ", ") + ")");
}

// Where CREATE TABLE/VIEW/SEQUENCE puts a relation: temporary ones go to pg_temp, which lives as long as the
// session (one migration file) and is searched first.
std::pair<std::string, std::string> Replayer::Impl::relation_target(const json& rv) {
  if (str(rv, "relpersistence") != "t") return create_target(rangevar_parts(rv));
  m.schemas[kTemp].name = kTemp;
  return {kTemp, nm(str(rv, "relname"))};
}

std::pair<std::string, std::string> Replayer::Impl::create_target(const std::vector<std::string>& parts) {
  if (parts.empty()) fail("statement names no object");
  std::string name = nm(parts.back());
  if (parts.size() >= 2) {
    std::string s = parts[parts.size() - 2];
    if (!m.schema(s)) fail("schema " + dq(s) + " does not exist");
    return {s, name};
  }
  return {creation_schema(), name};
}

std::pair<std::string, std::string> Replayer::Impl::resolve_relation(const std::vector<std::string>& parts) {
  if (const Schema* tmp = m.schema(kTemp); tmp && parts.size() == 1 && !relation_kind(*tmp, nm(parts[0])).empty()) {
    return {kTemp, nm(parts[0])};
  }
  return resolve(parts, [this](const Schema& s, const std::string& n) { return !relation_kind(s, n).empty(); });
}

std::pair<std::string, std::string> Replayer::Impl::resolve_type(const std::vector<std::string>& parts) {
  return resolve(parts, [](const Schema& s, const std::string& n) { return s.types.count(n) > 0; });
}

Table* Replayer::Impl::find_table(const json& rangevar, bool missing_ok) {
  auto [s, n] = resolve_relation(rangevar_parts(rangevar));
  if (Table* t = m.table(s, n)) return t;
  const Schema* sc = m.schema(s);
  std::string kind = sc ? relation_kind(*sc, n) : "";
  if (!kind.empty()) fail(named(s, n) + " is a " + kind + ", not a table");
  if (missing_ok) return nullptr;
  fail("relation " + named(s, n) + " does not exist");
}

void Replayer::Impl::check_new_relation(const std::string& s, const std::string& n) {
  std::string kind = relation_kind(*m.schema(s), n);
  if (!kind.empty()) fail("relation " + named(s, n) + " already exists (a " + kind + ")");
}

std::string Replayer::Impl::choose_relation_name(const std::string& s, const std::string& n1, const std::string& n2,
                                                 const std::string& label) {
  const Schema* sc = m.schema(s);
  std::string name = norm::object_name(n1, n2, label);
  for (int pass = 1; sc && !relation_kind(*sc, name).empty(); ++pass) {
    name = norm::object_name(n1, n2, label + std::to_string(pass));
  }
  return name;
}

std::string Replayer::Impl::choose_constraint_name(const Table& t, const std::string& n2, const std::string& label) {
  std::string name = norm::object_name(t.name, n2, label);
  for (int pass = 1; t.constraint(name); ++pass) name = norm::object_name(t.name, n2, label + std::to_string(pass));
  return name;
}

// PostgreSQL's ChooseIndexNameAddition: column names joined by '_', cut once past NAMEDATALEN.
std::string Replayer::Impl::name_addition(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += '_';
    out += n.substr(0, kMaxIdent);
    if (out.size() >= kMaxIdent + 1) break;
  }
  return out;
}

std::string Replayer::Impl::index_name_addition(std::vector<std::string> names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string base = names[i];
    auto earlier = [&] { return std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]); };
    for (int k = 1; earlier() != names.begin() + static_cast<std::ptrdiff_t>(i); ++k) names[i] = base + std::to_string(k);
  }
  return name_addition(names);
}

// ---- what the model knows completely ----

bool Replayer::Impl::knows_all_of(const std::string& schema) const {
  if (!lines || r.fallback_ || r.unmodeled_ || !r.own_schemas_.count(schema) || !m.schema(schema)) return false;
  for (const auto& [name_, e] : m.extensions) {
    if (e.schema == schema) return false;  // an extension's tables, views and functions are not modeled
  }
  return true;
}

bool Replayer::Impl::knows_all_unqualified(const std::string& name) const {
  if (name.rfind("pg_", 0) == 0) return false;  // pg_catalog is searched first; its relations are not modeled
  if (search_path.empty()) return false;
  for (const auto& s : search_path) {
    if (m.schema(s) && !knows_all_of(s)) return false;
  }
  return true;
}

// A statement the replay does not read that may have created objects (a DO block, CALL, a SELECT of a function,
// CREATE FOREIGN TABLE, ...): from then on nothing is called missing. Statements that only change data,
// privileges or roles create nothing the refusals look up.
void Replayer::Impl::unmodeled_statement(const std::string& kind) {
  static const std::set<std::string> creates_nothing = {
      "InsertStmt",          "UpdateStmt",        "DeleteStmt",         "MergeStmt",
      "CopyStmt",            "TruncateStmt",      "GrantStmt",          "GrantRoleStmt",
      "AlterDefaultPrivilegesStmt", "CreateRoleStmt", "AlterRoleStmt",  "AlterRoleSetStmt",
      "DropRoleStmt",        "CreatePublicationStmt", "AlterPublicationStmt", "CreateStatsStmt",
      "AlterDatabaseStmt",   "AlterDatabaseSetStmt", "AlterSystemStmt", "ReassignOwnedStmt",
      "DropOwnedStmt",       "CreateEventTrigStmt", "CreateTrigStmt",   "RuleStmt",
      "CommentStmt"};
  if (!creates_nothing.count(kind)) r.unmodeled_ = true;
}

}  // namespace driftguard::model
