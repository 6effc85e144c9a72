// Normalization, in one place: canonical type names (as PostgreSQL's format_type prints them), canonical
// expressions (defaults, checks, index keys and predicates, policies), names PostgreSQL chooses for unnamed
// objects. Every comparison of two schema models goes through these functions, whichever way a model was built
// (migrations, schema.prisma, or the catalog's pg_get_expr/format_type text).
#pragma once

#include <nlohmann/json.hpp>

#include "analyzer/pgtree.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard::norm {

using json = pg::Node;  // the parse tree (as analyzer/names.hpp's json)

// ---- types ----

// A TypeName node -> "integer", "character varying(40)", "timestamp(3) without time zone", "text[]", "\"Role\"",
// "billing.\"InvoiceState\"" (schema omitted for public and pg_catalog). serial types stay "serial" etc.: the
// caller expands them (see serial_base).
std::string type_name(const json& type_name_node);
// The same from text ("VARCHAR(40)", "timestamptz(6)", "\"Role\"[]", format_type output). Text that does not
// parse as a type is returned trimmed, as written.
std::string type_text(std::string_view text);
// "integer" for serial/serial4, "bigint" for bigserial/serial8, "smallint" for smallserial/serial2; "" otherwise.
std::string serial_base(const json& type_name_node);
// "text[]" -> "text"; a non-array type -> "".
std::string element_type(const std::string& type);
// "character varying(40)" -> "character varying"; "timestamp(3) without time zone" -> "timestamp without time zone".
std::string strip_typmod(const std::string& type);

// ---- names ----

// Identifier as PostgreSQL prints it (quoted when needed).
std::string ident(const std::string& name);
// "name" for public (and pg_catalog), "schema.name" otherwise, each part quoted when needed.
std::string qualified(const std::string& schema, const std::string& name);
// PostgreSQL's makeObjectName: name1[_name2]_label cut to 63 bytes by shortening the longer of the two names.
std::string object_name(const std::string& name1, const std::string& name2, const std::string& label);

// ---- expressions ----

// A column of a relation or of a query's output; type "" when unknown.
struct QueryColumn {
  std::string name;
  std::string type;
};
// A relation a query reads (FROM item): where it lives and its columns in order.
struct RelationInfo {
  std::string schema;
  std::string name;
  std::vector<QueryColumn> columns;
};
// Finds a relation by its name as written ({"t"} or {"s", "t"}), following the search path; nullopt when the model
// does not hold it (its columns are then unknown).
using RelationLookup = std::function<std::optional<RelationInfo>(const std::vector<std::string>& name)>;

struct ExprContext {
  std::string_view text;  // the text the node locations point into (for sub-selects and negative numbers)
  std::size_t base = 0;   // add to node locations to index `text`
  std::string target_type;  // the type the value is assigned to (a column's type): casts to it are dropped
  // column name -> canonical type of the table the expression belongs to: implicit casts PostgreSQL adds to
  // them (varchar column compared with text) are dropped
  const std::map<std::string, std::string>* columns = nullptr;
  // The table the expression belongs to (a policy's, a check's): references qualified with its name are the
  // column itself (PostgreSQL prints them unqualified), and sub-selects see it as the outer relation.
  std::string table_schema;
  std::string table;
  // Relations of FROM clauses in sub-selects and view queries; without it their columns are unknown.
  RelationLookup relations;
  // How the search path in force where the expression was written resolves an unqualified function or operator
  // (the replay sets these; the catalog's text is qualified already, read with search_path = public): the schema
  // PostgreSQL prints it with ("extensions" for uuid_generate_v4(), or for citext's ~ on a citext operand), ""
  // to print it as written. `type` is the canonical type of an operand ("extensions.citext").
  std::function<std::string(const std::string& function)> function_schema;
  std::function<std::string(const std::string& op, const std::string& type)> operator_schema;
  // A column of an extension's type that PostgreSQL passes to a function or operator (`op`) through the type's
  // implicit cast, because the extension has none of that name, or none the search path in force reaches:
  // lower((c)::text), ((c)::text = 'a'::text) for citext. Returns the cast's type ("text"), "" when none is added;
  // `name` "" asks about an operator whose other operand is text (always through the cast). The replay sets it
  // (replay/schemas.cpp, citext only); the catalog's text has the casts already.
  std::function<std::string(const std::string& type, const std::string& name, bool op)> implicit_cast;
  // A domain's base type: the type of VALUE in its CHECK expressions ("" elsewhere).
  std::string value_type;
  // The base type of a domain ("integer" for a column of CREATE DOMAIN d AS integer; through domains over domains),
  // "" for any other type. PostgreSQL compares a domain's values as its base type's and prints the cast it adds,
  // ((c)::integer > 0), ((s)::text = 'abc'::text): that cast is dropped like the other casts it adds.
  std::function<std::string(const std::string& type)> domain_base;
  // Print the spellings PostgreSQL keeps apart as written (now(), ARRAY[]::text[]) instead of their canonical
  // form (CURRENT_TIMESTAMP, '{}'): for the DDL SQL out prints, never for comparison (default_spelling).
  bool keep_spelling = false;
};

// Canonical text of an expression node (A_Const, TypeCast, FuncCall, ColumnRef, A_Expr, BoolExpr, ...).
// Equivalent spellings give the same text: keyword case, quoting, redundant parentheses, now() and
// CURRENT_TIMESTAMP, casts of literals to the target type, IN lists and = ANY (ARRAY[...]), BETWEEN and its
// expansion. The result is valid SQL.
std::string expr(const json& node, const ExprContext& ctx = {});
// The same from text (a column default as written, or pg_get_expr output). Text that does not parse is returned
// with its whitespace collapsed.
std::string expr_text(std::string_view text, const std::string& target_type = {},
                 const std::map<std::string, std::string>* columns = nullptr);
// The same with a whole context (a table's policy: `table`, `columns` and `relations` set); ctx.text is ignored.
std::string expr_text(std::string_view text, const ExprContext& ctx);
// A column default as written where PostgreSQL keeps that spelling apart from its canonical form `canonical`
// (expr() of the same node and context): ARRAY[]::text[] for '{}', now() for CURRENT_TIMESTAMP; "" when the
// spelling is the canonical one.
std::string default_spelling(const json& node, const ExprContext& ctx, const std::string& canonical);
std::string default_spelling_text(std::string_view text, const std::string& target_type, const std::string& canonical);
// A query (view definition, sub-select) printed by libpg_query's deparser; whitespace-collapsed text when it
// does not parse.
std::string query(std::string_view select_text);

// A view's query as PostgreSQL stores it (pg_get_viewdef), in canonical form: column references qualified with
// their range-table alias, `*` expanded, every output column that is not a plain column of the same name named
// with AS (the view's column list, or the first branch's names for every branch of a UNION), implicit casts
// PostgreSQL adds dropped as in expr(). `resolved` is false when a column could not be resolved (a relation the
// model does not hold, an ambiguous name): `text` is then printed as written there, and `loose` (the same query
// with every column reference unqualified) is what can still be compared.
struct QueryText {
  std::string text;
  std::string loose;
  std::vector<QueryColumn> columns;  // the output columns
  bool resolved = true;
  // A column of the target list or WHERE that no relation of the query has, all of whose columns are known: one
  // PostgreSQL refuses ("column x does not exist"); "" when none.
  std::string missing_column;
};
QueryText view_query(std::string_view select_text, const ExprContext& ctx,
                     const std::vector<std::string>& column_names = {});
// The same from a SelectStmt node (ctx.text and ctx.base: the text its locations point into, when known).
QueryText view_query_tree(const json& select_stmt, const ExprContext& ctx, const std::vector<std::string>& column_names = {});

// The query with each `*` of a target list replaced by the columns it stands for now, qualified (`t.id`, `s.n`):
// PostgreSQL expands `*` when it stores a view, so a column added later is not the view's, and a rename prints
// `t.new AS old`. The query as given where the expansion would print otherwise (a relation the model lacks).
nlohmann::json expand_stars(const json& select_stmt, const ExprContext& ctx, const std::vector<std::string>& column_names = {});

// Foreign-key action from libpg_query's code ('a' no action, 'r' restrict, 'c' cascade, 'n' set null, 'd' set
// default) -> "NO ACTION", "RESTRICT", ...
std::string fk_action(const std::string& code);

// Replaces the identifier `from` by `to` in a canonical expression (column and table renames), outside literals.
std::string rename_identifier(const std::string& canonical, const std::string& from, const std::string& to);
// Does a canonical expression mention this identifier (outside literals)?
bool mentions_identifier(const std::string& canonical, const std::string& name);

}  // namespace driftguard::norm
