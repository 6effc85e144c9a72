// PostgreSQL's function resolution (parse_func.c: func_get_detail, func_match_argtypes, func_select_candidate;
// parse_coerce.c: can_coerce_type) for the built-in functions migrations call in defaults, checks, index
// expressions, views and policies. PostgreSQL casts each argument to the parameter type of the overload it chooses
// and stores the cast (date_trunc('month', d) for a date d is date_trunc('month', (d)::timestamp with time zone)),
// so the expression printer (normalize.cpp) prints the casts it would add. The overloads, types and implicit casts
// are PostgreSQL 15's own, generated from its catalog (builtin_functions.inc, checked by
// tests/test_function_resolution.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace driftguard::norm {

// The type of an untyped literal ('abc', NULL) as function resolution sees it.
inline constexpr const char* kUnknownType = "unknown";
// The pseudo-type "any" (concat, format, jsonb_build_object, count), as format_type prints it.
inline constexpr const char* kAnyType = "\"any\"";

struct ResolvedCall {
  // The type each argument is coerced to, as format_type prints it without typmod; "" for a polymorphic parameter
  // (the argument's own type), kAnyType for a parameter of type "any" (passed as it is: an untyped literal stays
  // unknown).
  std::vector<std::string> params;
  // The result type; "" when it depends on the arguments (polymorphic) or is a pseudo-type.
  std::string result;
  // The trailing arguments from this index on fill a variadic array parameter: PostgreSQL stores them as
  // VARIADIC ARRAY[...] (the call's own VARIADIC excepted); the argument count when none do.
  std::size_t variadic_array_from = 0;
  bool returns_set = false;
  // The overload chosen, as regprocedure prints it: "round(numeric,integer)".
  std::string signature;
};

// The overload PostgreSQL 15 chooses for an unqualified call of built-in function `name` with arguments of these
// types (format_type names without typmod, or kUnknownType), `variadic_call` when the call spells VARIADIC.
// nullopt when the name is not in the table, no overload matches, the choice is ambiguous, or the model cannot
// tell what PostgreSQL does (polymorphic parameters bound to different types): the caller then prints the call
// as written.
std::optional<ResolvedCall> resolve_builtin_call(const std::string& name, const std::vector<std::string>& arg_types,
                                                 bool variadic_call);

// The built-in type name function resolution uses for a canonical column type ("character varying(40)" ->
// "character varying", "character(3)" and "bpchar" -> "character", "numeric(10,2)[]" -> "numeric[]"); "" when it is not a type of
// the table (an enum, a domain, an extension's type).
std::string resolution_type(const std::string& canonical);

// The table's text (builtin_functions.inc), for its test.
const char* builtin_catalog_text();

// The table's overloads in its order (by name), for the oracles that generate calls.
struct BuiltinOverload {
  std::string name;
  std::vector<std::string> params;
  bool aggregate = false;
};
std::vector<BuiltinOverload> builtin_overloads();
// A type's category (pg_type.typcategory: 'N' numeric, 'S' string, 'D' date/time, ...); 0 when not in the table.
char builtin_type_category(const std::string& type);

}  // namespace driftguard::norm
