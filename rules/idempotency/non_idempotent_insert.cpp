#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {

// Does the SELECT skip rows that are already there: WHERE NOT EXISTS (...), WHERE x NOT IN (...),
// x <> ALL (...), ... EXCEPT SELECT ..., or an anti-join (LEFT JOIN ... WHERE ... IS NULL)?
bool guarded_select(const json& sel, int depth = 0) {
  if (depth > 50 || !sel.is_object()) return false;
  const json& s = unwrap(sel);
  if (str(s, "op") == "SETOP_EXCEPT") return true;
  if (guarded_select(field(s, "larg"), depth + 1) || guarded_select(field(s, "rarg"), depth + 1)) return true;
  const json& where = field(s, "whereClause");
  bool anti_join = false;
  for (const auto& f : field(s, "fromClause")) {
    if (str(field(f, "JoinExpr"), "jointype") == "JOIN_LEFT" || str(field(f, "JoinExpr"), "jointype") == "JOIN_RIGHT") {
      anti_join = true;
    }
  }
  if (anti_join && contains_node(where, "NullTest")) return true;
  // Look for NOT (EXISTS | IN) and <> ALL anywhere in the WHERE clause (it may be one of several ANDed tests).
  struct Walk {
    static bool has(const json& n, int d) {
      if (d > 100) return false;
      if (n.is_array()) {
        for (const auto& v : n) {
          if (has(v, d + 1)) return true;
        }
        return false;
      }
      if (!n.is_object()) return false;
      if (const json& be = field(n, "BoolExpr"); be.is_object() && str(be, "boolop") == "NOT_EXPR") {
        for (const auto& a : field(be, "args")) {
          std::string t = str(field(a, "SubLink"), "subLinkType");
          if (t == "EXISTS_SUBLINK" || t == "ANY_SUBLINK") return true;
        }
      }
      if (str(field(n, "SubLink"), "subLinkType") == "ALL_SUBLINK") return true;
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (it.key() == "subselect") continue;  // a NOT EXISTS inside a subquery guards nothing here
        if (it.value().is_structured() && has(it.value(), d + 1)) return true;
      }
      return false;
    }
  };
  return Walk::has(where, 0);
}

class NonIdempotentInsert final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"non-idempotent-insert", "idempotency", Severity::warning,
                            "INSERT without ON CONFLICT or a NOT EXISTS guard inserts the rows again when the "
                            "migration runs again"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"InsertStmt"}; }

  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (ctx.statement().guarded || (idem::tracked_transaction(ctx) && !ctx.rule_chosen())) return;
    // INSERTs that do not run now: rule actions, SQL-standard function bodies, PREPARE, EXPLAIN.
    for (const auto& f : ctx.ancestors()) {
      if (f.type == "RuleStmt" || f.type == "CreateFunctionStmt" || f.type == "PrepareStmt" ||
          f.type == "ExplainStmt") {
        return;
      }
    }
    const json& b = unwrap(node);
    if (field(b, "onConflictClause").is_object()) return;
    const json& rel = field(b, "relation");
    if (idem::is_temp(rel) || str(rel, "schemaname") == "pg_temp" || idem::table_dropped_before(ctx, rel)) return;
    if (guarded_select(field(b, "selectStmt"))) return;
    ctx.report(ctx.statement_span(),
               "a re-run inserts the rows into " + rangevar_display(rel) + " again",
               "Add ON CONFLICT DO NOTHING (or DO UPDATE) on a unique key, or insert with INSERT ... SELECT ... "
               "WHERE NOT EXISTS (SELECT 1 FROM the table WHERE ...).");
    ctx.note("or fails on a unique key");
  }
};
}  // namespace
std::unique_ptr<Rule> make_non_idempotent_insert() { return std::make_unique<NonIdempotentInsert>(); }
}  // namespace driftguard
