// Per-rule options: declared by a rule (Rule::option_specs), set in driftguard.toml ([rules.options.<rule-id>]),
// checked against the declaration when the config is loaded, and read by the rule with RuleContext::option().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace driftguard {

using OptionValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

// The index of each type in OptionValue.
enum class OptionType { boolean = 0, integer = 1, number = 2, string = 3, string_list = 4 };

inline std::string_view to_string(OptionType t) {
  static constexpr std::string_view names[] = {"boolean", "integer", "number", "string", "list of strings"};
  return names[static_cast<int>(t)];
}

struct OptionSpec {
  std::string_view name;  // kebab-case or snake_case key, as written in the config
  OptionType type;
  std::string_view help;  // one line, shown by `driftguard config --show`
};

// rule id -> option name -> value (only options that were set; rules supply their own defaults).
using RuleOptions = std::map<std::string, std::map<std::string, OptionValue, std::less<>>, std::less<>>;

}  // namespace driftguard
