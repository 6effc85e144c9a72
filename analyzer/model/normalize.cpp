#include "analyzer/model/normalize.hpp"
#include "analyzer/model/stored_query.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <limits>
#include <set>
#include <vector>

#include <re2/re2.h>

#include "analyzer/model/function_resolution.hpp"
#include "analyzer/model/interval_literal.hpp"
#include "analyzer/names.hpp"
#include "analyzer/pgquery.hpp"
#include "analyzer/text.hpp"
#include "analyzer/text_util.hpp"

namespace driftguard::norm {
namespace {

// Trees built or rewritten here (IN lists split, nextval's regclass cast, views' `*` expanded) are nlohmann's,
// turned into parse trees (pg::from_nlohmann) where the printer reads them.
using mjson = nlohmann::json;

constexpr std::size_t kMaxIdent = 63;  // NAMEDATALEN - 1

// Bytes of s that fit in n bytes without cutting a UTF-8 character.
std::size_t clip_utf8(const std::string& s, std::size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// ---- types ----

std::vector<std::string> typmod_texts(const json& tn) {
  std::vector<std::string> out;
  const json& tm = field(tn, "typmods");
  if (!tm.is_array()) return out;
  for (const auto& m : tm) {
    const json& c = field(m, "A_Const");
    if (c.is_object()) {
      if (const json& iv = field(c, "ival"); iv.is_object()) {
        out.push_back(std::to_string(num(iv, "ival", 0)));
      } else if (const json& sv = field(c, "sval"); sv.is_object()) {
        out.push_back(str(sv, "sval"));
      } else if (const json& fv = field(c, "fval"); fv.is_object()) {
        out.push_back(str(fv, "fval"));
      }
    } else if (const json& cr = field(m, "ColumnRef"); cr.is_object()) {
      auto f = strings(field(cr, "fields"));
      out.push_back(f.empty() ? std::string() : f.back());
    }
  }
  return out;
}

std::string paren_list(const std::vector<std::string>& mods) {
  if (mods.empty()) return {};
  std::string out = "(";
  for (std::size_t i = 0; i < mods.size(); ++i) out += (i ? "," : "") + mods[i];
  return out + ")";
}

std::string interval_fields(long mask) {
  constexpr long month = 1 << 1, year = 1 << 2, day = 1 << 3, hour = 1 << 10, minute = 1 << 11, second = 1 << 12;
  static const std::pair<long, const char*> names[] = {
      {year, " year"},
      {month, " month"},
      {day, " day"},
      {hour, " hour"},
      {minute, " minute"},
      {second, " second"},
      {year | month, " year to month"},
      {day | hour, " day to hour"},
      {day | hour | minute, " day to minute"},
      {day | hour | minute | second, " day to second"},
      {hour | minute, " hour to minute"},
      {hour | minute | second, " hour to second"},
      {minute | second, " minute to second"}};
  for (const auto& [m, n] : names) {
    if (m == mask) return n;
  }
  return {};
}

// format_type's name for a built-in type with its typmods; "" when `base` is not one that format_type renames.
std::string builtin_type(const std::string& base, const std::vector<std::string>& mods) {
  auto m = paren_list(mods);
  if (base == "int2" || base == "smallint") return "smallint";
  if (base == "int4" || base == "int" || base == "integer") return "integer";
  if (base == "int8" || base == "bigint") return "bigint";
  if (base == "float4" || base == "real") return "real";
  if (base == "float8" || base == "double precision") return "double precision";
  if (base == "bool" || base == "boolean") return "boolean";
  if (base == "varchar" || base == "character varying") return "character varying" + m;
  if (base == "bpchar" || base == "character") return mods.empty() ? "bpchar" : "character" + m;
  if (base == "varbit" || base == "bit varying") return "bit varying" + m;
  if (base == "bit") return "bit" + m;
  if (base == "numeric" || base == "decimal") {
    if (mods.size() == 1) return "numeric(" + mods[0] + ",0)";
    return "numeric" + m;
  }
  if (base == "timestamp") return "timestamp" + m + " without time zone";
  if (base == "timestamptz") return "timestamp" + m + " with time zone";
  if (base == "time") return "time" + m + " without time zone";
  if (base == "timetz") return "time" + m + " with time zone";
  if (base == "interval") {
    if (mods.empty()) return "interval";
    long mask = std::strtol(mods[0].c_str(), nullptr, 10);
    std::string out = "interval" + interval_fields(mask);
    if (mods.size() == 2) out += "(" + mods[1] + ")";
    return out;
  }
  return {};
}

bool is_numeric_type(const std::string& t) {
  auto s = strip_typmod(t);
  return s == "smallint" || s == "integer" || s == "bigint" || s == "numeric" || s == "real" ||
         s == "double precision";
}
bool is_text_type(const std::string& t) {
  auto s = strip_typmod(t);
  return s == "text" || s == "character varying" || s == "character" || s == "bpchar";
}
// -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?, scanned: std::regex compiled at first use (the five of this file: 6.0 M
// instructions, 3.9 % of a small run, twelfth session).
bool is_number_text(const std::string& s) {
  std::size_t i = 0;
  auto digits = [&]() {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A timestamp without time zone as PostgreSQL prints it: "2020-01-01T10:00+02:00" -> "2020-01-01 10:00:00"
// (the zone is ignored for this type, seconds are always shown, a zero fraction is not).
std::string timestamp_literal(const std::string& s) {
  // RE2, not std::regex (is_number_text); \s spelled as std::regex's (C locale: also \v), \d as [0-9].
  static const RE2 re(
      R"([ \t\n\v\f\r]*([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{2}:[0-9]{2})(:[0-9]{2})?(\.[0-9]+)?)?[ \t\n\v\f\r]*)"
      R"((Z|[+-][0-9]{2}(:?[0-9]{2})?)?[ \t\n\v\f\r]*)");
  re2::StringPiece m[4];
  if (!RE2::FullMatch(s, re, &m[0], &m[1], &m[2], &m[3])) return s;
  std::string frac(m[3]);
  while (!frac.empty() && (frac.back() == '0' || frac.back() == '.')) frac.pop_back();
  // a date alone is midnight
  return std::string(m[0]) + " " + (m[1].data() ? std::string(m[1]) : "00:00") + (m[2].data() ? std::string(m[2]) : ":00") + frac;
}

// A timestamp with time zone literal as PostgreSQL prints it with TimeZone = UTC (the catalog reader reads in
// UTC): '2020-01-01 02:00:00+02' and '2020-01-01 00:00:00' (no zone: taken as UTC) are '2020-01-01 00:00:00+00'.
std::string timestamptz_literal(const std::string& s) {
  static const RE2 re(
      R"((?i)[ \t\n\v\f\r]*([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(\.[0-9]+)?)?)"
      R"([ \t\n\v\f\r]*(Z|UTC|([+-])([0-9]{2}):?([0-9]{2})?)?[ \t\n\v\f\r]*)");
  re2::StringPiece g[12];  // g[k]: group k (g[0] unused)
  if (!RE2::FullMatch(s, re, &g[1], &g[2], &g[3], &g[4], &g[5], &g[6], &g[7], &g[8], &g[9], &g[10], &g[11])) return s;
  auto num = [&](int k) { return std::stoi(std::string(g[k])); };
  std::tm tm{};
  tm.tm_year = num(1) - 1900;
  tm.tm_mon = num(2) - 1;
  tm.tm_mday = num(3);
  tm.tm_hour = g[4].data() ? num(4) : 0;  // a date alone is midnight
  tm.tm_min = g[5].data() ? num(5) : 0;
  tm.tm_sec = g[6].data() ? num(6) : 0;
  std::time_t t = timegm(&tm);
  if (g[9].data()) {
    long off = std::stol(std::string(g[10])) * 3600 + (g[11].data() ? std::stol(std::string(g[11])) * 60 : 0);
    t -= g[9] == "+" ? off : -off;
  }
  std::tm utc{};
  if (!gmtime_r(&t, &utc)) return s;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &utc);
  std::string frac(g[7]);
  while (!frac.empty() && (frac.back() == '0' || frac.back() == '.')) frac.pop_back();
  return std::string(buf) + frac + "+00";
}

// A time literal as PostgreSQL prints it: seconds always shown ('12:00' is '12:00:00'), a fraction kept.
std::string time_literal(const std::string& s) {
  // ([0-9]{1,2}):([0-9]{2}), scanned
  auto digit = [&](std::size_t k) { return s[k] >= '0' && s[k] <= '9'; };
  std::size_t colon = s.find(':');
  if ((colon != 1 && colon != 2) || s.size() != colon + 3) return s;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (k != colon && !digit(k)) return s;
  }
  return (colon == 1 ? "0" : "") + s.substr(0, colon) + ":" + s.substr(colon + 1) + ":00";
}

// A range of timestamps as PostgreSQL prints it: each bound printed as its type prints it, in double quotes
// ('[2024-01-01,2024-02-01)' is '["2024-01-01 00:00:00","2024-02-01 00:00:00")'); an empty or unbounded side kept.
std::string range_literal(const std::string& s, std::string (*bound)(const std::string&)) {
  static const RE2 re(
      R"re([ \t\n\v\f\r]*([\[(])[ \t\n\v\f\r]*"?([^,"]*?)"?[ \t\n\v\f\r]*,[ \t\n\v\f\r]*"?([^,"]*?)"?)re"
      R"re([ \t\n\v\f\r]*([\])])[ \t\n\v\f\r]*)re");
  std::string open, low, high, close;
  if (!RE2::FullMatch(s, re, &open, &low, &high, &close)) return s;
  auto side = [&](const std::string& v) { return v.empty() ? std::string() : "\"" + bound(v) + "\""; };
  return open + side(low) + "," + side(high) + close;
}

std::string quote_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Splits "a.\"B\"" into {"a", "B"} (unquoted parts folded to lower case), for regclass literals.
std::vector<std::string> split_qualified(std::string_view s) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  parts.push_back(cur);
  return parts;
}

// An array literal as PostgreSQL prints it: no white space around elements ('{a, b}' is '{a,b}'), elements
// quoted only when needed.
std::string array_literal(const std::string& s) {
  std::string t = s;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  std::size_t b = 0;
  while (b < t.size() && std::isspace(static_cast<unsigned char>(t[b]))) ++b;
  t = t.substr(b);
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') return s;
  std::string out;
  std::string elem;
  bool quoted_elem = false;
  auto flush = [&] {
    // trailing white space of an unquoted element is not part of it
    if (!quoted_elem) {
      while (!elem.empty() && std::isspace(static_cast<unsigned char>(elem.back()))) elem.pop_back();
    }
    bool needs_quotes = quoted_elem && (elem.empty() || elem.find_first_of("{},\"\\ ") != std::string::npos ||
                                        elem == "NULL" || elem == "null");
    if (needs_quotes) {
      out += '"';
      for (char c : elem) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    } else {
      out += elem;
    }
    elem.clear();
    quoted_elem = false;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '{' || c == '}' || c == ',') {
      if (c != '{' && (!elem.empty() || quoted_elem)) flush();
      out += c;
      continue;
    }
    if (c == '"') {
      quoted_elem = true;
      for (++i; i < t.size() && t[i] != '"'; ++i) {
        if (t[i] == '\\' && i + 1 < t.size()) ++i;
        elem += t[i];
      }
      continue;
    }
    if (c == '\\' && i + 1 < t.size()) {
      elem += t[++i];
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) && elem.empty()) continue;
    elem += c;
  }
  return out;
}

// A jsonb literal as PostgreSQL prints it: keys in jsonb's order (shorter first, then bytewise; the last of
// duplicate keys wins), ", " and ": " separators. Text that is not JSON is returned as it is.
void jsonb_text(const mjson& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, const mjson*>> items;
    for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(it.key(), &it.value());
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
    out += '{';
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += (i ? ", " : "") + mjson(items[i].first).dump() + ": ";
      jsonb_text(*items[i].second, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      jsonb_text(v[i], out);
    }
    out += ']';
  } else {
    out += v.dump();
  }
}
bool has_fraction(const mjson& v) {
  if (v.is_number_float()) return true;
  if (v.is_structured()) {
    for (const auto& e : v) {
      if (has_fraction(e)) return true;
    }
  }
  return false;
}
std::string jsonb_literal(const std::string& s) {
  mjson v = mjson::parse(s, nullptr, false);
  // jsonb keeps a number's digits (1.50 stays 1.50), which a double would not: such literals stay as written
  if (v.is_discarded() || has_fraction(v)) return s;
  std::string out;
  jsonb_text(v, out);
  return out;
}

// ---- expressions ----

// The columns a `*` of a query stood for: (the name references use for the FROM item, column), in order.
using StarColumns = std::vector<std::pair<std::string, std::string>>;
using StarLog = std::map<long, StarColumns>;
// The key stored_view_query marks each `*` of a query with (its A_Star node), so the printer can say what it stood for.
constexpr const char* kStarId = "driftguard_star";

// The result columns of a built-in set-returning function that has OUT parameters (pg_proc.proargnames), by the
// name PostgreSQL prints; empty for a function that returns one unnamed value (unnest, generate_series) or one the
// model does not know.
std::vector<std::string> set_returning_columns(const std::string& function) {
  static const std::map<std::string, std::vector<std::string>> known = {
      {"jsonb_array_elements", {"value"}},      {"json_array_elements", {"value"}},
      {"jsonb_array_elements_text", {"value"}}, {"json_array_elements_text", {"value"}},
      {"jsonb_each", {"key", "value"}},         {"json_each", {"key", "value"}},
      {"jsonb_each_text", {"key", "value"}},    {"json_each_text", {"key", "value"}},
  };
  auto it = known.find(function);
  return it == known.end() ? std::vector<std::string>{} : it->second;
}

class Printer {
 public:
  explicit Printer(const ExprContext& c) : c_(c) {}

  std::string print(const json& node, const std::string& target) {
    std::string t = node_type(node);
    const json& b = unwrap(node);
    if (t == "A_Const") return constant(b, target);
    if (t == "TypeCast") return cast(b, target);
    if (t == "FuncCall") return func(b);
    if (t == "ColumnRef") return column_ref(b);
    if (t == "A_Expr") return a_expr(b);
    if (t == "BoolExpr") return bool_expr(b);
    if (t == "NullTest") {
      return child(field(b, "arg")) + (str(b, "nulltesttype") == "IS_NOT_NULL" ? " IS NOT NULL" : " IS NULL");
    }
    if (t == "BooleanTest") return boolean_test(b);
    if (t == "SQLValueFunction") return sql_value_function(b);
    if (t == "A_ArrayExpr") return array(b, element_type(target));
    if (t == "SubLink") return sublink(b);
    if (t == "CaseExpr") return case_expr(b);
    if (t == "CoalesceExpr") return "COALESCE(" + unified_list(field(b, "args"), target) + ")";
    if (t == "MinMaxExpr") {
      return std::string(str(b, "op") == "IS_LEAST" ? "LEAST(" : "GREATEST(") + unified_list(field(b, "args"), target) + ")";
    }
    if (t == "RowExpr") return "ROW(" + list(field(b, "args"), "") + ")";
    if (t == "A_Indirection") return indirection(b);
    if (t == "CollateClause") {
      return child(field(b, "arg")) + " COLLATE " + display(strings(field(b, "collname")));
    }
    if (t == "ParamRef") return "$" + std::to_string(num(b, "number", 0));
    if (t == "NamedArgExpr") return ident(str(b, "name")) + " => " + print(field(b, "arg"), "");
    if (t == "SetToDefault") return "DEFAULT";
    if (t == "GroupingFunc") return "GROUPING(" + list(field(b, "args"), "") + ")";
    return fallback(node);
  }

 private:
  const ExprContext& c_;
  std::vector<std::string> positional_targets_;  // the output expressions of the last plain SELECT printed
  std::vector<std::string> positional_names_;    // and their names

  static bool compound(const json& node) {
    std::string t = node_type(node);
    if (t == "A_Expr" || t == "BoolExpr" || t == "NullTest" || t == "BooleanTest" || t == "CollateClause") return true;
    if (t == "SubLink") {
      auto k = str(unwrap(node), "subLinkType");
      return k == "ANY_SUBLINK" || k == "ALL_SUBLINK";
    }
    return false;
  }
  std::string child(const json& node, const std::string& target = {}) {
    std::string s = print(node, target);
    return compound(node) ? "(" + s + ")" : s;
  }
  std::string list(const json& items, const std::string& target) {
    std::string out;
    if (!items.is_array()) return out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + print(items[i], target);
    return out;
  }

  // The arguments of COALESCE, GREATEST and LEAST, which PostgreSQL brings to one type: a numeric column cast to
  // another numeric type is the cast PostgreSQL adds (COALESCE(a, (b)::bigint, c) for an integer b).
  std::string unified_list(const json& items, const std::string& target) {
    std::string out;
    if (!items.is_array()) return out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json& a = items[i];
      const json& inner = field(unwrap(a), "arg");
      out += (i ? ", " : "") + print(widened_column(a) ? inner : a, target);
    }
    return out;
  }

  // A numeric column cast to another integer or numeric type: the cast PostgreSQL adds to bring the branches of
  // COALESCE, GREATEST, LEAST and CASE to one type (COALESCE((t.s)::bigint, t.n) for a smallint s).
  bool widened_column(const json& a) {
    if (node_type(a) != "TypeCast") return false;
    const json& inner = field(unwrap(a), "arg");
    if (node_type(inner) != "ColumnRef" || !is_numeric_type(type_name(field(unwrap(a), "typeName")))) return false;
    return is_numeric_type(column_type(inner));
  }

  // ARRAY[...] assigned to an array type: PostgreSQL stores each element cast to the element type
  // (ARRAY['A'::"Role"]); string literals keep that cast unless the element type takes them as they are.
  std::string array(const json& b, const std::string& et) { return array_items(field(b, "elements"), et); }
  std::string array_items(const json& items, const std::string& et) {
    std::string out = "ARRAY[";
    for (std::size_t i = 0; items.is_array() && i < items.size(); ++i) {
      std::string e = print(items[i], et);
      bool literal = !e.empty() && e.front() == '\'' && e.back() == '\'';
      if (literal && !et.empty() && !is_text_type(et) && element_type(et).empty()) e += "::" + et;
      out += (i ? ", " : "") + e;
    }
    return out + "]";
  }

  // The source text at a node's location, or empty when unknown.
  std::string_view at(const json& b) const {
    long loc = num(b, "location", -1);
    if (c_.text.empty() || loc < 0) return {};
    std::size_t off = c_.base + static_cast<std::size_t>(loc);
    return off < c_.text.size() ? c_.text.substr(off) : std::string_view{};
  }

  std::string constant(const json& b, const std::string& target) {
    if (flag(b, "isnull")) return "NULL";
    if (const json& iv = field(b, "ival"); iv.is_object()) {
      long v = num(iv, "ival", 0);
      // libpg_query 15's JSON drops negative integer values ("ival": {}): read them from the source.
      if (v == 0) {
        auto s = at(b);
        if (!s.empty() && s[0] == '-') {
          std::size_t i = lex::skip_trivia(s, 1);
          std::size_t j = i;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
          if (j > i) return "-" + std::string(s.substr(i, j - i));
        }
      }
      return std::to_string(v);
    }
    if (const json& fv = field(b, "fval"); fv.is_object()) return str(fv, "fval");
    if (const json& bv = field(b, "boolval"); bv.is_object()) return flag(bv, "boolval") ? "true" : "false";
    if (const json& bs = field(b, "bsval"); bs.is_object()) {
      std::string v = str(bs, "bsval");
      // Assigned to a bit column, PostgreSQL stores the bits as a string: B'1010' is '1010', X'A' is '1010'; a
      // bit varying column keeps the literal's own type, '1010'::bit.
      if (std::string bt = strip_typmod(target); (bt == "bit" || bt == "bit varying") && !v.empty()) {
        char kind = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
        std::string as = bt == "bit" ? "" : "::bit";
        if (kind == 'B') return quote_literal(v.substr(1)) + as;
        if (kind == 'X') {
          std::string bits;
          for (char h : v.substr(1)) {
            int d = std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10;
            for (int k = 3; k >= 0; --k) bits += (d >> k) & 1 ? '1' : '0';
          }
          return quote_literal(bits) + as;
        }
      }
      if (v.empty()) return "B''";
      char kind = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
      return std::string(1, kind) + "'" + v.substr(1) + "'";
    }
    std::string s = str(field(b, "sval"), "sval");
    if (!target.empty() && is_numeric_type(target) && is_number_text(s)) return s;
    if (is_text_type(element_type(target))) s = array_literal(s);
    if (strip_typmod(target) == "jsonb") s = jsonb_literal(s);
    if (strip_typmod(target) == "timestamp without time zone") s = timestamp_literal(s);
    if (strip_typmod(target) == "timestamp with time zone") s = timestamptz_literal(s);
    if (strip_typmod(target) == "time without time zone") s = time_literal(s);
    if (target.rfind("interval", 0) == 0) s = interval_literal(s, target).value_or(s);  // '10 minutes' is '00:10:00'
    if (target == "tsrange" || target == "tstzrange") s = range_literal(s, target == "tsrange" ? timestamp_literal : timestamptz_literal);
    // bytea stores the bytes and prints them in hex ('x' is '\x78'); "char" keeps the first byte
    if (target == "bytea" && s.find('\\') == std::string::npos) {
      static const char* hex = "0123456789abcdef";
      std::string h = "\\x";
      for (unsigned char ch : s) h.append(1, hex[ch >> 4]).append(1, hex[ch & 15]);
      s = h;
    }
    if (target == "\"char\"" && s.size() > 1 && static_cast<unsigned char>(s[0]) < 0x80) s = s.substr(0, 1);
    if (strip_typmod(target) == "boolean") {
      std::string l = s;
      std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (l == "true" || l == "t" || l == "yes" || l == "on" || l == "1") return "true";
      if (l == "false" || l == "f" || l == "no" || l == "off" || l == "0") return "false";
    }
    return quote_literal(s);
  }

  static bool is_const(const json& n, const char* kind = nullptr) {
    const json& c = field(n, "A_Const");
    if (!c.is_object()) return false;
    return kind == nullptr || field(c, kind).is_object();
  }
  static bool empty_array(const json& n) {
    const json& a = field(n, "A_ArrayExpr");
    return a.is_object() && !field(a, "elements").is_array();
  }
  static bool literal_array(const json& n) {
    const json& a = field(n, "A_ArrayExpr");
    if (!a.is_object() || !field(a, "elements").is_array()) return false;
    for (const auto& e : field(a, "elements")) {
      if (!is_const(e) && !(node_type(e) == "TypeCast" && is_const(field(unwrap(e), "arg")))) return false;
    }
    return true;
  }

  std::string cast(const json& b, const std::string& target) {
    const json& arg = field(b, "arg");
    std::string t = type_name(field(b, "typeName"));
    // text of an unbounded varchar is the same value: PostgreSQL adds ((x)::character varying)::text where a
    // function takes text.
    if (t == "text" && node_type(arg) == "TypeCast" && type_name(field(unwrap(arg), "typeName")) == "character varying") {
      return print(arg, target);
    }
    // A cast to the type the value is assigned to changes nothing ('USER'::"Role" in a "Role" column).
    if (!target.empty() && strip_typmod(t) == strip_typmod(target)) {
      // An empty array of the column's type is '{}' however it is spelled (ARRAY[]::text[], '{}'::text[]).
      if (empty_array(arg)) return c_.keep_spelling ? "ARRAY[]::" + t : "'{}'";
      return print(arg, target);
    }
    // Casts PostgreSQL adds or that make no difference: numeric literals to numeric types, string literals (and
    // arrays of them) to text types, text-like columns to text types.
    if (is_numeric_type(t) && (is_const(arg, "ival") || is_const(arg, "fval"))) return print(arg, "");
    if (is_numeric_type(t) && is_const(arg, "sval") && is_number_text(str(field(field(arg, "A_Const"), "sval"), "sval"))) {
      return print(arg, t);
    }
    // A negative number compared with a column of another numeric type: PostgreSQL prints the literal's own type
    // and then the cast it adds, (n > ('-100'::integer)::numeric) for n > -100.
    if (is_numeric_type(t) && node_type(arg) == "TypeCast" && is_numeric_type(type_name(field(unwrap(arg), "typeName")))) {
      const json& inner = field(unwrap(arg), "arg");
      if (is_const(inner, "ival") || is_const(inner, "fval") ||
          (is_const(inner, "sval") && is_number_text(str(field(field(inner, "A_Const"), "sval"), "sval")))) {
        return print(arg, "");
      }
    }
    if (is_text_type(t) && is_const(arg, "sval")) return print(arg, "");
    // A literal of one text type seen as another, ('x'::bpchar)::text: what PostgreSQL keeps in a check after ALTER
    // COLUMN TYPE from char(n) to text. The same value as the literal when it ends in no blank (bpchar drops those).
    if (is_text_type(t) && node_type(arg) == "TypeCast" && is_text_type(type_name(field(unwrap(arg), "typeName"))) &&
        is_const(field(unwrap(arg), "arg"), "sval")) {
      std::string v = str(field(field(field(unwrap(arg), "arg"), "A_Const"), "sval"), "sval");
      if (v.empty() || v.back() != ' ') return print(field(unwrap(arg), "arg"), "");
    }
    if (is_text_type(element_type(t)) && literal_array(arg)) return print(arg, t);
    if (is_text_type(t) && node_type(arg) == "ColumnRef" && is_text_type(column_type(arg))) return print(arg, "");
    // A column (or VALUE) of a domain seen as its base type: the cast PostgreSQL adds (ExprContext::domain_base).
    if (c_.domain_base && node_type(arg) == "ColumnRef") {
      std::string base = c_.domain_base(operand_type(arg));
      if (!base.empty() && (strip_typmod(base) == strip_typmod(t) || (is_text_type(base) && is_text_type(t)))) {
        return print(arg, "");
      }
    }
    // An array literal of text (PostgreSQL resolves '{a, b}' to text[] for #>> and prints '{a,b}'::text[]).
    if (is_text_type(element_type(t)) && is_const(arg, "sval")) return print(arg, t);
    if (strip_typmod(t) == "regclass" && is_const(arg, "sval")) {
      auto parts = split_qualified(str(field(field(arg, "A_Const"), "sval"), "sval"));
      std::string name = parts.size() >= 2 ? qualified(parts[parts.size() - 2], parts.back()) : ident(parts.back());
      return quote_literal(name) + "::regclass";
    }
    std::string inner = print(arg, t);
    return (is_const(arg) ? inner : "(" + inner + ")") + "::" + t;
  }

  std::string func(const json& b) {
    auto names = strings(field(b, "funcname"));
    // pg_catalog and public are on every search path: pg_dump's public.f() is f().
    if (names.size() == 2 && (names[0] == "pg_catalog" || names[0] == "public")) names.erase(names.begin());
    const json& args = field(b, "args");
    bool no_args = !args.is_array() || args.empty();
    if (names.size() == 1 && no_args && !flag(b, "agg_star") && !c_.keep_spelling &&
        (names[0] == "now" || names[0] == "transaction_timestamp")) {
      return "CURRENT_TIMESTAMP";
    }
    if (flag(b, "agg_within_group")) return fallback("FuncCall", b);
    // An unqualified function found through the search path in a schema the catalog reader's path (public) does
    // not hold: PostgreSQL prints it qualified (extensions.uuid_generate_v4()).
    if (names.size() == 1 && c_.function_schema) {
      if (std::string s = c_.function_schema(names[0]); !s.empty()) names.insert(names.begin(), s);
    }
    std::string out = display(names) + "(";
    // nextval('s') takes a regclass: PostgreSQL stores nextval('s'::regclass).
    if (names.size() == 1 && (names[0] == "nextval" || names[0] == "currval" || names[0] == "setval") && args.is_array() &&
        !args.empty() && is_const(args[0], "sval")) {
      mjson fixed = pg::to_nlohmann(b);
      mjson cast;
      cast["arg"] = pg::to_nlohmann(args[0]);
      cast["typeName"]["names"] = mjson::array({mjson{{"String", mjson{{"sval", "regclass"}}}}});
      fixed["args"][0] = mjson{{"TypeCast", cast}};
      return func(pg::from_nlohmann(fixed));
    }
    if (flag(b, "agg_star")) out += "*";
    if (flag(b, "agg_distinct")) out += "DISTINCT ";
    // The overload PostgreSQL chooses and the casts it adds to reach its parameters (function_resolution.hpp).
    std::optional<ResolvedCall> call = names.size() == 1 ? resolve_call(names[0], b) : std::nullopt;
    if (names.size() == 1 && str(b, "funcformat") == "COERCE_SQL_SYNTAX") {
      if (std::string sql = sql_syntax(names[0], args, call); !sql.empty()) return sql;
    }
    if (args.is_array()) {
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (i) out += ", ";
        if (flag(b, "func_variadic") && i + 1 == args.size()) out += "VARIADIC ";
        // Arguments that fill a variadic array parameter: PostgreSQL stores VARIADIC ARRAY[...] of them.
        if (call && i == call->variadic_array_from) out += "VARIADIC ARRAY[";
        out += argument(args[i], names.size() == 1 ? names[0] : std::string(), call ? call->params[i] : std::string());
        if (call && i >= call->variadic_array_from && i + 1 == args.size()) out += "]";
      }
    }
    if (const json& o = field(b, "agg_order"); o.is_array()) out += " ORDER BY " + sort_list(o);
    out += ")";
    if (const json& f = field(b, "agg_filter"); !f.is_null()) out += " FILTER (WHERE " + print(f, "") + ")";
    if (const json& w = field(b, "over"); w.is_object()) out += " OVER " + window(w);
    return out;
  }

  // A call written in the SQL standard's syntax (FuncCall.funcformat COERCE_SQL_SYNTAX), printed in that syntax as
  // PostgreSQL's ruleutils prints it (get_func_sql_syntax; POSITION(a IN b) is position(b, a)): a call printed as a
  // plain call is stored as one ("position"(b, a)), which pg_dump then prints apart. There the casts PostgreSQL
  // adds to reach the parameters are not printed (a literal still shows the type it took). "" for a form
  // PostgreSQL prints as a plain call (substring(text, text), the regular-expression form) or that the model cannot
  // tell (a substring whose overload is not resolved).
  std::string sql_syntax(const std::string& name, const json& args, const std::optional<ResolvedCall>& call) {
    std::size_t n = args.is_array() ? args.size() : 0;
    auto arg = [&](std::size_t i) {
      std::string a = argument(args[i], name, call ? call->params[i] : std::string(), false);
      return compound(args[i]) ? "(" + a + ")" : a;
    };
    if (name == "position" && n == 2) return "POSITION(" + arg(1) + " IN " + arg(0) + ")";
    if (name == "overlay" && (n == 3 || n == 4)) {
      return "OVERLAY(" + arg(0) + " PLACING " + arg(1) + " FROM " + arg(2) + (n == 4 ? " FOR " + arg(3) : "") + ")";
    }
    if (name == "substring" && (n == 2 || n == 3) && call) {
      // the overload tells the forms apart: (x, integer[, integer]) FROM/FOR, (text, text, text) SIMILAR/ESCAPE
      if (call->params[1] == "integer") {
        return "SUBSTRING(" + arg(0) + " FROM " + arg(1) + (n == 3 ? " FOR " + arg(2) : "") + ")";
      }
      if (n == 3 && call->params[1] == "text") return "SUBSTRING(" + arg(0) + " SIMILAR " + arg(1) + " ESCAPE " + arg(2) + ")";
      return {};
    }
    if (name == "extract" && n == 2 && is_const(args[0], "sval")) {
      return "EXTRACT(" + str(field(field(args[0], "A_Const"), "sval"), "sval") + " FROM " + arg(1) + ")";
    }
    if (name == "timezone" && n == 2) return "(" + arg(1) + " AT TIME ZONE " + arg(0) + ")";
    if ((name == "btrim" || name == "ltrim" || name == "rtrim") && (n == 1 || n == 2)) {
      std::string how = name == "btrim" ? "BOTH" : name == "ltrim" ? "LEADING" : "TRAILING";
      return "TRIM(" + how + (n == 2 ? " " + arg(1) : std::string()) + " FROM " + arg(0) + ")";
    }
    return {};
  }

  // One argument of a call: `name` the function's unqualified name ("" otherwise), `param` the type the chosen
  // overload coerces it to ("" when unknown or passed as it is); `implicit_casts` false where PostgreSQL does not
  // print the casts it adds (the SQL-syntax forms).
  std::string argument(const json& a, const std::string& name, const std::string& param, bool implicit_casts = true) {
    // A string literal passed to a function takes the parameter's type: PostgreSQL prints the cast it resolved
    // (to_tsvector('english'::regconfig, x), setweight(v, 'A'::"char")), the migration usually does not.
    // regclass keeps its cast (nextval('s'::regclass) is the canonical form of sequence defaults).
    std::string lt = node_type(a) == "TypeCast" ? type_name(field(unwrap(a), "typeName")) : "";
    bool literal_cast = !lt.empty() && is_const(field(unwrap(a), "arg"), "sval") && lt != "regclass" &&
                        lt.find('[') == std::string::npos;
    // A column of an extension type the function does not take: the cast PostgreSQL adds (ExprContext).
    std::string cast = name.empty() || !implicit_casts ? std::string() : implicit_cast(a, name, false);
    if (cast.empty() && !param.empty() && implicit_casts) cast = resolution_cast(a, param);
    if (!cast.empty()) {
      // an integer constant bare, as PostgreSQL prints it (2::regconfig); a negative one, or a bigint constant (a
      // cast itself in PostgreSQL's text, '10000000000'::bigint), in parentheses ((-1)::regconfig)
      std::string printed = print(a, "");
      bool bare = is_const(a, "ival") && !printed.empty() && printed[0] != '-';
      return (bare ? printed : "(" + printed + ")") + "::" + cast;
    }
    // NULL takes the parameter's type, which PostgreSQL prints (octet_length(NULL::text)); passed as "any" it
    // stays unknown (jsonb_build_array(NULL::unknown))
    if (!param.empty() && is_const(a) && flag(field(a, "A_Const"), "isnull")) {
      return param == kAnyType ? std::string("NULL::unknown") : "NULL::" + param;
    }
    // A literal is printed as its type prints it, the type it was cast to or the parameter's that an untyped one
    // takes: PostgreSQL stores the value ('12:00'::time is '12:00:00', '2024-01-02' passed as a timestamptz is
    // '2024-01-02 00:00:00+00', '10000000000'::bigint, how it prints a bigint constant, is 10000000000).
    if (literal_cast) return print(field(unwrap(a), "arg"), lt);
    return print(a, is_const(a, "sval") && param != kAnyType ? param : std::string());
  }

  // The cast PostgreSQL adds to argument `a` to reach parameter type `param`, as the printer keeps it: "" when the
  // argument has that type, is an untyped literal, or the cast is one printing drops on both sides (a numeric
  // literal to a numeric type, a text-like column to text, a domain's column to its base type).
  std::string resolution_cast(const json& a, const std::string& param) {
    std::string t = argument_type(a);
    if (t.empty() || t == kUnknownType || t == param || param == kAnyType) return {};
    if ((is_const(a, "ival") || is_const(a, "fval")) && is_numeric_type(param)) return {};
    if (node_type(a) == "ColumnRef") {
      std::string own = operand_type(a);
      if (is_text_type(own) && is_text_type(param)) return {};
      if (c_.domain_base && !c_.domain_base(own).empty() && strip_typmod(c_.domain_base(own)) == param) return {};
    }
    // a string literal of one text type seen as another: ('a'::character varying)::text prints as 'a' (cast())
    if (node_type(a) == "TypeCast" && is_const(field(unwrap(a), "arg"), "sval") && is_text_type(t) && is_text_type(param)) {
      return {};
    }
    return param;
  }

  // The call's resolution when every argument's type is known (argument_type); nullopt otherwise.
  std::optional<ResolvedCall> resolve_call(const std::string& name, const json& b) {
    if (flag(b, "agg_star") || flag(b, "agg_within_group")) return std::nullopt;
    const json& args = field(b, "args");
    std::vector<std::string> types;
    if (args.is_array()) {
      for (const auto& a : args) {
        std::string t = argument_type(a);
        if (t.empty()) return std::nullopt;
        types.push_back(std::move(t));
      }
    }
    return resolve_builtin_call(name, types, flag(b, "func_variadic"));
  }

  // The type function resolution sees for an argument (function_resolution.hpp's names, kUnknownType for an
  // untyped literal); "" when the model does not know it (an operator expression, a column of unknown type).
  std::string argument_type(const json& a) {
    std::string t = node_type(a);
    const json& b = unwrap(a);
    if (t == "ColumnRef") {
      std::string own = operand_type(a);
      if (own.empty()) return {};
      // a domain is resolved as its base type (func_select_candidate's getBaseType)
      if (c_.domain_base) {
        if (std::string base = c_.domain_base(own); !base.empty()) own = base;
      }
      return resolution_type(own);
    }
    if (t == "A_Const") {
      if (flag(b, "isnull") || field(b, "sval").is_object()) return kUnknownType;
      if (field(b, "ival").is_object()) return "integer";
      if (field(b, "boolval").is_object()) return "boolean";
      if (field(b, "bsval").is_object()) return "bit";
      if (const json& fv = field(b, "fval"); fv.is_object()) {
        // an integer too large for integer is bigint, then numeric (make_const)
        std::string v = str(fv, "fval");
        bool integral = v.find_first_of(".eE") == std::string::npos;
        if (integral) {
          errno = 0;
          char* end = nullptr;
          std::strtoll(v.c_str(), &end, 10);
          if (errno == 0 && end && *end == 0) return "bigint";
        }
        return "numeric";
      }
      return {};
    }
    if (t == "TypeCast") return resolution_type(type_name(field(b, "typeName")));
    if (t == "FuncCall") {
      auto names = strings(field(b, "funcname"));
      if (names.size() == 2 && names[0] == "pg_catalog") names.erase(names.begin());
      if (names.size() != 1 || (c_.function_schema && !c_.function_schema(names[0]).empty())) return {};
      auto call = resolve_call(names[0], b);
      return call && !call->returns_set ? call->result : std::string();
    }
    if (t == "SQLValueFunction") {
      std::string op = str(b, "op");
      if (op.rfind("SVFOP_CURRENT_DATE", 0) == 0) return "date";
      if (op.rfind("SVFOP_CURRENT_TIMESTAMP", 0) == 0) return "timestamp with time zone";
      if (op.rfind("SVFOP_LOCALTIMESTAMP", 0) == 0) return "timestamp without time zone";
      if (op.rfind("SVFOP_CURRENT_TIME", 0) == 0) return "time with time zone";
      if (op.rfind("SVFOP_LOCALTIME", 0) == 0) return "time without time zone";
      return "name";  // CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE, CURRENT_CATALOG, CURRENT_SCHEMA
    }
    return {};
  }

  std::string column_ref(const json& b) {
    if (!scopes_.empty()) {
      if (auto r = resolve(b)) return r->text;
    }
    std::string out;
    for (const auto& f : field(b, "fields")) {
      if (!out.empty()) out += '.';
      if (field(f, "A_Star").is_object()) {
        out += '*';
      } else {
        out += ident(str(field(f, "String"), "sval"));
      }
    }
    return out;
  }

  static std::string op_name(const json& name) {
    auto parts = strings(name);
    if (parts.size() == 2 && parts[0] == "pg_catalog") parts.erase(parts.begin());
    if (parts.size() == 1) return parts[0];
    std::string out = "OPERATOR(";
    for (std::size_t i = 0; i < parts.size(); ++i) {  // appends: GCC 12 -O3 warns falsely on `"." + std::string`
      if (i) out += '.';
      out += i + 1 < parts.size() ? ident(parts[i]) : parts[i];
    }
    return out + ")";
  }

  std::string a_expr(const json& b) {
    std::string kind = str(b, "kind");
    std::string op = op_name(field(b, "name"));
    const json& l = field(b, "lexpr");
    const json& r = field(b, "rexpr");
    // x IN (...) is x = ANY (ARRAY[...]); compared with a column, the array's literals take the column's type as
    // PostgreSQL prints them (m = ANY (ARRAY['a'::mood, 'b'::mood]) for an enum column m).
    if (kind == "AEXPR_IN") {
      bool neg = op == "<>";
      if (pg::TreeRef split = in_with_columns(b); !split->is_null()) return print(split, "");
      // PostgreSQL makes x IN (a) the comparison x = a (transformAExprIn).
      const json& in_items = field(unwrap(r), "items");
      if (in_items.is_array() && in_items.size() == 1) {
        const json& item = in_items[0];
        // a citext column off the search path: compared through its cast (ExprContext::implicit_cast)
        if (std::string lc = operand_cast(l, neg ? "<>" : "=", item); !lc.empty()) {
          return "(" + print(l, "") + ")::" + lc + (neg ? " <> " : " = ") + (is_const(item, "sval") ? print(item, "") : child(item));
        }
        return child(l, literal_target(l, item)) + (neg ? " <> " : " = ") + child(item, literal_target(item, l));
      }
      // A citext column off the search path with a text or varchar item: the items' common type is that one
      // (select_common_type prefers it, citext casts to it implicitly), compared through text:
      // (e)::text = ANY (ARRAY['a', 'b']) (measured on PostgreSQL 15: citext-in-list-text-items.sql).
      if (std::string lc = in_items.is_array() && !in_items.empty() ? operand_cast(l, neg ? "<>" : "=", in_items[0]) : "";
          !lc.empty()) {
        for (const auto& item : in_items) {
          std::string it = node_type(item) == "TypeCast" ? strip_typmod(type_name(field(unwrap(item), "typeName"))) : "";
          if (it == "text" || it == "character varying") {
            return "(" + print(l, "") + ")::" + lc + (neg ? " <> ALL (ARRAY[" : " = ANY (ARRAY[") + list(in_items, "") + "])";
          }
        }
      }
      std::string t = compared_type(l);
      std::string items = t.empty() ? "ARRAY[" + list(field(unwrap(r), "items"), "") + "]"
                                    : array_items(field(unwrap(r), "items"), t);
      // A citext column off the search path: the array keeps citext's type, the comparison goes through the
      // cast, (e)::text = ANY (ARRAY['a'::ext.citext, ...]) (PostgreSQL's (...)::text[] is dropped as elsewhere).
      if (in_items.is_array() && !in_items.empty()) {
        if (std::string lc = operand_cast(l, neg ? "<>" : "=", in_items[0]); !lc.empty()) {
          return "(" + print(l, "") + ")::" + lc + (neg ? " <> ALL (" : " = ANY (") + items + ")";
        }
      }
      return child(l) + (neg ? " <> ALL (" : " = ANY (") + items + ")";
    }
    if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") {
      std::string t = compared_type(l);
      std::string rhs = !t.empty() && node_type(r) == "A_ArrayExpr" ? array(unwrap(r), t) : print(r, "");
      return child(l) + " " + op + (kind == "AEXPR_OP_ANY" ? " ANY (" : " ALL (") + rhs + ")";
    }
    if (kind == "AEXPR_DISTINCT") return child(l) + " IS DISTINCT FROM " + child(r);
    if (kind == "AEXPR_NOT_DISTINCT") return child(l) + " IS NOT DISTINCT FROM " + child(r);
    if (kind == "AEXPR_NULLIF") return "NULLIF(" + print(l, "") + ", " + print(r, "") + ")";
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
      auto parts = between_parts(b);
      std::string out;
      for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? (kind == "AEXPR_BETWEEN" ? " AND " : " OR ") : "") + parts[i];
      return out;
    }
    if (kind == "AEXPR_BETWEEN_SYM" || kind == "AEXPR_NOT_BETWEEN_SYM") {
      const json& items = field(unwrap(r), "items");
      std::string lo = items.is_array() && !items.empty() ? child(items[0]) : "";
      std::string hi = items.is_array() && items.size() > 1 ? child(items[1]) : "";
      return child(l) + (kind == "AEXPR_BETWEEN_SYM" ? " BETWEEN SYMMETRIC " : " NOT BETWEEN SYMMETRIC ") + lo + " AND " + hi;
    }
    // AEXPR_OP, LIKE, ILIKE, SIMILAR: the operator name is in the tree (~~, ~~*, ~). A literal compared with a
    // column takes the column's type (PostgreSQL prints role = 'ADMIN'::"Role" for role = 'ADMIN'): the cast
    // to the other side's column type is the literal's own.
    if (l.is_null()) return op + " " + child(r);
    // The path operand of #>, #>> and #- is a text[] (PostgreSQL prints '{a,b}'::text[]).
    if ((op == "#>" || op == "#>>" || op == "#-") && is_const(r, "sval")) return child(l) + " " + op + " " + print(r, "text[]");
    // A column of an extension type the operator does not take (ExprContext::implicit_cast): compared through
    // the cast, an untyped literal on the other side is text.
    if (std::string lc = operand_cast(l, op, r), rc = operand_cast(r, op, l); !lc.empty() || !rc.empty()) {
      auto side = [&](const json& n, const std::string& cast) {
        return !cast.empty() ? "(" + print(n, "") + ")::" + cast : is_const(n, "sval") ? print(n, "") : child(n);
      };
      return side(l, lc) + " " + op + " " + side(r, rc);
    }
    if (std::string ext = extension_operator(b); !ext.empty()) return ext;
    // An integer column with a numeric or floating-point one: PostgreSQL resolves the other type's operator and
    // casts the integer side, ("unitPrice" * (quantity)::numeric) (oracle fixture integer-column-promoted.sql).
    if (std::string lp = promoted_integer(l, op, r), rp = promoted_integer(r, op, l); !lp.empty() || !rp.empty()) {
      auto side = [&](const json& n, const std::string& cast) { return !cast.empty() ? "(" + print(n, "") + ")::" + cast : child(n); };
      return side(l, lp) + " " + op + " " + side(r, rp);
    }
    return child(l, literal_target(l, r)) + " " + op + " " + child(r, literal_target(r, l));
  }

  // The type an integer column `operand` is cast to next to the column `other` under an arithmetic or comparison
  // operator: numeric next to numeric, double precision next to double precision or real, else "".
  std::string promoted_integer(const json& operand, const std::string& op, const json& other) {
    static const std::set<std::string> ops = {"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">="};
    static const std::set<std::string> integers = {"smallint", "integer", "bigint"};
    if (!ops.count(op) || node_type(operand) != "ColumnRef" || node_type(other) != "ColumnRef") return {};
    if (!integers.count(column_type(operand))) return {};
    std::string to = strip_typmod(column_type(other));
    if (to == "real") return "double precision";  // float8 * float4 exists, int4 * float4 does not (measured)
    return to == "numeric" || to == "double precision" ? to : std::string();
  }

  // The cast ExprContext::implicit_cast adds to a column passed to function or operator `name`; "" for none.
  std::string implicit_cast(const json& arg, const std::string& name, bool op) {
    if (!c_.implicit_cast || node_type(arg) != "ColumnRef") return {};
    std::string t = column_type(arg);
    return t.empty() ? std::string() : c_.implicit_cast(t, name, op);
  }
  // The same for an operand of operator `op` whose other operand is `other` (a text column: always the cast).
  std::string operand_cast(const json& operand, const std::string& op, const json& other) {
    std::string cast = implicit_cast(operand, op, true);
    if (cast.empty() && node_type(other) == "ColumnRef" && is_text_type(column_type(other))) {
      cast = implicit_cast(operand, "", true);
    }
    return cast;
  }

  // An unqualified operator that the search path in force resolves to an extension's, for an operand of the
  // extension's type (citext's ~ on a citext column, in `extensions`): PostgreSQL prints it
  // `c OPERATOR(extensions.~) 'x'::extensions.citext`, the untyped literal taken as the operand's type (the cast
  // is dropped, as elsewhere, when the other side is a column of that type). "" when it is not one.
  std::string extension_operator(const json& b) {
    if (!c_.operator_schema || strings(field(b, "name")).size() != 1) return {};
    const json& l = field(b, "lexpr");
    const json& r = field(b, "rexpr");
    std::string op = op_name(field(b, "name"));
    std::string type = operand_type(l);
    if (type.empty()) type = operand_type(r);
    std::string schema = type.empty() ? std::string() : c_.operator_schema(op, type);
    if (schema.empty()) return {};
    auto side = [&](const json& n, const json& other) {
      std::string t = literal_target(n, other);
      if (t.empty() && is_const(n, "sval")) return print(n, "") + "::" + type;
      return child(n, t);
    };
    return side(l, r) + " OPERATOR(" + ident(schema) + "." + op + ") " + side(r, l);
  }

  // The type of an operand when it is a column of the expression's table, or VALUE in a domain's check.
  std::string operand_type(const json& node) {
    if (std::string t = column_type(node); !t.empty()) return t;
    if (c_.value_type.empty() || node_type(node) != "ColumnRef") return {};
    auto f = strings(field(unwrap(node), "fields"));
    return f.size() == 1 && f[0] == "value" ? c_.value_type : std::string();
  }

  // The type a column's values are compared as: a domain's base type (ExprContext::domain_base), else its own.
  std::string compared_type(const json& node) {
    std::string t = column_type(node);
    if (!t.empty() && c_.domain_base) {
      if (std::string base = c_.domain_base(t); !base.empty()) return base;
    }
    return t;
  }

  // The type of a column of the expression's table; "" for anything else.
  std::string column_type(const json& node) {
    if (node_type(node) != "ColumnRef") return {};
    if (!scopes_.empty()) {
      auto r = resolve(unwrap(node));
      if (r) return r->type;
      // not a column of the query's relations (a trigger's old.x / new.x): the table's column of that name
    }
    if (!c_.columns) return {};
    auto f = strings(field(unwrap(node), "fields"));
    auto it = f.empty() ? c_.columns->end() : c_.columns->find(f.back());
    return it == c_.columns->end() ? std::string() : it->second;
  }

  // The type of `column` when it is a column of the expression's table and `lit` is a literal (or a literal cast):
  // the type an untyped literal compared with it resolves to. "" otherwise.
  std::string literal_target(const json& lit, const json& column) {
    bool literal = is_const(lit, "sval") || (node_type(lit) == "TypeCast" && is_const(field(unwrap(lit), "arg"), "sval"));
    if (!literal) return {};
    // PostgreSQL compares a varchar column with text (((t.name)::text = 'x'::text)): the column seen through
    // that cast is still the column.
    if (node_type(column) == "TypeCast" && node_type(field(unwrap(column), "arg")) == "ColumnRef" &&
        is_text_type(type_name(field(unwrap(column), "typeName")))) {
      std::string t = column_type(field(unwrap(column), "arg"));
      return is_text_type(t) ? t : std::string();
    }
    std::string t = column_type(column);
    // The OID alias types (regconfig, regclass, ...) have no operators of their own: compared with a column of
    // one, an untyped literal resolves to oid and fails ('simple' is not an oid), so the literal's cast is part of
    // the expression (PostgreSQL prints language <> 'simple'::regconfig).
    return is_oid_alias(t) ? std::string() : t;
  }

  static bool is_oid_alias(const std::string& t) {
    static const std::set<std::string> aliases = {"regclass",     "regcollation", "regconfig", "regdictionary",
                                                  "regnamespace", "regoper",      "regoperator", "regproc",
                                                  "regprocedure", "regrole",      "regtype"};
    return aliases.count(t) > 0;
  }

  // a BETWEEN x AND y -> {"(a >= x)", "(a <= y)"}; NOT BETWEEN -> {"(a < x)", "(a > y)"}
  std::vector<std::string> between_parts(const json& b) {
    bool neg = str(b, "kind") == "AEXPR_NOT_BETWEEN";
    std::string l = child(field(b, "lexpr"));
    const json& items = field(unwrap(field(b, "rexpr")), "items");
    std::string lo = items.is_array() && !items.empty() ? child(items[0]) : "";
    std::string hi = items.is_array() && items.size() > 1 ? child(items[1]) : "";
    return {"(" + l + (neg ? " < " : " >= ") + lo + ")", "(" + l + (neg ? " > " : " <= ") + hi + ")"};
  }

  void bool_operands(const json& node, const std::string& op, std::vector<std::string>& out) {
    const json& b = unwrap(node);
    if (node_type(node) == "BoolExpr" && str(b, "boolop") == op) {
      for (const auto& a : field(b, "args")) bool_operands(a, op, out);
      return;
    }
    std::string k = str(b, "kind");
    if (node_type(node) == "A_Expr" && k == "AEXPR_IN") {
      if (pg::TreeRef split = in_with_columns(b); !split->is_null()) return bool_operands(split, op, out);
    }
    if (node_type(node) == "A_Expr" &&
        ((op == "AND_EXPR" && k == "AEXPR_BETWEEN") || (op == "OR_EXPR" && k == "AEXPR_NOT_BETWEEN"))) {
      for (auto& p : between_parts(b)) out.push_back(std::move(p));
      return;
    }
    out.push_back(child(node));
  }

  // Does the expression read a column (PostgreSQL's contain_vars_of_level(.., 0); a subquery's own columns and a
  // domain check's VALUE do not count)?
  bool reads_column(const json& node) const {
    if (node.is_object()) {
      for (const auto& [k, v] : node.items()) {
        if (k == "SubLink") continue;
        if (k == "ColumnRef") {
          auto f = strings(field(v, "fields"));
          if (!(c_.value_type.size() && f.size() == 1 && f[0] == "value")) return true;
        }
        if (reads_column(v)) return true;
      }
    } else if (node.is_array()) {
      for (const auto& v : node) {
        if (reads_column(v)) return true;
      }
    }
    return false;
  }

  // x IN (...) with items that read a column: PostgreSQL compares x with each of them on its own, after the
  // others (one comparison, or = ANY (ARRAY[...]) for two or more), ORed (NOT IN: <> ... ANDed):
  // c IN (d, 1, 2) is ((c = ANY (ARRAY[1, 2])) OR (c = d)) (transformAExprIn; measured on PostgreSQL 15,
  // citext-in-list-text-items.sql). The rewritten tree, or null when no item reads a column.
  pg::TreeRef in_with_columns(const json& b) const {
    const json& items = field(unwrap(field(b, "rexpr")), "items");
    if (!items.is_array()) return {};
    std::vector<const json*> constants, columns;
    for (const auto& item : items) (reads_column(item) ? columns : constants).push_back(&item);
    if (columns.empty()) return {};
    mjson args = mjson::array();
    if (!constants.empty()) {
      mjson in = pg::to_nlohmann(b);
      mjson list = mjson::array();
      for (const json* c : constants) list.push_back(pg::to_nlohmann(*c));
      in["rexpr"] = mjson{{"List", mjson{{"items", list}}}};
      args.push_back(mjson{{"A_Expr", in}});
    }
    for (const json* item : columns) {
      mjson cmp = {{"kind", "AEXPR_OP"},
                   {"name", pg::to_nlohmann(field(b, "name"))},
                   {"lexpr", pg::to_nlohmann(field(b, "lexpr"))},
                   {"rexpr", pg::to_nlohmann(*item)}};
      args.push_back(mjson{{"A_Expr", cmp}});
    }
    if (args.size() == 1) return pg::from_nlohmann(args[0]);
    bool neg = op_name(field(b, "name")) == "<>";
    return pg::from_nlohmann(mjson{{"BoolExpr", mjson{{"boolop", neg ? "AND_EXPR" : "OR_EXPR"}, {"args", args}}}});
  }

  std::string bool_expr(const json& b) {
    std::string op = str(b, "boolop");
    const json& args = field(b, "args");
    if (op == "NOT_EXPR") return "NOT " + (args.is_array() && !args.empty() ? child(args[0]) : std::string());
    std::vector<std::string> parts;
    for (const auto& a : args) bool_operands(a, op, parts);
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? (op == "AND_EXPR" ? " AND " : " OR ") : "") + parts[i];
    return out;
  }

  std::string boolean_test(const json& b) {
    static const std::pair<const char*, const char*> tests[] = {
        {"IS_TRUE", " IS TRUE"},       {"IS_NOT_TRUE", " IS NOT TRUE"}, {"IS_FALSE", " IS FALSE"},
        {"IS_NOT_FALSE", " IS NOT FALSE"}, {"IS_UNKNOWN", " IS UNKNOWN"}, {"IS_NOT_UNKNOWN", " IS NOT UNKNOWN"}};
    std::string k = str(b, "booltesttype");
    for (const auto& [n, s] : tests) {
      if (k == n) return child(field(b, "arg")) + s;
    }
    return child(field(b, "arg")) + " IS TRUE";
  }

  static std::string sql_value_function(const json& b) {
    static const std::pair<const char*, const char*> ops[] = {
        {"SVFOP_CURRENT_DATE", "CURRENT_DATE"},
        {"SVFOP_CURRENT_TIME", "CURRENT_TIME"},
        {"SVFOP_CURRENT_TIME_N", "CURRENT_TIME"},
        {"SVFOP_CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
        {"SVFOP_CURRENT_TIMESTAMP_N", "CURRENT_TIMESTAMP"},
        {"SVFOP_LOCALTIME", "LOCALTIME"},
        {"SVFOP_LOCALTIME_N", "LOCALTIME"},
        {"SVFOP_LOCALTIMESTAMP", "LOCALTIMESTAMP"},
        {"SVFOP_LOCALTIMESTAMP_N", "LOCALTIMESTAMP"},
        {"SVFOP_CURRENT_ROLE", "CURRENT_ROLE"},
        {"SVFOP_CURRENT_USER", "CURRENT_USER"},
        {"SVFOP_USER", "USER"},
        {"SVFOP_SESSION_USER", "SESSION_USER"},
        {"SVFOP_CURRENT_CATALOG", "CURRENT_CATALOG"},
        {"SVFOP_CURRENT_SCHEMA", "CURRENT_SCHEMA"}};
    std::string op = str(b, "op");
    for (const auto& [k, v] : ops) {
      if (op == k) {
        std::string out = v;
        long tm = num(b, "typmod", -1);
        if (op.size() > 2 && op.compare(op.size() - 2, 2, "_N") == 0 && tm >= 0) out += "(" + std::to_string(tm) + ")";
        return out;
      }
    }
    return fallback("SQLValueFunction", b);
  }

  // The text of the parenthesized sub-select that starts at or after the node's location.
  std::string subselect_text(const json& b) {
    auto s = at(b);
    if (s.empty()) return {};
    std::size_t p = 0;
    while (p < s.size()) {
      p = lex::skip_trivia(s, p);
      if (p >= s.size() || s[p] == '(') break;
      if (s[p] == ')' || s[p] == ';') return {};
      p = lex::skip_token(s, p);
    }
    if (p >= s.size()) return {};
    std::size_t open = p;
    int depth = 0;
    while (p < s.size()) {
      p = lex::skip_trivia(s, p);
      if (p >= s.size()) break;
      if (s[p] == '(') ++depth;
      if (s[p] == ')' && --depth == 0) return std::string(s.substr(open + 1, p - open - 1));
      p = lex::skip_token(s, p);
    }
    return {};
  }

  std::string sublink(const json& b) {
    std::string q;
    if (const json& sub = field(b, "subselect"); sub.is_object()) {
      q = select(unwrap(sub), nullptr, nullptr);
    } else {
      std::string text = subselect_text(b);
      if (text.empty()) return fallback("SubLink", b);
      q = query(text);
    }
    std::string k = str(b, "subLinkType");
    if (k == "EXISTS_SUBLINK") return "EXISTS (" + q + ")";
    if (k == "ARRAY_SUBLINK") return "ARRAY(" + q + ")";
    if (k == "ANY_SUBLINK" || k == "ALL_SUBLINK") {
      const json& on = field(b, "operName");
      std::string op = on.is_array() ? op_name(on) : "=";
      if (op == "=" && k == "ANY_SUBLINK") return child(field(b, "testexpr")) + " IN (" + q + ")";
      return child(field(b, "testexpr")) + " " + op + (k == "ANY_SUBLINK" ? " ANY (" : " ALL (") + q + ")";
    }
    return "(" + q + ")";
  }

  std::string case_expr(const json& b) {
    std::string out = "CASE";
    const json& a = field(b, "arg");
    if (!a.is_null()) out += " " + child(a);
    for (const auto& w : field(b, "args")) {
      const json& cw = unwrap(w);
      // CASE x WHEN 'v': the value is compared with x (CaseTestExpr = 'v'), so an untyped literal takes x's type
      const json& e = field(cw, "expr");
      out += " WHEN " + print(e, a.is_null() ? std::string() : literal_target(e, a)) + " THEN " + case_result(field(cw, "result"));
    }
    // without ELSE the parser supplies a NULL one, which PostgreSQL prints
    if (const json& d = field(b, "defresult"); !d.is_null()) out += " ELSE " + case_result(d);
    else out += " ELSE NULL";
    return out + " END";
  }
  // A result of CASE: PostgreSQL casts every branch to the common type (NULL::text, (t.s)::bigint).
  std::string case_result(const json& r) {
    if (node_type(r) == "TypeCast" && field(field(unwrap(r), "arg"), "A_Const").is_object() &&
        flag(unwrap(field(unwrap(r), "arg")), "isnull")) {
      return "NULL";
    }
    return print(widened_column(r) ? field(unwrap(r), "arg") : r, "");
  }

  std::string indirection(const json& b) {
    const json& arg = field(b, "arg");
    std::string t = node_type(arg);
    std::string out = (t == "ColumnRef" || t == "ParamRef") ? print(arg, "") : "(" + print(arg, "") + ")";
    for (const auto& i : field(b, "indirection")) {
      std::string it = node_type(i);
      const json& ib = unwrap(i);
      if (it == "A_Indices") {
        std::string lo = field(ib, "lidx").is_null() ? "" : print(field(ib, "lidx"), "");
        std::string hi = field(ib, "uidx").is_null() ? "" : print(field(ib, "uidx"), "");
        out += flag(ib, "is_slice") ? "[" + lo + ":" + hi + "]" : "[" + hi + "]";
      } else if (it == "String") {
        out += "." + ident(str(ib, "sval"));
      } else if (it == "A_Star") {
        out += ".*";
      }
    }
    return out;
  }

  // ---- queries (views, sub-selects) ----
 public:
  // A FROM item as column references see it.
  struct RangeItem {
    std::string written;  // the name references in the query use: the alias, else the relation's name
    std::string alias;    // the name PostgreSQL prints: `written`, numbered when an outer level uses it (t_1)
    std::string schema;   // the relation's schema ("" for sub-selects, CTEs, functions)
    std::string relname;  // the relation's name (for schema.table.column references)
    std::vector<QueryColumn> columns;
    bool known = false;   // columns known
    bool function = false;  // a function in FROM: a reference to it alone reads its one column
  };
  std::string function_column_read_;  // the column a reference to a function alone read (resolve)
  struct Scope {
    std::vector<RangeItem> items;
    std::map<std::string, std::size_t> using_columns;  // JOIN USING: merged column -> the item PostgreSQL reads it from
    std::map<std::string, RangeItem> ctes;
    std::vector<std::string> names;  // the printed names of this level's FROM items, in order (set_rtable_names)
    std::size_t next_name = 0;
    bool qualify = true;  // PostgreSQL prefixes references (views, sub-selects; not the top of a policy or check)
  };
  struct Resolved {
    std::string text;
    std::string type;
  };
  // Sets a flag for a scope and restores it after.
  struct Watch {
    bool& value;
    bool saved;
    Watch(bool& v, bool set) : value(v), saved(v) { v = set; }
    ~Watch() { value = saved; }
  };

  bool resolved() const { return resolved_; }
  const std::string& missing_column() const { return missing_; }
  void set_loose() { loose_ = true; }
  // Records, for each `*` marked with kStarId, the columns it stood for (stored_view_query).
  void log_stars(StarLog* log) { star_log_ = log; }

  // The top-level expression of a table's policy or check: its columns unqualified, sub-selects see the table.
  void enter_table() {
    if (c_.table.empty() || !c_.columns) return;
    Scope sc;
    sc.qualify = false;
    RangeItem it;
    it.alias = it.written = c_.table;
    it.schema = c_.table_schema;
    it.relname = c_.table;
    it.known = true;
    std::optional<RelationInfo> info = c_.relations ? c_.relations({c_.table_schema, c_.table}) : std::nullopt;
    if (info) {
      it.columns = info->columns;
    } else {
      for (const auto& [n, t] : *c_.columns) it.columns.push_back({n, t});
    }
    sc.items.push_back(std::move(it));
    sc.names.push_back(c_.table);  // a sub-select's own FROM of this table is numbered (posts posts_1)
    scopes_.push_back(std::move(sc));
  }

  // A SELECT (or set operation) in canonical form; `names` renames the output columns (a view's column list),
  // `out` receives the output columns.
  std::string select(const json& s, const std::vector<std::string>* names, std::vector<QueryColumn>* out) {
    std::string with;
    scopes_.emplace_back();
    plan_names(field(s, "fromClause"));
    if (const json& w = field(s, "withClause"); w.is_object()) with = with_clause(unwrap(w));
    std::string body = select_body(s, names, out);
    scopes_.pop_back();
    return with + body;
  }

 private:
  std::deque<Scope> scopes_;
  bool resolved_ = true;
  bool watch_missing_ = false;  // printing a target list or WHERE: a column no relation has is missing_
  std::string missing_;
  bool loose_ = false;
  StarLog* star_log_ = nullptr;

  // The names PostgreSQL prints for this level's FROM items: the alias or relation name, numbered (name_1, ...)
  // when an outer level or an earlier item of this level has it, so that every reference is unambiguous.
  void plan_names(const json& from) {
    if (!from.is_array()) return;
    for (const auto& f : from) plan_item(f);
  }
  void plan_item(const json& node) {
    std::string t = node_type(node);
    const json& b = unwrap(node);
    std::string base = str(unwrap(field(b, "alias")), "aliasname");
    if (t == "JoinExpr") {
      plan_item(field(b, "larg"));
      plan_item(field(b, "rarg"));
      return;
    }
    if (base.empty() && t == "RangeVar") base = str(b, "relname");
    if (base.empty() && t == "RangeFunction") {
      const json& fs = field(b, "functions");
      const json& pair = fs.is_array() && !fs.empty() ? field(unwrap(fs[0]), "items") : field(b, "");
      if (pair.is_array() && !pair.empty()) base = figure_colname(pair[0]);
    }
    auto used = [&](const std::string& n) {
      for (const auto& sc : scopes_) {
        if (std::find(sc.names.begin(), sc.names.end(), n) != sc.names.end()) return true;
      }
      return false;
    };
    std::string name = base;
    for (int i = 1; !base.empty() && used(name); ++i) name = base + "_" + std::to_string(i);
    scopes_.back().names.push_back(name);
  }
  std::string planned_name(const std::string& written) {
    Scope& sc = scopes_.back();
    return sc.next_name < sc.names.size() ? sc.names[sc.next_name++] : written;
  }

  std::string with_clause(const json& w) {
    std::string out = flag(w, "recursive") ? "WITH RECURSIVE " : "WITH ";
    const json& ctes = field(w, "ctes");
    for (std::size_t i = 0; ctes.is_array() && i < ctes.size(); ++i) {
      const json& c = unwrap(ctes[i]);
      std::string name = str(c, "ctename");
      auto aliases = strings(field(c, "aliascolnames"));
      RangeItem item;
      item.alias = item.written = name;
      item.known = true;
      if (flag(w, "recursive")) scopes_.back().ctes[name] = item;  // refers to itself: columns unknown yet
      std::vector<QueryColumn> cols;
      std::string q = select(unwrap(field(c, "ctequery")), nullptr, &cols);
      for (std::size_t k = 0; k < aliases.size() && k < cols.size(); ++k) cols[k].name = aliases[k];
      item.columns = cols;
      scopes_.back().ctes[name] = item;
      std::string mat = str(c, "ctematerialized");
      out += (i ? ", " : "") + ident(name);
      if (!aliases.empty()) {
        out += "(";
        for (std::size_t k = 0; k < aliases.size(); ++k) out += (k ? ", " : "") + ident(aliases[k]);
        out += ")";
      }
      out += " AS ";
      if (mat == "CTEMaterializeAlways") out += "MATERIALIZED ";
      if (mat == "CTEMaterializeNever") out += "NOT MATERIALIZED ";
      out += "(" + q + ")";
    }
    return out + " ";
  }

  std::string select_body(const json& s, const std::vector<std::string>* names, std::vector<QueryColumn>* out) {
    std::string op = str(s, "op");
    std::string text;
    std::vector<QueryColumn> setop_columns;
    if (!op.empty() && op != "SETOP_NONE") {
      // Every branch of a set operation shows the output names of the first (PostgreSQL passes the result
      // descriptor to each branch).
      std::vector<QueryColumn> left;
      std::string l = branch(unwrap(field(s, "larg")), names, &left);
      std::vector<std::string> first;
      for (const auto& c : left) first.push_back(c.name);
      std::string r = branch(unwrap(field(s, "rarg")), &first, nullptr);
      std::string kw = op == "SETOP_UNION" ? " UNION " : op == "SETOP_INTERSECT" ? " INTERSECT " : " EXCEPT ";
      text = l + kw + (flag(s, "all") ? "ALL " : "") + r;
      setop_columns = left;
      if (out) *out = left;
    } else if (const json& v = field(s, "valuesLists"); v.is_array()) {
      text = "VALUES ";
      for (std::size_t i = 0; i < v.size(); ++i) text += (i ? ", (" : "(") + list(unwrap(v[i]).is_array() ? unwrap(v[i]) : field(unwrap(v[i]), "items"), "") + ")";
      if (out) {
        const json& first = unwrap(v[0]).is_array() ? unwrap(v[0]) : field(unwrap(v[0]), "items");
        for (std::size_t i = 0; first.is_array() && i < first.size(); ++i) out->push_back({"column" + std::to_string(i + 1), ""});
      }
    } else {
      text = simple_select(s, names, out);
    }
    if (const json& o = field(s, "sortClause"); o.is_array()) {
      const std::vector<std::string>* positions = setop_columns.empty() ? &positional_targets_ : nullptr;
      text += " ORDER BY " + sort_list(o, &setop_columns, positions, positions ? &positional_names_ : nullptr);
    }
    if (const json& lc = field(s, "limitCount"); !lc.is_null()) {
      text += str(s, "limitOption") == "LIMIT_OPTION_WITH_TIES" ? " FETCH FIRST " + print(lc, "") + " ROWS WITH TIES"
                                                                 : " LIMIT " + print(lc, "");
    }
    if (const json& lo = field(s, "limitOffset"); !lo.is_null()) text += " OFFSET " + print(lo, "");
    if (field(s, "lockingClause").is_array()) text += " " + fallback(field(s, "lockingClause"));
    return text;
  }

  // A branch of a set operation: parenthesized when it is itself a set operation or has its own ORDER BY/LIMIT.
  std::string branch(const json& s, const std::vector<std::string>* names, std::vector<QueryColumn>* out) {
    bool nested = (!str(s, "op").empty() && str(s, "op") != "SETOP_NONE") || field(s, "sortClause").is_array() ||
                  !field(s, "limitCount").is_null() || field(s, "withClause").is_object();
    std::string t = select(s, names, out);
    return nested ? "(" + t + ")" : t;
  }

  std::string simple_select(const json& s, const std::vector<std::string>* names, std::vector<QueryColumn>* out) {
    // FROM first: the target list and the clauses resolve against it.
    std::string from;
    if (const json& f = field(s, "fromClause"); f.is_array()) {
      for (std::size_t i = 0; i < f.size(); ++i) from += (i ? ", " : "") + from_item(f[i]);
    }
    std::string text = "SELECT ";
    if (const json& d = field(s, "distinctClause"); d.is_array()) {
      bool on = !d.empty() && !(d.size() == 1 && d[0].is_object() && d[0].empty());
      text += on ? "DISTINCT ON (" + list(d, "") + ") " : "DISTINCT ";
    }
    std::vector<QueryColumn> cols;
    std::vector<std::string> target_texts;  // for GROUP BY / ORDER BY by position
    std::string targets;
    Watch on(watch_missing_, true);
    const json& tl = field(s, "targetList");
    std::size_t n = 0;
    auto add = [&](const std::string& expr_text, const std::string& own_name, const std::string& name, const std::string& type) {
      std::string final_name = names && n < names->size() ? (*names)[n] : name;
      ++n;
      target_texts.push_back(expr_text);
      targets += (targets.empty() ? "" : ", ") + expr_text;
      // AS unless the value is a column of that very name (get_target_list).
      if (own_name != final_name) targets += " AS " + ident(final_name);
      cols.push_back({final_name, type});
    };
    for (std::size_t i = 0; tl.is_array() && i < tl.size(); ++i) {
      const json& rt = unwrap(tl[i]);
      const json& val = field(rt, "val");
      if (node_type(val) == "ColumnRef" && str(rt, "name").empty()) {
        const json& fields = field(unwrap(val), "fields");
        if (fields.is_array() && !fields.empty() && field(fields.back(), "A_Star").is_object()) {
          // `*` or `alias.*` (the A_Star is not among the strings)
          auto names_before = strings(fields);
          StarColumns expanded;
          if (expand_star(names_before.empty() ? std::string() : names_before.back(), add, expanded)) {
            long id = num(field(fields.back(), "A_Star"), kStarId, -1);
            if (star_log_ && id >= 0) (*star_log_)[id] = std::move(expanded);
            continue;
          }
          resolved_ = false;
          targets += (targets.empty() ? "" : ", ") + column_ref(unwrap(val));
          continue;
        }
      }
      function_column_read_.clear();
      std::string e = print(val, "");
      std::string name = str(rt, "name");
      if (name.empty()) name = figure_colname(val);
      std::string own = node_type(val) == "ColumnRef" ? last_field(val) : std::string("\x01");
      if (!function_column_read_.empty()) own = function_column_read_;  // `t` printed as t.value: AS t
      std::string type = node_type(val) == "ColumnRef"   ? column_type(val)
                         : node_type(val) == "TypeCast" ? type_name(field(unwrap(val), "typeName"))
                                                        : std::string();
      add(e, own, name, type);
    }
    text += targets;
    if (!from.empty()) text += " FROM " + from;
    if (const json& w = field(s, "whereClause"); !w.is_null()) text += " WHERE " + print(w, "");
    on.value = false;  // GROUP BY may name an output column
    if (const json& g = field(s, "groupClause"); g.is_array()) {
      text += " GROUP BY ";
      std::vector<std::string> output_names;
      for (const auto& c : cols) output_names.push_back(c.name);
      for (std::size_t i = 0; i < g.size(); ++i) {
        text += (i ? ", " : "") + positional_key(g[i], target_texts, &output_names, true);
      }
    }
    if (const json& h = field(s, "havingClause"); !h.is_null()) text += " HAVING " + print(h, "");
    if (const json& w = field(s, "windowClause"); w.is_array()) {
      text += " WINDOW ";
      for (std::size_t i = 0; i < w.size(); ++i) text += (i ? ", " : "") + ident(str(unwrap(w[i]), "name")) + " AS " + window(w[i], true);
    }
    positional_names_.clear();
    for (const auto& c : cols) positional_names_.push_back(c.name);
    if (out) *out = cols;
    positional_targets_ = std::move(target_texts);
    return text;
  }

  // GROUP BY 2, ORDER BY 1 of a plain SELECT: PostgreSQL prints the output column's expression (ORDER BY t.id).
  // So for a bare name that is an output column's (findTargetlistEntrySQL92): in ORDER BY before the FROM
  // relations' columns, in GROUP BY only when no FROM relation has such a column (`group_by`).
  std::string positional_key(const json& key, const std::vector<std::string>& targets,
                             const std::vector<std::string>* names = nullptr, bool group_by = false) {
    if (is_const(key, "ival")) {
      long k = num(field(field(key, "A_Const"), "ival"), "ival", 0);
      if (k >= 1 && static_cast<std::size_t>(k) <= targets.size()) return targets[static_cast<std::size_t>(k - 1)];
    }
    if (names && node_type(key) == "ColumnRef" && strings(field(unwrap(key), "fields")).size() == 1) {
      std::string n = last_field(key);
      std::size_t found = names->size();
      for (std::size_t k = 0; k < names->size() && k < targets.size(); ++k) {
        if ((*names)[k] != n) continue;
        if (found < names->size() && targets[found] != targets[k]) return print(key, "");  // ambiguous
        if (found == names->size()) found = k;
      }
      if (found < names->size()) {
        bool input_column = false;
        if (group_by) {
          Watch off(watch_missing_, false);
          bool was = resolved_;
          input_column = resolve(unwrap(key)).has_value();
          resolved_ = was;
        }
        if (!input_column) return targets[found];
      }
    }
    return print(key, "");
  }

  template <typename Add>
  bool expand_star(const std::string& alias, Add& add, StarColumns& expanded) {
    Scope& sc = scopes_.back();
    std::vector<const RangeItem*> items;
    for (const auto& it : sc.items) {
      if (alias.empty() || it.written == alias) items.push_back(&it);
    }
    if (items.empty()) return false;
    for (const auto* it : items) {
      if (!it->known) return false;
    }
    std::set<std::string> merged_seen;
    for (const auto* it : items) {
      for (const auto& c : it->columns) {
        // SELECT * of a JOIN USING shows a merged column once.
        if (alias.empty() && sc.using_columns.count(c.name)) {
          if (!merged_seen.insert(c.name).second) continue;
          const RangeItem& from = sc.items[sc.using_columns.at(c.name)];
          add(ref_text(from.alias, c.name), c.name, c.name, c.type);
          expanded.push_back({from.written, c.name});
          continue;
        }
        add(ref_text(it->alias, c.name), c.name, c.name, c.type);
        expanded.push_back({it->written, c.name});
      }
    }
    return true;
  }

  std::string ref_text(const std::string& alias, const std::string& col) const {
    if (loose_ || scopes_.empty() || !scopes_.back().qualify) return ident(col);
    return ident(alias) + "." + ident(col);
  }

  static std::string last_field(const json& column_ref_node) {
    auto f = strings(field(unwrap(column_ref_node), "fields"));
    return f.empty() ? std::string() : f.back();
  }

  // The output name PostgreSQL gives an unnamed target (FigureColname).
  std::string figure_colname(const json& node) {
    std::string t = node_type(node);
    const json& b = unwrap(node);
    if (t == "ColumnRef") {
      std::string l = last_field(node);
      return l.empty() ? "?column?" : l;
    }
    if (t == "FuncCall") {
      auto n = strings(field(b, "funcname"));
      return n.empty() ? "?column?" : n.back();
    }
    if (t == "TypeCast") {
      std::string inner = figure_colname(field(b, "arg"));
      if (inner != "?column?") return inner;
      auto n = strings(field(field(b, "typeName"), "names"));
      if (n.empty()) n = strings(field(unwrap(field(b, "typeName")), "names"));
      return n.empty() ? "?column?" : n.back();
    }
    if (t == "A_Indirection") {
      const json& ind = field(b, "indirection");
      if (ind.is_array() && !ind.empty() && node_type(ind.back()) == "String") return str(unwrap(ind.back()), "sval");
      return figure_colname(field(b, "arg"));
    }
    if (t == "CaseExpr") return "case";
    if (t == "A_ArrayExpr") return "array";
    if (t == "RowExpr") return "row";
    if (t == "CoalesceExpr") return "coalesce";
    if (t == "MinMaxExpr") return str(b, "op") == "IS_LEAST" ? "least" : "greatest";
    if (t == "GroupingFunc") return "grouping";
    if (t == "A_Expr" && str(b, "kind") == "AEXPR_NULLIF") return "nullif";
    if (t == "CollateClause") return figure_colname(field(b, "arg"));
    if (t == "SQLValueFunction") {
      std::string v = sql_value_function(b);
      auto p = v.find('(');
      if (p != std::string::npos) v.erase(p);
      std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
      return v;
    }
    if (t == "SubLink") {
      std::string k = str(b, "subLinkType");
      if (k == "EXISTS_SUBLINK") return "exists";
      if (k == "ARRAY_SUBLINK") return "array";
      if (k == "EXPR_SUBLINK") {
        const json& sub = unwrap(field(b, "subselect"));
        const json& tl = field(sub, "targetList");
        if (tl.is_array() && !tl.empty()) {
          const json& rt = unwrap(tl[0]);
          return str(rt, "name").empty() ? figure_colname(field(rt, "val")) : str(rt, "name");
        }
      }
    }
    return "?column?";
  }

  // ---- FROM ----
  // " alias(col, ...)" after a FROM item: the printed name when it is not the relation's own.
  std::string alias_text(const json& alias, const std::string& name, const std::string& relname, std::vector<QueryColumn>* cols) {
    const json& a = unwrap(alias);
    auto colnames = strings(field(a, "colnames"));
    std::string out;
    if (!name.empty() && name != relname) out += " " + ident(name);
    if (!colnames.empty()) {
      if (out.empty()) out += " " + ident(relname);
      out += "(";
      for (std::size_t i = 0; i < colnames.size(); ++i) {
        out += (i ? ", " : "") + ident(colnames[i]);
        if (cols && i < cols->size()) (*cols)[i].name = colnames[i];
      }
      out += ")";
    }
    return out;
  }

  std::string from_item(const json& node) {
    std::string t = node_type(node);
    const json& b = unwrap(node);
    Scope& sc = scopes_.back();
    if (t == "RangeVar") {
      auto parts = rangevar_parts(b);
      RangeItem it;
      it.relname = str(b, "relname");
      std::string printed;
      const RangeItem* cte = nullptr;
      if (parts.size() == 1) {
        for (auto s = scopes_.rbegin(); s != scopes_.rend() && !cte; ++s) {
          auto f = s->ctes.find(parts[0]);
          if (f != s->ctes.end()) cte = &f->second;
        }
      }
      if (cte) {
        it.columns = cte->columns;
        it.known = cte->known && !cte->columns.empty();
        printed = ident(it.relname);
      } else if (auto info = c_.relations ? c_.relations(parts) : std::nullopt) {
        it.schema = info->schema;
        it.relname = info->name;
        it.columns = info->columns;
        it.known = true;
        printed = qualified(info->schema, info->name);
      } else {
        it.schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
        printed = qualified(it.schema, it.relname);
      }
      if (!flag(b, "inh") && !cte) printed = "ONLY " + printed;
      it.written = str(unwrap(field(b, "alias")), "aliasname");
      if (it.written.empty()) it.written = it.relname;
      it.alias = planned_name(it.written);
      printed += alias_text(field(b, "alias"), it.alias, it.relname, &it.columns);
      sc.items.push_back(std::move(it));
      return printed;
    }
    if (t == "JoinExpr") {
      std::size_t first = sc.items.size();
      std::string l = from_item(field(b, "larg"));
      std::size_t right_first = scopes_.back().items.size();
      const json& rarg = field(b, "rarg");
      std::string r = from_item(rarg);
      if (node_type(rarg) == "JoinExpr") r = "(" + r + ")";
      std::string jt = str(b, "jointype");
      bool natural = flag(b, "isNatural");
      const json& quals = field(b, "quals");
      auto using_cols = strings(field(b, "usingClause"));
      std::string kw = jt == "JOIN_LEFT" ? "LEFT JOIN" : jt == "JOIN_RIGHT" ? "RIGHT JOIN" : jt == "JOIN_FULL" ? "FULL JOIN" : "JOIN";
      if (kw == "JOIN" && !natural && quals.is_null() && using_cols.empty()) kw = "CROSS JOIN";
      Scope& s2 = scopes_.back();
      std::string out = l + " " + (natural ? "NATURAL " : "") + kw + " " + r;
      if (natural) {
        // the common column names are merged like USING
        for (std::size_t i = first; i < right_first; ++i) {
          for (const auto& c : s2.items[i].columns) {
            for (std::size_t k = right_first; k < s2.items.size(); ++k) {
              for (const auto& d : s2.items[k].columns) {
                if (d.name == c.name) using_cols.push_back(c.name);
              }
            }
          }
        }
      }
      for (const auto& u : using_cols) {
        std::size_t from = jt == "JOIN_RIGHT" ? right_first : first;
        std::size_t end = jt == "JOIN_RIGHT" ? s2.items.size() : right_first;
        for (std::size_t i = from; i < end; ++i) {
          for (const auto& c : s2.items[i].columns) {
            if (c.name == u && !s2.using_columns.count(u)) s2.using_columns[u] = i;
          }
        }
        if (jt == "JOIN_FULL") s2.using_columns.erase(u);  // COALESCE of both sides: not one item's column
      }
      // NATURAL is stored as the USING list of the common columns (PostgreSQL prints that).
      if (natural && !using_cols.empty()) out = l + " " + kw + " " + r;
      if (!using_cols.empty()) {
        out += " USING (";
        for (std::size_t i = 0; i < using_cols.size(); ++i) out += (i ? ", " : "") + ident(using_cols[i]);
        out += ")";
      }
      if (!quals.is_null()) out += " ON " + print(quals, "");
      if (field(b, "alias").is_object()) {
        resolved_ = false;  // references through a join's alias are not resolved
        out = "(" + out + ")" + alias_text(field(b, "alias"), str(unwrap(field(b, "alias")), "aliasname"), "", nullptr);
      }
      return out;
    }
    if (t == "RangeSubselect") {
      RangeItem it;
      // The sub-select's scope is pushed above this one: it sees the items before it (LATERAL) and the outer
      // queries; a query PostgreSQL accepts names no other.
      std::vector<QueryColumn> cols;
      std::string q = select(unwrap(field(b, "subquery")), nullptr, &cols);
      it.written = str(unwrap(field(b, "alias")), "aliasname");
      it.alias = planned_name(it.written);
      it.columns = cols;
      it.known = true;
      std::string printed = std::string(flag(b, "lateral") ? "LATERAL " : "") + "(" + q + ")";
      printed += alias_text(field(b, "alias"), it.alias, "", &it.columns);
      scopes_.back().items.push_back(std::move(it));
      return printed;
    }
    if (t == "RangeFunction") {
      RangeItem it;
      const json& fs = field(b, "functions");
      std::string fname, calls;
      bool reads = false;
      for (std::size_t i = 0; fs.is_array() && i < fs.size(); ++i) {
        const json& pair = field(unwrap(fs[i]), "items");
        if (!pair.is_array() || pair.empty()) continue;
        calls += (i ? ", " : "") + print(pair[0], "");
        if (fname.empty()) fname = figure_colname(pair[0]);
        reads = reads || reads_column(pair[0]);
      }
      // A function in FROM that reads an earlier item's column is LATERAL without the word (transformRangeFunction).
      std::string out = flag(b, "lateral") || reads ? "LATERAL " : "";
      out += flag(b, "is_rowsfrom") ? "ROWS FROM(" + calls + ")" : calls;
      bool ordinality = flag(b, "ordinality");
      if (ordinality) out += " WITH ORDINALITY";
      it.written = str(unwrap(field(b, "alias")), "aliasname");
      if (it.written.empty()) it.written = fname;
      it.alias = planned_name(it.written);
      auto colnames = strings(field(unwrap(field(b, "alias")), "colnames"));
      if (field(b, "coldeflist").is_array() || flag(b, "is_rowsfrom") || fs.size() != 1) {
        // A column definition list or several functions: printed as written (their columns are not modelled).
        for (const auto& c : colnames) it.columns.push_back({c, ""});
        if (colnames.empty()) it.columns.push_back({it.alias, ""});
        it.known = !colnames.empty();
        out += alias_text(field(b, "alias"), it.alias, fname, nullptr);
        if (field(b, "coldeflist").is_array()) out += " " + fallback(field(b, "coldeflist"));
        scopes_.back().items.push_back(std::move(it));
        return out;
      }
      // The function's columns: its OUT parameters' names (jsonb_each: key, value), else one named after the
      // alias (a scalar result), then ordinality; names the alias lists replace them in order. PostgreSQL
      // prints the alias with every column name (get_column_alias_list): `x(value)`, `g(g)`.
      std::vector<std::string> names = set_returning_columns(fname);
      if (names.empty()) names.push_back(it.alias);
      if (ordinality) names.push_back("ordinality");
      for (std::size_t i = 0; i < colnames.size() && i < names.size(); ++i) names[i] = colnames[i];
      std::string list;
      for (const auto& n : names) {
        list += (list.empty() ? "" : ", ") + ident(n);
        it.columns.push_back({n, ""});
      }
      it.known = true;
      it.function = true;
      out += " " + ident(it.alias) + "(" + list + ")";
      scopes_.back().items.push_back(std::move(it));
      return out;
    }
    resolved_ = false;
    return fallback(node);
  }

  // ---- column references ----
  std::optional<Resolved> resolve(const json& b) {
    auto f = strings(field(b, "fields"));
    const json& fields = field(b, "fields");
    if (f.empty() || (fields.is_array() && field(fields.back(), "A_Star").is_object())) return std::nullopt;
    auto type_of = [](const RangeItem& it, const std::string& col) -> std::optional<std::string> {
      for (const auto& c : it.columns) {
        if (c.name == col) return c.type;
      }
      return std::nullopt;
    };
    if (f.size() == 1) {
      const std::string& col = f[0];
      for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
        if (auto u = s->using_columns.find(col); u != s->using_columns.end()) {
          const RangeItem& it = s->items[u->second];
          return Resolved{ref_text(it.alias, col), type_of(it, col).value_or("")};
        }
        const RangeItem* found = nullptr;
        int matches = 0;
        for (const auto& it : s->items) {
          if (it.known && type_of(it, col)) {
            found = found ? found : &it;
            ++matches;
          }
        }
        if (matches > 1) {
          resolved_ = false;  // ambiguous: PostgreSQL would refuse it
          return std::nullopt;
        }
        if (found) return Resolved{ref_text(found->alias, col), type_of(*found, col).value_or("")};
        // Not a column of a known relation of this level: a relation whose columns the model does not hold
        // has it. PostgreSQL's own text is qualified, so a wrong guess shows as a difference, never as equal.
        for (const auto& it : s->items) {
          if (!it.known) return Resolved{ref_text(it.alias, col), ""};
        }
      }
      // Every relation in scope is known and none has it: outside ORDER BY/GROUP BY (which may name an output
      // column) and unless it names a relation (a whole-row reference) or a system column, it does not exist.
      static const std::set<std::string> system_columns = {"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};
      bool relation = false;
      for (const auto& s : scopes_) {
        for (const auto& it : s.items) relation = relation || it.alias == col;
      }
      // A function of one column named alone reads that column (`SELECT t FROM jsonb_array_elements_text(j) t` is
      // t.value AS t).
      for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
        for (const auto& it : s->items) {
          if (it.function && it.written == col && it.columns.size() == 1) {
            function_column_read_ = it.columns[0].name;
            return Resolved{ref_text(it.alias, it.columns[0].name), ""};
          }
        }
      }
      if (watch_missing_ && !relation && !system_columns.count(col) && missing_.empty()) missing_ = col;
      return std::nullopt;  // not a column (a function's parameter, a composite's field): printed as written
    }
    // alias.col, schema.table.col, or db.schema.table.col
    const std::string& col = f.back();
    const std::string& rel = f[f.size() - 2];
    std::string schema = f.size() >= 3 ? f[f.size() - 3] : "";
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
      for (const auto& it : s->items) {
        bool match = schema.empty() ? it.written == rel
                                    : (it.relname == rel && it.written == it.relname &&
                                       (it.schema == schema || (it.schema.empty() && schema == "public")));
        if (!match) continue;
        return Resolved{ref_text(it.alias, col), type_of(it, col).value_or("")};
      }
    }
    return std::nullopt;
  }

  // ORDER BY items; `by_position`: the output columns of a set operation, whose ORDER BY PostgreSQL prints by
  // position (ORDER BY 1).
  std::string sort_list(const json& items, const std::vector<QueryColumn>* by_position = nullptr,
                        const std::vector<std::string>* targets = nullptr,
                        const std::vector<std::string>* names = nullptr) {
    Watch off(watch_missing_, false);  // ORDER BY may name an output column
    std::string out;
    for (std::size_t i = 0; items.is_array() && i < items.size(); ++i) {
      const json& sb = unwrap(items[i]);
      const json& key = field(sb, "node");
      std::string printed;
      if (by_position && node_type(key) == "ColumnRef") {
        std::string n = last_field(key);
        for (std::size_t k = 0; k < by_position->size() && printed.empty(); ++k) {
          if ((*by_position)[k].name == n) printed = std::to_string(k + 1);
        }
      }
      if (printed.empty() && targets) printed = positional_key(key, *targets, names);
      out += (i ? ", " : "") + (printed.empty() ? print(key, "") : printed);
      std::string dir = str(sb, "sortby_dir");
      std::string nulls = str(sb, "sortby_nulls");
      if (dir == "SORTBY_DESC") out += " DESC";
      if (dir == "SORTBY_USING") out += " USING " + op_name(field(sb, "useOp"));
      // NULLS LAST is the default ascending, NULLS FIRST descending
      if (nulls == "SORTBY_NULLS_FIRST" && dir != "SORTBY_DESC") out += " NULLS FIRST";
      if (nulls == "SORTBY_NULLS_LAST" && dir == "SORTBY_DESC") out += " NULLS LAST";
    }
    return out;
  }

  // OVER's window (`definition` false: a bare name is a reference to a WINDOW clause) or a WINDOW clause's.
  std::string window(const json& node, bool definition = false) {
    const json& w = unwrap(node);
    std::string ref = str(w, "refname");
    if (!definition && !str(w, "name").empty() && field(w, "partitionClause").is_null() && field(w, "orderClause").is_null() &&
        ref.empty()) {
      return ident(str(w, "name"));
    }
    std::string out = "(";
    auto sep = [&] { return out.size() > 1 ? " " : ""; };
    if (!ref.empty()) out += ident(ref);
    if (const json& p = field(w, "partitionClause"); p.is_array()) out += sep() + std::string("PARTITION BY ") + list(p, "");
    if (const json& o = field(w, "orderClause"); o.is_array()) out += sep() + std::string("ORDER BY ") + sort_list(o);
    constexpr long kDefaultFrame = 1058;  // FRAMEOPTION_DEFAULTS: RANGE UNBOUNDED PRECEDING AND CURRENT ROW
    long frame = num(w, "frameOptions", kDefaultFrame);
    if (frame != kDefaultFrame) {
      out += sep() + std::string("/* frame ") + std::to_string(frame);
      if (const json& so = field(w, "startOffset"); !so.is_null()) out += " " + print(so, "");
      if (const json& eo = field(w, "endOffset"); !eo.is_null()) out += " " + print(eo, "");
      out += " */";
    }
    return out + ")";
  }

 private:
  // Not printed by this normalizer: a stable text that compares equal for equal trees (locations removed).
  static std::string fallback(const json& node) { return fallback(pg::to_nlohmann(node)); }
  // The same for the node {type: body}.
  static std::string fallback(const char* type, const json& body) { return fallback(mjson{{type, pg::to_nlohmann(body)}}); }
  static std::string fallback(mjson copy) {
    strip_locations(copy);
    return "/* " + copy.dump() + " */";
  }
  static void strip_locations(mjson& j) {
    if (j.is_object()) {
      j.erase("location");
      for (auto& [k, v] : j.items()) strip_locations(v);
    } else if (j.is_array()) {
      for (auto& v : j) strip_locations(v);
    }
  }
};

// The expression of `SELECT expr`, with the tree that holds it; a null node when it is not one.
pg::TreeRef parse_select(const std::string& sql) {
  auto r = pg::parse(sql);
  if (r.error) return {};
  auto tree = std::make_shared<const pg::Tree>(pg::Tree::parse(r.json));
  const json& stmts = field(tree->root(), "stmts");
  if (!stmts.is_array() || stmts.size() != 1) return {};
  const json& sel = field(field(stmts[0], "stmt"), "SelectStmt");
  const json& tl = field(sel, "targetList");
  if (!tl.is_array() || tl.size() != 1 || field(sel, "fromClause").is_array()) return {};
  return pg::TreeRef(tree, field(field(tl[0], "ResTarget"), "val"));
}

}  // namespace

std::string type_name(const json& type_name_node) {
  const json& tn = unwrap(type_name_node);
  auto names = strings(field(tn, "names"));
  if (names.empty()) return {};
  std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
  const std::string& base = names.back();
  auto mods = typmod_texts(tn);
  std::string out;
  if (schema.empty() || schema == "pg_catalog") out = builtin_type(base, mods);
  if (out.empty()) out = qualified(schema, base) + paren_list(mods);
  if (field(tn, "arrayBounds").is_array()) out += "[]";
  return out;
}

std::string type_text(std::string_view text) {
  pg::TreeRef val = parse_select("SELECT NULL::" + std::string(text));
  const json& tc = field(val, "TypeCast");
  if (!tc.is_object()) return collapse_whitespace(text);
  return type_name(field(tc, "typeName"));
}

std::string serial_base(const json& type_name_node) {
  const json& tn = unwrap(type_name_node);
  auto names = strings(field(tn, "names"));
  if (names.empty() || field(tn, "arrayBounds").is_array()) return {};
  if (names.size() == 2 && names[0] != "pg_catalog") return {};
  const std::string& n = names.back();
  if (n == "serial" || n == "serial4") return "integer";
  if (n == "bigserial" || n == "serial8") return "bigint";
  if (n == "smallserial" || n == "serial2") return "smallint";
  return {};
}

std::string element_type(const std::string& type) {
  if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) return type.substr(0, type.size() - 2);
  return {};
}

std::string strip_typmod(const std::string& type) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (char c : type) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (depth == 0) out += c;
    if (!quoted && c == ')' && depth > 0) --depth;
  }
  return out;
}

std::string ident(const std::string& name) { return quote_ident(name); }

std::string qualified(const std::string& schema, const std::string& name) {
  if (schema.empty() || schema == "public" || schema == "pg_catalog") return ident(name);
  return ident(schema) + "." + ident(name);
}

std::string object_name(const std::string& name1, const std::string& name2, const std::string& label) {
  std::size_t overhead = 0;
  std::size_t n1 = name1.size();
  std::size_t n2 = name2.size();
  if (!name2.empty()) ++overhead;
  if (!label.empty()) overhead += label.size() + 1;
  std::size_t avail = kMaxIdent > overhead ? kMaxIdent - overhead : 0;
  while (n1 + n2 > avail) {
    if (n1 > n2) {
      --n1;
    } else {
      --n2;
    }
  }
  std::string out = name1.substr(0, clip_utf8(name1, n1));
  if (!name2.empty()) out += "_" + name2.substr(0, clip_utf8(name2, n2));
  if (!label.empty()) out += "_" + label;
  return out;
}

std::string expr(const json& node, const ExprContext& ctx) {
  if (node.is_null()) return {};
  Printer p(ctx);
  p.enter_table();
  return p.print(node, ctx.target_type);
}

std::string expr_text(std::string_view text, const std::string& target_type,
                 const std::map<std::string, std::string>* columns) {
  std::string sql = "SELECT " + std::string(text);
  pg::TreeRef val = parse_select(sql);
  if (val->is_null()) return collapse_whitespace(text);
  ExprContext ctx;
  ctx.text = sql;
  ctx.target_type = target_type;
  ctx.columns = columns;
  return expr(val, ctx);
}

std::string expr_text(std::string_view text, const ExprContext& ctx) {
  std::string sql = "SELECT " + std::string(text);
  pg::TreeRef val = parse_select(sql);
  if (val->is_null()) return collapse_whitespace(text);
  ExprContext c = ctx;
  c.text = sql;
  c.base = 0;
  return expr(val, c);
}

// Only defaults whose canonical form holds a folded spelling are printed again (most have none).
static bool may_have_spelling(const std::string& canonical) {
  return canonical.find("CURRENT_TIMESTAMP") != std::string::npos || canonical.find("'{}'") != std::string::npos;
}

std::string default_spelling(const json& node, const ExprContext& ctx, const std::string& canonical) {
  if (!may_have_spelling(canonical)) return {};
  ExprContext c = ctx;
  c.keep_spelling = true;
  std::string spelled = expr(node, c);
  return spelled == canonical ? std::string() : spelled;
}

std::string default_spelling_text(std::string_view text, const std::string& target_type, const std::string& canonical) {
  if (!may_have_spelling(canonical)) return {};
  ExprContext c;
  c.target_type = target_type;
  c.keep_spelling = true;
  std::string spelled = expr_text(text, c);
  return spelled == canonical ? std::string() : spelled;
}

std::string query(std::string_view select_text) {
  auto r = pg::deparse(std::string(select_text));
  if (r.error) return collapse_whitespace(select_text);
  return r.json;
}

QueryText view_query_tree(const json& select_stmt, const ExprContext& ctx, const std::vector<std::string>& column_names) {
  QueryText out;
  const json& sel = unwrap(select_stmt);
  ExprContext c = ctx;
  c.columns = nullptr;  // the query's own FROM decides what its columns are
  c.table.clear();
  const std::vector<std::string>* names = column_names.empty() ? nullptr : &column_names;
  Printer p(c);
  out.text = p.select(sel, names, &out.columns);
  out.resolved = p.resolved();
  out.missing_column = p.missing_column();
  Printer loose(c);
  loose.set_loose();
  out.loose = loose.select(sel, names, nullptr);
  return out;
}

namespace {
// The walks below iterate an object's values directly, not through items() (whose proxy iterator carries two
// strings of its own): mark_stars runs over every node of every view query replayed (bench/RESULTS.md, ninth
// session).

// Marks every `*` of a query (A_Star in a ColumnRef) with a number.
void mark_stars(mjson& node, long& next) {
  if (node.is_array()) {
    for (auto& x : node) mark_stars(x, next);
    return;
  }
  if (!node.is_object()) return;
  if (auto it = node.find("ColumnRef"); it != node.end()) {
    mjson& fields = (*it)["fields"];
    if (fields.is_array() && !fields.empty() && fields.back().contains("A_Star")) fields.back()["A_Star"][kStarId] = next++;
  }
  for (auto& v : node) mark_stars(v, next);
}

// Replaces each target `*` the log expanded by its columns, qualified (`t.id`).
void replace_stars(mjson& node, const StarLog& log) {
  if (node.is_array()) {
    for (auto& x : node) replace_stars(x, log);
    return;
  }
  if (!node.is_object()) return;
  for (auto member = node.begin(); member != node.end(); ++member) {
    mjson& v = member.value();
    replace_stars(v, log);
    if (member.key() != "targetList" || !v.is_array()) continue;
    mjson targets = mjson::array();
    for (auto& t : v) {
      const mjson& rt = unwrap(t);
      const mjson& fields = field(field(field(rt, "val"), "ColumnRef"), "fields");
      long id = fields.is_array() && !fields.empty() ? num(field(fields.back(), "A_Star"), kStarId, -1) : -1;
      auto hit = log.find(id);
      if (hit == log.end() || !str(rt, "name").empty()) {
        targets.push_back(std::move(t));
        continue;
      }
      for (const auto& [qualifier, column] : hit->second) {
        mjson ref = {{"fields", mjson::array({{{"String", {{"sval", qualifier}}}}, {{"String", {{"sval", column}}}}})},
                    {"location", -1}};
        targets.push_back({{"ResTarget", {{"val", {{"ColumnRef", ref}}}, {"location", -1}}}});
      }
    }
    v = std::move(targets);
  }
}

// Removes the marks of the `*`s that stay (not in a target list, or not expanded).
void unmark_stars(mjson& node) {
  if (node.is_array()) {
    for (auto& x : node) unmark_stars(x);
    return;
  }
  if (!node.is_object()) return;
  if (auto it = node.find("A_Star"); it != node.end() && it->is_object()) it->erase(kStarId);
  for (auto& v : node) unmark_stars(v);
}
}  // namespace

StoredQuery stored_view_query(const json& select_stmt, const ExprContext& ctx, const std::vector<std::string>& column_names) {
  StoredQuery out;
  if (!contains_node(select_stmt, "A_Star", std::numeric_limits<int>::max())) {
    out.text = view_query_tree(select_stmt, ctx, column_names);
    out.tree = pg::to_nlohmann(select_stmt);
    return out;
  }
  mjson tree = pg::to_nlohmann(select_stmt);
  long marked = 0;
  mark_stars(tree, marked);
  if (marked == 0) {
    out.text = view_query_tree(select_stmt, ctx, column_names);
    out.tree = std::move(tree);
    return out;
  }
  ExprContext c = ctx;
  c.columns = nullptr;
  c.table.clear();
  const std::vector<std::string>* names = column_names.empty() ? nullptr : &column_names;
  StarLog log;
  Printer p(c);
  p.log_stars(&log);
  std::vector<QueryColumn> cols;
  pg::TreeRef marked_tree = pg::from_nlohmann(tree);
  std::string before = p.select(unwrap(marked_tree), names, &cols);
  // The marked query prints as the query (the marks are read only by the star log), so that print is the
  // canonical text too; unless a node the printer does not know was dumped with a mark in it.
  if (before.find(kStarId) == std::string::npos) {
    out.text.text = before;
    out.text.columns = cols;
    out.text.resolved = p.resolved();
    out.text.missing_column = p.missing_column();
    Printer loose(c);
    loose.set_loose();
    out.text.loose = loose.select(unwrap(select_stmt), names, nullptr);
  } else {
    out.text = view_query_tree(select_stmt, ctx, column_names);
  }
  replace_stars(tree, log);
  unmark_stars(tree);
  // Only where the expanded query prints as the query did (else the `*` stays: a relation the model lacks); its
  // canonical print only (the loose one is not compared).
  pg::TreeRef expanded = pg::from_nlohmann(tree);
  Printer again(c);
  std::vector<QueryColumn> after;
  std::string after_text = again.select(unwrap(expanded), names, &after);
  bool same_columns = after.size() == cols.size();
  for (std::size_t i = 0; same_columns && i < cols.size(); ++i) {
    same_columns = after[i].name == cols[i].name && after[i].type == cols[i].type;
  }
  out.tree = after_text == before && same_columns && again.resolved() ? std::move(tree) : pg::to_nlohmann(select_stmt);
  return out;
}

// The tree alone (analyzer/model/stored_query.hpp); the replay takes both from stored_view_query.
mjson expand_stars(const json& select_stmt, const ExprContext& ctx, const std::vector<std::string>& column_names) {
  return stored_view_query(select_stmt, ctx, column_names).tree;
}

QueryText view_query(std::string_view select_text, const ExprContext& ctx, const std::vector<std::string>& column_names) {
  std::string sql(select_text);
  auto r = pg::parse(sql);
  pg::TreeRef tree = r.error ? pg::TreeRef() : pg::TreeRef(pg::Tree::parse(r.json));
  const json& stmts = field(tree, "stmts");
  const json& sel = stmts.is_array() && stmts.size() == 1 ? field(field(stmts[0], "stmt"), "SelectStmt") : field(tree, "");
  if (!sel.is_object()) {
    QueryText out;
    out.text = out.loose = query(select_text);
    out.resolved = false;
    return out;
  }
  ExprContext c = ctx;
  c.text = sql;
  c.base = 0;
  return view_query_tree(sel, c, column_names);
}

std::string fk_action(const std::string& code) {
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return "NO ACTION";
}

namespace {
std::string unquoted(std::string_view token) {
  if (token.empty() || token.front() != '"') return std::string(token);
  std::string name;
  for (std::size_t i = 1; i + 1 < token.size(); ++i) {
    name += token[i];
    if (token[i] == '"') ++i;
  }
  return name;
}

// Calls fn(begin, end, name, qualifier) for each identifier token of a canonical expression that can be a column
// or table name: not a literal, not a function name (followed by '('), not a qualifier (followed by '.'), not a
// type name (after '::'). With `calls`, for each function name called instead, with the schema it is qualified
// with ("" when unqualified). Lexed, so a name inside a string literal or a comment is never one.
template <typename Fn>
void each_identifier(std::string_view s, Fn fn, bool calls = false) {
  std::size_t p = 0;
  bool after_cast = false;
  std::string_view previous_word;  // the word token just before, when the token before this one is a '.'
  std::string_view last_word;      // the previous token, when it was a word
  bool after_dot = false;
  while (p < s.size()) {
    p = lex::skip_trivia(s, p);
    if (p >= s.size()) break;
    std::size_t e = lex::skip_token(s, p);
    char c = s[p];
    bool word = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '"' || static_cast<unsigned char>(c) >= 0x80;
    if (word && !after_cast) {
      std::size_t n = lex::skip_trivia(s, e);
      bool call_or_qualifier = n < s.size() && (s[n] == '(' || s[n] == '.');
      bool wanted = calls ? n < s.size() && s[n] == '(' : !call_or_qualifier;
      if (wanted) fn(p, e, unquoted(s.substr(p, e - p)), after_dot ? unquoted(previous_word) : std::string());
    }
    bool dot = c == '.' && e == p + 1;
    previous_word = dot ? last_word : std::string_view();
    after_dot = dot && !last_word.empty();
    last_word = word ? s.substr(p, e - p) : std::string_view();
    after_cast = c == ':' && e == p + 1 && p > 0 && s[p - 1] == ':';
    p = e;
  }
}
}  // namespace

std::string rename_identifier(const std::string& canonical, const std::string& from, const std::string& to) {
  std::string out;
  std::size_t last = 0;
  each_identifier(canonical, [&](std::size_t b, std::size_t e, const std::string& name, const std::string&) {
    if (name != from) return;
    out += canonical.substr(last, b - last) + ident(to);
    last = e;
  });
  return out + canonical.substr(last);
}

std::string rename_call(const std::string& canonical, const std::string& schema, const std::string& from,
                        const std::string& to) {
  std::string out;
  std::size_t last = 0;
  each_identifier(
      canonical,
      [&](std::size_t b, std::size_t e, const std::string& name, const std::string& qualifier) {
        if (name != from || qualifier != (schema == "public" ? "" : schema)) return;
        out += canonical.substr(last, b - last) + ident(to);
        last = e;
      },
      true);
  return out + canonical.substr(last);
}

bool calls_function(const std::string& canonical, const std::string& schema, const std::string& name) {
  bool found = false;
  each_identifier(
      canonical,
      [&](std::size_t, std::size_t, const std::string& n, const std::string& qualifier) {
        found = found || (n == name && (qualifier.empty() || qualifier == schema));
      },
      true);
  return found;
}

bool mentions_identifier(const std::string& canonical, const std::string& name) {
  bool found = false;
  each_identifier(canonical, [&](std::size_t, std::size_t, const std::string& n, const std::string&) { found = found || n == name; });
  return found;
}

}  // namespace driftguard::norm
