// CREATE FUNCTION/PROCEDURE and finding a function by signature: PostgreSQL's functioncmds.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {
// PostgreSQL keeps no type modifier in a function's signature: f(varchar(1000)) is f(character varying), and
// RETURNS numeric(10,2) returns numeric (pg_get_function_arguments prints them without).
std::string signature_type(const json& type_name) {
  json bare = type_name;
  json& node = bare.contains("TypeName") ? bare["TypeName"] : bare;  // objargs wrap it, argType does not
  if (node.is_object()) node.erase("typmods");
  return norm::type_name(bare);
}
}  // namespace

// One option of CREATE or ALTER FUNCTION (volatility, STRICT, SECURITY, LEAKPROOF, PARALLEL, SET, RESET): it
// replaces what the function had for that option. Options are kept in one canonical order, however they were
// written (the catalog lists them this way too). COST and ROWS are not modeled (the catalog reader omits them).
void Replayer::Impl::function_option(Function& f, const json& d) {
  std::string name = str(d, "defname");
  const json& arg = field(d, "arg");
  auto upper = [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
    return v;
  };
  auto drop = [&](auto pred) { std::erase_if(f.options, pred); };
  bool on = flag(field(arg, "Boolean"), "boolval");
  if (name == "volatility") {
    drop([](const std::string& o) { return o == "IMMUTABLE" || o == "STABLE"; });
    if (std::string v = upper(str(field(arg, "String"), "sval")); v != "VOLATILE") f.options.push_back(v);
  } else if (name == "strict" || name == "security" || name == "leakproof") {
    std::string o = name == "strict" ? "STRICT" : name == "security" ? "SECURITY DEFINER" : "LEAKPROOF";
    drop([&](const std::string& x) { return x == o; });
    if (on) f.options.push_back(o);
  } else if (name == "parallel") {
    drop([](const std::string& o) { return o.rfind("PARALLEL ", 0) == 0; });
    if (std::string v = upper(str(field(arg, "String"), "sval")); v != "UNSAFE") f.options.push_back("PARALLEL " + v);
  } else if (name == "set") {
    const json& vs = field(arg, "VariableSetStmt");
    std::string kind = str(vs, "kind");
    std::string var = str(vs, "name");
    drop([&](const std::string& o) {
      return o.rfind("SET ", 0) == 0 && (kind == "VAR_RESET_ALL" || o.rfind("SET " + var + " ", 0) == 0);
    });
    std::vector<std::string> vals;
    for (const auto& a : field(vs, "args")) vals.push_back(norm::expr(a));
    if (kind == "VAR_SET_VALUE") f.options.push_back("SET " + var + " = " + join(vals, ", "));
    if (kind == "VAR_SET_CURRENT") f.options.push_back("SET " + var + " FROM CURRENT");
  }
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
}

// ALTER FUNCTION/PROCEDURE ... options.
void Replayer::Impl::alter_function(const json& b) {
  std::string shown;
  Function* f = find_function(field(b, "func"), true, &shown);
  if (!f) {
    // A function of an extension or a platform is not modeled: only a missing one where the model knows all fails.
    auto parts = strings(field(field(b, "func"), "objname"));
    bool known = parts.size() >= 2 ? knows_all_of(parts[parts.size() - 2]) : knows_all_unqualified(parts.empty() ? "" : parts.back());
    if (known) fail("function " + shown + " does not exist");
    return;
  }
  for (const auto& a : field(b, "actions")) function_option(*f, field(a, "DefElem"));
}

void Replayer::Impl::create_function(const json& b) {
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
    std::string type = extension_type(signature_type(field(fp, "argType")));
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
    f.returns = (flag(rt, "setof") ? "SETOF " : "") + extension_type(signature_type(rt));
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
    function_option(f, d);
  }
  if (field(b, "sql_body").is_object() || field(b, "sql_body").is_array()) {
    if (!text.empty() && st && !st->approximate) f.sql_text = std::string(text.substr(st->span.begin, st->span.end - st->span.begin));
    f.body = sql_standard_body(field(b, "sql_body"));
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

// A SQL-standard body (RETURN expr; BEGIN ATOMIC stmt; ... END) in a form that compares equal to what PostgreSQL
// stores (prosqlbody, printed by pg_get_functiondef): "RETURN x * 2" with the expression canonical, and each query
// of BEGIN ATOMIC as a view's (norm::view_query_tree: output columns named, `count(*) AS count`) with its column
// references unqualified, since PostgreSQL qualifies them (t.id) and a parameter is not a column of any relation.
// Statements other than queries are compared as parsed (their tree without locations).
std::string Replayer::Impl::sql_standard_body(const json& body) {
  std::vector<std::string> stmts;
  bool ret = false;
  auto walk = [&](auto& self, const json& node) -> void {
    if (node.is_array()) {
      for (const auto& n : node) self(self, n);
      return;
    }
    std::string type = node_type(node);
    const json& inner = unwrap(node);
    if (type == "List") {
      self(self, field(inner, "items"));
    } else if (type == "ReturnStmt") {
      ret = true;
      stmts.push_back("RETURN " + norm::expr(field(inner, "returnval"), ectx()));
    } else if (type == "SelectStmt") {
      stmts.push_back(norm::view_query_tree(inner, ectx()).loose);
    } else if (!type.empty()) {
      json copy = node;
      auto strip = [](auto& me, json& j) -> void {
        if (j.is_object()) j.erase("location");
        if (j.is_object() || j.is_array()) {
          for (auto& v : j) me(me, v);
        }
      };
      strip(strip, copy);
      stmts.push_back(copy.dump());
    }
  };
  walk(walk, body);
  if (ret && stmts.size() == 1) return stmts.front();
  std::string out = "BEGIN ATOMIC";
  for (const auto& x : stmts) out += " " + x + ";";
  return out + " END";
}

// "f(integer, text)" key of a function named by ObjectWithArgs; nullptr when missing (or ambiguous without args).
Function* Replayer::Impl::find_function(const json& owa, bool missing_ok, std::string* display_name) {
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
    for (const auto& a : field(owa, "objargs")) types.push_back(extension_type(signature_type(a)));
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

}  // namespace driftguard::model
