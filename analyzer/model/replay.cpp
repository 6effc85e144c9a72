#include "analyzer/model/replay.hpp"

#include <algorithm>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "analyzer/model/normalize.hpp"
#include "analyzer/names.hpp"
#include "analyzer/pgquery.hpp"
#include "analyzer/text.hpp"

namespace driftguard::model {

namespace {

constexpr std::size_t kMaxIdent = 63;
const std::string kTemp = "pg_temp";

// PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes (at a character boundary).
std::string nm(std::string s) {
  if (s.size() <= kMaxIdent) return s;
  std::size_t n = kMaxIdent;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string q(const std::string& schema, const std::string& name) { return norm::qualified(schema, name); }

struct Failure {
  std::string message;
};
[[noreturn]] void fail(std::string message) { throw Failure{std::move(message)}; }

std::string dq(const std::string& s) { return "\"" + s + "\""; }
// "name" or "schema.name" in double quotes, as PostgreSQL's messages show a relation.
std::string named(const std::string& schema, const std::string& name) {
  return dq(schema == "public" || schema.empty() ? name : schema + "." + name);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// Statement kinds that change nothing the model holds.
bool no_effect_kind(const std::string& k) {
  static const std::set<std::string> kinds = {
      "TransactionStmt", "VariableShowStmt", "LockStmt",        "VacuumStmt",       "CheckPointStmt",
      "NotifyStmt",      "ListenStmt",       "UnlistenStmt",    "DiscardStmt",      "ExplainStmt",
      "ClusterStmt",     "ReindexStmt",      "RefreshMatViewStmt", "CommentStmt",   "AlterOwnerStmt",
      "AlterFunctionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt", "SecLabelStmt",
      "AlterTypeStmt",   "AlterStatsStmt",   "DeallocateStmt",  "PrepareStmt",      "ConstraintsSetStmt"};
  return kinds.count(k) > 0;
}

// What a statement kind is, for the list of statements the model does not represent.
std::string describe_kind(const std::string& k) {
  static const std::pair<const char*, const char*> names[] = {
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"SelectStmt", "SELECT"},
      {"MergeStmt", "MERGE"},
      {"CopyStmt", "COPY"},
      {"TruncateStmt", "TRUNCATE"},
      {"CallStmt", "CALL"},
      {"GrantStmt", "GRANT/REVOKE"},
      {"GrantRoleStmt", "GRANT/REVOKE role"},
      {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
      {"CreateRoleStmt", "CREATE ROLE"},
      {"AlterRoleStmt", "ALTER ROLE"},
      {"AlterRoleSetStmt", "ALTER ROLE SET"},
      {"DropRoleStmt", "DROP ROLE"},
      {"CreatePublicationStmt", "CREATE PUBLICATION"},
      {"AlterPublicationStmt", "ALTER PUBLICATION"},
      {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
      {"RuleStmt", "CREATE RULE"},
      {"DefineStmt", "CREATE AGGREGATE/OPERATOR/COLLATION/TEXT SEARCH"},
      {"CreateCastStmt", "CREATE CAST"},
      {"CreateOpClassStmt", "CREATE OPERATOR CLASS"},
      {"CreateStatsStmt", "CREATE STATISTICS"},
      {"CreateForeignTableStmt", "CREATE FOREIGN TABLE"},
      {"CreateForeignServerStmt", "CREATE SERVER"},
      {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER"},
      {"CreateUserMappingStmt", "CREATE USER MAPPING"},
      {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA"},
      {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
      {"CreatedbStmt", "CREATE DATABASE"},
      {"DropdbStmt", "DROP DATABASE"},
      {"AlterSystemStmt", "ALTER SYSTEM"},
      {"DoStmt", "DO block without a statement driftguard can read"},
      {"CreateTrigStmt", "CREATE TRIGGER"},
      {"ReassignOwnedStmt", "REASSIGN OWNED"},
      {"DropOwnedStmt", "DROP OWNED"},
      {"AlterDatabaseStmt", "ALTER DATABASE"},
      {"AlterDatabaseSetStmt", "ALTER DATABASE SET"}};
  for (const auto& [n, d] : names) {
    if (k == n) return d;
  }
  return k;
}

// A collation as the catalog prints it: schema omitted for pg_catalog and public ("C", en_US, x."de-CH").
std::string collation_name(const json& collname) {
  auto parts = strings(collname);
  if (parts.size() == 2 && (parts[0] == "pg_catalog" || parts[0] == "public")) parts.erase(parts.begin());
  return display(parts);
}

std::string object_type_word(const std::string& t) {
  std::string s = t.rfind("OBJECT_", 0) == 0 ? t.substr(7) : t;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c == '_' ? ' ' : std::toupper(c); });
  return s;
}

}  // namespace

struct Replayer::Impl {
  Replayer& r;
  SchemaModel& m;
  std::vector<Finding>& findings;
  // where the statements come from
  std::string file;
  std::string_view text;
  const LineMap* lines = nullptr;  // null: every position is `origin`
  SourceRef origin;
  std::vector<std::string> search_path{"public"};
  // the statement being applied
  const Statement* st = nullptr;

  Impl(Replayer& rep, std::vector<Finding>& f) : r(rep), m(rep.model_), findings(f) {}

  // ---- positions ----
  SourceRef stmt_ref() const {
    if (!lines || !st) return origin;
    auto p = lines->position(st->span.begin);
    return SourceRef{file, p.line, p.column};
  }
  SourceRef ref(const json& b) const {
    long loc = num(b, "location", -1);
    if (!lines || !st || st->approximate || loc < 0) return stmt_ref();
    auto p = lines->position(st->base + static_cast<std::size_t>(loc));
    return SourceRef{file, p.line, p.column};
  }
  norm::ExprContext ectx(const Table* t = nullptr, const std::string& target = {}) {
    norm::ExprContext c;
    if (st && !st->approximate) {
      c.text = text;
      c.base = st->base;
    }
    c.target_type = target;
    if (t) {
      cols_cache = t->column_types();
      c.columns = &cols_cache;
    }
    return c;
  }
  std::map<std::string, std::string> cols_cache;

  void error(const std::string& message) {
    Finding f;
    f.rule = kReplayError;
    f.category = "drift";
    f.severity = Severity::error;
    f.file = lines ? file : origin.file;
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
  void report(const Failure& f) {
    if (st && st->guarded) {
      skip("guarded statement not applied (" + st->guard + "): " + f.message, true);
    } else {
      error(f.message);
    }
  }
  void skip(const std::string& what, bool no_effect) { r.skipped_.push_back({stmt_ref(), what, no_effect}); }

  // ---- names ----
  std::string creation_schema() {
    for (const auto& s : search_path) {
      if (m.schema(s)) return s;
    }
    fail("no schema has been selected to create in (search_path is " + join(search_path, ", ") + ")");
  }
  // Where CREATE TABLE/VIEW/SEQUENCE puts a relation: temporary ones go to pg_temp, which lives as long as the
  // session (one migration file) and is searched first.
  std::pair<std::string, std::string> relation_target(const json& rv) {
    if (str(rv, "relpersistence") != "t") return create_target(rangevar_parts(rv));
    m.schemas[kTemp].name = kTemp;
    return {kTemp, nm(str(rv, "relname"))};
  }
  std::pair<std::string, std::string> create_target(const std::vector<std::string>& parts) {
    if (parts.empty()) fail("statement names no object");
    std::string name = nm(parts.back());
    if (parts.size() >= 2) {
      std::string s = parts[parts.size() - 2];
      if (!m.schema(s)) fail("schema " + dq(s) + " does not exist");
      return {s, name};
    }
    return {creation_schema(), name};
  }
  // The schema an unqualified name resolves to with `exists`, or the first schema of the search path.
  template <typename Pred>
  std::pair<std::string, std::string> resolve(const std::vector<std::string>& parts, Pred exists) {
    std::string name = parts.empty() ? std::string() : nm(parts.back());
    if (parts.size() >= 2) return {parts[parts.size() - 2], name};
    for (const auto& s : search_path) {
      if (const Schema* sc = m.schema(s); sc && exists(*sc, name)) return {s, name};
    }
    return {search_path.empty() ? "public" : search_path.front(), name};
  }
  std::pair<std::string, std::string> resolve_relation(const std::vector<std::string>& parts) {
    if (const Schema* tmp = m.schema(kTemp); tmp && parts.size() == 1 && !tmp->relation_kind(nm(parts[0])).empty()) {
      return {kTemp, nm(parts[0])};
    }
    return resolve(parts, [](const Schema& s, const std::string& n) { return !s.relation_kind(n).empty(); });
  }
  std::pair<std::string, std::string> resolve_type(const std::vector<std::string>& parts) {
    return resolve(parts, [](const Schema& s, const std::string& n) { return s.types.count(n) > 0; });
  }

  Table* find_table(const json& rangevar, bool missing_ok) {
    auto [s, n] = resolve_relation(rangevar_parts(rangevar));
    if (Table* t = m.table(s, n)) return t;
    const Schema* sc = m.schema(s);
    std::string kind = sc ? sc->relation_kind(n) : "";
    if (!kind.empty()) fail(named(s, n) + " is a " + kind + ", not a table");
    if (missing_ok) return nullptr;
    fail("relation " + named(s, n) + " does not exist");
  }

  // ---- types and columns ----
  static std::string column_type(const json& type_name) { return norm::type_name(type_name); }

  void check_new_relation(const std::string& s, const std::string& n) {
    std::string kind = m.schema(s)->relation_kind(n);
    if (!kind.empty()) fail("relation " + named(s, n) + " already exists (a " + kind + ")");
  }

  std::string choose_relation_name(const std::string& s, const std::string& n1, const std::string& n2,
                                   const std::string& label) {
    const Schema* sc = m.schema(s);
    std::string name = norm::object_name(n1, n2, label);
    for (int pass = 1; sc && !sc->relation_kind(name).empty(); ++pass) {
      name = norm::object_name(n1, n2, label + std::to_string(pass));
    }
    return name;
  }
  std::string choose_constraint_name(const Table& t, const std::string& n2, const std::string& label) {
    std::string name = norm::object_name(t.name, n2, label);
    for (int pass = 1; t.constraint(name); ++pass) name = norm::object_name(t.name, n2, label + std::to_string(pass));
    return name;
  }
  // PostgreSQL's ChooseIndexNameAddition: column names joined by '_', cut once past NAMEDATALEN.
  static std::string name_addition(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
      if (!out.empty()) out += '_';
      out += n.substr(0, kMaxIdent);
      if (out.size() >= kMaxIdent + 1) break;
    }
    return out;
  }

  // A column definition (CREATE TABLE element or ALTER TABLE ADD COLUMN). Column constraints are returned for the
  // caller to add once every column exists.
  Column make_column(Table& t, const json& cd, std::vector<std::pair<json, std::string>>& constraints,
                     std::string* serial_type) {
    Column c;
    c.name = nm(str(cd, "colname"));
    c.src = ref(cd);
    const json& tn = field(cd, "typeName");
    std::string serial = norm::serial_base(tn);
    c.type = serial.empty() ? column_type(tn) : serial;
    if (serial_type) *serial_type = serial;
    if (const json& cc = field(cd, "collClause"); cc.is_object()) c.collation = collation_name(field(cc, "collname"));
    json* last = nullptr;
    for (const auto& cn : field(cd, "constraints")) {
      const json& b = field(cn, "Constraint");
      std::string ct = str(b, "contype");
      if (ct == "CONSTR_NOTNULL") {
        c.not_null = true;
      } else if (ct == "CONSTR_NULL") {
        c.not_null = false;
      } else if (ct == "CONSTR_DEFAULT") {
        c.default_expr = default_value(norm::expr(field(b, "raw_expr"), ectx(nullptr, c.type)), c.type);
      } else if (ct == "CONSTR_IDENTITY") {
        c.identity = str(b, "generated_when") == "d" ? "BY DEFAULT" : "ALWAYS";
        c.not_null = true;
      } else if (ct == "CONSTR_GENERATED") {
        c.generated = norm::expr(field(b, "raw_expr"), ectx(&t));
      } else if (ct == "CONSTR_ATTR_DEFERRABLE" || ct == "CONSTR_ATTR_DEFERRED" ||
                 ct == "CONSTR_ATTR_NOT_DEFERRABLE" || ct == "CONSTR_ATTR_IMMEDIATE") {
        if (!last) fail("misplaced " + ct.substr(12) + " clause");
        if (ct == "CONSTR_ATTR_DEFERRABLE") (*last)["deferrable"] = true;
        if (ct == "CONSTR_ATTR_DEFERRED") (*last)["initdeferred"] = true;
        if (ct == "CONSTR_ATTR_NOT_DEFERRABLE") (*last)["deferrable"] = false;
      } else {
        if (ct == "CONSTR_PRIMARY") c.not_null = true;
        constraints.emplace_back(b, c.name);
        last = &constraints.back().first;
      }
    }
    return c;
  }

  // A canonical default as PostgreSQL keeps it: DEFAULT NULL coerced to the column's type is a null constant,
  // which is not stored at all — unless the coercion is a call (a length coercion to a type with a modifier,
  // varchar(255), numeric(10,2), timestamp(3)) or a domain check, which PostgreSQL stores as NULL::type.
  std::string default_value(std::string canonical, const std::string& type) const {
    // A null default is NULL whatever it was cast to (the catalog reader reads it the same way).
    bool null = canonical == "NULL" || canonical.rfind("NULL::", 0) == 0;
    if (!null) return canonical;
    if (type.find('(') != std::string::npos) return "NULL";
    for (const auto& [sn, sc] : m.schemas) {
      for (const auto& [tn, t] : sc.types) {
        if (t.kind == "domain" && q(sn, tn) == type) return "NULL";
      }
    }
    return {};
  }

  // serial: integer + nextval('<table>_<column>_seq'::regclass) + a sequence owned by the column.
  void add_serial(Table& t, Column& c, const std::string& type) {
    std::string seq = choose_relation_name(t.schema, t.name, c.name, "seq");
    Sequence s;
    s.schema = t.schema;
    s.name = seq;
    s.type = type;
    s.owned_by = t.name + "." + c.name;
    s.src = c.src;
    m.schema(t.schema)->sequences[seq] = s;
    std::string lit;  // the regclass text as a literal: single quotes doubled
    for (char ch : q(t.schema, seq)) lit += ch == '\'' ? std::string("''") : std::string(1, ch);
    c.default_expr = "nextval('" + lit + "'::regclass)";
    c.not_null = true;
  }

  Column& add_column(Table& t, const json& cd, bool if_not_exists) {
    std::vector<std::pair<json, std::string>> cons;
    std::string serial;
    Column c = make_column(t, cd, cons, &serial);
    if (Column* existing = t.column(c.name)) {
      if (if_not_exists) return *existing;
      fail("column " + dq(c.name) + " of relation " + named(t.schema, t.name) + " already exists");
    }
    t.columns.push_back(c);
    Column& added = t.columns.back();
    if (!serial.empty()) add_serial(t, added, serial);
    add_constraints(t, cons);
    return t.column(c.name) ? *t.column(c.name) : t.columns.back();
  }

  // ---- constraints ----
  // `each_alone`: a constraint that cannot be added is reported and the others are still added (CREATE TABLE: so
  // that one foreign key to a missing table does not lose the table and every statement after it).
  void add_constraints(Table& t, const std::vector<std::pair<json, std::string>>& cons, bool each_alone = false) {
    // PostgreSQL adds index-backed constraints first, then checks, then foreign keys.
    for (int pass = 0; pass < 3; ++pass) {
      for (const auto& [b, col] : cons) {
        std::string ct = str(b, "contype");
        int p = ct == "CONSTR_CHECK" ? 1 : ct == "CONSTR_FOREIGN" ? 2 : 0;
        if (p != pass) continue;
        try {
          add_constraint(t, b, col);
        } catch (const Failure& f) {
          if (!each_alone) throw;
          report(f);
        }
      }
    }
  }

  std::vector<std::string> existing_columns(const Table& t, const std::vector<std::string>& names, const char* what) {
    std::vector<std::string> out;
    for (const auto& n0 : names) {
      std::string n = nm(n0);
      if (!t.column(n) && !t.opaque) fail("column " + dq(n) + " named in " + what + " does not exist");
      out.push_back(n);
    }
    return out;
  }

  void check_constraint_name(const Table& t, const std::string& name, bool index_backed) {
    if (t.constraint(name)) fail("constraint " + dq(name) + " for relation " + named(t.schema, t.name) + " already exists");
    if (index_backed) check_new_relation(t.schema, name);
  }

  static void collect_columns(const json& node, std::set<std::string>& out) {
    if (node.is_object()) {
      if (auto it = node.find("ColumnRef"); it != node.end()) {
        auto f = strings(field(*it, "fields"));
        if (!f.empty()) out.insert(f.back());
        return;
      }
      if (node.contains("SubLink")) return;
      for (const auto& [k, v] : node.items()) collect_columns(v, out);
    } else if (node.is_array()) {
      for (const auto& v : node) collect_columns(v, out);
    }
  }

  void add_constraint(Table& t, const json& b, const std::string& column) {
    std::string ct = str(b, "contype");
    Constraint c;
    c.name = nm(str(b, "conname"));
    c.src = ref(b);
    c.deferrable = flag(b, "deferrable");
    c.initially_deferred = flag(b, "initdeferred");
    c.not_valid = flag(b, "skip_validation");
    auto keys = [&](const char* f) {
      auto k = strings(field(b, f));
      if (k.empty() && !column.empty()) k.push_back(column);
      return k;
    };
    if (ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE") {
      bool pk = ct == "CONSTR_PRIMARY";
      c.kind = pk ? ConstraintKind::primary_key : ConstraintKind::unique;
      if (pk && t.primary_key()) fail("multiple primary keys for table " + named(t.schema, t.name) + " are not allowed");
      if (std::string ix = str(b, "indexname"); !ix.empty()) {
        // ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's index (and takes its name).
        Index* idx = t.index(nm(ix));
        if (!idx) fail("index " + dq(ix) + " does not exist on " + named(t.schema, t.name));
        for (const auto& k : idx->keys) {
          if (k.is_expression) fail("index " + dq(ix) + " contains expressions");
          c.columns.push_back(k.expr.front() == '"' ? k.expr.substr(1, k.expr.size() - 2) : k.expr);
        }
        c.include = idx->include;
        c.nulls_not_distinct = idx->nulls_not_distinct;
        if (c.name.empty()) c.name = idx->name;
        std::string idx_name = idx->name;
        t.indexes.erase(std::remove_if(t.indexes.begin(), t.indexes.end(), [&](const Index& i) { return i.name == idx_name; }),
                        t.indexes.end());
        // columns of the index are unquoted names again
        for (auto& col : c.columns) {
          if (!t.column(col)) {
            for (const auto& tc : t.columns) {
              if (norm::ident(tc.name) == col) col = tc.name;
            }
          }
        }
      } else {
        c.columns = existing_columns(t, keys("keys"), pk ? "the primary key" : "a unique constraint");
        c.include = existing_columns(t, strings(field(b, "including")), "INCLUDE");
        c.nulls_not_distinct = flag(b, "nulls_not_distinct");
      }
      if (c.name.empty()) {
        c.name = pk ? choose_relation_name(t.schema, t.name, "", "pkey")
                    : choose_relation_name(t.schema, t.name, name_addition(c.columns), "key");
      }
      check_constraint_name(t, c.name, true);
      if (pk) {
        for (const auto& col : c.columns) {
          if (Column* tc = t.column(col)) tc->not_null = true;
        }
      }
    } else if (ct == "CONSTR_CHECK") {
      c.kind = ConstraintKind::check;
      c.expression = norm::expr(field(b, "raw_expr"), ectx(&t));
      if (c.name.empty()) {
        std::set<std::string> refs;
        collect_columns(field(b, "raw_expr"), refs);
        std::string col = !column.empty() ? column : refs.size() == 1 ? *refs.begin() : "";
        c.name = choose_constraint_name(t, col, "check");
      }
      check_constraint_name(t, c.name, false);
    } else if (ct == "CONSTR_EXCLUSION") {
      c.kind = ConstraintKind::exclusion;
      std::string def = "USING " + (str(b, "access_method").empty() ? std::string("gist") : str(b, "access_method")) + " (";
      std::vector<std::string> cols;
      bool first = true;
      for (const auto& ex : field(b, "exclusions")) {
        const json& items = field(field(ex, "List"), "items");
        if (!items.is_array() || items.size() != 2) continue;
        IndexKey k = index_key(t, field(items[0], "IndexElem"), "gist");
        cols.push_back(k.is_expression ? "expr" : k.expr);
        def += (first ? "" : ", ") + k.expr + (k.opclass.empty() ? "" : " " + k.opclass) + " WITH " +
               join(strings(field(field(items[1], "List"), "items")), ".");
        first = false;
      }
      def += ")";
      if (const json& w = field(b, "where_clause"); !w.is_null()) def += " WHERE (" + norm::expr(w, ectx(&t)) + ")";
      c.expression = def;
      if (c.name.empty()) c.name = choose_relation_name(t.schema, t.name, name_addition(cols), "excl");
      check_constraint_name(t, c.name, true);
    } else if (ct == "CONSTR_FOREIGN") {
      c.kind = ConstraintKind::foreign_key;
      c.columns = existing_columns(t, keys("fk_attrs"), "a foreign key");
      auto parts = rangevar_parts(field(b, "pktable"));
      auto [rs, rn] = resolve_relation(parts);
      const Table* ref_table = (rs == t.schema && rn == t.name) ? &t : m.table(rs, rn);
      if (!ref_table) fail("relation " + named(rs, rn) + " referenced by a foreign key does not exist");
      c.ref_schema = rs;
      c.ref_table = rn;
      for (const auto& rc : strings(field(b, "pk_attrs"))) c.ref_columns.push_back(nm(rc));
      if (c.ref_columns.empty()) {
        const Constraint* pk = ref_table->primary_key();
        if (!pk) fail("there is no primary key for referenced table " + named(rs, rn));
        c.ref_columns = pk->columns;
      }
      for (const auto& rc : c.ref_columns) {
        if (!ref_table->column(rc) && !ref_table->opaque) {
          fail("column " + dq(rc) + " referenced in foreign key constraint does not exist in " + named(rs, rn));
        }
      }
      if (c.ref_columns.size() != c.columns.size()) {
        fail("number of referencing and referenced columns for foreign key disagree");
      }
      c.on_delete = norm::fk_action(str(b, "fk_del_action"));
      c.on_update = norm::fk_action(str(b, "fk_upd_action"));
      if (str(b, "fk_matchtype") == "f") c.match = "FULL";
      if (c.name.empty()) c.name = choose_constraint_name(t, name_addition(c.columns), "fkey");
      check_constraint_name(t, c.name, false);
    } else {
      fail("constraint type " + ct + " is not supported here");
    }
    t.constraints.push_back(std::move(c));
  }

  // ---- indexes ----
  IndexKey index_key(const Table& t, const json& elem, const std::string& method) {
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

  static std::string key_name(const json& elem) {
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

  void create_index(const json& b) {
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
    idx.name = nm(str(b, "idxname"));
    if (idx.name.empty()) {
      idx.name = choose_relation_name(s, n, name_addition(names), idx.unique ? "key" : "idx");
    } else if (std::string kind = m.schema(s)->relation_kind(idx.name); !kind.empty()) {
      if (flag(b, "if_not_exists")) return;
      fail("relation " + named(s, idx.name) + " already exists (a " + kind + ")");
    }
    (t ? t->indexes : v->indexes).push_back(std::move(idx));
  }

  // ---- CREATE TABLE ----
  void create_table(const json& b) {
    const json& rv = field(b, "relation");
    auto [s, n] = relation_target(rv);
    if (!m.schema(s)->relation_kind(n).empty()) {
      if (flag(b, "if_not_exists")) return;
      check_new_relation(s, n);
    }
    Table t;
    t.schema = s;
    t.name = n;
    t.src = ref(rv);
    // Inherited and partition-parent columns come first.
    for (const auto& parent : field(b, "inhRelations")) {
      auto [ps, pn] = resolve_relation(rangevar_parts(parent));
      const Table* p = m.table(ps, pn);
      if (!p) fail("relation " + named(ps, pn) + " does not exist");
      for (const auto& c : p->columns) {
        Column copy = c;
        copy.src = t.src;
        t.columns.push_back(copy);
      }
      t.opaque = t.opaque || p->opaque;
    }
    std::vector<std::pair<json, std::string>> cons;
    std::vector<std::pair<std::size_t, std::string>> serials;
    for (const auto& e : field(b, "tableElts")) {
      std::string et = node_type(e);
      const json& eb = unwrap(e);
      if (et == "ColumnDef") {
        std::string serial;
        Column c = make_column(t, eb, cons, &serial);
        if (Column* existing = t.column(c.name)) {
          if (field(b, "inhRelations").is_array()) {
            // A column declared again in a child table merges with the inherited one.
            existing->not_null = existing->not_null || c.not_null;
            if (!c.default_expr.empty()) existing->default_expr = c.default_expr;
            continue;
          }
          fail("column " + dq(c.name) + " specified more than once");
        }
        t.columns.push_back(c);
        if (!serial.empty()) serials.emplace_back(t.columns.size() - 1, serial);
      } else if (et == "Constraint") {
        cons.emplace_back(eb, "");
      } else if (et == "TableLikeClause") {
        auto [ls, ln] = resolve_relation(rangevar_parts(field(eb, "relation")));
        const Table* like = m.table(ls, ln);
        if (!like) fail("relation " + named(ls, ln) + " does not exist");
        long opts = num(eb, "options", 0);
        for (const auto& c : like->columns) {
          Column copy = c;
          copy.src = t.src;
          if (!(opts & (1 << 3)) && !(opts == 0x7FFFFFFF)) copy.default_expr.clear();  // CREATE_TABLE_LIKE_DEFAULTS
          if (!(opts & (1 << 4)) && !(opts == 0x7FFFFFFF)) copy.generated.clear();     // CREATE_TABLE_LIKE_GENERATED
          if (!(opts & (1 << 5)) && !(opts == 0x7FFFFFFF)) copy.identity.clear();      // CREATE_TABLE_LIKE_IDENTITY
          t.columns.push_back(copy);
        }
        t.opaque = t.opaque || like->opaque;
      }
    }
    drop_redundant_keys(cons);
    Schema& sc = *m.schema(s);
    sc.tables[n] = std::move(t);
    Table& tt = sc.tables[n];
    try {
      for (const auto& [i, type] : serials) add_serial(tt, tt.columns[i], type);
      add_constraints(tt, cons, true);
      // NOT VALID means nothing in CREATE TABLE: the table is empty, PostgreSQL marks every constraint valid.
      for (auto& c : tt.constraints) c.not_valid = false;
    } catch (const Failure&) {
      for (auto it = sc.sequences.begin(); it != sc.sequences.end();) {
        it = it->second.owned_by.rfind(n + ".", 0) == 0 ? sc.sequences.erase(it) : std::next(it);
      }
      sc.tables.erase(n);
      throw;
    }
  }

  // PostgreSQL's transformIndexConstraints: in CREATE TABLE, a primary key or unique constraint identical to an
  // earlier one (the primary key first) is not created; when the kept one has no name, it takes the dropped one's.
  static void drop_redundant_keys(std::vector<std::pair<json, std::string>>& cons) {
    auto is_key = [](const json& b) {
      std::string ct = str(b, "contype");
      return (ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE") && str(b, "indexname").empty();
    };
    auto signature = [](const json& b, const std::string& col) {
      auto keys = strings(field(b, "keys"));
      if (keys.empty() && !col.empty()) keys.push_back(col);
      json sig = json::array();
      for (auto& k : keys) sig.push_back(nm(k));
      sig.push_back(strings(field(b, "including")));
      sig.push_back(flag(b, "nulls_not_distinct"));
      sig.push_back(flag(b, "deferrable"));
      sig.push_back(flag(b, "initdeferred"));
      return sig.dump();
    };
    std::vector<std::size_t> order;  // the primary key first, then the others as written
    for (std::size_t i = 0; i < cons.size(); ++i) {
      if (is_key(cons[i].first) && str(cons[i].first, "contype") == "CONSTR_PRIMARY") order.insert(order.begin(), i);
      else if (is_key(cons[i].first)) order.push_back(i);
    }
    std::vector<std::pair<std::string, std::size_t>> kept;
    std::vector<std::size_t> dropped;
    for (std::size_t i : order) {
      std::string sig = signature(cons[i].first, cons[i].second);
      auto it = std::find_if(kept.begin(), kept.end(), [&](const auto& k) { return k.first == sig; });
      if (it == kept.end()) {
        kept.emplace_back(sig, i);
        continue;
      }
      json& prior = cons[it->second].first;
      if (str(prior, "conname").empty() && !str(cons[i].first, "conname").empty()) prior["conname"] = str(cons[i].first, "conname");
      dropped.push_back(i);
    }
    std::sort(dropped.rbegin(), dropped.rend());
    for (std::size_t i : dropped) cons.erase(cons.begin() + static_cast<std::ptrdiff_t>(i));
  }

  // CREATE TABLE AS / CREATE MATERIALIZED VIEW
  void create_table_as(const json& b) {
    const json& into = field(b, "into");
    const json& rv = field(into, "rel");
    bool matview = str(b, "objtype") == "OBJECT_MATVIEW";
    auto [s, n] = relation_target(rv);
    if (!m.schema(s)->relation_kind(n).empty()) {
      if (flag(b, "if_not_exists")) return;
      check_new_relation(s, n);
    }
    if (matview) {
      View v;
      v.schema = s;
      v.name = n;
      v.materialized = true;
      v.definition = view_query(field(b, "query"));
      v.src = ref(rv);
      v.order = ++r.order_;
      m.schema(s)->views[n] = v;
      return;
    }
    Table t;
    t.schema = s;
    t.name = n;
    t.src = ref(rv);
    t.opaque = true;
    for (const auto& c : strings(field(into, "colNames"))) t.columns.push_back(Column{nm(c), "", false, "", "", "", "", t.src});
    m.schema(s)->tables[n] = t;
  }

  // SELECT ... INTO [TEMP] TABLE t: a table whose columns come from a query.
  void select_into(const json& b) {
    const json& rv = field(field(b, "intoClause"), "rel");
    auto [s, n] = relation_target(rv);
    check_new_relation(s, n);
    Table t;
    t.schema = s;
    t.name = n;
    t.src = ref(rv);
    t.opaque = true;
    m.schema(s)->tables[n] = t;
  }

  // ---- views ----
  // The text of the query of CREATE VIEW / CREATE MATERIALIZED VIEW: what follows the first top-level AS.
  std::string view_query(const json& query_node) {
    if (st && !text.empty() && !st->approximate) {
      std::string_view s = text.substr(st->span.begin, st->span.end - st->span.begin);
      std::size_t p = 0;
      while (p < s.size()) {
        p = lex::skip_trivia(s, p);
        if (p >= s.size()) break;
        if (s[p] == '(') {
          int depth = 0;
          while (p < s.size()) {
            p = lex::skip_trivia(s, p);
            if (p >= s.size()) break;
            if (s[p] == '(') ++depth;
            bool close = s[p] == ')';
            p = lex::skip_token(s, p);
            if (close && --depth == 0) break;
          }
          continue;
        }
        if (lex::keyword_at(s, p, "as")) {
          std::string body(s.substr(p + 2));
          static const std::regex tail(R"(\s+WITH\s+((NO\s+)?DATA|(CASCADED\s+|LOCAL\s+)?CHECK\s+OPTION)\s*$)",
                                       std::regex::icase);
          std::string q1 = norm::query(body);
          if (pg::parse(body).error) q1 = norm::query(std::regex_replace(body, tail, ""));
          return q1;
        }
        p = lex::skip_token(s, p);
      }
    }
    // No reliable text (generated SQL is handled by the same path; this is a DO body with approximate
    // locations): a stable rendering of the tree.
    return norm::expr(query_node);
  }

  void create_view(const json& b) {
    const json& rv = field(b, "view");
    auto [s, n] = relation_target(rv);
    Schema& sc = *m.schema(s);
    std::string kind = sc.relation_kind(n);
    if (!kind.empty() && !(kind == "view" && flag(b, "replace"))) {
      check_new_relation(s, n);
    }
    View v;
    v.schema = s;
    v.name = n;
    v.definition = view_query(field(b, "query"));
    v.src = ref(rv);
    v.order = kind.empty() ? ++r.order_ : sc.views[n].order;
    sc.views[n] = v;
  }

  // ---- types ----
  bool is_user_type(const std::string& type) const {
    std::string base = norm::element_type(type).empty() ? type : norm::element_type(type);
    for (const auto& [sn, sc] : m.schemas) {
      for (const auto& [tn, t] : sc.types) {
        if (q(sn, tn) == base) return true;
      }
    }
    return false;
  }
  void create_enum(const json& b) {
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
  void new_type(const std::string& s, const std::string& n) {
    if (m.schema(s)->types.count(n)) fail("type " + named(s, n) + " already exists");
  }
  void create_other_type(const std::string& kind, const std::vector<std::string>& parts, std::string def) {
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
  void create_composite(const json& b) {
    std::string def = "(";
    bool first = true;
    for (const auto& c : field(b, "coldeflist")) {
      const json& cd = field(c, "ColumnDef");
      def += (first ? "" : ", ") + norm::ident(str(cd, "colname")) + " " + column_type(field(cd, "typeName"));
      first = false;
    }
    create_other_type("composite", rangevar_parts(field(b, "typevar")), def + ")");
  }
  void create_domain(const json& b) {
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
  void create_range(const json& b) {
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
  Type* find_type(const std::vector<std::string>& parts, bool missing_ok) {
    auto [s, n] = resolve_type(parts);
    Schema* sc = m.schema(s);
    if (sc && sc->types.count(n)) return &sc->types[n];
    if (missing_ok) return nullptr;
    fail("type " + named(s, n) + " does not exist");
  }

  void alter_enum(const json& b) {
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

  // ---- sequences ----
  void sequence_options(Sequence& s, const json& options) {
    for (const auto& o : options) {
      const json& d = field(o, "DefElem");
      std::string name = str(d, "defname");
      if (name == "as") s.type = column_type(field(field(d, "arg"), "TypeName"));
      if (name == "owned_by") {
        auto parts = drop_object_parts(field(d, "arg"));
        if (parts.size() == 1 && parts[0] == "none") {
          s.owned_by.clear();
        } else if (parts.size() >= 2) {
          std::string col = nm(parts.back());
          std::vector<std::string> tparts(parts.begin(), parts.end() - 1);
          auto [ts, tn] = resolve_relation(tparts);
          const Table* t = m.table(ts, tn);
          if (!t) fail("relation " + named(ts, tn) + " does not exist");
          if (!t->column(col) && !t->opaque) fail("column " + dq(col) + " of relation " + named(ts, tn) + " does not exist");
          if (ts != s.schema) fail("sequence must be in the same schema as the table it is linked to");
          s.owned_by = tn + "." + col;
        }
      }
    }
  }
  void create_sequence(const json& b) {
    const json& rv = field(b, "sequence");
    auto [s, n] = relation_target(rv);
    if (!m.schema(s)->relation_kind(n).empty()) {
      if (flag(b, "if_not_exists")) return;
      check_new_relation(s, n);
    }
    Sequence seq;
    seq.schema = s;
    seq.name = n;
    seq.src = ref(rv);
    sequence_options(seq, field(b, "options"));
    m.schema(s)->sequences[n] = seq;
  }
  Sequence* find_sequence(const std::vector<std::string>& parts, bool missing_ok) {
    auto [s, n] = resolve_relation(parts);
    Schema* sc = m.schema(s);
    if (sc && sc->sequences.count(n)) return &sc->sequences[n];
    if (missing_ok) return nullptr;
    fail("sequence " + named(s, n) + " does not exist");
  }
  void alter_sequence(const json& b) {
    Sequence* seq = find_sequence(rangevar_parts(field(b, "sequence")), flag(b, "missing_ok"));
    if (seq) sequence_options(*seq, field(b, "options"));
  }

  // ---- functions ----
  void create_function(const json& b) {
    Function f;
    auto [s, n] = create_target(strings(field(b, "funcname")));
    f.schema = s;
    f.name = n;
    f.procedure = flag(b, "is_procedure");
    f.src = stmt_ref();
    std::vector<std::string> ids;
    std::vector<std::string> args;
    std::vector<std::string> table_cols;
    std::vector<std::string> out_types;
    for (const auto& p : field(b, "parameters")) {
      const json& fp = field(p, "FunctionParameter");
      std::string mode = str(fp, "mode");
      std::string type = column_type(field(fp, "argType"));
      std::string name = str(fp, "name");
      if (mode == "FUNC_PARAM_TABLE") {
        table_cols.push_back(norm::ident(name) + " " + type);
        continue;
      }
      std::string a;
      if (mode == "FUNC_PARAM_OUT") a = "OUT ";
      if (mode == "FUNC_PARAM_INOUT") a = "INOUT ";
      if (mode == "FUNC_PARAM_VARIADIC") a = "VARIADIC ";
      if (!name.empty()) a += norm::ident(name) + " ";
      a += type;
      if (const json& d = field(fp, "defexpr"); !d.is_null()) a += " DEFAULT " + norm::expr(d, ectx(nullptr, type));
      args.push_back(a);
      if (mode != "FUNC_PARAM_OUT") ids.push_back(type);
      if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_INOUT") out_types.push_back(type);
    }
    f.identity_args = join(ids, ", ");
    f.arguments = join(args, ", ");
    if (!table_cols.empty()) {
      f.returns = "TABLE(" + join(table_cols, ", ") + ")";
    } else if (const json& rt = field(b, "returnType"); rt.is_object()) {
      f.returns = (flag(rt, "setof") ? "SETOF " : "") + column_type(rt);
    } else if (!f.procedure && !out_types.empty()) {
      // no RETURNS: the OUT parameters give the result, as PostgreSQL records it
      f.returns = out_types.size() == 1 ? out_types.front() : "record";
    }
    f.language = "sql";
    for (const auto& o : field(b, "options")) {
      const json& d = field(o, "DefElem");
      std::string name = str(d, "defname");
      const json& arg = field(d, "arg");
      if (name == "language") f.language = str(field(arg, "String"), "sval");
      if (name == "as") {
        auto parts = strings(field(field(arg, "List"), "items"));
        if (!parts.empty()) f.body = parts[0];
      }
      if (name == "volatility") {
        std::string v = str(field(arg, "String"), "sval");
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
        if (v != "VOLATILE") f.options.push_back(v);
      }
      if (name == "security" && flag(field(arg, "Boolean"), "boolval")) f.options.push_back("SECURITY DEFINER");
      if (name == "strict" && flag(field(arg, "Boolean"), "boolval")) f.options.push_back("STRICT");
      if (name == "leakproof" && flag(field(arg, "Boolean"), "boolval")) f.options.push_back("LEAKPROOF");
      if (name == "parallel") {
        std::string v = str(field(arg, "String"), "sval");
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
        if (v != "UNSAFE") f.options.push_back("PARALLEL " + v);
      }
      if (name == "set") {
        const json& vs = field(arg, "VariableSetStmt");
        std::vector<std::string> vals;
        for (const auto& a : field(vs, "args")) vals.push_back(norm::expr(a));
        if (str(vs, "kind") == "VAR_SET_VALUE") f.options.push_back("SET " + str(vs, "name") + " = " + join(vals, ", "));
        if (str(vs, "kind") == "VAR_SET_CURRENT") f.options.push_back("SET " + str(vs, "name") + " FROM CURRENT");
      }
    }
    // Options in one canonical order, however they were written (the catalog lists them this way too).
    auto rank = [](const std::string& o) {
      if (o == "IMMUTABLE" || o == "STABLE") return 0;
      if (o == "STRICT") return 1;
      if (o == "SECURITY DEFINER") return 2;
      if (o == "LEAKPROOF") return 3;
      if (o.rfind("PARALLEL ", 0) == 0) return 4;
      return 5;  // SET, in the order written
    };
    std::stable_sort(f.options.begin(), f.options.end(),
                     [&](const std::string& x, const std::string& y) { return rank(x) < rank(y); });
    if (field(b, "sql_body").is_object() || field(b, "sql_body").is_array()) {
      if (!text.empty() && st && !st->approximate) f.sql_text = std::string(text.substr(st->span.begin, st->span.end - st->span.begin));
      f.body = "(SQL-standard body)";
    }
    Schema& sc = *m.schema(s);
    std::string key = f.signature();
    if (auto it = sc.functions.find(key); it != sc.functions.end()) {
      if (!flag(b, "replace")) fail("function " + key + " already exists");
      f.order = it->second.order;
    } else {
      f.order = ++r.order_;
    }
    sc.functions[key] = f;
  }

  // "f(integer, text)" key of a function named by ObjectWithArgs; nullptr when missing (or ambiguous without args).
  Function* find_function(const json& owa, bool missing_ok, std::string* display_name) {
    auto parts = strings(field(owa, "objname"));
    auto [s, n] = resolve(parts, [](const Schema& sc, const std::string& name) {
      for (const auto& [f_key_, f] : sc.functions) {
        if (f.name == name) return true;
      }
      return false;
    });
    Schema* sc = m.schema(s);
    std::string shown = q(s, n);
    if (display_name) *display_name = shown;
    if (!sc) {
      if (missing_ok) return nullptr;
      fail("schema " + dq(s) + " does not exist");
    }
    std::vector<Function*> found;
    if (flag(owa, "args_unspecified")) {
      for (auto& [f_key_, f] : sc->functions) {
        if (f.name == n) found.push_back(&f);
      }
      if (found.size() > 1) fail("function name " + dq(shown) + " is not unique");
    } else {
      std::vector<std::string> types;
      for (const auto& a : field(owa, "objargs")) types.push_back(column_type(a));
      auto it = sc->functions.find(shown + "(" + join(types, ", ") + ")");
      if (it != sc->functions.end()) found.push_back(&it->second);
      if (display_name) *display_name = shown + "(" + join(types, ", ") + ")";
    }
    if (found.empty()) {
      if (missing_ok) return nullptr;
      fail("function " + (display_name ? *display_name : shown) + " does not exist");
    }
    return found.front();
  }

  // ---- triggers and policies ----
  void create_trigger(const json& b) {
    auto [s, n] = resolve_relation(rangevar_parts(field(b, "relation")));
    Table* t = m.table(s, n);
    if (!t) {
      const Schema* sc = m.schema(s);
      if (sc && sc->views.count(n)) {
        skip("CREATE TRIGGER on a view", false);
        return;
      }
      fail("relation " + named(s, n) + " does not exist");
    }
    Trigger g;
    g.name = nm(str(b, "trigname"));
    g.src = stmt_ref();
    long timing = num(b, "timing", 0);
    g.timing = timing & 2 ? "BEFORE" : timing & 64 ? "INSTEAD OF" : "AFTER";
    long ev = num(b, "events", 0);
    if (ev & 4) g.events.push_back("INSERT");
    if (ev & 8) g.events.push_back("DELETE");
    if (ev & 16) {
      std::vector<std::string> cols;
      for (const auto& c : strings(field(b, "columns"))) cols.push_back(norm::ident(c));
      g.events.push_back(cols.empty() ? "UPDATE" : "UPDATE OF " + join(cols, ", "));
    }
    if (ev & 32) g.events.push_back("TRUNCATE");
    g.for_each_row = flag(b, "row");
    g.constraint = flag(b, "isconstraint");
    auto fparts = strings(field(b, "funcname"));
    std::vector<std::string> fargs;
    for (const auto& a : strings(field(b, "args"))) {
      std::string lit = "'";
      for (char c : a) lit += c == '\'' ? std::string("''") : std::string(1, c);
      fargs.push_back(lit + "'");
    }
    g.function = (fparts.size() >= 2 ? q(fparts[fparts.size() - 2], fparts.back()) : norm::ident(fparts.empty() ? "" : fparts.back())) +
                 "(" + join(fargs, ", ") + ")";
    if (const json& w = field(b, "whenClause"); !w.is_null()) g.when = norm::expr(w, ectx(t));
    if (Trigger* existing = t->trigger(g.name)) {
      if (!flag(b, "replace")) fail("trigger " + dq(g.name) + " for relation " + named(s, n) + " already exists");
      *existing = g;
      return;
    }
    t->triggers.push_back(g);
  }

  static std::vector<std::string> roles(const json& list) {
    std::vector<std::string> out;
    for (const auto& r0 : list) {
      const json& rs = field(r0, "RoleSpec");
      std::string type = str(rs, "roletype");
      if (type == "ROLESPEC_CSTRING") out.push_back(str(rs, "rolename"));
      if (type == "ROLESPEC_PUBLIC") out.push_back("public");
      if (type == "ROLESPEC_CURRENT_USER") out.push_back("current_user");
      if (type == "ROLESPEC_SESSION_USER") out.push_back("session_user");
      if (type == "ROLESPEC_CURRENT_ROLE") out.push_back("current_role");
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void create_policy(const json& b) {
    Table* t = find_table(field(b, "table"), false);
    Policy p;
    p.name = nm(str(b, "policy_name"));
    p.src = stmt_ref();
    std::string cmd = str(b, "cmd_name");
    std::transform(cmd.begin(), cmd.end(), cmd.begin(), [](unsigned char c) { return std::toupper(c); });
    p.command = cmd.empty() ? "ALL" : cmd;
    p.permissive = flag(b, "permissive");
    p.roles = roles(field(b, "roles"));
    if (p.roles.empty()) p.roles = {"public"};
    if (const json& e = field(b, "qual"); !e.is_null()) p.using_expr = norm::expr(e, ectx(t));
    if (const json& e = field(b, "with_check"); !e.is_null()) p.check_expr = norm::expr(e, ectx(t));
    if (t->policy(p.name)) fail("policy " + dq(p.name) + " for table " + named(t->schema, t->name) + " already exists");
    t->policies.push_back(p);
  }
  void alter_policy(const json& b) {
    Table* t = find_table(field(b, "table"), false);
    std::string name = nm(str(b, "policy_name"));
    Policy* p = t->policy(name);
    if (!p) fail("policy " + dq(name) + " for table " + named(t->schema, t->name) + " does not exist");
    if (field(b, "roles").is_array()) p->roles = roles(field(b, "roles"));
    if (const json& e = field(b, "qual"); !e.is_null()) p->using_expr = norm::expr(e, ectx(t));
    if (const json& e = field(b, "with_check"); !e.is_null()) p->check_expr = norm::expr(e, ectx(t));
  }

  // ---- ALTER TABLE ----
  void alter_table(const json& b) {
    std::string objtype = str(b, "objtype");
    const json& rv = field(b, "relation");
    bool missing_ok = flag(b, "missing_ok");
    if (objtype != "OBJECT_TABLE" && objtype != "OBJECT_FOREIGN_TABLE") {
      // ALTER INDEX / SEQUENCE / VIEW / MATERIALIZED VIEW / TYPE: options, owners, tablespaces; checked to exist.
      auto [s, n] = resolve_relation(rangevar_parts(rv));
      const Schema* sc = m.schema(s);
      bool exists = sc && (!sc->relation_kind(n).empty() || sc->types.count(n));
      if (!exists && !missing_ok) fail("relation " + named(s, n) + " does not exist");
      for (const auto& c : field(b, "cmds")) {
        std::string sub = str(field(c, "AlterTableCmd"), "subtype");
        if (sub == "AT_AddColumn" || sub == "AT_DropColumn" || sub == "AT_AlterColumnType") {
          skip("ALTER " + object_type_word(objtype) + " " + sub.substr(3), false);
        }
      }
      return;
    }
    auto [s, n] = resolve_relation(rangevar_parts(rv));
    Table* t = m.table(s, n);
    if (!t) {
      const Schema* sc = m.schema(s);
      std::string kind = sc ? sc->relation_kind(n) : "";
      if (kind.empty() && missing_ok) return;
      if (kind == "view" || kind == "materialized view" || kind == "sequence" || kind == "index") {
        // ALTER TABLE works on other relations for owner, rename and options.
        for (const auto& c : field(b, "cmds")) {
          std::string sub = str(field(c, "AlterTableCmd"), "subtype");
          if (sub != "AT_ChangeOwner" && sub != "AT_SetRelOptions" && sub != "AT_ResetRelOptions") {
            fail(named(s, n) + " is a " + kind + ", not a table");
          }
        }
        return;
      }
      fail("relation " + named(s, n) + " does not exist");
    }
    Table before = *t;  // a statement applies completely or not at all
    try {
      for (const auto& c : field(b, "cmds")) alter_table_cmd(*t, field(c, "AlterTableCmd"));
    } catch (const Failure&) {
      *m.table(s, n) = std::move(before);
      throw;
    }
  }

  Column& need_column(Table& t, const std::string& name0) {
    std::string name = nm(name0);
    Column* c = t.column(name);
    if (!c) fail("column " + dq(name) + " of relation " + named(t.schema, t.name) + " does not exist");
    return *c;
  }

  // Foreign keys of other tables (or this one) that reference these columns of t.
  std::vector<std::pair<Table*, std::string>> referencing_fks(const Table& t, const std::vector<std::string>* cols) {
    std::vector<std::pair<Table*, std::string>> out;
    for (auto& [sc_key_, sc] : m.schemas) {
      for (auto& [other_key_, other] : sc.tables) {
        for (const auto& c : other.constraints) {
          if (c.kind != ConstraintKind::foreign_key || c.ref_schema != t.schema || c.ref_table != t.name) continue;
          if (cols && c.ref_columns != *cols &&
              std::none_of(c.ref_columns.begin(), c.ref_columns.end(), [&](const std::string& rc) {
                return cols->size() == 1 && rc == cols->front();
              })) {
            continue;
          }
          out.emplace_back(&other, c.name);
        }
      }
    }
    return out;
  }
  void drop_dependents(std::vector<std::pair<Table*, std::string>> deps, bool cascade, const std::string& what,
                       const Table* self) {
    deps.erase(std::remove_if(deps.begin(), deps.end(), [&](const auto& d) { return d.first == self; }), deps.end());
    if (deps.empty()) return;
    if (!cascade) {
      fail("cannot drop " + what + " because constraint " + dq(deps.front().second) + " on table " +
           named(deps.front().first->schema, deps.front().first->name) + " depends on it (use CASCADE)");
    }
    for (auto& [t, name] : deps) {
      std::erase_if(t->constraints, [&](const Constraint& c) { return c.name == name; });
    }
  }

  void drop_column(Table& t, const std::string& name0, bool missing_ok, bool cascade) {
    std::string name = nm(name0);
    if (!t.column(name)) {
      if (missing_ok || t.opaque) return;
      need_column(t, name);
    }
    std::vector<std::string> one{name};
    drop_dependents(referencing_fks(t, &one), cascade, "column " + dq(name) + " of " + named(t.schema, t.name), &t);
    std::string id = norm::ident(name);
    auto uses = [&](const std::vector<std::string>& cols) { return contains(cols, name); };
    std::erase_if(t.constraints, [&](const Constraint& c) {
      if (uses(c.columns) || uses(c.include)) return true;
      if (c.kind == ConstraintKind::foreign_key && c.ref_schema == t.schema && c.ref_table == t.name && uses(c.ref_columns)) return true;
      return (c.kind == ConstraintKind::check || c.kind == ConstraintKind::exclusion) && norm::mentions_identifier(c.expression, name);
    });
    std::erase_if(t.indexes, [&](const Index& i) {
      for (const auto& k : i.keys) {
        if (k.expr == id || (k.is_expression && norm::mentions_identifier(k.expr, name))) return true;
      }
      return uses(i.include) || (!i.predicate.empty() && norm::mentions_identifier(i.predicate, name));
    });
    Schema& sc = *m.schema(t.schema);
    for (auto it = sc.sequences.begin(); it != sc.sequences.end();) {
      it = it->second.owned_by == t.name + "." + name ? sc.sequences.erase(it) : std::next(it);
    }
    std::erase_if(t.columns, [&](const Column& c) { return c.name == name; });
  }

  void alter_table_cmd(Table& t, const json& c) {
    std::string sub = str(c, "subtype");
    std::string name = str(c, "name");
    const json& def = field(c, "def");
    bool missing_ok = flag(c, "missing_ok");
    bool cascade = str(c, "behavior") == "DROP_CASCADE";
    if (sub == "AT_AddColumn") {
      add_column(t, field(def, "ColumnDef"), missing_ok);
    } else if (sub == "AT_DropColumn") {
      drop_column(t, name, missing_ok, cascade);
    } else if (sub == "AT_ColumnDefault") {
      Column& col = need_column(t, name);
      col.default_expr = def.is_null() ? "" : default_value(norm::expr(def, ectx(nullptr, col.type)), col.type);
    } else if (sub == "AT_SetNotNull") {
      need_column(t, name).not_null = true;
    } else if (sub == "AT_DropNotNull") {
      Column& col = need_column(t, name);
      if (const Constraint* pk = t.primary_key(); pk && contains(pk->columns, col.name)) {
        fail("column " + dq(col.name) + " is in a primary key");
      }
      if (!col.identity.empty()) fail("column " + dq(col.name) + " of relation " + named(t.schema, t.name) + " is an identity column");
      col.not_null = false;
    } else if (sub == "AT_AlterColumnType") {
      Column& col = need_column(t, name);
      const json& cd = field(def, "ColumnDef");
      std::string old_type = col.type;
      col.type = column_type(field(cd, "typeName"));
      // PostgreSQL re-coerces the default to the new type. A literal of a user-defined type (an enum label) keeps
      // its type under the new cast: ('USD'::"Currency")::text still depends on the enum, and DROP TYPE ...
      // CASCADE drops it. Built-in types only had implicit coercions, which PostgreSQL strips first.
      if (!col.default_expr.empty() && old_type != col.type && is_user_type(old_type)) {
        col.default_expr = norm::expr_text("(" + col.default_expr + ")::" + old_type, col.type);
      }
      if (const json& cc = field(cd, "collClause"); cc.is_object()) col.collation = collation_name(field(cc, "collname"));
    } else if (sub == "AT_AddConstraint") {
      add_constraints(t, {{field(def, "Constraint"), ""}});
    } else if (sub == "AT_AddIndexConstraint") {
      add_constraint(t, field(def, "Constraint"), "");
    } else if (sub == "AT_DropConstraint") {
      std::string cn = nm(name);
      const Constraint* con = t.constraint(cn);
      if (!con) {
        if (missing_ok) return;
        fail("constraint " + dq(cn) + " of relation " + named(t.schema, t.name) + " does not exist");
      }
      if (con->kind == ConstraintKind::primary_key || con->kind == ConstraintKind::unique) {
        drop_dependents(referencing_fks(t, &con->columns), cascade, "constraint " + dq(cn), &t);
      }
      std::erase_if(t.constraints, [&](const Constraint& x) { return x.name == cn; });
    } else if (sub == "AT_ValidateConstraint") {
      Constraint* con = t.constraint(nm(name));
      if (!con) fail("constraint " + dq(name) + " of relation " + named(t.schema, t.name) + " does not exist");
      con->not_valid = false;
    } else if (sub == "AT_AlterConstraint") {
      const json& cb = field(def, "Constraint");
      Constraint* con = t.constraint(nm(str(cb, "conname")));
      if (!con) fail("constraint " + dq(str(cb, "conname")) + " of relation " + named(t.schema, t.name) + " does not exist");
      con->deferrable = flag(cb, "deferrable");
      con->initially_deferred = flag(cb, "initdeferred");
    } else if (sub == "AT_AddIdentity") {
      Column& col = need_column(t, name);
      if (!col.identity.empty()) fail("column " + dq(col.name) + " is already an identity column");
      col.identity = str(field(def, "Constraint"), "generated_when") == "d" ? "BY DEFAULT" : "ALWAYS";
      col.not_null = true;
    } else if (sub == "AT_SetIdentity") {
      Column& col = need_column(t, name);
      if (col.identity.empty()) fail("column " + dq(col.name) + " is not an identity column");
      for (const auto& o : field(field(def, "List"), "items")) {
        const json& d = field(o, "DefElem");
        if (str(d, "defname") == "generated") col.identity = num(field(field(d, "arg"), "Integer"), "ival", 0) == 'd' ? "BY DEFAULT" : "ALWAYS";
      }
    } else if (sub == "AT_DropIdentity") {
      Column& col = need_column(t, name);
      if (col.identity.empty() && !missing_ok) fail("column " + dq(col.name) + " is not an identity column");
      col.identity.clear();
    } else if (sub == "AT_DropExpression") {
      need_column(t, name).generated.clear();
    } else if (sub == "AT_EnableRowSecurity") {
      t.rls_src = stmt_ref();
      t.rls_enabled = true;
    } else if (sub == "AT_DisableRowSecurity") {
      t.rls_src = stmt_ref();
      t.rls_enabled = false;
    } else if (sub == "AT_ForceRowSecurity") {
      t.rls_src = stmt_ref();
      t.rls_forced = true;
    } else if (sub == "AT_NoForceRowSecurity") {
      t.rls_src = stmt_ref();
      t.rls_forced = false;
    } else if (sub == "AT_SetStatistics" || sub == "AT_SetStorage" || sub == "AT_SetOptions" || sub == "AT_ResetOptions" ||
               sub == "AT_SetCompression") {
      if (!name.empty()) need_column(t, name);
    } else if (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions" || sub == "AT_ChangeOwner" || sub == "AT_ClusterOn" ||
               sub == "AT_DropCluster" || sub == "AT_SetLogged" || sub == "AT_SetUnLogged" || sub == "AT_SetTableSpace" ||
               sub == "AT_ReplicaIdentity" || sub.rfind("AT_EnableTrig", 0) == 0 || sub.rfind("AT_DisableTrig", 0) == 0 ||
               sub.rfind("AT_EnableRule", 0) == 0 || sub.rfind("AT_EnableAlwaysRule", 0) == 0 ||
               sub.rfind("AT_EnableReplicaRule", 0) == 0 || sub == "AT_DisableRule" || sub == "AT_AttachPartition" ||
               sub == "AT_DetachPartition" || sub == "AT_DetachPartitionFinalize" || sub == "AT_AddInherit" ||
               sub == "AT_DropInherit" || sub == "AT_GenericOptions" || sub == "AT_SetAccessMethod" ||
               sub == "AT_AddOf" || sub == "AT_DropOf" || sub == "AT_AlterColumnGenericOptions") {
      // no effect on what the model holds
    } else {
      skip("ALTER TABLE " + sub.substr(3), false);
    }
  }

  // ---- RENAME ----
  void rename_column(Table& t, const std::string& from, const std::string& to) {
    if (t.column(to)) fail("column " + dq(to) + " of relation " + named(t.schema, t.name) + " already exists");
    need_column(t, from).name = to;
    auto fix = [&](std::vector<std::string>& v) {
      for (auto& x : v) {
        if (x == from) x = to;
      }
    };
    auto fix_expr = [&](std::string& e) {
      if (!e.empty()) e = norm::rename_identifier(e, from, to);
    };
    for (auto& c : t.constraints) {
      fix(c.columns);
      fix(c.include);
      if (c.kind == ConstraintKind::check || c.kind == ConstraintKind::exclusion) fix_expr(c.expression);
    }
    std::string old_id = norm::ident(from);
    for (auto& i : t.indexes) {
      for (auto& k : i.keys) {
        if (k.expr == old_id) {
          k.expr = norm::ident(to);
        } else if (k.is_expression) {
          fix_expr(k.expr);
        }
      }
      fix(i.include);
      fix_expr(i.predicate);
    }
    for (auto& col : t.columns) fix_expr(col.generated);
    for (auto& p : t.policies) {
      fix_expr(p.using_expr);
      fix_expr(p.check_expr);
    }
    for (auto& g : t.triggers) {
      fix_expr(g.when);
      for (auto& e : g.events) {
        if (e.rfind("UPDATE OF ", 0) == 0) e = "UPDATE OF " + norm::rename_identifier(e.substr(10), from, to);
      }
    }
    for (auto& [sc_key_, sc] : m.schemas) {
      for (auto& [other_key_, other] : sc.tables) {
        for (auto& c : other.constraints) {
          if (c.kind == ConstraintKind::foreign_key && c.ref_schema == t.schema && c.ref_table == t.name) fix(c.ref_columns);
        }
      }
    }
    for (auto& [seq_key_, seq] : m.schema(t.schema)->sequences) {
      if (seq.owned_by == t.name + "." + from) seq.owned_by = t.name + "." + to;
    }
  }

  void rename_relation(const std::string& s, const std::string& from, const std::string& to, const std::string& expect) {
    Schema& sc = *m.schema(s);
    std::string kind = sc.relation_kind(from);
    if (kind.empty()) fail("relation " + named(s, from) + " does not exist");
    if (!expect.empty() && kind != expect && !(expect == "table")) {
      fail(named(s, from) + " is a " + kind + ", not a " + expect);
    }
    check_new_relation(s, to);
    if (kind == "table") {
      auto node = sc.tables.extract(from);
      node.key() = to;
      node.mapped().name = to;
      sc.tables.insert(std::move(node));
      for (auto& [other_sc_key_, other_sc] : m.schemas) {
        for (auto& [other_key_, other] : other_sc.tables) {
          for (auto& c : other.constraints) {
            if (c.kind == ConstraintKind::foreign_key && c.ref_schema == s && c.ref_table == from) c.ref_table = to;
          }
        }
      }
      for (auto& [seq_key_, seq] : sc.sequences) {
        if (seq.owned_by.rfind(from + ".", 0) == 0) seq.owned_by = to + seq.owned_by.substr(from.size());
      }
    } else if (kind == "view" || kind == "materialized view") {
      auto node = sc.views.extract(from);
      node.key() = to;
      node.mapped().name = to;
      sc.views.insert(std::move(node));
    } else if (kind == "sequence") {
      auto node = sc.sequences.extract(from);
      node.key() = to;
      node.mapped().name = to;
      sc.sequences.insert(std::move(node));
      // Defaults hold the sequence by oid: PostgreSQL prints the new name.
      std::string old_lit = "nextval('" + q(s, from) + "'::regclass)";
      std::string new_lit = "nextval('" + q(s, to) + "'::regclass)";
      for (auto& [t_key_, t] : sc.tables) {
        for (auto& c : t.columns) {
          if (c.default_expr == old_lit) c.default_expr = new_lit;
        }
      }
    } else {
      auto ref = m.find_index(s, from);
      if (ref.index) {
        ref.index->name = to;
      } else {
        for (auto& [t_key_, t] : sc.tables) {
          if (Constraint* c = t.constraint(from)) c->name = to;  // the index of a primary key or unique constraint
        }
      }
    }
  }

  void rename_type(const std::string s, const std::string from, const std::string& to) {  // copies: the type moves
    Schema& sc = *m.schema(s);
    if (sc.types.count(to)) fail("type " + named(s, to) + " already exists");
    auto node = sc.types.extract(from);
    node.key() = to;
    node.mapped().name = to;
    sc.types.insert(std::move(node));
    retype_columns(q(s, from), q(s, to));
  }
  void retype_columns(const std::string& from, const std::string& to) {
    for (auto& [other_key_, other] : m.schemas) {
      for (auto& [t_key_, t] : other.tables) {
        for (auto& c : t.columns) {
          if (c.type == from) c.type = to;
          if (c.type == from + "[]") c.type = to + "[]";
        }
      }
    }
  }

  void rename(const json& b) {
    std::string type = str(b, "renameType");
    std::string to = nm(str(b, "newname"));
    bool missing_ok = flag(b, "missing_ok");
    const json& rv = field(b, "relation");
    if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" ||
        type == "OBJECT_INDEX" || type == "OBJECT_FOREIGN_TABLE") {
      auto [s, n] = resolve_relation(rangevar_parts(rv));
      if (!m.schema(s) || m.schema(s)->relation_kind(n).empty()) {
        if (missing_ok) return;
        fail("relation " + named(s, n) + " does not exist");
      }
      std::string expect = type == "OBJECT_VIEW"      ? "view"
                           : type == "OBJECT_MATVIEW" ? "materialized view"
                           : type == "OBJECT_SEQUENCE" ? "sequence"
                           : type == "OBJECT_INDEX"    ? "index"
                                                       : "table";
      rename_relation(s, n, to, expect);
    } else if (type == "OBJECT_COLUMN") {
      auto [s, n] = resolve_relation(rangevar_parts(rv));
      Table* t = m.table(s, n);
      if (!t) {
        const Schema* sc = m.schema(s);
        if (sc && sc->views.count(n)) return;  // view columns are not modeled
        if (missing_ok) return;
        fail("relation " + named(s, n) + " does not exist");
      }
      rename_column(*t, nm(str(b, "subname")), to);
    } else if (type == "OBJECT_TABCONSTRAINT") {
      Table* t = find_table(rv, missing_ok);
      if (!t) return;
      std::string from = nm(str(b, "subname"));
      Constraint* c = t->constraint(from);
      if (!c) fail("constraint " + dq(from) + " for table " + named(t->schema, t->name) + " does not exist");
      if (t->constraint(to)) fail("constraint " + dq(to) + " for relation " + named(t->schema, t->name) + " already exists");
      if (c->kind != ConstraintKind::check && c->kind != ConstraintKind::foreign_key) check_new_relation(t->schema, to);
      c->name = to;
    } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      Type* ty = find_type(drop_object_parts(field(b, "object")), missing_ok);
      if (!ty) return;
      rename_type(ty->schema, ty->name, to);
    } else if (type == "OBJECT_SCHEMA") {
      std::string from = str(b, "subname");
      if (!m.schema(from)) fail("schema " + dq(from) + " does not exist");
      if (m.schema(to)) fail("schema " + dq(to) + " already exists");
      auto node = m.schemas.extract(from);
      node.key() = to;
      Schema& sc = node.mapped();
      sc.name = to;
      for (auto& [t_key_, t] : sc.tables) t.schema = to;
      for (auto& [x_key_, x] : sc.types) x.schema = to;
      for (auto& [x_key_, x] : sc.sequences) x.schema = to;
      for (auto& [x_key_, x] : sc.views) x.schema = to;
      m.schemas.insert(std::move(node));
      for (auto& [other_key_, other] : m.schemas) {
        for (auto& [t_key_, t] : other.tables) {
          for (auto& c : t.constraints) {
            if (c.ref_schema == from) c.ref_schema = to;
          }
        }
      }
      for (const auto& [tn, ty] : m.schemas[to].types) retype_columns(q(from, tn), q(to, tn));
    } else if (type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY") {
      Table* t = find_table(rv, missing_ok);
      if (!t) return;
      std::string from = nm(str(b, "subname"));
      bool trig = type == "OBJECT_TRIGGER";
      if (trig ? !t->trigger(from) : !t->policy(from)) {
        fail(std::string(trig ? "trigger " : "policy ") + dq(from) + " for table " + named(t->schema, t->name) + " does not exist");
      }
      if (trig ? t->trigger(to) != nullptr : t->policy(to) != nullptr) {
        fail(std::string(trig ? "trigger " : "policy ") + dq(to) + " for table " + named(t->schema, t->name) + " already exists");
      }
      if (trig) {
        t->trigger(from)->name = to;
      } else {
        t->policy(from)->name = to;
      }
    } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
      Function* f = find_function(field(field(b, "object"), "ObjectWithArgs"), missing_ok, nullptr);
      if (!f) return;
      Schema& sc = *m.schema(f->schema);
      Function copy = *f;
      sc.functions.erase(f->signature());
      copy.name = to;
      if (sc.functions.count(copy.signature())) fail("function " + copy.signature() + " already exists");
      sc.functions[copy.signature()] = copy;
    } else {
      skip("ALTER " + object_type_word(type) + " RENAME", false);
    }
  }

  void alter_object_schema(const json& b) {
    std::string type = str(b, "objectType");
    std::string to = str(b, "newschema");
    bool missing_ok = flag(b, "missing_ok");
    if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE") {
      auto [s, n] = resolve_relation(rangevar_parts(field(b, "relation")));
      Schema* from = m.schema(s);
      if (!from || from->relation_kind(n).empty()) {
        if (missing_ok) return;
        fail("relation " + named(s, n) + " does not exist");
      }
      Schema* dest = m.schema(to);
      if (!dest) fail("schema " + dq(to) + " does not exist");
      check_new_relation(to, n);
      if (from->tables.count(n)) {
        auto node = from->tables.extract(n);
        node.mapped().schema = to;
        dest->tables.insert(std::move(node));
        for (auto& [sc_key_, sc] : m.schemas) {
          for (auto& [t_key_, t] : sc.tables) {
            for (auto& c : t.constraints) {
              if (c.kind == ConstraintKind::foreign_key && c.ref_schema == s && c.ref_table == n) c.ref_schema = to;
            }
          }
        }
        for (auto it = from->sequences.begin(); it != from->sequences.end();) {
          if (it->second.owned_by.rfind(n + ".", 0) == 0) {
            auto sn = from->sequences.extract(it++);
            sn.mapped().schema = to;
            dest->sequences.insert(std::move(sn));
          } else {
            ++it;
          }
        }
      } else if (from->views.count(n)) {
        auto node = from->views.extract(n);
        node.mapped().schema = to;
        dest->views.insert(std::move(node));
      } else if (from->sequences.count(n)) {
        auto node = from->sequences.extract(n);
        node.mapped().schema = to;
        dest->sequences.insert(std::move(node));
      }
    } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      Type* ty = find_type(drop_object_parts(field(b, "object")), missing_ok);
      if (!ty) return;
      Schema* dest = m.schema(to);
      if (!dest) fail("schema " + dq(to) + " does not exist");
      if (dest->types.count(ty->name)) fail("type " + named(to, ty->name) + " already exists");
      std::string s = ty->schema;
      std::string n = ty->name;
      auto node = m.schema(s)->types.extract(n);
      node.mapped().schema = to;
      dest->types.insert(std::move(node));
      retype_columns(q(s, n), q(to, n));
    } else if (type == "OBJECT_EXTENSION") {
      std::string n = str(field(b, "object"), "sval");
      if (auto it = m.extensions.find(n); it != m.extensions.end()) it->second.schema = to;
    } else {
      skip("ALTER " + object_type_word(type) + " SET SCHEMA", false);
    }
  }

  // ---- DROP ----
  void drop(const json& b) {
    std::string type = str(b, "removeType");
    bool missing_ok = flag(b, "missing_ok");
    bool cascade = str(b, "behavior") == "DROP_CASCADE";
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
        for (auto& [tn, t] : sc->tables) drop_dependents(referencing_fks(t, nullptr), true, "", nullptr);
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
          for (auto& [t_key_, t] : sc.tables) {
            for (const auto& g : t.triggers) {
              if (g.function.rfind(fname + "(", 0) == 0 && !cascade) {
                fail("cannot drop function " + f->signature() + " because trigger " + dq(g.name) + " on table " +
                     named(t.schema, t.name) + " depends on it (use CASCADE)");
              }
            }
            if (cascade) std::erase_if(t.triggers, [&](const Trigger& g) { return g.function.rfind(fname + "(", 0) == 0; });
          }
        }
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

  void drop_relation(const std::string& type, const std::vector<std::string>& parts, bool missing_ok, bool cascade) {
    auto [s, n] = resolve_relation(parts);
    Schema* sc = m.schema(s);
    std::string kind = sc ? sc->relation_kind(n) : "";
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
    if (kind == "table") {
      Table& t = sc->tables[n];
      drop_dependents(referencing_fks(t, nullptr), cascade, "table " + named(s, n), &t);
      for (auto it = sc->sequences.begin(); it != sc->sequences.end();) {
        it = it->second.owned_by.rfind(n + ".", 0) == 0 ? sc->sequences.erase(it) : std::next(it);
      }
      sc->tables.erase(n);
    } else if (kind == "view" || kind == "materialized view") {
      sc->views.erase(n);
    } else if (kind == "sequence") {
      std::string lit = "nextval('" + q(s, n) + "'::regclass)";
      for (auto& [t_key_, t] : sc->tables) {
        for (auto& c : t.columns) {
          if (c.default_expr != lit) continue;
          if (!cascade) {
            fail("cannot drop sequence " + named(s, n) + " because the default of column " + dq(c.name) +
                 " of table " + named(s, t.name) + " depends on it (use CASCADE)");
          }
          c.default_expr.clear();
        }
      }
      sc->sequences.erase(n);
    } else {
      auto ref = m.find_index(s, n);
      if (!ref.index) fail("cannot drop index " + named(s, n) + " because a constraint requires it (drop the constraint)");
      std::string name = ref.index->name;
      auto& list = ref.table ? ref.table->indexes : ref.view->indexes;
      std::erase_if(list, [&](const Index& i) { return i.name == name; });
    }
  }

  void drop_type(const std::string s, const std::string n, bool cascade) {  // copies: the type is erased
    std::string t1 = q(s, n);
    for (auto& [sc_key_, sc] : m.schemas) {
      for (auto& [t_key_, t] : sc.tables) {
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

  // ---- dispatch ----
  void create_schema(const json& b) {
    std::string n = str(b, "schemaname");
    if (n.empty()) n = str(field(b, "authrole"), "rolename");
    if (m.schema(n)) {
      if (flag(b, "if_not_exists")) return;
      fail("schema " + dq(n) + " already exists");
    }
    Schema& sc = m.schemas[n];
    sc.name = n;
    sc.src = stmt_ref();
    if (const json& elts = field(b, "schemaElts"); elts.is_array()) {
      auto saved = search_path;
      search_path = {n};
      try {
        for (const auto& e : elts) dispatch(e);
      } catch (...) {
        search_path = saved;
        throw;
      }
      search_path = saved;
    }
  }

  void create_extension(const json& b) {
    std::string n = str(b, "extname");
    if (m.extensions.count(n)) {
      if (flag(b, "if_not_exists")) return;
      fail("extension " + dq(n) + " already exists");
    }
    Extension e;
    e.name = n;
    e.src = stmt_ref();
    e.schema = creation_schema();  // without WITH SCHEMA: the first schema of the search path
    for (const auto& o : field(b, "options")) {
      const json& d = field(o, "DefElem");
      if (str(d, "defname") == "schema") {
        e.schema = str(field(field(d, "arg"), "String"), "sval");
        if (!m.schema(e.schema)) fail("schema " + dq(e.schema) + " does not exist");
      }
    }
    m.extensions[n] = e;
  }

  void set_variable(const json& b) {
    if (str(b, "name") != "search_path") return;
    std::string kind = str(b, "kind");
    if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
      search_path = {"public"};
      return;
    }
    std::vector<std::string> path;
    for (const auto& a : field(b, "args")) {
      const json& c = field(a, "A_Const");
      std::string v = str(field(c, "sval"), "sval");
      std::stringstream ss(v);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.size() >= 2 && item.front() == '"') item = item.substr(1, item.size() - 2);
        if (!item.empty() && item != "$user" && item != "pg_catalog") path.push_back(item);
      }
    }
    search_path = path.empty() ? std::vector<std::string>{"public"} : path;
  }

  // Applies one statement node. Returns false when the model does not represent this kind of statement.
  bool dispatch(const json& node) {
    std::string k = node_type(node);
    const json& b = unwrap(node);
    if (k == "CreateStmt") create_table(b);
    else if (k == "CreateTableAsStmt") create_table_as(b);
    else if (k == "ViewStmt") create_view(b);
    else if (k == "IndexStmt") create_index(b);
    else if (k == "AlterTableStmt") alter_table(b);
    else if (k == "RenameStmt") rename(b);
    else if (k == "AlterObjectSchemaStmt") alter_object_schema(b);
    else if (k == "DropStmt") drop(b);
    else if (k == "CreateSchemaStmt") create_schema(b);
    else if (k == "CreateEnumStmt") create_enum(b);
    else if (k == "AlterEnumStmt") alter_enum(b);
    else if (k == "CompositeTypeStmt") create_composite(b);
    else if (k == "CreateDomainStmt") create_domain(b);
    else if (k == "CreateRangeStmt") create_range(b);
    else if (k == "CreateSeqStmt") create_sequence(b);
    else if (k == "AlterSeqStmt") alter_sequence(b);
    else if (k == "CreateFunctionStmt") create_function(b);
    else if (k == "CreateTrigStmt") create_trigger(b);
    else if (k == "CreatePolicyStmt") create_policy(b);
    else if (k == "AlterPolicyStmt") alter_policy(b);
    else if (k == "CreateExtensionStmt") create_extension(b);
    else if (k == "VariableSetStmt") set_variable(b);
    else if (k == "SelectStmt" && field(b, "intoClause").is_object()) select_into(b);
    else return false;
    return true;
  }

  void apply(const Statement& s, std::size_t index, const std::vector<Statement>& all) {
    st = &s;
    const std::string& k = s.kind;
    if (k == "DoStmt") {
      // The statements of the block follow it (do_depth deeper); the block itself is only listed when none could
      // be read from it.
      bool has_inner = index + 1 < all.size() && all[index + 1].do_depth > s.do_depth;
      if (!has_inner) skip(describe_kind(k), false);
      return;
    }
    if (no_effect_kind(k)) {
      skip(k == "CommentStmt" ? "COMMENT" : describe_kind(k), true);
      return;
    }
    try {
      if (dispatch(s.node)) {
        ++r.applied_;
      } else {
        skip(describe_kind(k), false);
      }
    } catch (const Failure& f) {
      report(f);
    }
  }
};

void Replayer::apply_file(const SourceFile& file, const ParsedFile& parsed, std::vector<Finding>& findings) {
  std::size_t first = findings.size();
  Impl impl(*this, findings);
  LineMap lines(file.text);
  impl.file = file.path;
  impl.text = file.text;
  impl.lines = &lines;
  for (const auto& e : parsed.errors) {
    Finding f;
    f.rule = kReplayError;
    f.category = "drift";
    f.severity = Severity::error;
    f.file = file.path;
    f.span = e.span;
    f.start = lines.position(e.span.begin);
    f.end = lines.position(e.span.end);
    f.message = "statement does not parse, so the schema after it is unknown: " + e.message;
    f.help = "Fix the syntax error (driftguard parses with PostgreSQL 15's grammar).";
    findings.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < parsed.statements.size(); ++i) impl.apply(parsed.statements[i], i, parsed.statements);
  model_.schemas.erase(kTemp);  // the session ends with the file
  // Syntax errors were reported first: put this file's findings in source order.
  std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
}

void Replayer::apply_sql(const std::string& sql, const SourceRef& origin, std::vector<Finding>& findings) {
  ParsedFile parsed = parse_sql(sql);
  Impl impl(*this, findings);
  impl.origin = origin;
  impl.text = sql;
  impl.file = origin.file;
  for (const auto& e : parsed.errors) {
    impl.st = nullptr;
    impl.error("generated SQL does not parse: " + e.message);
  }
  for (std::size_t i = 0; i < parsed.statements.size(); ++i) impl.apply(parsed.statements[i], i, parsed.statements);
  model_.schemas.erase(kTemp);  // the session ends with the file
}

}  // namespace driftguard::model
