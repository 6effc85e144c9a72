// Privileges in the model (model.hpp's Grants): PostgreSQL's aclitem letters, the defaults objects start with, and
// the GRANT/REVOKE statements that turn one set into another (SQL out, to_sql).
#include <algorithm>
#include <set>

#include "analyzer/model/model.hpp"
#include "analyzer/model/normalize.hpp"

namespace driftguard::model {

namespace {

// PostgreSQL's order of privilege letters (ACL_ALL_RIGHTS_STR) and their names, for the objects the model holds.
constexpr const char* kOrder = "arwdDxtXUC";
const char* name_of(char c) {
  switch (c) {
    case 'a': return "INSERT";
    case 'r': return "SELECT";
    case 'w': return "UPDATE";
    case 'd': return "DELETE";
    case 'D': return "TRUNCATE";
    case 'x': return "REFERENCES";
    case 't': return "TRIGGER";
    case 'X': return "EXECUTE";
    case 'U': return "USAGE";
    case 'C': return "CREATE";
  }
  return "?";
}

// letter -> held with grant option
std::map<char, bool> parse(const std::string& letters) {
  std::map<char, bool> out;
  for (std::size_t i = 0; i < letters.size(); ++i) {
    if (letters[i] == '*') continue;
    bool option = i + 1 < letters.size() && letters[i + 1] == '*';
    out[letters[i]] = out[letters[i]] || option;
  }
  return out;
}

std::string render(const std::map<char, bool>& privs) {
  std::string out;
  for (const char* c = kOrder; *c; ++c) {
    auto it = privs.find(*c);
    if (it == privs.end()) continue;
    out += *c;
    if (it->second) out += '*';
  }
  return out;
}

// The names in the order GRANT's documentation lists them (SELECT first), not the letters' order (INSERT first).
std::string names(const std::string& letters) {
  std::string out;
  for (const char* c = "rawdDxtXUC"; *c; ++c) {
    if (letters.find(*c) == std::string::npos) continue;
    if (!out.empty()) out += ", ";
    out += name_of(*c);
  }
  return out;
}

std::string grantee_sql(const std::string& g) { return g == "PUBLIC" ? g : norm::ident(g); }

}  // namespace

void grant(Grants& g, const std::string& grantee, const std::string& letters, bool option) {
  std::map<char, bool> privs = parse(g[grantee]);
  for (char c : letters) {
    if (c != '*') privs[c] = privs[c] || option;
  }
  g[grantee] = render(privs);
  if (g[grantee].empty()) g.erase(grantee);
}

void revoke(Grants& g, const std::string& grantee, const std::string& letters, bool option_only) {
  auto it = g.find(grantee);
  if (it == g.end()) return;
  std::map<char, bool> privs = parse(it->second);
  for (char c : letters) {
    if (option_only) {
      if (privs.count(c)) privs[c] = false;
    } else {
      privs.erase(c);
    }
  }
  it->second = render(privs);
  if (it->second.empty()) g.erase(it);
}

std::string privilege_names(const std::string& letters) { return names(letters); }

std::string privilege_letter(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const char* c = kOrder; *c; ++c) {
    if (name == name_of(*c)) return std::string(1, *c);
  }
  return "";
}

Grants builtin_grants(char kind, const std::string& name) {
  if (kind == 'f') return {{"PUBLIC", "X"}};
  // PostgreSQL 15's schema public: owned by pg_database_owner, USAGE (no longer CREATE) for PUBLIC.
  if (kind == 'n' && name == "public") return {{"PUBLIC", "U"}};
  return {};
}

Grants initial_grants(const SchemaModel& m, char kind, const std::string& schema) {
  if (kind == 'c') return {};  // a new column has no privileges of its own (default privileges are the table's)
  // pg_aclmask's get_user_default_acl: the global entry replaces the built-in ACL, the schema's adds to it.
  auto global = m.default_grants.find({"", kind, ""});
  Grants out = global != m.default_grants.end() ? global->second : builtin_grants(kind, "");
  auto own = m.default_grants.find({"", kind, schema});
  if (own != m.default_grants.end()) {
    for (const auto& [grantee, letters] : own->second) {
      std::map<char, bool> privs = parse(letters);
      for (const auto& [c, option] : privs) grant(out, grantee, std::string(1, c), option);
    }
  }
  return out;
}

Grants default_grants_start(const DefaultGrantsKey& key) {
  return key.schema.empty() ? builtin_grants(key.kind, "") : Grants{};
}

std::map<DefaultGrantsKey, std::pair<Grants, Grants>> default_grants_pairs(const SchemaModel& a, const SchemaModel& b) {
  std::map<DefaultGrantsKey, std::pair<Grants, Grants>> out;
  for (const auto& [k, g] : a.default_grants) out.emplace(k, std::make_pair(g, default_grants_start(k)));
  for (const auto& [k, g] : b.default_grants) {
    auto [it, fresh] = out.emplace(k, std::make_pair(default_grants_start(k), g));
    if (!fresh) it->second.second = g;
  }
  return out;
}

std::string default_grants_clause(const DefaultGrantsKey& key) {
  std::string out;
  if (!key.role.empty()) out += "FOR ROLE " + norm::ident(key.role) + " ";
  if (!key.schema.empty()) out += "IN SCHEMA " + norm::ident(key.schema) + " ";
  return out + "ON " + (key.kind == 'r' ? "TABLES" : key.kind == 'S' ? "SEQUENCES" : "FUNCTIONS");
}

void for_each_grantable(const SchemaModel& m, const std::function<void(const Granted&)>& visit) {
  for (const auto& [n, s] : m.schemas) {
    visit({"SCHEMA " + norm::ident(n), "SCHEMA " + norm::ident(n), n, n, 'n', &s.grants, &s.src, ""});
  }
  for (const auto& [sn, s] : m.schemas) {
    std::string prefix = sn + ".";
    for (const auto& [n, q] : s.sequences) {
      std::string on = ddl::comment_target("SEQUENCE", sn, n);
      visit({on, on, prefix + n, sn, 'S', &q.grants, &q.src, ""});
    }
    for (const auto& [k, f] : s.functions) {
      std::string on = ddl::comment_target(f);
      visit({on, on, prefix + f.name + "(" + f.identity_args + ")", sn, 'f', &f.grants, &f.src, ""});
    }
    for (const auto& [n, t] : s.tables) {
      if (t.platform_shell) continue;
      std::string on = ddl::comment_target("TABLE", sn, n);
      visit({on, on, prefix + n, sn, 'r', &t.grants, &t.src, ""});
      for (const auto& c : t.columns) {
        visit({"COLUMN " + norm::qualified(sn, n) + "." + norm::ident(c.name), on, prefix + n + "." + c.name, sn,
                       'c', &c.grants(), &c.src, c.name});
      }
    }
    for (const auto& [n, v] : s.views) {
      visit({ddl::comment_target(v.materialized ? "MATERIALIZED VIEW" : "VIEW", sn, n),
                     ddl::comment_target("TABLE", sn, n), prefix + n, sn, 'r', &v.grants, &v.src, ""});
    }
  }
}

std::vector<Granted> grantable(const SchemaModel& m) {
  std::vector<Granted> out;
  for_each_grantable(m, [&](const Granted& x) { out.push_back(x); });
  return out;
}

namespace ddl {

std::vector<std::string> grant_statements(const std::string& on, const Grants& from, const Grants& to,
                                          const std::string& column) {
  // Column privileges name the column after each privilege: "SELECT (c), UPDATE (c)".
  auto names = [&](const std::string& letters) {
    if (column.empty()) return privilege_names(letters);
    std::string out;
    for (const char* c = "rawx"; *c; ++c) {
      if (letters.find(*c) == std::string::npos) continue;
      out += std::string(out.empty() ? "" : ", ") + name_of(*c) + " (" + norm::ident(column) + ")";
    }
    return out;
  };
  std::vector<std::string> out;
  std::set<std::string> grantees;
  for (const auto& [g, l] : from) grantees.insert(g);
  for (const auto& [g, l] : to) grantees.insert(g);
  for (const auto& g : grantees) {
    auto f = from.find(g);
    auto t = to.find(g);
    std::map<char, bool> was = parse(f == from.end() ? "" : f->second);
    std::map<char, bool> now = parse(t == to.end() ? "" : t->second);
    std::string drop, drop_option, add, add_option;
    for (const auto& [c, option] : was) {
      auto it = now.find(c);
      if (it == now.end()) drop += c;
      else if (option && !it->second) drop_option += c;
    }
    for (const auto& [c, option] : now) {
      auto it = was.find(c);
      if (it == was.end()) (option ? add_option : add) += c;
      else if (option && !it->second) add_option += c;
    }
    std::string who = grantee_sql(g);
    if (!drop.empty()) out.push_back("REVOKE " + names(drop) + " ON " + on + " FROM " + who + ";\n");
    if (!drop_option.empty()) out.push_back("REVOKE GRANT OPTION FOR " + names(drop_option) + " ON " + on + " FROM " + who + ";\n");
    if (!add.empty()) out.push_back("GRANT " + names(add) + " ON " + on + " TO " + who + ";\n");
    if (!add_option.empty()) out.push_back("GRANT " + names(add_option) + " ON " + on + " TO " + who + " WITH GRANT OPTION;\n");
  }
  return out;
}

std::vector<std::string> default_grant_statements(const DefaultGrantsKey& key, const Grants& from, const Grants& to) {
  // grant_statements writes "GRANT ... ON <on> TO ...": with the clause's "ON TABLES" as the object, the prefix
  // makes each an ALTER DEFAULT PRIVILEGES statement.
  std::string clause = default_grants_clause(key);
  std::string head = clause.substr(0, clause.rfind("ON "));
  std::string on = clause.substr(clause.rfind("ON ") + 3);
  std::vector<std::string> out;
  for (auto& st : grant_statements(on, from, to)) out.push_back("ALTER DEFAULT PRIVILEGES " + head + st);
  return out;
}

}  // namespace ddl

}  // namespace driftguard::model
