// What a DO block's EXECUTE runs, when its text is a constant of the block: PL/pgSQL expressions folded the way
// PostgreSQL evaluates them (format(), quote_ident(), quote_literal(), ||, ...) over the variables the block binds
// to constants (DECLARE defaults, assignments, FOREACH/FOR loops over literal arrays and integer ranges). Anything
// else (a catalog query, a function this file does not know, a value the block reads at run time) is not a
// constant: the caller reports that statement as not read instead of guessing. Checked against PostgreSQL 15
// (tests/test_plpgsql_eval.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard::plpgsql {

// A constant value: SQL NULL, a text (every scalar is carried as its text output), or a one-dimensional array.
struct Value {
  enum class Kind { null, text, array };
  Kind kind = Kind::null;
  std::string text;
  std::vector<std::optional<std::string>> items;  // Kind::array; nullopt is a NULL element

  static Value null() { return {}; }
  static Value of(std::string t) {
    Value v;
    v.kind = Kind::text;
    v.text = std::move(t);
    return v;
  }
  bool operator==(const Value&) const = default;
};

// Variables in scope by name; a name bound to nullopt is known to the block but has no constant value.
using Env = std::map<std::string, std::optional<Value>, std::less<>>;

// The value of a PL/pgSQL expression (the text PostgreSQL evaluates as `SELECT <expr>`), or nullopt when it is not
// a constant of the block, or PostgreSQL would raise an error evaluating it.
std::optional<Value> evaluate(std::string_view expr, const Env& env);

// The integers of `FOR i IN lower..upper [BY step] [REVERSE]`, or nullopt when a bound is not a constant integer,
// the step is not positive, or there are more than `limit`.
std::optional<std::vector<long long>> integer_range(std::string_view lower, std::string_view upper,
                                                    std::string_view step, bool reverse, const Env& env,
                                                    std::size_t limit);

// The array a `FOR v IN <query> LOOP` iterates, when the query is `SELECT unnest(<array>)` (with or without an
// alias) or `SELECT <col> FROM unnest(<array>) [AS] <alias>[(<col>)]`: one column, one constant array.
std::optional<Value> unnest_query(std::string_view query, const Env& env);

// PostgreSQL's functions, exactly: format() (the %[n$][-][width]s|I|L conversions and %%), quote_ident(),
// quote_literal(). nullopt where PostgreSQL raises an error.
std::optional<std::string> format(const std::string& fmt, const std::vector<std::optional<std::string>>& args);
std::string quote_ident(std::string_view id);
std::string quote_literal(std::string_view s);
// array_in for a one-dimensional literal ('{a,"b c",NULL}'); nullopt for anything else.
std::optional<std::vector<std::optional<std::string>>> parse_array_literal(std::string_view text);

}  // namespace driftguard::plpgsql
