// GRANT, REVOKE and ALTER DEFAULT PRIVILEGES: PostgreSQL's aclchk.c, on the privileges the model holds (model.hpp's
// Grants) of tables, views, materialized views, sequences, functions, procedures and schemas. Checked on
// PostgreSQL 15 (tests/test_grants_oracle.cpp): ALL TABLES IN SCHEMA covers tables, views and materialized views;
// ALL FUNCTIONS leaves procedures out; GRANT ... ON TABLE of a sequence keeps the sequence's privileges only (a
// warning); default privileges reach serial sequences, views and CREATE TABLE AS.
// Roles are the cluster's, which the replay cannot know: every role name is accepted. Grants to the role the
// statements run as (SchemaModel::role, when known) are the owner's and left out, as the catalog leaves the owner's.
// Column privileges are modeled on tables (not on views); privileges on databases, types, languages, identity
// sequences, ... are not: listed as not represented.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {

// Every privilege an object of this default-privileges kind has (what ALL means).
std::string all_of(char kind) {
  switch (kind) {
    case 'r': return "arwdDxt";
    case 'S': return "rwU";
    case 'f': return "X";
    case 'n': return "UC";
    case 'c': return "arwx";  // a column: INSERT, SELECT, UPDATE, REFERENCES
  }
  return "";
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

std::vector<std::string> Replayer::Impl::grantees(const json& list) const {
  std::vector<std::string> out;
  for (const auto& g : list) {
    const json& rs = field(g, "RoleSpec");
    std::string type = str(rs, "roletype");
    if (type == "ROLESPEC_PUBLIC") {
      out.push_back("PUBLIC");
    } else if (type == "ROLESPEC_CSTRING") {
      std::string name = str(rs, "rolename");
      if (m.role.empty() || name != m.role) out.push_back(name);
    }
    // CURRENT_USER, CURRENT_ROLE, SESSION_USER: the role the statements run as, the owner of what they create.
  }
  return out;
}

namespace {
// The elements of a list node, by address (none when it is absent).
std::vector<const json*> list_items(const json& list) {
  std::vector<const json*> out;
  if (list.is_array())
    for (const auto& x : list) out.push_back(&x);
  return out;
}
}  // namespace

// The letters a GRANT/REVOKE names for objects of `kind` written as `word` ("table", "sequence", ...): ALL is every
// privilege of the kind; a privilege the keyword does not allow is refused as PostgreSQL refuses it.
std::string Replayer::Impl::grant_letters(const std::vector<const json*>& privileges, char kind,
                                          const std::string& word) {
  if (privileges.empty()) return all_of(kind);
  std::string out;
  for (const json* p : privileges) {
    const json& ap = field(*p, "AccessPriv");
    std::string name = str(ap, "priv_name");
    std::string l = privilege_letter(name);
    if (l.empty() || all_of(kind).find(l) == std::string::npos) {
      fail("invalid privilege type " + upper(name) + " for " + word);
    }
    out += l;
  }
  return out;
}

void Replayer::Impl::change_grants(Grants& g, const std::vector<std::string>& who, const std::string& letters,
                                   bool is_grant, bool option) {
  for (const auto& grantee : who) {
    if (is_grant) grant(g, grantee, letters, option);
    else revoke(g, grantee, letters, option);
  }
}

Grants Replayer::Impl::created_grants(char kind, const std::string& schema) const {
  return initial_grants(m, kind, schema);
}

bool Replayer::Impl::grant_stmt(const json& b) {
  std::string objtype = str(b, "objtype");
  std::string target = str(b, "targtype");
  bool is_grant = flag(b, "is_grant");
  bool option = flag(b, "grant_option");  // REVOKE: GRANT OPTION FOR
  const json& all_privileges = field(b, "privileges");
  // Column privileges (GRANT SELECT (a), UPDATE (b) ON t: pg_attribute.attacl) apart from the table's in the same
  // statement; ALL (a) is every privilege a column has.
  std::vector<const json*> privileges;  // the table-level ones (none: ALL)
  std::vector<std::pair<std::string, std::vector<std::string>>> column_privileges;  // letters, columns
  for (const auto& p : all_privileges) {
    const json& ap = field(p, "AccessPriv");
    if (!field(ap, "cols").is_array()) {
      privileges.push_back(&p);
      continue;
    }
    std::string name = str(ap, "priv_name");
    std::string l = name.empty() ? all_of('c') : privilege_letter(name);
    if (l.empty() || all_of('c').find(l) == std::string::npos) fail("invalid privilege type " + upper(name) + " for column");
    std::vector<std::string> cols;
    for (const auto& c : field(ap, "cols")) cols.push_back(nm(str(field(c, "String"), "sval")));
    column_privileges.push_back({l, cols});
  }
  char kind = objtype == "OBJECT_TABLE"      ? 'r'
              : objtype == "OBJECT_SEQUENCE" ? 'S'
              : objtype == "OBJECT_SCHEMA"   ? 'n'
              : (objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_PROCEDURE" || objtype == "OBJECT_ROUTINE") ? 'f'
                                             : ' ';
  if (kind == ' ') return false;  // DATABASE, TYPE, DOMAIN, LANGUAGE, LARGE OBJECT, ...: not modeled
  std::string word = kind == 'r' ? "table" : kind == 'S' ? "sequence" : kind == 'n' ? "schema"
                     : objtype == "OBJECT_PROCEDURE" ? "procedure" : objtype == "OBJECT_ROUTINE" ? "routine" : "function";
  if (!column_privileges.empty() && (kind != 'r' || target == "ACL_TARGET_ALL_IN_SCHEMA")) return false;
  // only column privileges: none of the table's (an empty list would mean ALL)
  std::string letters = privileges.empty() && !column_privileges.empty() ? "" : grant_letters(privileges, kind, word);
  std::vector<std::string> who = grantees(field(b, "grantees"));
  if (is_grant && option) {
    for (const auto& g : field(b, "grantees")) {
      if (str(field(g, "RoleSpec"), "roletype") == "ROLESPEC_PUBLIC") fail("grant options can only be granted to roles");
    }
  }
  // Every object is found before any changes: PostgreSQL applies the statement whole or not at all.
  struct Target {
    Grants* grants;
    std::string letters;
    std::string path;  // grantable()'s, the key of SchemaModel::grant_sources
  };
  std::vector<Target> targets;
  Grants no_grants;  // stays empty: only REVOKEs reach it
  // A table's columns: the column privileges named, and on REVOKE the column privileges of the table's (PostgreSQL's
  // ExecGrant_Relation revokes a table privilege from every column too).
  bool unknown_columns = false;  // a table whose columns are not all known (CREATE TABLE AS): not represented
  auto columns_of = [&](Table& t, const std::string& path) {
    for (const auto& [l, cols] : column_privileges) {
      for (const auto& cn : cols) {
        Column* c = t.column(cn);
        if (!c && t.opaque) unknown_columns = true;
        if (!c && t.opaque) continue;
        if (!c) fail("column " + dq(cn) + " of relation " + dq(t.name) + " does not exist");
        targets.push_back({&c->edit().grants, l, path + "." + cn});
      }
    }
    std::string cascade;
    for (char c : letters) {
      if (all_of('c').find(c) != std::string::npos) cascade += c;
    }
    if (is_grant || cascade.empty()) return;
    // A REVOKE leaves a column without privileges as it is: its part is not made (Column::edit) for nothing.
    for (auto& c : t.columns) targets.push_back({c.grants().empty() ? &no_grants : &c.edit().grants, cascade, path + "." + c.name});
  };
  auto missing = [&](const std::string& schema, bool unqualified, const std::string& name, const std::string& message) {
    if (unqualified ? knows_all_unqualified(name) : knows_all_of(schema)) fail(message);
  };
  if (target == "ACL_TARGET_ALL_IN_SCHEMA") {
    for (const auto& o : field(b, "objects")) {
      std::string sn = str(field(o, "String"), "sval");
      Schema* sc = grant_schema(sn);
      if (!sc) return false;
      std::string prefix = sn + ".";
      // PostgreSQL's objectsInSchemaToOids: tables, views and materialized views; sequences; functions without
      // procedures, procedures, or both (routines).
      if (kind == 'r') {
        for (auto&& [n, t] : sc->tables.editing()) {  // every one changes
          targets.push_back({&t.grants, letters, prefix + n});
          columns_of(t, prefix + n);
        }
        for (auto& [n, v] : sc->views) targets.push_back({&v.grants, letters, prefix + n});
      } else if (kind == 'S') {
        for (auto& [n, q] : sc->sequences) targets.push_back({&q.grants, letters, prefix + n});
      } else if (kind == 'f') {
        for (auto&& [k, f] : sc->functions.editing()) {
          bool want = objtype == "OBJECT_ROUTINE" || (objtype == "OBJECT_PROCEDURE") == f.procedure;
          if (want) targets.push_back({&f.grants, letters, prefix + f.name + "(" + f.identity_args + ")"});
        }
      }
      // An extension's objects in the schema are not modeled: theirs are not.
    }
  } else if (kind == 'n') {
    for (const auto& o : field(b, "objects")) {
      std::string sn = str(field(o, "String"), "sval");
      Schema* sc = grant_schema(sn);
      if (!sc) return false;
      targets.push_back({&sc->grants, letters, sn});
    }
  } else if (kind == 'f') {
    for (const auto& o : field(b, "objects")) {
      const json& owa = field(o, "ObjectWithArgs");
      std::string shown;
      Function* f = find_function_refusing(owa, &shown);
      if (!f) return false;
      if (objtype == "OBJECT_FUNCTION" && f->procedure) fail(shown + " is not a function");
      if (objtype == "OBJECT_PROCEDURE" && !f->procedure) fail(shown + " is not a procedure");
      targets.push_back({&f->grants, letters, f->schema + "." + f->name + "(" + f->identity_args + ")"});
    }
  } else {
    for (const auto& o : field(b, "objects")) {
      const json& rv = field(o, "RangeVar");
      std::vector<std::string> parts = rangevar_parts(rv);
      for (auto& p : parts) p = nm(p);
      auto [s, n] = resolve_relation(parts);
      Schema* sc = m.schema(s);
      std::string rk = sc ? relation_kind(*sc, n) : "";
      if (rk.empty()) {
        // an identity column's sequence is part of its column in the model: its privileges are not modeled
        if (sc && identity_sequence(*sc, n)) return false;
        missing(s, parts.size() < 2, n, "relation " + dq(join(parts, ".")) + " does not exist");
        return false;
      }
      if (kind == 'S' && rk != "sequence") fail(dq(n) + " is not a sequence");
      if (rk == "table") {
        targets.push_back({&sc->tables[n].grants, letters, s + "." + n});
        columns_of(sc->tables[n], s + "." + n);
      } else if (!column_privileges.empty()) {
        return false;  // a view's or a sequence's columns: not modeled
      } else if (rk == "view" || rk == "materialized view") {
        targets.push_back({&sc->views[n].grants, letters, s + "." + n});
      } else if (rk == "sequence") {
        // GRANT ... ON TABLE of a sequence: PostgreSQL keeps the sequence's privileges and warns about the rest
        std::string kept;
        for (char c : letters) {
          if (all_of('S').find(c) != std::string::npos) kept += c;
        }
        targets.push_back({&sc->sequences[n].grants, kind == 'r' && privileges.empty() ? all_of('S') : kept, s + "." + n});
      } else {
        return false;  // an index, a composite type, ...: not modeled
      }
    }
  }
  if (unknown_columns) return false;
  SourceRef src = stmt_ref();
  for (auto& t : targets) {
    change_grants(*t.grants, who, t.letters, is_grant, option);
    for (const auto& grantee : who) m.grant_sources[{t.path, grantee}] = src;
  }
  return true;
}

Schema* Replayer::Impl::grant_schema(const std::string& name) {
  Schema* sc = m.schema(name);
  if (!sc && !r.unmodeled_ && lines) fail("schema " + dq(name) + " does not exist");
  return sc;
}

bool Replayer::Impl::identity_sequence(const Schema& sc, const std::string& n) const {
  for (const auto& [tn, t] : sc.tables) {
    for (const auto& c : t.columns) {
      if (!c.identity.empty() && norm::object_name(t.name, c.name, "seq") == n) return true;
    }
  }
  return false;
}

// ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ... ON TABLES|SEQUENCES|FUNCTIONS|ROUTINES: the
// pg_default_acl entry changes (PostgreSQL's SetDefaultACL): a global entry starts from the built-in ACL and is
// removed when it is that again; a schema's entry starts empty and is removed when empty. ON TYPES and ON SCHEMAS
// are not modeled. The defaults are held in SchemaModel::default_grants and given to objects created later.
bool Replayer::Impl::alter_default_privileges(const json& b) {
  const json& action = field(b, "action");
  std::string objtype = str(action, "objtype");
  char kind = objtype == "OBJECT_TABLE" ? 'r' : objtype == "OBJECT_SEQUENCE" ? 'S' : objtype == "OBJECT_FUNCTION" ? 'f' : ' ';
  if (kind == ' ') return false;
  std::vector<std::string> roles{""};
  std::vector<std::string> schemas{""};
  for (const auto& o : field(b, "options")) {
    const json& d = field(o, "DefElem");
    const json& items = field(field(field(d, "arg"), "List"), "items");
    if (str(d, "defname") == "roles") {
      roles.clear();
      for (const auto& rs : items) {
        std::string name = str(field(rs, "RoleSpec"), "rolename");
        roles.push_back(name == m.role ? "" : name);
      }
    } else if (str(d, "defname") == "schemas") {
      schemas.clear();
      for (const auto& s : items) {
        std::string name = str(field(s, "String"), "sval");
        if (!grant_schema(name)) return false;
        schemas.push_back(name);
      }
    }
  }
  std::string word = kind == 'r' ? "table" : kind == 'S' ? "sequence" : "function";
  std::string letters = grant_letters(list_items(field(action, "privileges")), kind, word);
  std::vector<std::string> who = grantees(field(action, "grantees"));
  bool is_grant = flag(action, "is_grant");
  bool option = flag(action, "grant_option");
  for (const auto& role : roles) {
    for (const auto& s : schemas) {
      DefaultGrantsKey key{role, kind, s};
      Grants start = s.empty() ? builtin_grants(kind, "") : Grants{};
      auto it = m.default_grants.find(key);
      Grants g = it == m.default_grants.end() ? start : it->second;
      change_grants(g, who, letters, is_grant, option);
      if (g == start) m.default_grants.erase(key);
      else m.default_grants[key] = g;
      m.default_grant_sources[key] = stmt_ref();
    }
  }
  return true;
}

}  // namespace driftguard::model
