#include <set>

#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {

// Built-in functions that are stable or immutable (pg_proc.provolatile 's' or 'i'): a default made of them, of
// constants, casts and operators is evaluated once by ADD COLUMN on PostgreSQL 11 and later (no rewrite).
const std::set<std::string>& non_volatile_functions() {
  static const std::set<std::string> f = {
      "now", "statement_timestamp", "transaction_timestamp", "date_trunc", "date_part", "extract", "make_date",
      "make_time", "make_timestamp", "make_timestamptz", "make_interval", "to_timestamp", "to_date", "to_char",
      "to_number", "timezone", "lower", "upper", "initcap", "btrim", "ltrim", "rtrim", "substring", "substr",
      "replace", "concat", "concat_ws", "length", "char_length", "left", "right", "lpad", "rpad", "md5", "sha256",
      "encode", "decode", "format", "repeat", "split_part", "regexp_replace", "abs", "round", "trunc", "floor",
      "ceil", "ceiling", "power", "sqrt", "jsonb_build_object", "jsonb_build_array", "json_build_object",
      "json_build_array", "to_jsonb", "to_json", "jsonb_object", "array_fill", "current_setting", "current_schema",
      "current_database", "uuid_nil", "int4range", "int8range", "numrange", "tstzrange", "tsrange", "daterange",
      "to_tsvector", "array_to_string", "string_to_array"};
  return f;
}

// Node types that cannot make an expression volatile by themselves (their children are still checked).
const std::set<std::string>& neutral_nodes() {
  static const std::set<std::string> n = {
      "A_Const", "TypeCast", "TypeName", "SQLValueFunction", "A_Expr", "BoolExpr", "NullTest", "BooleanTest",
      "CaseExpr", "CaseWhen", "CoalesceExpr", "MinMaxExpr", "A_ArrayExpr", "RowExpr", "String", "Integer",
      "Float", "Boolean", "CollateClause", "List", "FuncCall"};
  return n;
}

// The first part of a default expression that may be volatile ("random()", "nextval()", "a subquery"), or "".
std::string volatile_part(const json& e, int depth = 0) {
  if (depth > 100) return "a deeply nested expression";
  if (e.is_array()) {
    for (const auto& v : e) {
      if (auto p = volatile_part(v, depth + 1); !p.empty()) return p;
    }
    return {};
  }
  if (!e.is_object()) return {};
  for (auto it = e.begin(); it != e.end(); ++it) {
    const std::string& key = it.key();
    bool typed = !key.empty() && key[0] >= 'A' && key[0] <= 'Z' && it.value().is_object();
    if (typed && !neutral_nodes().count(key)) return "an expression (" + key + ")";
    if (key == "FuncCall") {
      auto name = strings(field(it.value(), "funcname"));
      bool builtin = name.size() == 1 || (name.size() == 2 && name[0] == "pg_catalog");
      if (!builtin || !non_volatile_functions().count(name.back())) return display(name) + "()";
    }
    if (it.value().is_structured()) {
      if (auto p = volatile_part(it.value(), depth + 1); !p.empty()) return p;
    }
  }
  return {};
}

class AddingFieldWithDefault final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-field-with-default", "locking", Severity::warning,
                            "ADD COLUMN with a volatile default (any default before PostgreSQL 11) rewrites the "
                            "table under an exclusive lock"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = field(unwrap(node), "relation");
    for_each_added_column(node, ctx, [&](const AlterCmd& c, const json& cd) {
      const json* d = column_constraint(cd, "CONSTR_DEFAULT");
      if (d == nullptr) return;
      const json& e = field(*d, "raw_expr");
      if (flag(field(e, "A_Const"), "isnull")) return;  // DEFAULT NULL changes nothing
      std::string why;
      if (ctx.settings().pg_version < 11) {
        why = "before PostgreSQL 11 every non-NULL default is written into each existing row";
      } else {
        std::string part = volatile_part(e);
        if (part.empty()) return;
        why = "the default calls " + part +
              ", which is volatile or not a built-in known to be stable, so PostgreSQL computes it for each "
              "existing row";
      }
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "adds column " + quote_ident(str(cd, "colname")) + " to " + rangevar_display(rel) +
                     " with a default that rewrites the table: " + why + "; the rewrite " +
                     cmd_lock_sentence(rel, *c.cmd),
                 ctx.settings().pg_version < 11
                     ? "Add the column without a default, set the default in a second statement (it applies to new "
                       "rows only), then backfill existing rows in batches."
                     : "Add the column without a default (or with a constant or now()), then backfill the volatile "
                       "value in batches and set the default afterwards with ALTER COLUMN ... SET DEFAULT.");
    });
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_field_with_default() { return std::make_unique<AddingFieldWithDefault>(); }
}  // namespace driftguard
