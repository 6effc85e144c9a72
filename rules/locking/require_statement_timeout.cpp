#include "rules/locking/timeout_rule.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_require_statement_timeout() {
  return std::make_unique<locking::TimeoutRule>(
      RuleInfo{"require-statement-timeout", "locking", Severity::info,
               "A statement that reads or writes every row of an existing table under a lock blocking reads or "
               "writes, with no statement_timeout set before it"},
      Timeout::statement, "statement_timeout", "5min",
      "if it runs long (a scan or rewrite of a large table), it blocks the table for as long as it runs");
}
}  // namespace driftguard
