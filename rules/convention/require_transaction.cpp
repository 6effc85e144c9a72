// require-transaction: a migration of several statements that its runner does not wrap in a transaction must open
// one itself, so that a failure leaves nothing half applied.
#include "rules/common.hpp"
#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {

class RequireTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-transaction", "convention", Severity::off,
                            "A multi-statement migration runs statements outside a transaction (its runner does not "
                            "wrap it)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  void finish_file(RuleContext& ctx) const override {
    const FileTransaction& tx = ctx.state().runner_transaction();
    if (tx.mode != TxMode::none) return;  // the runner (or the whole-file request) is one transaction
    std::vector<const Statement*> top;
    for (const auto& st : ctx.statements()) {
      if (st.do_depth > 0) continue;
      // A statement PostgreSQL refuses in a transaction block: the file cannot be one transaction.
      if (locking::must_run_outside_transaction(st)) return;
      top.push_back(&st);
    }
    if (top.size() < 2) return;  // one statement is atomic by itself
    bool has_transaction_statements = false;
    for (const Statement* st : top) has_transaction_statements = has_transaction_statements || st->kind == "TransactionStmt";
    bool open = false;
    for (const Statement* st : top) {
      if (st->kind == "TransactionStmt") {
        std::string kind = str(unwrap(st->node), "kind");
        if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") open = true;
        if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE") open = false;
        continue;
      }
      if (open || st->kind == "VariableSetStmt") continue;  // SET outside a transaction changes only the session
      std::optional<Fix> fix;
      if (!has_transaction_statements) {  // mechanical: the file has no transaction control of its own
        std::size_t end = ctx.after_statement(*top.back());
        fix = Fix{"wrap the migration in BEGIN ... COMMIT",
                  {{Span{top.front()->span.begin, top.front()->span.begin}, "BEGIN;\n\n"}, {Span{end, end}, "\n\nCOMMIT;"}}};
      }
      ctx.report(st->span,
                 "runs outside a transaction",
                 "Put the migration's statements between BEGIN; and COMMIT;.", std::move(fix));
      ctx.note(std::string(tx.why.empty() ? "the runner does not wrap the file" : tx.why) +
               ": if a later statement fails, the statements before it stay applied and the migration is half done");
      return;
    }
  }
};

}  // namespace
std::unique_ptr<Rule> make_require_transaction() { return std::make_unique<RequireTransaction>(); }
}  // namespace driftguard
