#include "introspect/catalog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "analyzer/model/normalize.hpp"
#include "analyzer/model/replay.hpp"

namespace driftguard::catalog {

using model::SchemaModel;
using json = nlohmann::json;

const std::vector<std::string>& platform_schemas() {
  static const std::vector<std::string> names = {
      "auth",  "storage",  "realtime",           "extensions",         "graphql", "graphql_public",
      "vault", "pgsodium", "supabase_migrations", "supabase_functions", "net",     "cron"};
  return names;
}

namespace {

// ---- small helpers ----

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }
bool boolean(const pqxx::field& f) { return !f.is_null() && f.c_str()[0] == 't'; }
json json_of(const pqxx::field& f) {
  if (f.is_null()) return json::array();
  json j = json::parse(f.c_str(), nullptr, false);
  return j.is_discarded() ? json::array() : j;
}
std::vector<std::string> strings_of(const pqxx::field& f) {
  std::vector<std::string> out;
  for (const auto& v : json_of(f)) out.push_back(v.is_string() ? v.get<std::string>() : std::string());
  return out;
}
std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}
std::string qualified_for_sql(const std::string& schema, const std::string& name) {
  // always qualified: the scratch replayer must not guess the schema
  return norm::ident(schema) + "." + norm::ident(name);
}
std::string literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}
// $tag$...$tag$ with a tag that does not occur in the text.
std::string dollar_quoted(const std::string& s) {
  std::string tag = "body";
  for (int i = 0; s.find("$" + tag + "$") != std::string::npos; ++i) tag = "body" + std::to_string(i);
  return "$" + tag + "$" + s + "$" + tag + "$";
}

// Runs one catalog query; a failure names the object kind it was reading.
pqxx::result run(pqxx::transaction_base& tx, const char* what, const std::string& sql) {
  try {
    return tx.exec(sql);
  } catch (const pqxx::sql_error& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw std::runtime_error("reading " + std::string(what) + " from the catalog failed: " + db::redact(msg));
  }
}

// A relation the reader keeps track of by oid.
struct Rel {
  std::string schema;
  std::string name;
  char kind = 'r';
  model::Grants grants;  // views take theirs when views() builds them
};

// The privileges of an object as SQL: a JSON array of [grantee, privilege, grantable], PUBLIC as "PUBLIC", the
// owner's entry left out (model.hpp's Grants). A null ACL is PostgreSQL's default for the object (acldefault:
// PUBLIC=X for functions, the owner alone otherwise).
std::string acl_json(const std::string& acl, char kind, const std::string& owner) {
  return "(SELECT COALESCE(json_agg(json_build_array(CASE WHEN x.grantee = 0 THEN 'PUBLIC' "
         "ELSE pg_get_userbyid(x.grantee)::text END, x.privilege_type, x.is_grantable)), '[]') "
         "FROM aclexplode(COALESCE(" + acl + ", acldefault('" + std::string(1, kind) + "', " + owner + "))) x "
         "WHERE x.grantee <> " + owner + ")";
}

model::Grants grants_of(const pqxx::field& f) {
  model::Grants g;
  for (const auto& e : nlohmann::json::parse(text(f))) {
    model::grant(g, e[0].get<std::string>(), model::privilege_letter(e[1].get<std::string>()), e[2].get<bool>());
  }
  return g;
}

// Applies SQL that PostgreSQL printed (pg_get_indexdef, pg_get_triggerdef, pg_get_constraintdef, ...) to a
// scratch model holding only what the statements need, so that the text is normalized by exactly the code that
// replays migrations. A statement that does not apply is a bug in driftguard, never silently dropped.
class Scratch {
 public:
  void apply(const std::string& sql, const std::string& what) {
    std::vector<Finding> findings;
    std::size_t skipped = r_.skipped().size();
    r_.apply_sql(sql, SourceRef{}, findings);
    if (!findings.empty()) {
      throw std::runtime_error("cannot model " + what + " as read from the catalog: " + findings.front().message +
                               " (statement: " + sql + ")");
    }
    for (std::size_t i = skipped; i < r_.skipped().size(); ++i) {
      if (!r_.skipped()[i].no_effect) {
        throw std::runtime_error("cannot model " + what + " as read from the catalog: " + r_.skipped()[i].what);
      }
    }
  }
  SchemaModel& model() { return r_.model(); }
  void set_relation_fallback(norm::RelationLookup lookup) { r_.set_relation_fallback(std::move(lookup)); }
  model::Schema& schema(const std::string& name) {
    auto& s = r_.model().schemas[name];
    s.name = name;
    return s;
  }
  // Runs `sql` with this table moved into the scratch model; the table comes back with what the SQL added.
  void on_table(model::Table& t, const std::string& sql, const std::string& what) {
    auto& s = schema(t.schema);
    std::string name = t.name;
    s.tables.put(name, std::move(t));
    try {
      apply(sql, what);
    } catch (...) {
      t = std::move(s.tables[name]);
      s.tables.clear();
      throw;
    }
    std::string key = s.tables.begin()->first;
    t = s.tables.take(key);
    s.tables.clear();
  }

 private:
  model::Replayer r_;
};

std::string oid_list(const std::vector<std::string>& oids) {
  if (oids.empty()) return "(NULL)";
  return "(" + join(oids, ", ") + ")";
}

// "search_path=public, \"$user\"" -> SET search_path = 'public', '$user' (list settings are split into their
// elements, as SET with several values is written).
std::string set_option(const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos) return "SET " + entry;
  std::string name = entry.substr(0, eq);
  std::string value = entry.substr(eq + 1);
  static const std::set<std::string> lists = {"search_path", "temp_tablespaces", "session_preload_libraries",
                                              "shared_preload_libraries", "local_preload_libraries"};
  if (!lists.count(name)) return "SET " + name + " = " + literal(value);
  std::vector<std::string> items;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"') {
      if (quoted && i + 1 < value.size() && value[i + 1] == '"') {
        cur += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      items.push_back(cur);
      cur.clear();
    } else if (c == ' ' && !quoted && cur.empty()) {
      // separator space
    } else {
      cur += c;
    }
  }
  items.push_back(cur);
  std::vector<std::string> lits;
  for (const auto& it : items) lits.push_back(literal(it));
  return "SET " + name + " = " + join(lits, ", ");
}

class Reader {
 public:
  Reader(pqxx::transaction_base& tx, const Options& o) : tx_(tx), o_(o) {}

  SchemaModel read() {
    // Types and expressions print unqualified exactly when they live in public or pg_catalog, as the model
    // stores them. set_config(..., true) lasts until the end of this transaction; nothing is written.
    // Timestamps with time zone print in UTC, as the normalizer writes them.
    run(tx_, "settings", "SELECT set_config('search_path', 'public', true), set_config('TimeZone', 'UTC', true)");
    // View queries and policy sub-selects are normalized against the relations they read (the column types
    // decide which casts PostgreSQL added): those already read into the model. The search path is public.
    scratch_.set_relation_fallback([this](const std::vector<std::string>& parts) -> std::optional<norm::RelationInfo> {
      std::string s = parts.size() >= 2 ? parts[parts.size() - 2] : "public";
      const std::string& n = parts.back();
      auto sit = m_.schemas.find(s);
      if (sit == m_.schemas.end()) return std::nullopt;
      norm::RelationInfo info{s, n, {}};
      if (auto t = sit->second.tables.find(n); t != sit->second.tables.end()) {
        for (const auto& c : t->second.columns) info.columns.push_back({c.name, c.type});
        return info;
      }
      if (auto v = sit->second.views.find(n); v != sit->second.views.end() && v->second.resolved) {
        for (const auto& [cn, ct] : v->second.columns) info.columns.push_back({cn, ct});
        return info;
      }
      return std::nullopt;
    });
    schemas();
    extensions();
    relations();
    columns();
    partitions();
    inheritance();
    types();
    constraints();
    views();  // before indexes(): materialized views have indexes
    indexes();
    triggers();
    policies();
    functions();
    comments();
    default_privileges();
    return std::move(m_);
  }

 private:
  pqxx::transaction_base& tx_;
  const Options& o_;
  SchemaModel m_;
  Scratch scratch_;
  std::vector<std::string> schema_oids_;
  std::unordered_map<std::string, Rel> rels_;  // oid -> relation
  std::string in_schemas() const { return oid_list(schema_oids_); }
  // Normalizing parses the text; a database repeats the same few types and defaults thousands of times.
  std::unordered_map<std::string, std::string> types_;
  std::map<std::pair<std::string, std::string>, std::string> defaults_;
  const std::string& type_text(const std::string& printed) {
    auto it = types_.find(printed);
    if (it == types_.end()) it = types_.emplace(printed, norm::type_text(printed)).first;
    return it->second;
  }
  const std::string& default_text(const std::string& printed, const std::string& type) {
    auto key = std::make_pair(printed, type);
    auto it = defaults_.find(key);
    if (it == defaults_.end()) {
      std::string d = norm::expr_text(printed, type);
      // a stored null default (NULL::character varying, NULL::integer for a domain) is NULL, as replay keeps it
      if (d.rfind("NULL::", 0) == 0) d = "NULL";
      it = defaults_.emplace(key, d).first;
    }
    return it->second;
  }
  // The objects of extensions, by catalog.
  static std::string not_extension_member(const std::string& catalog, const std::string& oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" + catalog + "'::regclass AND e.objid = " + oid +
           " AND e.deptype = 'e')";
  }
  model::Table* table(const std::string& oid) {
    auto it = rels_.find(oid);
    if (it == rels_.end() || (it->second.kind != 'r' && it->second.kind != 'p')) return nullptr;
    return m_.table(it->second.schema, it->second.name);
  }

  void schemas() {
    auto rows = run(tx_, "schemas",
                    "SELECT n.oid, n.nspname, " + acl_json("n.nspacl", 'n', "n.nspowner") + " FROM pg_namespace n "
                    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)' "
                    "AND " + not_extension_member("pg_namespace", "n.oid") + " ORDER BY n.nspname");
    const auto& platform = platform_schemas();
    std::set<std::string> wanted(o_.schemas.begin(), o_.schemas.end());
    std::set<std::string> found;
    m_.schemas.clear();
    for (const auto& row : rows) {
      std::string name = text(row[1]);
      bool take = wanted.empty()
                      ? (o_.include_platform || std::find(platform.begin(), platform.end(), name) == platform.end() ||
                         std::find(o_.also.begin(), o_.also.end(), name) != o_.also.end())
                      : wanted.count(name) > 0;
      if (!take) continue;
      found.insert(name);
      schema_oids_.push_back(text(row[0]));
      m_.schemas[name].name = name;
      m_.schemas[name].grants = grants_of(row[2]);
    }
    for (const auto& w : wanted) {
      if (!found.count(w)) throw std::runtime_error("schema \"" + w + "\" does not exist in the database (or belongs to an extension)");
    }
  }

  void extensions() {
    auto rows = run(tx_, "extensions",
                    "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extnamespace IN " + in_schemas());
    for (const auto& row : rows) {
      model::Extension e;
      e.name = text(row[0]);
      e.schema = text(row[1]);
      m_.extensions[e.name] = e;
    }
  }

  // Tables, partitions, views, materialized views and sequences.
  void relations() {
    auto rows = run(tx_, "relations",
                    "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, "
                    "  CASE WHEN c.relkind = 'S' THEN format_type(s.seqtypid, NULL) END, "
                    "  CASE WHEN c.relkind = 'S' THEN (SELECT d.deptype::text || ' ' || oc.relname::text || '.' || oa.attname "
                    "    FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid "
                    "    JOIN pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid "
                    "    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass "
                    "      AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') AND oc.relnamespace = c.relnamespace LIMIT 1) END, "
                    "  array_to_json(c.reloptions), array_to_json(tc.reloptions), "
                    "  CASE WHEN c.relkind = 'S' THEN " + acl_json("c.relacl", 's', "c.relowner") + " ELSE " +
                        acl_json("c.relacl", 'r', "c.relowner") + " END "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "LEFT JOIN pg_sequence s ON s.seqrelid = c.oid "
                    "LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                    "AND " + not_extension_member("pg_class", "c.oid"));
    for (const auto& row : rows) {
      Rel rel{text(row[1]), text(row[2]), text(row[3])[0], grants_of(row[10])};
      if (rel.kind == 'r' || rel.kind == 'p') {
        if (rel.schema == "public" && rel.name == "_prisma_migrations" && !o_.include_platform &&
            std::find(o_.schemas.begin(), o_.schemas.end(), "public") == o_.schemas.end()) {
          continue;  // Prisma's migration history; --schema public or include_platform reads it
        }
        model::Table t;
        t.schema = rel.schema;
        t.name = rel.name;
        t.rls_enabled = boolean(row[4]);
        t.rls_forced = boolean(row[5]);
        t.grants = rel.grants;
        // Storage parameters ("fillfactor=70"); the TOAST table's as "toast.x", as they are written.
        for (const auto& [list, prefix] : {std::pair{8, ""}, std::pair{9, "toast."}}) {
          for (const auto& o : strings_of(row[list])) {
            auto eq = o.find('=');
            t.options[prefix + o.substr(0, eq)] = eq == std::string::npos ? "true" : o.substr(eq + 1);
          }
        }
        m_.schemas[rel.schema].tables[rel.name] = std::move(t);
      } else if (rel.kind == 'S') {
        std::string owner = text(row[7]);
        if (owner.rfind("i ", 0) == 0) continue;  // the sequence of an identity column is part of the column
        model::Sequence s;
        s.schema = rel.schema;
        s.name = rel.name;
        s.type = norm::type_text(text(row[6]));
        if (!owner.empty()) s.owned_by = owner.substr(2);
        s.grants = rel.grants;
        m_.schemas[rel.schema].sequences[rel.name] = s;
      }
      rels_[text(row[0])] = rel;
    }
  }

  void columns() {
    auto rows = run(tx_, "columns",
                    "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                    "  pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, "
                    "  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN cn.nspname END, "
                    "  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END, " +
                        acl_json("a.attacl", 'c', "c.relowner") +
                        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid "
                    "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
                    "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
                    "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p') "
                    "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum");
    struct Generated {
      model::Table* table;
      std::string column;
      std::string expr;
    };
    std::vector<Generated> generated;
    for (const auto& row : rows) {
      model::Table* t = table(text(row[0]));
      if (!t) continue;
      model::Column c;
      c.name = text(row[1]);
      c.type = type_text(text(row[2]));
      c.not_null = boolean(row[3]);
      std::string identity = text(row[5]);
      if (identity == "a") c.identity = "ALWAYS";
      if (identity == "d") c.identity = "BY DEFAULT";
      std::string def = text(row[4]);
      if (text(row[6]) == "s") {
        generated.push_back({t, text(row[1]), def});  // needs every column's type
      } else if (!def.empty()) {
        // `schema --from database:` prints it as PostgreSQL does (now(), ARRAY[]::text[]); drift compares the canonical.
        const std::string& canonical = default_text(def, c.type);
        c.set_default(canonical, norm::default_spelling_text(def, c.type, canonical));
      }
      if (!row[8].is_null()) {
        c.collation = text(row[7]) == "pg_catalog" || text(row[7]) == "public"
                          ? norm::ident(text(row[8]))
                          : norm::ident(text(row[7])) + "." + norm::ident(text(row[8]));
      }
      if (model::Grants g = grants_of(row[9]); !g.empty()) c.edit().grants = std::move(g);
      t->columns.push_back(std::move(c));
    }
    // generated columns, with the table's column types for implicit casts
    for (const auto& g : generated) {
      auto types = g.table->column_types();
      if (model::Column* c = g.table->column(g.column)) c->edit().generated = norm::expr_text(g.expr, "", &types);
    }
  }

  // Partition keys and bounds: PostgreSQL's text (pg_get_partkeydef, pg_get_expr of relpartbound) normalized by
  // replaying it, parents first, into a scratch model of the partitioned tables (a bound is read with the types of
  // its parent's key).
  void partitions() {
    auto rows = run(tx_, "partitions",
                    "SELECT c.oid, CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
                    "  CASE WHEN c.relispartition THEN (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid) END, "
                    "  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END "
                    "FROM pg_class c WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p') "
                    "AND (c.relkind = 'p' OR c.relispartition)");
    struct Part {
      std::string key;
      std::string parent;  // oid
      std::string bound;
    };
    std::map<std::string, Part> parts;
    for (const auto& row : rows) parts[text(row[0])] = Part{text(row[1]), text(row[2]), text(row[3])};
    Scratch scratch;
    std::set<std::string> done;
    std::function<void(const std::string&)> put = [&](const std::string& oid) {
      model::Table* t = table(oid);
      if (!t || !done.insert(oid).second) return;
      const Part& p = parts[oid];
      model::Table* parent = p.parent.empty() ? nullptr : table(p.parent);
      if (parent) put(p.parent);
      std::string sql = "CREATE TABLE " + qualified_for_sql(t->schema, t->name);
      if (parent) {
        sql += " PARTITION OF " + qualified_for_sql(parent->schema, parent->name) + " " + p.bound;
      } else {
        std::vector<std::string> cols;
        for (const auto& c : t->columns) cols.push_back(norm::ident(c.name) + " " + c.type);
        sql += " (" + join(cols, ", ") + ")";
      }
      if (!p.key.empty()) sql += " PARTITION BY " + p.key;
      scratch.schema(t->schema);
      scratch.apply(sql, "the partitioning of " + t->schema + "." + t->name);
      const model::Table* got = scratch.model().table(t->schema, t->name);
      t->partition_by = got->partition_by;
      t->parent_schema = got->parent_schema;
      t->parent_table = got->parent_table;
      t->partition_bound = got->partition_bound;
    };
    for (const auto& [oid, p] : parts) put(oid);
  }

  // INHERITS: the parents of each table that is not a partition, in inhseqno order (a parent may be in a schema
  // that is not read: its name is kept all the same).
  void inheritance() {
    auto rows = run(tx_, "inheritance",
                    "SELECT i.inhrelid, pn.nspname, p.relname FROM pg_inherits i "
                    "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                    "JOIN pg_namespace pn ON pn.oid = p.relnamespace "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind = 'r' AND NOT c.relispartition "
                    "ORDER BY i.inhrelid, i.inhseqno");
    for (const auto& row : rows) {
      if (model::Table* t = table(text(row[0]))) t->inherits.emplace_back(text(row[1]), text(row[2]));
    }
  }

  void types() {
    auto rows = run(tx_, "types",
                    "SELECT n.nspname, t.typname, t.typtype, "
                    "  CASE WHEN t.typtype = 'e' THEN array_to_json(ARRAY(SELECT e.enumlabel::text FROM pg_enum e "
                    "    WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)) END, "
                    "  CASE WHEN t.typtype = 'c' THEN array_to_json(ARRAY(SELECT json_build_array(a.attname, "
                    "    format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a WHERE a.attrelid = t.typrelid "
                    "    AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)) END, "
                    "  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
                    "  t.typnotnull, pg_get_expr(t.typdefaultbin, 0), "
                    "  CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation "
                    "    THEN json_build_array(cn.nspname, co.collname) END, "
                    "  CASE WHEN t.typtype = 'd' THEN array_to_json(ARRAY(SELECT json_build_array(k.conname, "
                    "    pg_get_expr(k.conbin, 0)) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' "
                    "    ORDER BY k.oid)) END, "
                    "  CASE WHEN t.typtype = 'r' THEN (SELECT json_build_array(format_type(r.rngsubtype, NULL), "
                    "    CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END) FROM pg_range r "
                    "    WHERE r.rngtypid = t.oid) END "
                    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "LEFT JOIN pg_class tc ON tc.oid = t.typrelid "
                    "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
                    "LEFT JOIN pg_collation co ON co.oid = t.typcollation "
                    "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
                    "WHERE t.typnamespace IN " + in_schemas() + " AND (t.typtype IN ('e', 'd', 'r') "
                    "  OR (t.typtype = 'c' AND tc.relkind = 'c')) AND " + not_extension_member("pg_type", "t.oid"));
    for (const auto& row : rows) {
      model::Type ty;
      ty.schema = text(row[0]);
      ty.name = text(row[1]);
      char k = text(row[2])[0];
      if (k == 'e') {
        ty.kind = "enum";
        ty.values = strings_of(row[3]);
      } else if (k == 'c') {
        ty.kind = "composite";
        std::vector<std::string> attrs;
        for (const auto& a : json_of(row[4])) {
          attrs.push_back(norm::ident(a[0].get<std::string>()) + " " + norm::type_text(a[1].get<std::string>()));
        }
        ty.definition = "(" + join(attrs, ", ") + ")";
      } else if (k == 'd') {
        ty.kind = "domain";
        std::vector<std::pair<std::string, std::string>> checks;
        for (const auto& c : json_of(row[9])) {
          checks.emplace_back(c[0].get<std::string>(), norm::expr_text(c[1].get<std::string>()));
        }
        std::string collation;
        if (json coll = json_of(row[8]); coll.is_array() && coll.size() == 2) {
          std::string cs = coll[0].get<std::string>();
          collation = cs == "pg_catalog" || cs == "public" ? norm::ident(coll[1].get<std::string>())
                                                           : norm::ident(cs) + "." + norm::ident(coll[1].get<std::string>());
        }
        ty.domain.base_type = norm::type_text(text(row[5]));
        ty.definition = model::domain_definition(ty.domain.base_type, collation,
                                                 row[7].is_null() ? "" : norm::expr_text(text(row[7])), boolean(row[6]),
                                                 ty.name, checks);
      } else if (k == 'r') {
        ty.kind = "range";
        json r = json_of(row[10]);
        std::string def = "(subtype = " + (r.size() > 0 && r[0].is_string() ? norm::type_text(r[0].get<std::string>()) : "");
        if (r.size() > 1 && r[1].is_string()) def += ", subtype_diff = " + r[1].get<std::string>();
        ty.definition = def + ")";
      } else {
        continue;
      }
      m_.schemas[ty.schema].types[ty.name] = ty;
      // The scratch replayer sees the domains, so that the casts to a domain's base type PostgreSQL prints in
      // checks, policies and index predicates are dropped as the replay drops them (ExprContext::domain_base).
      if (ty.kind == "domain") scratch_.schema(ty.schema).types[ty.name] = ty;
    }
  }

  // Primary keys, unique and foreign keys from pg_constraint's columns; checks and exclusions from
  // pg_get_constraintdef, normalized by the replayer.
  void constraints() {
    auto rows = run(tx_, "constraints",
                    "SELECT k.conrelid, k.conname, k.contype, pg_get_constraintdef(k.oid), "
                    "  array_to_json(ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) "
                    "    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o)), "
                    "  rn.nspname, rc.relname, "
                    "  array_to_json(ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) "
                    "    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)), "
                    "  k.confupdtype, k.confdeltype, k.confmatchtype, k.condeferrable, k.condeferred, k.convalidated, "
                    "  CASE WHEN k.contype IN ('p', 'u') THEN array_to_json(ARRAY(SELECT a.attname::text "
                    "    FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY u(n, o) "
                    "    JOIN pg_attribute a ON a.attnum = u.n "
                    "    WHERE i.indexrelid = k.conindid AND a.attrelid = i.indrelid AND u.o > i.indnkeyatts ORDER BY u.o)) END, "
                    "  COALESCE((SELECT i.indnullsnotdistinct FROM pg_index i WHERE i.indexrelid = k.conindid "
                    "    AND k.contype = 'u'), false) "
                    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                    "LEFT JOIN pg_class rc ON rc.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p') "
                    "AND k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conislocal AND k.conparentid = 0 "
                    "ORDER BY k.conrelid, k.oid");
    std::map<model::Table*, std::string> by_table;  // checks and exclusions, replayed per table
    for (const auto& row : rows) {
      model::Table* t = table(text(row[0]));
      if (!t) continue;
      char kind = text(row[2])[0];
      std::string name = text(row[1]);
      if (kind == 'c' || kind == 'x') {
        by_table[t] += "ALTER TABLE " + qualified_for_sql(t->schema, t->name) + " ADD CONSTRAINT " + norm::ident(name) +
                       " " + text(row[3]) + ";\n";
        continue;
      }
      model::Constraint c;
      c.name = name;
      c.columns = strings_of(row[4]);
      c.deferrable = boolean(row[11]);
      c.initially_deferred = boolean(row[12]);
      c.not_valid = !boolean(row[13]);
      if (kind == 'p' || kind == 'u') {
        c.kind = kind == 'p' ? model::ConstraintKind::primary_key : model::ConstraintKind::unique;
        c.include = strings_of(row[14]);
        c.nulls_not_distinct = boolean(row[15]);
      } else {
        c.kind = model::ConstraintKind::foreign_key;
        c.ref_schema = text(row[5]);
        c.ref_table = text(row[6]);
        c.ref_columns = strings_of(row[7]);
        c.on_update = norm::fk_action(text(row[8]));
        c.on_delete = norm::fk_action(text(row[9]));
        if (text(row[10]) == "f") c.match = "FULL";
      }
      t->constraints.push_back(std::move(c));
    }
    for (auto& [t, sql] : by_table) scratch_.on_table(*t, sql, "a constraint of " + t->schema + "." + t->name);
  }

  // Indexes that are not the index of a primary key, unique or exclusion constraint (the model holds those as
  // constraints), nor a partition's copy of its parent's index.
  void indexes() {
    auto rows = run(tx_, "indexes",
                    "SELECT i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique, "
                    "  i.indnullsnotdistinct, am.amname "
                    "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
                    "JOIN pg_am am ON am.oid = ic.relam "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p', 'm') "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
                    "  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) "
                    "AND " + not_extension_member("pg_class", "i.indexrelid") + " ORDER BY i.indrelid, ic.relname");
    std::map<std::string, std::string> by_rel;
    std::map<std::string, std::vector<pqxx::row>> structured;
    for (const auto& row : rows) {
      std::string rel = text(row[0]);
      if (!rels_.count(rel)) continue;
      by_rel[rel] += text(row[2]) + ";\n";
      structured[rel].push_back(row);
    }
    for (auto& [oid, sql] : by_rel) {
      const Rel& rel = rels_[oid];
      std::vector<model::Index>* list = nullptr;
      if (model::Table* t = table(oid)) {
        scratch_.on_table(*t, sql, "an index of " + rel.schema + "." + rel.name);
        list = &t->indexes;
      } else if (auto vit = m_.schemas[rel.schema].views.find(rel.name); vit != m_.schemas[rel.schema].views.end()) {
        // materialized views are read before their indexes
        auto& s = scratch_.schema(rel.schema);
        s.views[rel.name] = vit->second;
        scratch_.apply(sql, "an index of " + rel.schema + "." + rel.name);
        vit->second.indexes = std::move(s.views[rel.name].indexes);
        s.views.clear();
        list = &vit->second.indexes;
      } else {
        continue;
      }
      // The structured columns of pg_index are authoritative for what they say.
      for (const auto& row : structured[oid]) {
        auto it = std::find_if(list->begin(), list->end(), [&](const model::Index& i) { return i.name == text(row[1]); });
        if (it == list->end()) continue;
        it->unique = boolean(row[3]);
        it->nulls_not_distinct = boolean(row[4]);
        it->method = text(row[5]);
      }
    }
  }

  void triggers() {
    auto rows = run(tx_, "triggers",
                    "SELECT g.tgrelid, pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                    "WHERE c.relnamespace IN " + in_schemas() + " AND c.relkind IN ('r', 'p') AND NOT g.tgisinternal "
                    "AND g.tgparentid = 0 ORDER BY g.tgrelid, g.tgname");
    std::map<model::Table*, std::string> by_table;
    for (const auto& row : rows) {
      if (model::Table* t = table(text(row[0]))) by_table[t] += text(row[1]) + ";\n";
    }
    for (auto& [t, sql] : by_table) scratch_.on_table(*t, sql, "a trigger of " + t->schema + "." + t->name);
  }

  void policies() {
    auto rows = run(tx_, "policies",
                    "SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive, "
                    "  array_to_json(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END "
                    "    FROM unnest(p.polroles) r)), "
                    "  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) "
                    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
                    "WHERE c.relnamespace IN " + in_schemas() + " ORDER BY p.polrelid, p.polname");
    std::map<model::Table*, std::string> by_table;
    for (const auto& row : rows) {
      model::Table* t = table(text(row[0]));
      if (!t) continue;
      static const std::map<std::string, std::string> cmds = {
          {"*", "ALL"}, {"r", "SELECT"}, {"a", "INSERT"}, {"w", "UPDATE"}, {"d", "DELETE"}};
      auto cmd = cmds.find(text(row[2]));
      std::vector<std::string> roles;
      for (const auto& r : strings_of(row[4])) roles.push_back(r == "public" ? "public" : norm::ident(r));
      std::string sql = "CREATE POLICY " + norm::ident(text(row[1])) + " ON " + qualified_for_sql(t->schema, t->name) +
                        " AS " + (boolean(row[3]) ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " +
                        (cmd == cmds.end() ? std::string("ALL") : cmd->second) + " TO " + join(roles, ", ");
      if (!row[5].is_null()) sql += " USING (" + text(row[5]) + ")";
      if (!row[6].is_null()) sql += " WITH CHECK (" + text(row[6]) + ")";
      by_table[t] += sql + ";\n";
    }
    for (auto& [t, sql] : by_table) scratch_.on_table(*t, sql, "a policy of " + t->schema + "." + t->name);
  }

  // Views and materialized views: PostgreSQL's text of the query (pg_get_viewdef), normalized as a view written
  // in a migration is. Materialized views first take their indexes in indexes(), so they are read here before.
  void views() {
    auto rows = run(tx_, "views",
                    "SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), c.oid FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relnamespace IN " + in_schemas() +
                        " AND c.relkind IN ('v', 'm') AND " + not_extension_member("pg_class", "c.oid") +
                        " ORDER BY c.oid");
    int order = 0;
    for (const auto& row : rows) {
      std::string s = text(row[0]);
      std::string n = text(row[1]);
      bool mat = text(row[2]) == "m";
      std::string def = text(row[3]);
      while (!def.empty() && (def.back() == ';' || std::isspace(static_cast<unsigned char>(def.back())))) def.pop_back();
      auto& sc = scratch_.schema(s);
      scratch_.apply(std::string(mat ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ") + qualified_for_sql(s, n) + " AS " + def,
                     "view " + s + "." + n);
      model::View v = std::move(sc.views[n]);
      sc.views.clear();
      v.order = ++order;
      if (auto rel = rels_.find(text(row[4])); rel != rels_.end()) v.grants = rel->second.grants;
      auto& dest = m_.schemas[s].views[n];
      v.indexes = std::move(dest.indexes);
      dest = std::move(v);
    }
  }

  // COMMENT ON of every other object the model holds (functions take theirs in functions()): pg_description by
  // catalog. Left out, as the model's "no comment": PostgreSQL's own comment on schema public. Extensions' comments
  // are not modeled (CREATE EXTENSION sets the control file's, which pg_dump writes back as COMMENT ON EXTENSION).
  void comments() {
    const std::string in = in_schemas();
    auto rows = run(tx_, "comments",
                    "SELECT 'relation', n.nspname, c.relname, c.relkind::text, COALESCE(a.attname::text, ''), d.description "
                    "FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0 "
                    "WHERE c.relnamespace IN " + in + " "
                    "UNION ALL SELECT 'constraint', n.nspname, c.relname, k.conname, '', d.description "
                    "FROM pg_description d JOIN pg_constraint k ON d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid "
                    "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relnamespace IN " + in + " "
                    "UNION ALL SELECT 'trigger', n.nspname, c.relname, g.tgname, '', d.description "
                    "FROM pg_description d JOIN pg_trigger g ON d.classoid = 'pg_trigger'::regclass AND d.objoid = g.oid "
                    "JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relnamespace IN " + in + " "
                    "UNION ALL SELECT 'policy', n.nspname, c.relname, p.polname, '', d.description "
                    "FROM pg_description d JOIN pg_policy p ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid "
                    "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relnamespace IN " + in + " "
                    "UNION ALL SELECT 'type', n.nspname, t.typname, '', '', d.description "
                    "FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid "
                    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typnamespace IN " + in + " "
                    "UNION ALL SELECT 'schema', n.nspname, '', '', '', d.description "
                    "FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid "
                    "WHERE n.oid IN " + in + " AND NOT (n.nspname = 'public' AND d.description = 'standard public schema')");
    for (const auto& row : rows) {
      std::string what = text(row[0]);
      std::string s = text(row[1]);
      std::string n = text(row[2]);
      std::string sub = text(row[3]);
      model::Comment* slot = nullptr;
      model::Schema* sc = m_.schema(s);
      if (!sc) {
        continue;
      } else if (what == "schema") {
        slot = &sc->comment;
      } else if (what == "type") {
        if (auto it = sc->types.find(n); it != sc->types.end()) slot = &it->second.comment;
      } else if (what == "relation") {
        std::string column = text(row[4]);
        char kind = sub.empty() ? ' ' : sub[0];
        if (kind == 'r' || kind == 'p') {
          if (model::Table* t = m_.table(s, n)) {
            if (column.empty()) slot = &t->comment;
            else if (model::Column* c = t->column(column)) slot = &c->edit().comment;
          }
        } else if ((kind == 'v' || kind == 'm') && column.empty()) {
          if (auto it = sc->views.find(n); it != sc->views.end()) slot = &it->second.comment;
        } else if (kind == 'S') {
          if (auto it = sc->sequences.find(n); it != sc->sequences.end()) slot = &it->second.comment;
        } else if (kind == 'i' || kind == 'I') {
          if (model::SchemaModel::IndexRef ir = m_.find_index(s, n); ir.index) slot = &ir.index->edit().comment;
        }
      } else if (model::Table* t = m_.table(s, n)) {
        if (what == "constraint") {
          if (model::Constraint* c = t->constraint(sub)) slot = &c->comment;
        } else if (what == "trigger") {
          if (model::Trigger* g = t->trigger(sub)) slot = &g->comment;
        } else if (model::Policy* p = t->policy(sub)) {
          slot = &p->comment;
        }
      }
      // Objects the model does not hold (a view's columns, a domain's constraints, an extension's members) are
      // left out on both sides: the replay lists their COMMENT ON as a statement it does not represent.
      if (slot) slot->text = text(row[5]);
    }
  }

  // pg_default_acl: what objects created later start with (SQL out's starting point for the objects it creates;
  // compared as `default-privileges` items). The current user's entries are the model's own role's ("").
  void default_privileges() {
    auto rows = run(tx_, "default privileges",
                    "SELECT CASE WHEN d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN '' "
                    "ELSE pg_get_userbyid(d.defaclrole)::text END, d.defaclobjtype::text, COALESCE(n.nspname::text, ''), " +
                        acl_json("d.defaclacl", 'r', "d.defaclrole") +
                        " FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                        "WHERE d.defaclobjtype IN ('r', 'S', 'f')");
    for (const auto& row : rows) {
      m_.default_grants[{text(row[0]), text(row[1])[0], text(row[2])}] = grants_of(row[3]);
    }
  }

  void functions() {
    auto rows = run(tx_, "functions",
                    "SELECT n.nspname, p.proname, p.prokind, pg_get_function_arguments(p.oid), "
                    "  pg_get_function_result(p.oid), l.lanname, p.provolatile, p.proisstrict, p.prosecdef, "
                    "  p.proleakproof, p.proparallel, array_to_json(p.proconfig), p.prosrc, p.probin, "
                    "  p.prosqlbody IS NOT NULL, CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_functiondef(p.oid) END, "
                    "  obj_description(p.oid, 'pg_proc'), " + acl_json("p.proacl", 'f', "p.proowner") + " "
                    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang "
                    "WHERE p.pronamespace IN " + in_schemas() + " AND p.prokind IN ('f', 'p') AND " +
                        not_extension_member("pg_proc", "p.oid") +
                        // the constructors PostgreSQL creates with a range type belong to the type
                        " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                        "AND d.objid = p.oid AND d.deptype = 'i') ORDER BY p.oid");
    for (const auto& row : rows) {
      std::string s = text(row[0]);
      std::string name = text(row[1]);
      bool proc = text(row[2]) == "p";
      std::string sql;
      if (boolean(row[14])) {
        sql = text(row[15]);  // SQL-standard body: PostgreSQL's own CREATE statement
      } else {
        sql = std::string(proc ? "CREATE PROCEDURE " : "CREATE FUNCTION ") + qualified_for_sql(s, name) + "(" + text(row[3]) + ")";
        if (!proc) sql += " RETURNS " + text(row[4]);
        sql += " LANGUAGE " + norm::ident(text(row[5]));
        std::string vol = text(row[6]);
        if (vol == "i") sql += " IMMUTABLE";
        if (vol == "s") sql += " STABLE";
        if (boolean(row[7])) sql += " STRICT";
        if (boolean(row[8])) sql += " SECURITY DEFINER";
        if (boolean(row[9])) sql += " LEAKPROOF";
        std::string par = text(row[10]);
        if (par == "s") sql += " PARALLEL SAFE";
        if (par == "r") sql += " PARALLEL RESTRICTED";
        // appends, not `" AS " + std::string&&`: GCC 12 at -O3 warns falsely (-Wrestrict) inside that operator+
        for (const auto& c : strings_of(row[11])) {
          sql += ' ';
          sql += set_option(c);
        }
        sql += " AS ";
        sql += row[13].is_null() ? dollar_quoted(text(row[12])) : literal(text(row[13])) + ", " + literal(text(row[12]));
      }
      auto& sc = scratch_.schema(s);
      scratch_.apply(sql, "function " + s + "." + name);
      for (auto&& [key, f] : sc.functions.editing()) {
        f.comment.text = text(row[16]);
        f.grants = grants_of(row[17]);
        m_.schemas[s].functions.put(key, std::move(f));
      }
      sc.functions.clear();
    }
    int order = 0;
    for (auto& [sn, sc] : m_.schemas) {
      for (auto&& [k, f] : sc.functions.editing()) f.order = ++order;
    }
  }
};

}  // namespace

SchemaModel read(pqxx::transaction_base& tx, const Options& o) { return Reader(tx, o).read(); }

SchemaModel read(const db::ConnectOptions& conn, const Options& o) {
  db::ReadOnlySession session(conn);
  return read(session.tx(), o);
}

}  // namespace driftguard::catalog
