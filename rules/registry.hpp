// The explicit registry of rules (no static self-registration).
#pragma once

#include <memory>
#include <vector>

#include "rules/rule.hpp"

namespace driftguard {

// Every rule, in id order.
std::vector<std::unique_ptr<Rule>> make_all_rules();

}  // namespace driftguard
