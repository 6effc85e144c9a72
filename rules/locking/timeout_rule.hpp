// require-lock-timeout and require-statement-timeout: the first statement of a file that takes a lock blocking
// reads or writes on an existing table, with no such timeout in effect.
#pragma once

#include "rules/locking/lock_util.hpp"

namespace driftguard::locking {

class TimeoutRule : public Rule {
 public:
  // `setting`: "lock_timeout"; `value`: what the fix sets ("5s").
  TimeoutRule(RuleInfo info, Timeout timeout, std::string setting, std::string value, std::string risk)
      : info_(info), timeout_(timeout), setting_(std::move(setting)), value_(std::move(value)), risk_(std::move(risk)) {}
  const RuleInfo& info() const override { return info_; }
  std::vector<std::string_view> node_types() const override;
  void check(std::string_view type, const json& node, RuleContext& ctx) const override;

 private:
  std::optional<Fix> fix(const RuleContext& ctx) const;
  RuleInfo info_;
  Timeout timeout_;
  std::string setting_;
  std::string value_;
  std::string risk_;
};

}  // namespace driftguard::locking
