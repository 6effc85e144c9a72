#include "analyzer/names.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string_view>

namespace driftguard {

namespace {
template <class J>
const J& null_of();
template <>
const pg::Node& null_of<pg::Node>() {
  return pg::null_node();
}
template <>
const nlohmann::json& null_of<nlohmann::json>() {
  static const nlohmann::json kNull;
  return kNull;
}

// PostgreSQL's keywords that are not "unreserved" (pg_get_keywords() where catcode <> 'U', PostgreSQL 15): an
// identifier spelled like one must be quoted, as quote_ident() does. Sorted for binary search.
constexpr std::string_view kKeywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position", "precision", "primary", "real", "references", "returning", "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"};
}  // namespace

bool is_reserved_keyword(std::string_view word) {
  return std::binary_search(std::begin(kKeywords), std::end(kKeywords), word);
}

namespace {
template <class J>
const J& unwrap_t(const J& node) {
  if (node.is_object() && node.size() == 1) {
    const auto& k = node.begin().key();
    if (!k.empty() && std::isupper(static_cast<unsigned char>(k[0]))) return node.begin().value();
  }
  return node;
}

template <class J>
std::string node_type_t(const J& node) {
  if (node.is_object() && node.size() == 1) return node.begin().key();
  return {};
}

template <class J>
std::string str_t(const J& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->template get<std::string>();
}

template <class J>
bool flag_t(const J& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->template get<bool>();
}

template <class J>
long num_t(const J& obj, const char* key, long dflt) {
  if (!obj.is_object()) return dflt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return dflt;
  return it->template get<long>();
}

template <class J>
const J& field_t(const J& obj, const char* key) {
  if (!obj.is_object()) return null_of<J>();
  auto it = obj.find(key);
  return it == obj.end() ? null_of<J>() : *it;
}

template <class J>
std::vector<std::string> strings_t(const J& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    const J& s = field_t(item, "String");
    if (s.is_object()) out.push_back(str_t(s, "sval"));
  }
  return out;
}


template <class J>
std::vector<std::string> rangevar_parts_t(const J& rv) {
  const J& b = unwrap_t(rv);
  std::vector<std::string> parts;
  if (auto s = str_t(b, "catalogname"); !s.empty()) parts.push_back(s);
  if (auto s = str_t(b, "schemaname"); !s.empty()) parts.push_back(s);
  parts.push_back(str_t(b, "relname"));
  return parts;
}
}  // namespace

// Each reader for both tree types (the parse tree and the model's rewritten trees), from one template above.
const json& unwrap(const json& node) { return unwrap_t(node); }
const nlohmann::json& unwrap(const nlohmann::json& node) { return unwrap_t(node); }
std::string node_type(const json& node) { return node_type_t(node); }
std::string node_type(const nlohmann::json& node) { return node_type_t(node); }
std::string str(const json& obj, const char* key) { return str_t(obj, key); }
std::string str(const nlohmann::json& obj, const char* key) { return str_t(obj, key); }
bool flag(const json& obj, const char* key) { return flag_t(obj, key); }
bool flag(const nlohmann::json& obj, const char* key) { return flag_t(obj, key); }
long num(const json& obj, const char* key, long dflt) { return num_t(obj, key, dflt); }
long num(const nlohmann::json& obj, const char* key, long dflt) { return num_t(obj, key, dflt); }
const json& field(const json& obj, const char* key) { return field_t(obj, key); }
const nlohmann::json& field(const nlohmann::json& obj, const char* key) { return field_t(obj, key); }
std::vector<std::string> strings(const json& list) { return strings_t(list); }
std::vector<std::string> strings(const nlohmann::json& list) { return strings_t(list); }
std::vector<std::string> rangevar_parts(const json& rv) { return rangevar_parts_t(rv); }
std::vector<std::string> rangevar_parts(const nlohmann::json& rv) { return rangevar_parts_t(rv); }

std::string quote_ident(const std::string& id) {
  bool plain = !id.empty() && (std::islower(static_cast<unsigned char>(id[0])) || id[0] == '_');
  for (char c : id) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' ||
          c == '$' || static_cast<unsigned char>(c) >= 0x80)) {
      plain = false;
    }
  }
  if (plain && !is_reserved_keyword(id)) return id;
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string display(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '.';
    out += quote_ident(parts[i]);
  }
  return out;
}

std::string qualified_key(const std::vector<std::string>& parts) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return "public." + parts[0];
  return parts[parts.size() - 2] + "." + parts.back();
}

std::string rangevar_key(const json& rv) { return qualified_key(rangevar_parts(rv)); }
std::string rangevar_display(const json& rv) { return display(rangevar_parts(rv)); }

std::vector<std::string> drop_object_parts(const json& object) {
  std::string t = node_type(object);
  const json& b = unwrap(object);
  if (t == "List") return strings(field(b, "items"));
  if (t == "String") return {str(b, "sval")};
  if (t == "TypeName") return strings(field(b, "names"));
  if (t == "ObjectWithArgs") return strings(field(b, "objname"));
  if (object.is_array()) return strings(object);
  return {};
}

namespace {
std::string builtin_display(const std::string& n) {
  static const std::pair<const char*, const char*> names[] = {
      {"int2", "smallint"},       {"int4", "integer"},          {"int8", "bigint"},
      {"float4", "real"},         {"float8", "double precision"}, {"bool", "boolean"},
      {"bpchar", "char"},         {"timestamptz", "timestamptz"}, {"varchar", "varchar"},
      {"numeric", "numeric"},     {"timestamp", "timestamp"},   {"timetz", "timetz"}};
  for (const auto& [from, to] : names) {
    if (n == from) return to;
  }
  return n;
}
}  // namespace

std::vector<long> type_mods(const json& type_name) {
  std::vector<long> out;
  const json& tm = field(unwrap(type_name), "typmods");
  if (!tm.is_array()) return out;
  for (const auto& m : tm) {
    const json& c = field(m, "A_Const");
    if (!c.is_object()) continue;
    const json& iv = field(c, "ival");
    out.push_back(iv.is_object() ? num(iv, "ival", 0) : 0);
  }
  return out;
}

int array_depth(const json& type_name) {
  const json& ab = field(unwrap(type_name), "arrayBounds");
  return ab.is_array() ? static_cast<int>(ab.size()) : 0;
}

std::string type_base(const json& type_name) {
  auto names = strings(field(unwrap(type_name), "names"));
  return names.empty() ? std::string() : names.back();
}

std::string type_display(const json& type_name) {
  auto names = strings(field(unwrap(type_name), "names"));
  std::string out;
  if (names.size() == 2 && names[0] == "pg_catalog") {
    out = builtin_display(names[1]);
  } else {
    out = display(names);
  }
  auto mods = type_mods(type_name);
  // interval's typmods are (field mask[, precision]): show only the precision.
  if (!names.empty() && names.back() == "interval") {
    mods = mods.size() == 2 ? std::vector<long>{mods[1]} : std::vector<long>{};
  }
  if (!mods.empty()) {
    out += '(';
    for (std::size_t i = 0; i < mods.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(mods[i]);
    }
    out += ')';
  }
  for (int i = 0; i < array_depth(type_name); ++i) out += "[]";
  return out;
}

const json* column_constraint(const json& column_def, const char* contype) {
  const json& cons = field(unwrap(column_def), "constraints");
  if (!cons.is_array()) return nullptr;
  for (const auto& c : cons) {
    const json& b = field(c, "Constraint");
    if (b.is_object() && str(b, "contype") == contype) return &b;
  }
  return nullptr;
}

bool contains_node(const json& tree, const char* type, int depth_limit) {
  if (depth_limit <= 0) return false;
  if (tree.is_object()) {
    for (auto it = tree.begin(); it != tree.end(); ++it) {
      if (it.key() == type) return true;
      if (contains_node(it.value(), type, depth_limit - 1)) return true;
    }
  } else if (tree.is_array()) {
    for (const auto& v : tree) {
      if (contains_node(v, type, depth_limit - 1)) return true;
    }
  }
  return false;
}

}  // namespace driftguard
