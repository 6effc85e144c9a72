#include "introspect/prisma/equivalence.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "analyzer/model/normalize.hpp"

namespace driftguard::prisma {

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool is_array(const std::string& type) { return type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0; }

// 6 is PostgreSQL's default precision of timestamp and time: Prisma's @db.Timestamptz(6) is plain timestamptz.
std::string without_default_precision(const std::string& type) {
  for (std::string_view base : {"timestamp", "time"}) {
    std::string p = std::string(base) + "(6)";
    if (starts_with(type, p)) return std::string(base) + type.substr(p.size());
  }
  return type;
}

// A SQL string literal at the start of `s` ('it''s'), unescaped; `end` is set past its closing quote.
std::optional<std::string> sql_string(const std::string& s, std::size_t& end) {
  if (s.empty() || s[0] != '\'') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] != '\'') {
      out += s[i];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '\'') {
      out += '\'';
      ++i;
      continue;
    }
    end = i + 1;
    return out;
  }
  return std::nullopt;
}

// Nothing, or only a cast ("::text[]"), after position `end`.
bool only_cast_after(const std::string& s, std::size_t end) { return end == s.size() || s.compare(end, 2, "::") == 0; }

// A whole default that is one string literal, possibly cast: its text.
std::optional<std::string> literal_text(const std::string& s) {
  std::size_t end = 0;
  auto v = sql_string(s, end);
  if (!v || !only_cast_after(s, end)) return std::nullopt;
  return v;
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\n");
  return std::string(s.substr(b, e - b + 1));
}

// One element of ARRAY[...] as printed by the normalizer: 'text'[::type], a number, true/false, NULL, (-1).
std::optional<std::optional<std::string>> array_item(std::string item) {
  item = trim(item);
  while (item.size() >= 2 && item.front() == '(' && item.back() == ')') item = trim(item.substr(1, item.size() - 2));
  if (item.empty()) return std::nullopt;
  if (item == "NULL") return std::optional<std::string>{};
  if (item[0] == '\'') {
    std::size_t end = 0;
    auto v = sql_string(item, end);
    if (!v || !only_cast_after(item, end)) return std::nullopt;
    return std::optional<std::string>(*v);
  }
  std::size_t cast = item.find("::");
  std::string bare = cast == std::string::npos ? item : item.substr(0, cast);
  for (char c : bare) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' && c != '_') return std::nullopt;
  }
  return std::optional<std::string>(bare);
}

// ARRAY[a, b, ...][::type]
std::optional<std::vector<std::optional<std::string>>> array_constructor(const std::string& s) {
  if (!starts_with(s, "ARRAY[")) return std::nullopt;
  std::vector<std::optional<std::string>> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 6; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      cur += c;
      if (c == '\'') quoted = false;  // '' re-enters on the next quote
      continue;
    }
    if (c == '\'') {
      quoted = true;
      cur += c;
    } else if (c == '(' || c == '[') {
      ++depth;
      cur += c;
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
      cur += c;
    } else if (c == ',' || c == ']') {
      if (c == ']' && out.empty() && trim(cur).empty()) return only_cast_after(s, i + 1) ? std::optional(out) : std::nullopt;
      auto item = array_item(cur);
      if (!item) return std::nullopt;
      out.push_back(*item);
      cur.clear();
      if (c == ']') return only_cast_after(s, i + 1) ? std::optional(out) : std::nullopt;
    } else {
      cur += c;
    }
  }
  return std::nullopt;
}

// PostgreSQL's array input syntax, one dimension: {a,"b c",NULL}.
std::optional<std::vector<std::optional<std::string>>> array_literal(const std::string& text) {
  std::string t = trim(text);
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') return std::nullopt;
  std::vector<std::optional<std::string>> out;
  std::string body = t.substr(1, t.size() - 2);
  if (trim(body).empty()) return out;
  std::size_t i = 0;
  while (true) {
    while (i < body.size() && body[i] == ' ') ++i;
    std::optional<std::string> item;
    if (i < body.size() && body[i] == '"') {
      std::string v;
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        v += body[i];
      }
      if (i >= body.size()) return std::nullopt;
      ++i;
      item = v;
    } else {
      std::size_t start = i;
      while (i < body.size() && body[i] != ',') {
        if (body[i] == '{' || body[i] == '}' || body[i] == '"') return std::nullopt;  // nested or malformed
        ++i;
      }
      std::string v = trim(body.substr(start, i - start));
      if (v.empty()) return std::nullopt;
      std::string upper;
      for (char c : v) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper != "NULL") item = v;
    }
    out.push_back(item);
    while (i < body.size() && body[i] == ' ') ++i;
    if (i == body.size()) return out;
    if (body[i] != ',') return std::nullopt;
    ++i;
  }
}

// One value, one text: boolean input spellings are PostgreSQL's t and f.
std::optional<std::string> canonical_element(std::optional<std::string> v, const std::string& element_type) {
  if (!v || element_type != "boolean") return v;
  std::string l;
  for (char c : *v) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "t" || l == "true" || l == "yes" || l == "on" || l == "1") return std::string("t");
  if (l == "f" || l == "false" || l == "no" || l == "off" || l == "0") return std::string("f");
  return v;
}

// jsonb keeps one canonical form (keys sorted, no insignificant space, the last of duplicate keys): two literals
// are the same default when they are the same JSON value.
bool same_json(const std::string& a, const std::string& b) {
  auto x = literal_text(a);
  auto y = literal_text(b);
  if (!x || !y) return false;
  auto jx = nlohmann::json::parse(*x, nullptr, false);
  auto jy = nlohmann::json::parse(*y, nullptr, false);
  return !jx.is_discarded() && !jy.is_discarded() && jx == jy;
}

}  // namespace

std::optional<std::vector<std::optional<std::string>>> array_default_elements(const std::string& canonical_default,
                                                                              const std::string& element_type) {
  auto items = array_constructor(canonical_default);
  if (!items) {
    auto text = literal_text(canonical_default);
    if (!text) return std::nullopt;
    items = array_literal(*text);
    if (!items) return std::nullopt;
  }
  for (auto& v : *items) v = canonical_element(v, element_type);
  return items;
}

// `type` with its precision taken out: "timestamp(3) with time zone" -> "timestamp with time zone"; "" when it is not
// a time type or has no precision.
std::string time_type_without_precision(const std::string& type) {
  for (std::string_view base : {"timestamp(", "time("}) {
    if (!starts_with(type, base)) continue;
    auto close = type.find(')', base.size());
    if (close == std::string::npos) return "";
    return std::string(base.substr(0, base.size() - 1)) + type.substr(close + 1);
  }
  return "";
}

bool is_time_type(const std::string& type) {
  return type == "timestamp without time zone" || type == "timestamp with time zone" ||
         type == "time without time zone" || type == "time with time zone";
}

model::Column as_prisma_sees(const model::Column& prisma, const model::Column& other, bool any_default) {
  model::Column p = prisma;
  if (without_default_precision(p.type) == without_default_precision(other.type)) p.type = other.type;
  // @db.Timestamptz, @db.Timestamp, @db.Time, @db.Timetz without a precision (the only way schema.prisma gives a
  // time type without one: DateTime alone is timestamp(3), an argument is printed): Prisma's engine accepts the
  // column at any precision (timestamptz(3) plans no step; @db.Timestamptz(6) against it does).
  if (is_time_type(p.type) && time_type_without_precision(other.type) == p.type) {
    p.type = other.type;
  }
  // Prisma never makes a scalar list NOT NULL, and its engine does not see a NOT NULL there.
  if (!p.not_null && other.not_null && is_array(p.type) && is_array(other.type)) p.not_null = true;
  // autoincrement(): a sequence of any name (owned or not), or an identity column.
  if (starts_with(p.default_expr, "nextval(") && p.identity.empty()) {
    if (starts_with(other.default_expr, "nextval(") && other.identity.empty()) {
      p.default_expr = other.default_expr;
    } else if (!other.identity.empty() && other.default_expr.empty()) {
      p.default_expr.clear();
      p.identity = other.identity;
    }
  }
  // @default(dbgenerated("expr")) is how `prisma db pull` writes a generated column.
  if (!p.default_expr.empty() && p.generated().empty() && other.default_expr.empty() && other.generated() == p.default_expr) {
    p.default_expr.clear();
    p.edit().generated = other.generated();
  }
  if (any_default && p.default_expr.empty()) p.default_expr = other.default_expr;
  if (p.default_expr != other.default_expr && !p.default_expr.empty() && !other.default_expr.empty()) {
    std::string element = norm::element_type(p.type);
    if (!element.empty()) {
      auto x = array_default_elements(p.default_expr, element);
      if (x && x == array_default_elements(other.default_expr, element)) p.default_expr = other.default_expr;
    } else if (p.type == "jsonb" && same_json(p.default_expr, other.default_expr)) {
      p.default_expr = other.default_expr;
    }
  }
  return p;
}

}  // namespace driftguard::prisma
