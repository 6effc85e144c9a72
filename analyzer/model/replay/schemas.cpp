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
  r.own_schemas_.insert(n);  // created here: the model holds everything in it (knows_all_of)
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

namespace {

// What an extension installs that migrations name unqualified and the catalog prints qualified with the
// extension's schema when that is not public (checked against PostgreSQL in tests/test_replay_oracle.cpp): its
// types, the functions expressions call by name, and the operators it defines for operands of its types (an
// untyped literal compared with such an operand is taken as the operand's type). Overloads of built-in functions
// for the extension's types (citext's regexp_match) are not listed: the replay prints those as written.
struct ExtensionObjects {
  std::set<std::string> types;
  std::set<std::string> functions;
  std::map<std::string, std::set<std::string>> operators;  // operand type (unqualified) -> operators
};

const std::map<std::string, ExtensionObjects>& extension_objects() {
  static const std::set<std::string> comparison = {"=", "<>", "<", "<=", ">", ">="};
  static const std::map<std::string, ExtensionObjects> objects = [] {
    std::map<std::string, ExtensionObjects> o;
    auto with = [](std::set<std::string> a, const std::set<std::string>& b) {
      a.insert(b.begin(), b.end());
      return a;
    };
    o["citext"] = {{"citext"}, {}, {{"citext", with(comparison, {"~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*"})}}};
    o["uuid-ossp"] = {{},
                      {"uuid_nil", "uuid_ns_dns", "uuid_ns_url", "uuid_ns_oid", "uuid_ns_x500", "uuid_generate_v1",
                       "uuid_generate_v1mc", "uuid_generate_v3", "uuid_generate_v4", "uuid_generate_v5"},
                      {}};
    // gen_random_uuid() is pg_catalog's since PostgreSQL 13 (pg_catalog is searched first).
    o["pgcrypto"] = {{},
                     {"digest", "hmac", "crypt", "gen_salt", "gen_random_bytes", "encrypt", "decrypt", "encrypt_iv",
                      "decrypt_iv", "pgp_sym_encrypt", "pgp_sym_decrypt", "pgp_sym_encrypt_bytea",
                      "pgp_sym_decrypt_bytea", "pgp_pub_encrypt", "pgp_pub_decrypt", "pgp_pub_encrypt_bytea",
                      "pgp_pub_decrypt_bytea", "pgp_key_id", "armor", "dearmor", "pgp_armor_headers"},
                     {}};
    std::set<std::string> trgm_ops = {"%", "<%", "%>", "<<%", "%>>", "<->", "<<->", "<->>", "<<<->", "<->>>"};
    o["pg_trgm"] = {{},
                    {"similarity", "word_similarity", "strict_word_similarity", "show_trgm", "show_limit", "set_limit"},
                    {{"text", trgm_ops}, {"character varying", trgm_ops}}};
    o["fuzzystrmatch"] = {{},
                          {"levenshtein", "levenshtein_less_equal", "soundex", "difference", "metaphone", "dmetaphone",
                           "dmetaphone_alt"},
                          {}};
    o["unaccent"] = {{}, {"unaccent"}, {}};
    o["hstore"] = {{"hstore"},
                   {"akeys", "avals", "skeys", "svals", "each", "exist", "defined", "isexists", "isdefined", "delete",
                    "slice", "slice_array", "hstore_to_json", "hstore_to_jsonb", "hstore_to_array", "hstore_to_matrix",
                    "populate_record", "tconvert"},
                   {{"hstore", {"->", "?", "?|", "?&", "@>", "<@", "||", "-", "#=", "=", "<>"}}}};
    o["ltree"] = {{"ltree", "lquery", "ltxtquery"},
                  {"nlevel", "subltree", "subpath", "index", "text2ltree", "ltree2text", "lca"},
                  {{"ltree", with(comparison, {"@>", "<@", "~", "?", "@", "||"})}}};
    o["cube"] = {{"cube"}, {"cube_dim", "cube_distance", "cube_ll_coord", "cube_ur_coord", "cube_union", "cube_inter"}, {}};
    std::set<std::string> vector_ops = with(comparison, {"<->", "<#>", "<=>", "<+>", "+", "-", "*"});
    o["vector"] = {{"vector", "halfvec", "sparsevec"},
                   {"l2_distance", "cosine_distance", "inner_product", "l1_distance", "vector_dims", "vector_norm",
                    "l2_normalize", "binary_quantize", "subvector"},
                   {{"vector", vector_ops}, {"halfvec", vector_ops}, {"sparsevec", vector_ops}}};
    o["postgis"] = {{"geometry", "geography"}, {}, {}};
    return o;
  }();
  return objects;
}

// "extensions.citext(20)[]" -> {"extensions", "citext"}; an unqualified type is public's (or pg_catalog's).
std::pair<std::string, std::string> split_type(std::string type) {
  if (auto cut = type.find_first_of("(["); cut != std::string::npos) type.resize(cut);
  auto dot = type.find('.');
  if (dot == std::string::npos || type.find('"') != std::string::npos) return {"public", type};
  return {type.substr(0, dot), type.substr(dot + 1)};
}

}  // namespace

std::string Replayer::Impl::extension_type(const std::string& type) const {
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
      auto it = extension_objects().find(ext_name);
      if (e.schema == s && it != extension_objects().end() && it->second.types.count(base)) {
        return s == "public" ? type : q(s, base) + suffix;
      }
    }
  }
  return type;
}

std::string Replayer::Impl::function_schema(const std::string& function) const {
  for (const auto& s : search_path) {
    const Schema* sc = m.schema(s);
    if (!sc) continue;
    // a function of the history's own (functions are keyed by signature, "name(argument types)")
    auto own = sc->functions.lower_bound(function + "(");
    bool found = own != sc->functions.end() && own->first.rfind(function + "(", 0) == 0;
    for (const auto& [ext_name, e] : m.extensions) {
      auto it = extension_objects().find(ext_name);
      found = found || (e.schema == s && it != extension_objects().end() && it->second.functions.count(function));
    }
    if (found) return s == "public" || s == kTemp ? std::string() : s;
  }
  return {};
}

// citext reaches text's functions and operators through its implicit cast to text (norm::ExprContext::
// implicit_cast): measured on PostgreSQL 15 (fixture citext-operator-off-search-path.sql), a citext column passed
// to a text function is cast, lower((c)::text), wherever citext lives; compared by one of citext's operators, or
// passed to one of its overloads of text functions (strpos, replace, ...), it is cast only where citext's schema
// is not on the search path, ((c)::text = 'a'::text); with a text column, or by ||, always. Only these measured
// functions and citext's type: other extensions' types, and other functions, are printed as written.
std::string Replayer::Impl::implicit_cast(const std::string& type, const std::string& name, bool op) const {
  static const std::set<std::string> text_functions = {"lower", "upper", "length", "char_length", "md5", "btrim",
                                                       "ltrim", "rtrim", "left", "right", "substr", "initcap"};
  static const std::set<std::string> citext_overloads = {"strpos", "replace", "split_part", "translate",
                                                         "regexp_replace"};
  auto [ts, tn] = split_type(type);
  auto e = m.extensions.find("citext");
  if (tn != "citext" || type.find('[') != std::string::npos || e == m.extensions.end() || e->second.schema != ts) return {};
  bool visible = std::find(search_path.begin(), search_path.end(), ts) != search_path.end();
  if (op) {
    if (name.empty() || name == "||") return "text";
    return extension_objects().at("citext").operators.at("citext").count(name) && !visible ? "text" : "";
  }
  if (text_functions.count(name)) return "text";
  return citext_overloads.count(name) && !visible ? "text" : "";
}

std::string Replayer::Impl::operator_schema(const std::string& op, const std::string& type) const {
  auto [type_schema, type_name] = split_type(type);
  for (const auto& s : search_path) {
    for (const auto& [ext_name, e] : m.extensions) {
      auto it = extension_objects().find(ext_name);
      if (e.schema != s || it == extension_objects().end()) continue;
      // the extension's operators for its own types (the type lives where the extension does), or for built-in
      // types (pg_trgm's % on text)
      bool own_type = it->second.types.count(type_name) && type_schema == s;
      bool builtin = type_schema == "public" && !it->second.types.count(type_name);
      auto ops = it->second.operators.find(type_name);
      if ((own_type || builtin) && ops != it->second.operators.end() && ops->second.count(op)) {
        return s == "public" ? std::string() : s;
      }
    }
  }
  return {};
}

}  // namespace driftguard::model
