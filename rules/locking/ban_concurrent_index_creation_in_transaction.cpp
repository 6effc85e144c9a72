#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class BanConcurrentIndexCreationInTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-concurrent-index-creation-in-transaction", "locking", Severity::error,
                            "CONCURRENTLY (CREATE/DROP INDEX, REINDEX, DETACH PARTITION) inside a transaction: "
                            "PostgreSQL refuses it and the migration fails"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt"};
  }
  void check(std::string_view type, const json&, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    const Statement& st = ctx.statement();
    if (!locking::concurrently(st)) return;
    std::string where = locking::transaction_phrase(ctx);
    if (where.empty()) return;
    std::string what = type == "IndexStmt"     ? "CREATE INDEX CONCURRENTLY"
                       : type == "DropStmt"    ? "DROP INDEX CONCURRENTLY"
                       : type == "ReindexStmt" ? "REINDEX CONCURRENTLY"
                                               : "DETACH PARTITION CONCURRENTLY";
    ctx.report(ctx.statement_span(), what + " fails inside a transaction block",
               "Run it on its own, outside a transaction: remove BEGIN/COMMIT around it, or put it in a migration of "
               "its own that the runner does not wrap (goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up "
               "transaction:false; Prisma and golang-migrate: the only statement of its file).");
    ctx.findings().back().notes = locking::begin_note(ctx);
    ctx.note(what + " cannot run inside a transaction block, and this one runs " + where + ": the migration fails");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_concurrent_index_creation_in_transaction() {
  return std::make_unique<BanConcurrentIndexCreationInTransaction>();
}
}  // namespace driftguard
