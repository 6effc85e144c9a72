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

// The type of an option's value. A regex is a string (a list of regexes, a list of strings) that the config
// loader has checked compiles as an RE2 regular expression.
enum class OptionType { boolean, integer, number, string, string_list, regex, regex_list };

inline std::string_view to_string(OptionType t) {
  static constexpr std::string_view names[] = {"boolean",         "integer",           "number",
                                               "string",          "list of strings",   "a regular expression (string)",
                                               "list of regular expressions"};
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
