// CREATE SCHEMA, CREATE EXTENSION and SET search_path: PostgreSQL's schemacmds.c and extension.c.
#include "analyzer/model/replay/replayer_impl.hpp"

#include <sstream>

namespace driftguard::model {

void Replayer::Impl::create_schema(const json& b) {
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

void Replayer::Impl::create_extension(const json& b) {
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

void Replayer::Impl::set_variable(const json& b) {
  if (str(b, "name") != "search_path") return;
  std::string kind = str(b, "kind");
  if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
    search_path = r.search_path_;
    return;
  }
  std::string value;
  for (const auto& a : field(b, "args")) {  // appends: GCC 12 -O3 warns falsely on `"," + std::string`
    if (!value.empty()) value += ',';
    value += str(field(field(a, "A_Const"), "sval"), "sval");
  }
  set_search_path(value);
}

// "a, \"B\", $user": the schemas of a search_path setting, in order ("$user" and pg_catalog are not kept: no
// schema is named after the migration role, and pg_catalog is searched anyway).
void Replayer::Impl::set_search_path(const std::string& value) {
  std::vector<std::string> path;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.size() >= 2 && item.front() == '"') item = item.substr(1, item.size() - 2);
    if (!item.empty() && item != "$user" && item != "pg_catalog") path.push_back(item);
  }
  search_path = path.empty() ? std::vector<std::string>{"public"} : path;
}

// SELECT [pg_catalog.]set_config('search_path', 'a, b', is_local): what pg_dump's output and Supabase's
// migrations write instead of SET. Returns false for any other SELECT.
bool Replayer::Impl::set_config(const json& select) {
  const json& targets = field(select, "targetList");
  if (!targets.is_array() || targets.size() != 1 || field(select, "fromClause").is_array()) return false;
  const json& call = field(field(unwrap(targets[0]), "val"), "FuncCall");
  auto name = strings(field(call, "funcname"));
  const json& args = field(call, "args");
  if (name.empty() || name.back() != "set_config" || !args.is_array() || args.size() != 3) return false;
  auto literal = [](const json& a) { return str(field(field(a, "A_Const"), "sval"), "sval"); };
  if (literal(args[0]) != "search_path" || !field(args[1], "A_Const").is_object()) return false;
  set_search_path(literal(args[1]));
  return true;
}

std::string Replayer::Impl::extension_type(const std::string& type) const {
  static const std::map<std::string, std::set<std::string>> types = {
      {"citext", {"citext"}},         {"hstore", {"hstore"}},   {"ltree", {"ltree", "lquery", "ltxtquery"}},
      {"cube", {"cube"}},             {"vector", {"vector", "halfvec", "sparsevec"}},
      {"postgis", {"geometry", "geography"}}};
  std::string base = type;
  std::string suffix;
  if (auto paren = base.find('('); paren != std::string::npos) {
    suffix = base.substr(paren);
    base.resize(paren);
  } else if (auto arr = base.find('['); arr != std::string::npos) {
    suffix = base.substr(arr);
    base.resize(arr);
  }
  if (base.find('.') != std::string::npos || base.find('"') != std::string::npos) return type;
  for (const auto& s : search_path) {
    const Schema* sc = m.schema(s);
    if (!sc) continue;
    if (sc->types.count(base)) return type;  // a type of the history's own comes first
    for (const auto& [ext_name, e] : m.extensions) {
      auto it = types.find(ext_name);
      if (e.schema == s && it != types.end() && it->second.count(base)) return s == "public" ? type : q(s, base) + suffix;
    }
  }
  return type;
}

}  // namespace driftguard::model
