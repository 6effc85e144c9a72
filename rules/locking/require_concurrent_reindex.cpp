#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
bool system_schema(const std::string& s) { return s == "pg_catalog" || s == "pg_toast"; }

class RequireConcurrentReindex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-concurrent-reindex", "locking", Severity::warning,
                            "REINDEX without CONCURRENTLY blocks writes to the table (PostgreSQL 12 and later)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"ReindexStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || ctx.settings().pg_version < 12 || locking::concurrently_impossible(ctx)) return;
    if (locking::concurrently(ctx.statement())) return;
    const json& rel = field(node, "relation");
    auto parts = rangevar_parts(rel);
    // REINDEX SCHEMA / DATABASE rebuild every index of every table, each table in turn in a transaction of its
    // own, under SHARE on the table (measured). REINDEX SYSTEM cannot be CONCURRENTLY.
    const std::string kind = str(node, "kind");
    if (kind == "REINDEX_OBJECT_SCHEMA" || kind == "REINDEX_OBJECT_DATABASE") {
      bool schema = kind == "REINDEX_OBJECT_SCHEMA";
      std::string name = str(node, "name");
      std::string what = schema ? "every table of " : "every table";
      if (schema) what += quote_ident(name);  // appended: GCC 12 -O3 warns falsely on `"literal" + std::string&&`
      ctx.report(ctx.statement_span(),
                 std::string("REINDEX ") + (schema ? "SCHEMA" : "DATABASE") +
                     " without CONCURRENTLY blocks writes on " + what,
                 "Write REINDEX (CONCURRENTLY) ... (PostgreSQL 12 and later), outside a transaction: it rebuilds "
                 "each index while reads and writes go on (system catalogs are skipped).");
      ctx.note(std::string("it rebuilds the indexes of every table of ") + (schema ? "the schema" : "the database") +
               ", one table at a time: it takes SHARE on each table (blocks writes) and ACCESS "
               "EXCLUSIVE on each of its indexes (blocks the reads that use them) while that table's indexes are "
               "rebuilt");
      return;
    }
    // REINDEX SCHEMA / DATABASE / SYSTEM name no single relation. PostgreSQL cannot reindex system catalogs (or
    // their TOAST tables) concurrently; an unqualified pg_* name resolves to pg_catalog first.
    if (parts.empty() || (parts.size() == 1 ? parts[0].rfind("pg_", 0) == 0 : system_schema(parts[parts.size() - 2]))) {
      return;
    }
    auto lock = locking::existing_lock_on(ctx, parts);
    if (!lock) return;
    std::optional<Fix> fix;
    // (Not when the option list says CONCURRENTLY false: the keyword would repeat the option.)
    bool option_written = false;
    for (const auto& p : field(node, "params")) option_written = option_written || str(field(p, "DefElem"), "defname") == "concurrently";
    if (!ctx.state().in_transaction() && ctx.statement().do_depth == 0 && !ctx.statement().approximate &&
        rel.contains("location") && !option_written) {
      std::size_t at = ctx.location_span(rel).begin;
      fix = Fix{"add CONCURRENTLY", {Edit{Span{at, at}, locking::keyword_case(ctx, "CONCURRENTLY") + " "}}};
    }
    ctx.report(ctx.statement_span(),
               "REINDEX without CONCURRENTLY takes " + std::string(lock_name(lock->mode)) + " on " + lock_target(*lock),
               "Write REINDEX ... CONCURRENTLY (PostgreSQL 12 and later), outside a transaction: it rebuilds the "
               "index while reads and writes go on.",
               std::move(fix));
    ctx.note("REINDEX " + lock_sentence(*lock));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_concurrent_reindex() { return std::make_unique<RequireConcurrentReindex>(); }
}  // namespace driftguard
