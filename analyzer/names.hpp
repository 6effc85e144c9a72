// Helpers to read names and common shapes out of libpg_query JSON trees. The JSON omits zero, false and empty
// fields, so every accessor tolerates a missing key.
#pragma once

#include <nlohmann/json.hpp>

#include "analyzer/pgtree.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace driftguard {

// The parse tree (analyzer/pgtree.hpp). Kept under its old name so that readers changed only in their type; trees
// the model builds or rewrites are nlohmann::json (pg::to_nlohmann / pg::from_nlohmann), and the first helpers
// below read those too.
using json = pg::Node;

// The body of a one-key node ({"RangeVar": {...}} -> {...}); the node itself when it has another shape.
const json& unwrap(const json& node);
// The key of a one-key node ("RangeVar"); "" otherwise.
std::string node_type(const json& node);

std::string str(const json& obj, const char* key);  // a string field, "" when absent
bool flag(const json& obj, const char* key);        // a boolean field, false when absent
long num(const json& obj, const char* key, long dflt = 0);
const json& field(const json& obj, const char* key);  // a field or an empty JSON null

// Values of a list of String nodes (["public", "orders"]).
std::vector<std::string> strings(const json& list);

// The same for the trees the model rewrites (views' stored queries).
const nlohmann::json& unwrap(const nlohmann::json& node);
std::string node_type(const nlohmann::json& node);
std::string str(const nlohmann::json& obj, const char* key);
bool flag(const nlohmann::json& obj, const char* key);
long num(const nlohmann::json& obj, const char* key, long dflt = 0);
const nlohmann::json& field(const nlohmann::json& obj, const char* key);
std::vector<std::string> strings(const nlohmann::json& list);
std::vector<std::string> rangevar_parts(const nlohmann::json& rv);

// Quotes an identifier only when PostgreSQL would need it (as quote_ident() does: case, characters, keywords).
std::string quote_ident(const std::string& id);
// Is this word one of PostgreSQL's keywords that cannot be an unquoted identifier everywhere?
bool is_reserved_keyword(std::string_view word);
// "schema.name" as written (quoted where needed), from name parts.
std::string display(const std::vector<std::string>& parts);

// RangeVar body -> name parts / key ("public.orders" when no schema is written).
std::vector<std::string> rangevar_parts(const json& rv);
std::string rangevar_key(const json& rv);
std::string rangevar_display(const json& rv);
// Name parts -> key with the default schema filled in.
std::string qualified_key(const std::vector<std::string>& parts);

// DropStmt "objects" element -> name parts (for tables, types, functions, schemas, triggers, policies, ...).
std::vector<std::string> drop_object_parts(const json& object);

// A TypeName body -> "varchar(20)", "integer[]", "public.mood" (PostgreSQL's canonical names for built-ins).
std::string type_display(const json& type_name);
// The base type name without schema or typmods ("varchar", "int4", "mood").
std::string type_base(const json& type_name);
std::vector<long> type_mods(const json& type_name);
int array_depth(const json& type_name);

// The first Constraint of a ColumnDef with the given contype ("CONSTR_NOTNULL", "CONSTR_DEFAULT", ...).
const json* column_constraint(const json& column_def, const char* contype);

// Does any node of the tree have this type?
bool contains_node(const json& tree, const char* type, int depth_limit = 200);

}  // namespace driftguard
