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

}  // namespace driftguard::model
