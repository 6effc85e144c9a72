#include "analyzer/plpgsql_eval.hpp"

#include <charconv>
#include <memory>

#include "analyzer/names.hpp"
#include "analyzer/pgquery.hpp"
#include "analyzer/pgtree.hpp"

namespace driftguard::plpgsql {

namespace {

using Items = std::vector<std::optional<std::string>>;

std::shared_ptr<const pg::Tree> parse_select(const std::string& sql) {
  auto res = pg::parse(sql);
  if (res.error) return nullptr;
  try {
    return std::make_shared<const pg::Tree>(pg::Tree::parse(std::move(res.json)));
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
}

// The one SelectStmt of a parsed text, when it is a plain SELECT (no set operation, no INTO).
const json* only_select(const pg::Tree& tree) {
  const json& stmts = field(tree.root(), "stmts");
  if (!stmts.is_array() || stmts.size() != 1) return nullptr;
  const json& s = field(field(stmts[0], "stmt"), "SelectStmt");
  if (!s.is_object() || s.contains("intoClause") || (s.contains("op") && str(s, "op") != "SETOP_NONE")) return nullptr;
  for (const char* k : {"whereClause", "groupClause", "havingClause", "sortClause", "limitCount", "limitOffset",
                        "distinctClause", "withClause", "valuesLists", "windowClause", "lockingClause"}) {
    if (s.contains(k)) return nullptr;
  }
  return &s;
}

long long parse_integer(const std::string& t, bool& ok) {
  long long v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  ok = ec == std::errc() && p == t.data() + t.size() && !t.empty();
  return v;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// The last name of a qualified function or type name, when its schema (if any) is pg_catalog.
std::optional<std::string> catalog_name(const json& names) {
  auto parts = strings(names);
  if (parts.empty() || parts.size() > 2 || (parts.size() == 2 && parts[0] != "pg_catalog")) return std::nullopt;
  return parts.back();
}

// array_out of a one-dimensional text array: {a,"b c",NULL}; an element is quoted when it is empty, reads as NULL,
// or holds a delimiter, brace, quote, backslash or white space.
std::string array_text(const Items& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    const std::string& e = *items[i];
    bool quote = e.empty() || (e.size() == 4 && (e[0] | 0x20) == 'n' && (e[1] | 0x20) == 'u' && (e[2] | 0x20) == 'l' &&
                               (e[3] | 0x20) == 'l');
    for (char c : e) {
      if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' || c == '\t' || c == '\n' ||
          c == '\r' || c == '\v' || c == '\f') {
        quote = true;
      }
    }
    if (!quote) {
      out += e;
      continue;
    }
    out += '"';
    for (char c : e) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

class Evaluator {
 public:
  Evaluator(const Env& env, std::string_view sql) : env_(env), sql_(sql) {}

  std::optional<Value> eval(const json& node) {
    if (++steps_ > 10000) return std::nullopt;
    const std::string type = node_type(node);
    const json& b = unwrap(node);
    if (type == "A_Const") return constant(b);
    if (type == "ColumnRef") {
      auto f = strings(field(b, "fields"));
      if (f.size() != 1) return std::nullopt;
      auto it = env_.find(f[0]);
      if (it == env_.end() || !it->second) return std::nullopt;
      return *it->second;
    }
    if (type == "TypeCast") return cast(b);
    if (type == "A_ArrayExpr") {
      Value v;
      v.kind = Value::Kind::array;
      for (const auto& e : field(b, "elements")) {
        auto x = eval(e);
        if (!x || x->kind == Value::Kind::array) return std::nullopt;  // nested: a multidimensional array
        v.items.push_back(x->kind == Value::Kind::null ? std::nullopt : std::optional<std::string>(x->text));
      }
      return v;
    }
    if (type == "A_Expr") {
      if (str(b, "kind") != "AEXPR_OP" || strings(field(b, "name")) != std::vector<std::string>{"||"}) return std::nullopt;
      auto l = eval(field(b, "lexpr"));
      auto r = l ? eval(field(b, "rexpr")) : std::nullopt;
      if (!l || !r || l->kind == Value::Kind::array || r->kind == Value::Kind::array) return std::nullopt;
      if (l->kind == Value::Kind::null || r->kind == Value::Kind::null) return Value::null();
      return Value::of(l->text + r->text);
    }
    if (type == "CoalesceExpr") {
      for (const auto& a : field(b, "args")) {
        auto x = eval(a);
        if (!x) return std::nullopt;
        if (x->kind != Value::Kind::null) return x;
      }
      return Value::null();
    }
    if (type == "FuncCall") return call(b);
    return std::nullopt;
  }

 private:
  std::optional<Value> constant(const json& b) const {
    if (flag(b, "isnull")) return Value::null();
    if (const json& s = field(b, "sval"); s.is_object()) return Value::of(str(s, "sval"));
    if (const json& i = field(b, "ival"); i.is_object()) {
      long v = num(i, "ival");
      // libpg_query 15's JSON drops negative integer values ("ival": {}): read them from the text
      auto at = static_cast<std::size_t>(num(b, "location", -1));
      if (v == 0 && at < sql_.size() && sql_[at] == '-') {
        std::size_t p = at + 1;
        while (p < sql_.size() && (sql_[p] == ' ' || sql_[p] == '\t' || sql_[p] == '\n' || sql_[p] == '\r')) ++p;
        std::size_t e = p;
        while (e < sql_.size() && sql_[e] >= '0' && sql_[e] <= '9') ++e;
        if (e == p) return std::nullopt;
        std::string digits = "-";  // appended: GCC 12's -O3 -Wrestrict misreads "-" + std::string
        digits.append(sql_.substr(p, e - p));
        return Value::of(std::move(digits));
      }
      return Value::of(std::to_string(v));
    }
    if (const json& f = field(b, "fval"); f.is_object()) return Value::of(str(f, "fval"));
    return std::nullopt;  // booleans and bit strings: their text output is not what was written
  }

  std::optional<Value> cast(const json& b) {
    const json& tn = field(b, "typeName");
    const json& t = unwrap(tn);
    auto name = catalog_name(field(t, "names"));
    if (!name || t.contains("typmods") || flag(t, "setof")) return std::nullopt;
    if (*name != "text" && *name != "varchar") return std::nullopt;
    bool array = field(t, "arrayBounds").is_array() && !field(t, "arrayBounds").empty();
    auto v = eval(field(b, "arg"));
    if (!v) return std::nullopt;
    if (!array) {
      if (v->kind == Value::Kind::array) return std::nullopt;
      return v;
    }
    if (field(t, "arrayBounds").size() != 1) return std::nullopt;
    if (v->kind == Value::Kind::array || v->kind == Value::Kind::null) return v;
    auto items = parse_array_literal(v->text);
    if (!items) return std::nullopt;
    Value a;
    a.kind = Value::Kind::array;
    a.items = std::move(*items);
    return a;
  }

  std::optional<Value> call(const json& b) {
    for (const char* k : {"agg_order", "agg_filter", "over", "agg_within_group", "agg_star", "agg_distinct",
                          "func_variadic"}) {
      if (b.contains(k) && !(field(b, k).is_boolean() && !flag(b, k))) return std::nullopt;
    }
    auto name = catalog_name(field(b, "funcname"));
    if (!name) return std::nullopt;
    // format(), concat() and quote_literal() read an array argument as its text (array_out); nothing else here
    // takes one
    bool reads_arrays = *name == "format" || *name == "concat" || *name == "concat_ws" || *name == "quote_literal" ||
                        *name == "quote_nullable";
    std::vector<Value> args;
    for (const auto& a : field(b, "args")) {
      if (node_type(a) == "NamedArgExpr") return std::nullopt;
      auto x = eval(a);
      if (!x) return std::nullopt;
      if (x->kind == Value::Kind::array) {
        if (!reads_arrays || (*name == "format" && args.empty())) return std::nullopt;
        x = Value::of(array_text(x->items));
      }
      args.push_back(std::move(*x));
    }
    auto is_null = [&](std::size_t i) { return args[i].kind == Value::Kind::null; };
    auto any_null = [&] {
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (is_null(i)) return true;
      }
      return false;
    };
    const std::string& f = *name;
    if (f == "format" && !args.empty()) {
      if (is_null(0)) return Value::null();
      Items rest;
      for (std::size_t i = 1; i < args.size(); ++i) rest.push_back(is_null(i) ? std::nullopt : std::optional(args[i].text));
      auto s = format(args[0].text, rest);
      if (!s) return std::nullopt;
      return Value::of(std::move(*s));
    }
    if ((f == "quote_ident" || f == "quote_literal" || f == "quote_nullable" || f == "lower" || f == "upper") &&
        args.size() == 1) {
      if (is_null(0)) return f == "quote_nullable" ? Value::of("NULL") : Value::null();
      if (f == "quote_ident") return Value::of(quote_ident(args[0].text));
      if (f == "quote_literal" || f == "quote_nullable") return Value::of(quote_literal(args[0].text));
      // lower/upper follow the database's locale beyond ASCII
      if (!is_ascii(args[0].text)) return std::nullopt;
      std::string s = args[0].text;
      for (char& c : s) c = static_cast<char>(f == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                                             : std::toupper(static_cast<unsigned char>(c)));
      return Value::of(std::move(s));
    }
    if (f == "concat" && !args.empty()) {
      std::string s;
      for (const auto& a : args) s += a.text;  // NULL arguments add nothing
      return Value::of(std::move(s));
    }
    if (f == "concat_ws" && args.size() >= 2) {
      if (is_null(0)) return Value::null();
      std::string s;
      bool first = true;
      for (std::size_t i = 1; i < args.size(); ++i) {
        if (is_null(i)) continue;
        if (!first) s += args[0].text;
        s += args[i].text;
        first = false;
      }
      return Value::of(std::move(s));
    }
    if (f == "replace" && args.size() == 3) {
      if (any_null()) return Value::null();
      const std::string& from = args[1].text;
      std::string s = args[0].text;
      if (from.empty()) return Value::of(std::move(s));
      std::string out;
      std::size_t pos = 0;
      for (std::size_t at; (at = s.find(from, pos)) != std::string::npos; pos = at + from.size()) {
        out.append(s, pos, at - pos);
        out += args[2].text;
      }
      out.append(s, pos, std::string::npos);
      return Value::of(std::move(out));
    }
    return std::nullopt;
  }

  const Env& env_;
  std::string_view sql_;  // the text the tree's locations point into
  int steps_ = 0;
};

}  // namespace

std::optional<Value> evaluate(std::string_view expr, const Env& env) {
  std::string sql = "SELECT " + std::string(expr);
  auto tree = parse_select(sql);
  if (!tree) return std::nullopt;
  const json* s = only_select(*tree);
  if (!s || s->contains("fromClause")) return std::nullopt;
  const json& targets = field(*s, "targetList");
  if (!targets.is_array() || targets.size() != 1) return std::nullopt;
  Evaluator ev(env, sql);
  return ev.eval(field(unwrap(targets[0]), "val"));
}

std::optional<std::vector<long long>> integer_range(std::string_view lower, std::string_view upper,
                                                    std::string_view step, bool reverse, const Env& env,
                                                    std::size_t limit) {
  auto integer = [&](std::string_view e) -> std::optional<long long> {
    auto v = evaluate(e, env);
    if (!v || v->kind != Value::Kind::text) return std::nullopt;
    bool ok = false;
    long long n = parse_integer(v->text, ok);
    if (!ok) return std::nullopt;
    return n;
  };
  auto lo = integer(lower);
  auto hi = integer(upper);
  auto by = step.empty() ? std::optional<long long>(1) : integer(step);
  if (!lo || !hi || !by || *by <= 0) return std::nullopt;
  std::vector<long long> out;
  for (long long i = *lo; reverse ? i >= *hi : i <= *hi; i += reverse ? -*by : *by) {
    if (out.size() == limit) return std::nullopt;
    out.push_back(i);
  }
  return out;
}

std::optional<Value> unnest_query(std::string_view query, const Env& env) {
  std::string sql(query);
  auto tree = parse_select(sql);
  if (!tree) return std::nullopt;
  const json* s = only_select(*tree);
  if (!s) return std::nullopt;
  const json& targets = field(*s, "targetList");
  if (!targets.is_array() || targets.size() != 1) return std::nullopt;
  const json& val = field(unwrap(targets[0]), "val");
  auto unnest_arg = [&](const json& call) -> const json* {
    if (node_type(call) != "FuncCall") return nullptr;
    const json& c = unwrap(call);
    auto name = catalog_name(field(c, "funcname"));
    const json& args = field(c, "args");
    if (!name || *name != "unnest" || !args.is_array() || args.size() != 1 || c.contains("over")) return nullptr;
    return &args[0];
  };
  const json* arg = nullptr;
  if (!s->contains("fromClause")) {
    arg = unnest_arg(val);
  } else {
    // SELECT x FROM unnest(<array>) [AS] x[(x)]   or   SELECT * FROM unnest(<array>) ...
    const json& from = field(*s, "fromClause");
    if (from.size() != 1 || node_type(from[0]) != "RangeFunction") return std::nullopt;
    const json& rf = unwrap(from[0]);
    const json& fns = field(rf, "functions");
    if (flag(rf, "ordinality") || flag(rf, "is_rowsfrom") || fns.size() != 1 || fns[0].size() < 1) return std::nullopt;
    arg = unnest_arg(fns[0][0]);
    if (node_type(val) != "ColumnRef") return std::nullopt;
    const json& fields = field(unwrap(val), "fields");
    bool star = fields.size() == 1 && node_type(fields[0]) == "A_Star";
    if (!star) {
      auto f = strings(fields);
      const json& alias = unwrap(field(rf, "alias"));
      auto cols = strings(field(alias, "colnames"));
      std::string column = !cols.empty() ? cols[0] : !str(alias, "aliasname").empty() ? str(alias, "aliasname") : "unnest";
      if (cols.size() > 1 || f.size() != 1 || f[0] != column) return std::nullopt;
    }
  }
  if (!arg) return std::nullopt;
  Evaluator ev(env, sql);
  auto v = ev.eval(*arg);
  if (!v || v->kind != Value::Kind::array) return std::nullopt;
  return v;
}

std::optional<std::string> format(const std::string& fmt, const Items& args) {
  std::string out;
  std::size_t next = 0;  // the argument a conversion without a position takes
  auto digits = [&](std::size_t& i, long long& n) {
    std::size_t start = i;
    n = 0;
    while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
      n = n * 10 + (fmt[i] - '0');
      if (n > 1000000) return false;
      ++i;
    }
    return i > start;
  };
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) return std::nullopt;  // unterminated format() type specifier
    if (fmt[i] == '%') {
      out += '%';
      continue;
    }
    // %[position$][-][width|*|*position$]type
    long long position = 0;
    std::size_t save = i;
    long long n = 0;
    if (digits(i, n) && i < fmt.size() && fmt[i] == '$') {
      if (n == 0) return std::nullopt;
      position = n;
      ++i;
    } else {
      i = save;
    }
    bool left = false;
    while (i < fmt.size() && fmt[i] == '-') {
      left = true;
      ++i;
    }
    long long width = 0;
    if (i < fmt.size() && fmt[i] == '*') {
      ++i;
      long long wpos = 0;
      std::size_t ws = i;
      if (digits(i, n) && i < fmt.size() && fmt[i] == '$') {
        if (n == 0) return std::nullopt;
        wpos = n;
        ++i;
      } else {
        i = ws;
      }
      std::size_t w = wpos ? static_cast<std::size_t>(wpos - 1) : next;
      if (w >= args.size()) return std::nullopt;  // too few arguments for format()
      next = w + 1;
      if (args[w]) {
        bool ok = false;
        width = parse_integer(*args[w], ok);
        if (!ok || width > 1000000 || width < -1000000) return std::nullopt;
        if (width < 0) {
          left = true;
          width = -width;
        }
      }
    } else {
      digits(i, width);
    }
    if (i >= fmt.size()) return std::nullopt;
    char type = fmt[i];
    if (type != 's' && type != 'I' && type != 'L') return std::nullopt;  // unrecognized format() type specifier
    std::size_t a = position ? static_cast<std::size_t>(position - 1) : next;
    if (a >= args.size()) return std::nullopt;
    next = a + 1;
    std::string piece;
    if (!args[a]) {
      if (type == 'I') return std::nullopt;  // null values cannot be formatted as an SQL identifier
      if (type == 'L') piece = "NULL";
    } else {
      piece = type == 's' ? *args[a] : type == 'I' ? quote_ident(*args[a]) : quote_literal(*args[a]);
    }
    std::size_t len = utf8_length(piece);
    std::string pad(static_cast<std::size_t>(width) > len ? static_cast<std::size_t>(width) - len : 0, ' ');
    if (left) {
      out += piece;
      out += pad;
    } else {
      out += pad;
      out += piece;
    }
  }
  return out;
}

std::string quote_ident(std::string_view id) {
  // ruleutils.c quote_identifier: lower-case ASCII letters, digits and "_", not starting with a digit, and not a
  // keyword PostgreSQL reserves in any way (unreserved keywords stay bare).
  bool safe = !id.empty() && ((id[0] >= 'a' && id[0] <= 'z') || id[0] == '_');
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
  }
  if (safe && !is_reserved_keyword(id)) return std::string(id);
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_literal(std::string_view s) {
  std::string out;
  if (s.find('\\') != std::string_view::npos) out += 'E';
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::optional<Items> parse_array_literal(std::string_view t) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  std::size_t i = 0;
  while (i < t.size() && space(t[i])) ++i;
  if (i >= t.size() || t[i] != '{') return std::nullopt;  // dimensions ("[1:2]={...}") are not read
  ++i;
  Items items;
  while (i < t.size() && space(t[i])) ++i;
  if (i < t.size() && t[i] == '}') {
    ++i;
  } else {
    for (;;) {
      while (i < t.size() && space(t[i])) ++i;
      if (i >= t.size()) return std::nullopt;
      std::string item;
      bool quoted = false;
      if (t[i] == '{') return std::nullopt;  // multidimensional
      if (t[i] == '"') {
        quoted = true;
        ++i;
        for (;; ++i) {
          if (i >= t.size()) return std::nullopt;
          if (t[i] == '\\') {
            if (++i >= t.size()) return std::nullopt;
            item += t[i];
          } else if (t[i] == '"') {
            ++i;
            break;
          } else {
            item += t[i];
          }
        }
        while (i < t.size() && space(t[i])) ++i;
      } else {
        std::size_t trailing = 0;  // unquoted whitespace at the end is not part of the element
        for (; i < t.size() && t[i] != ',' && t[i] != '}'; ++i) {
          if (t[i] == '"' || t[i] == '{') return std::nullopt;
          if (t[i] == '\\') {
            if (++i >= t.size()) return std::nullopt;
            item += t[i];
            trailing = 0;
          } else {
            item += t[i];
            trailing = space(t[i]) ? trailing + 1 : 0;
          }
        }
        item.resize(item.size() - trailing);
        if (item.empty()) return std::nullopt;  // an empty unquoted element is an error
      }
      if (!quoted && item.size() == 4 && (item[0] | 0x20) == 'n' && (item[1] | 0x20) == 'u' &&
          (item[2] | 0x20) == 'l' && (item[3] | 0x20) == 'l') {
        items.push_back(std::nullopt);
      } else {
        items.push_back(std::move(item));
      }
      if (i >= t.size()) return std::nullopt;
      if (t[i] == ',') {
        ++i;
        continue;
      }
      if (t[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  while (i < t.size() && space(t[i])) ++i;
  if (i != t.size()) return std::nullopt;
  return items;
}

}  // namespace driftguard::plpgsql
