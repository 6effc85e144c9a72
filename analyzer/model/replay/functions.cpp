// CREATE FUNCTION/PROCEDURE and finding a function by signature: PostgreSQL's functioncmds.c.
#include <tuple>

#include "analyzer/model/replay/replayer_impl.hpp"
#include "analyzer/pgquery.hpp"

namespace driftguard::model {

namespace {
// PostgreSQL keeps no type modifier in a function's signature: f(varchar(1000)) is f(character varying), and
// RETURNS numeric(10,2) returns numeric (pg_get_function_arguments prints them without).
std::string signature_type(const json& type_name) {
  const json& written = type_name.contains("TypeName") ? type_name["TypeName"] : type_name;  // objargs wrap it
  if (!written.contains("typmods")) return norm::type_name(type_name);
  nlohmann::json bare = pg::to_nlohmann(type_name);
  nlohmann::json& node = bare.contains("TypeName") ? bare["TypeName"] : bare;
  node.erase("typmods");
  return norm::type_name(pg::from_nlohmann(bare));
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
    f.comment = it->second.comment;  // CREATE OR REPLACE keeps the function, and its comment and privileges
    f.grants = it->second.grants;
  } else {
    f.order = ++r.order_;
    f.grants = created_grants('f', s);
  }
  sc.functions.put(key, f);
}

// A SQL-standard body (RETURN expr; BEGIN ATOMIC stmt; ... END) in a form that compares equal to what PostgreSQL
// stores (prosqlbody, printed by pg_get_functiondef): "RETURN x * 2" with the expression canonical, and each query
// of BEGIN ATOMIC as a view's (norm::view_query_tree: output columns named, `count(*) AS count`) with its column
// references unqualified, since PostgreSQL qualifies them (t.id) and a parameter is not a column of any relation.
// Statements other than queries are compared as parsed (their tree without locations).
std::string Replayer::Impl::sql_standard_body(const json& body, const std::string* body_text) {
  // The text the body's locations point into: the statement being replayed, or a kept CREATE statement.
  auto ctx = [&] {
    norm::ExprContext c = ectx();
    if (body_text) {
      c.text = *body_text;
      c.base = 0;
    }
    return c;
  };
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
      stmts.push_back("RETURN " + norm::expr(field(inner, "returnval"), ctx()));
    } else if (type == "SelectStmt") {
      stmts.push_back(norm::view_query_tree(inner, ctx()).loose);
    } else if (!type.empty()) {
      nlohmann::json copy = pg::to_nlohmann(node);
      auto strip = [](auto& me, nlohmann::json& j) -> void {
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

// Where a SQL-standard body (the CREATE statement kept in sql_text) names the table or view s.n: the byte spans of
// those names in sql_text, in text order; empty when it does not read it. PostgreSQL records what such a body
// reads as the function's dependencies (DROP refuses or cascades, renames reach it).
std::vector<std::pair<std::size_t, std::size_t>> Replayer::Impl::sql_body_reads(const Function& f, const std::string& s,
                                                                                const std::string& n) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  if (f.sql_text.empty() || !norm::mentions_identifier(f.body, n)) return spans;
  pg::ParseOutcome parsed = pg::parse(f.sql_text);
  if (parsed.error) return spans;
  pg::TreeRef tree = pg::read(parsed.json);
  const json& stmts = field(tree, "stmts");
  if (!stmts.is_array() || stmts.empty()) return spans;
  auto walk = [&](auto& self, const json& node) -> void {
    if (node.is_array()) {
      for (const auto& v : node) self(self, v);
    } else if (node.is_object()) {
      for (const auto& [key, v] : node.items()) {
        if (key == "RangeVar" && resolve_relation(rangevar_parts(node)) == std::make_pair(s, n)) {
          auto at = static_cast<std::size_t>(num(v, "location", -1));
          if (at < f.sql_text.size()) spans.emplace_back(at, lex::name_end(f.sql_text, at));
        }
        self(self, v);
      }
    }
  };
  walk(walk, field(field(field(stmts[0], "stmt"), "CreateFunctionStmt"), "sql_body"));
  std::sort(spans.begin(), spans.end());
  return spans;
}

// After a rename or SET SCHEMA of a table or view (s.n -> to_s.to_n): PostgreSQL prints a SQL-standard body that
// reads it under the new name. The CREATE statement kept for the function names it anew (each reference, at its
// location) and the body is normalized again from it.
void Replayer::Impl::rename_in_sql_bodies(const std::string& s, const std::string& n, const std::string& to_s,
                                          const std::string& to_n) {
  for (auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [f_key_, reader] : sc.functions) {
      auto spans = sql_body_reads(reader, s, n);
      if (spans.empty()) continue;
      Function& f = sc.functions.edit(f_key_);  // to change (ObjectMap): `reader` may be shared
      std::vector<std::tuple<std::size_t, std::size_t, std::string>> edits;
      for (const auto& [b, e] : spans) edits.emplace_back(b, e, norm::qualified(to_s, to_n));
      // Column references qualified with the relation's name (u.id, public.u.id) print its new name too.
      pg::TreeRef tree0 = pg::read(pg::parse(f.sql_text).json);
      const json& body0 = field(field(field(field(tree0, "stmts")[0], "stmt"), "CreateFunctionStmt"), "sql_body");
      const std::string& body_text = f.sql_text;  // a named reference: lambdas cannot capture structured bindings (C++17)
      each_node(body0, "ColumnRef", [&](const json& v) {
        const json& fields = field(v, "fields");
        auto names = strings(fields);
        auto at = static_cast<std::size_t>(num(v, "location", -1));
        bool column_last = fields.is_array() && names.size() == fields.size();  // not u.*
        if (column_last && at < body_text.size() &&
            ((names.size() == 2 && names[0] == n && n != to_n) ||
             (names.size() == 3 && names[0] == s && names[1] == n))) {
          std::string rel = names.size() == 3 ? norm::qualified(to_s, to_n) : norm::ident(to_n);
          edits.emplace_back(at, lex::name_end(body_text, at), rel + "." + norm::ident(names.back()));
        }
      });
      std::sort(edits.begin(), edits.end());
      for (auto it = edits.rbegin(); it != edits.rend(); ++it) {
        f.sql_text.replace(std::get<0>(*it), std::get<1>(*it) - std::get<0>(*it), std::get<2>(*it));
      }
      pg::ParseOutcome again = pg::parse(f.sql_text);
      if (again.error) continue;
      pg::TreeRef tree = pg::read(again.json);
      f.body = sql_standard_body(field(field(field(field(tree, "stmts")[0], "stmt"), "CreateFunctionStmt"), "sql_body"),
                                 &f.sql_text);
    }
  }
}

// DROP of a table or view that SQL-standard bodies read: refused without CASCADE, else the functions go too.
void Replayer::Impl::drop_reading_functions(const std::string& s, const std::string& n, const std::string& kind, bool cascade) {
  std::vector<std::pair<std::string, std::string>> readers;  // schema, signature
  for (const auto& [sn, sc] : m.schemas) {
    for (const auto& [key, f] : sc.functions) {
      if (!sql_body_reads(f, s, n).empty()) readers.emplace_back(sn, key);
    }
  }
  if (readers.empty()) return;
  if (!cascade) {
    fail("cannot drop " + kind + " " + named(s, n) + " because function " + readers.front().second +
         " depends on it (use CASCADE)");
  }
  for (const auto& [sn, key] : readers) m.schema(sn)->functions.erase(key);
}

// "f(integer, text)" key of a function named by ObjectWithArgs; nullptr when missing (or ambiguous without args).
Function* Replayer::Impl::find_function_refusing(const json& owa, std::string* display_name) {
  Function* f = find_function(owa, true, display_name);
  if (f) return f;
  std::vector<std::string> parts = strings(field(owa, "objname"));
  auto [s, n] = resolve(parts, [](const Schema&, const std::string&) { return false; });
  bool known = parts.size() < 2 ? knows_all_unqualified(n) : knows_all_of(s);
  if (known) fail("function " + *display_name + " does not exist");
  return nullptr;
}

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
    for (const auto& [f_key_, f] : sc->functions) {
      if (f.name == n) found.push_back(&sc->functions.edit(f_key_));  // to change (ObjectMap)
    }
    if (found.size() > 1) fail("function name " + dq(shown) + " is not unique");
  } else {
    std::vector<std::string> types;
    for (const auto& a : field(owa, "objargs")) types.push_back(extension_type(signature_type(a)));
    if (Function* f = sc->functions.find_edit(shown + "(" + join(types, ", ") + ")")) found.push_back(f);
    if (display_name) *display_name = shown + "(" + join(types, ", ") + ")";
  }
  if (found.empty()) {
    if (missing_ok) return nullptr;
    fail("function " + (display_name ? *display_name : shown) + " does not exist");
  }
  return found.front();
}

}  // namespace driftguard::model
