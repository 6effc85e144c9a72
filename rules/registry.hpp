// The explicit registry of rules (no static self-registration).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.hpp"

namespace driftguard {

// Every rule, in id order.
std::vector<std::unique_ptr<Rule>> make_all_rules();

// The rule ids a name stands for wherever rules are selected: a rule id itself, or every rule of a category
// (`destructive`); empty when the name is neither.
std::vector<std::string> rules_named(std::string_view id_or_category);

}  // namespace driftguard
