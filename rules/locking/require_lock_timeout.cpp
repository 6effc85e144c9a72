#include "rules/locking/timeout_rule.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_require_lock_timeout() {
  return std::make_unique<locking::TimeoutRule>(
      RuleInfo{"require-lock-timeout", "locking", Severity::warning,
               "A statement that takes a lock blocking reads or writes on an existing table, with no lock_timeout "
               "set before it"},
      Timeout::lock, "lock_timeout", "5s",
      "while it waits for a conflicting lock (any long query or open transaction on the table), every later query "
      "on the table queues behind it");
}
}  // namespace driftguard
