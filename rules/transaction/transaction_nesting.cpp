#include "rules/common.hpp"

namespace driftguard {
namespace {
class TransactionNesting final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"transaction-nesting", "transaction", Severity::error,
                            "BEGIN inside an open transaction, or COMMIT/ROLLBACK with none open"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"TransactionStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    std::string kind = str(node, "kind");
    const FileState& s = ctx.state();
    if ((kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") && s.begin_nests()) {
      bool runner = !s.in_explicit_transaction();
      ctx.report(ctx.statement_span(),
                 std::string("BEGIN inside a transaction that is already open"),
                 runner ? "Remove the BEGIN and its COMMIT: the runner already runs the file in a transaction."
                        : "Remove the inner BEGIN, or use SAVEPOINT for a nested unit of work.");
      if (runner) ctx.note(s.runner_transaction().why);
      ctx.note("PostgreSQL ignores it with a warning, and the first COMMIT then commits everything");
    } else if ((kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK") && !s.in_explicit_transaction()) {
      ctx.report(ctx.statement_span(),
                 std::string(kind == "TRANS_STMT_COMMIT" ? "COMMIT" : "ROLLBACK") +
                     " without a BEGIN in this file",
                 "Add the matching BEGIN, or remove it and let the runner manage the transaction.");
      ctx.note("if the migration runner wraps the file in a transaction, this ends the runner's transaction early; "
               "otherwise it does nothing");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_transaction_nesting() { return std::make_unique<TransactionNesting>(); }
}  // namespace driftguard
