#include "analyzer/text.hpp"
#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {
class RequireOrReplace final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-or-replace", "idempotency", Severity::warning,
                            "CREATE FUNCTION, VIEW, RULE or TRIGGER without OR REPLACE fails when the migration runs "
                            "again"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"CreateFunctionStmt", "ViewStmt", "RuleStmt", "CreateTrigStmt", "DefineStmt"};
  }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (idem::skip_create(ctx)) return;
    const json& b = unwrap(node);
    if (flag(b, "replace")) return;
    if (type == "CreateFunctionStmt") {
      auto parts = strings(field(b, "funcname"));
      if (idem::dropped_before(ctx, ObjKind::function, qualified_key(parts))) return;
      bool proc = flag(b, "is_procedure");
      report(ctx, std::string(proc ? "procedure " : "function ") + display(parts),
             std::string("Write CREATE OR REPLACE ") + (proc ? "PROCEDURE." : "FUNCTION."));
    } else if (type == "DefineStmt") {
      if (str(b, "kind") != "OBJECT_AGGREGATE") return;
      auto parts = strings(field(b, "defnames"));
      if (idem::dropped_before(ctx, ObjKind::function, qualified_key(parts))) return;
      report(ctx, "aggregate " + display(parts), "Write CREATE OR REPLACE AGGREGATE.");
    } else if (type == "ViewStmt") {
      const json& rel = field(b, "view");
      if (idem::is_temp(rel) || idem::table_dropped_before(ctx, rel)) return;
      report(ctx, "view " + rangevar_display(rel),
             "Write CREATE OR REPLACE VIEW (or DROP VIEW IF EXISTS first when the columns change).");
    } else if (type == "RuleStmt") {
      const json& rel = field(b, "relation");
      if (idem::table_dropped_before(ctx, rel)) return;
      report(ctx, "rule " + quote_ident(str(b, "rulename")) + " on " + rangevar_display(rel),
             "Write CREATE OR REPLACE RULE.");
    } else if (type == "CreateTrigStmt") {
      // OR REPLACE exists for triggers since PostgreSQL 14, and never for constraint triggers: those are
      // unguarded-create's.
      if (ctx.settings().pg_version < 14 || flag(b, "isconstraint")) return;
      const json& rel = field(b, "relation");
      std::string name = str(b, "trigname");
      if (idem::table_dropped_before(ctx, rel) ||
          idem::dropped_before(ctx, ObjKind::trigger, rangevar_key(rel) + "." + name)) {
        return;
      }
      report(ctx, "trigger " + quote_ident(name) + " on " + rangevar_display(rel),
             "Write CREATE OR REPLACE TRIGGER (PostgreSQL 14 and later), or precede it with DROP TRIGGER IF "
             "EXISTS.");
    }
  }

 private:
  static void report(RuleContext& ctx, const std::string& object, std::string help) {
    // Fix: CREATE -> CREATE OR REPLACE (the statement starts with the keyword).
    std::optional<Fix> fix;
    Span s = ctx.statement_span();
    if (!ctx.statement().approximate && lex::keyword_at(ctx.file().text, s.begin, "create")) {
      bool lower = ctx.file().text[s.begin] == 'c';
      fix = Fix{"add OR REPLACE", {Edit{Span{s.begin + 6, s.begin + 6}, lower ? " or replace" : " OR REPLACE"}}};
    }
    ctx.report(s, "re-run fails: " + object + " already exists", std::move(help), std::move(fix));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_or_replace() { return std::make_unique<RequireOrReplace>(); }
}  // namespace driftguard
