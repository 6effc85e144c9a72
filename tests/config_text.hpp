// driftguard.toml text parsed in a test, as the file cfg/driftguard.toml: the Config, or the error it gives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "rules/registry.hpp"

namespace dgtest {

inline const std::vector<std::unique_ptr<driftguard::Rule>>& registered_rules() {
  static const auto rules = driftguard::make_all_rules();
  return rules;
}

// The config `text` means; `rules` are the rules it may name (default: the registry's).
inline driftguard::Config config_from(const std::string& text,
                                      const std::vector<std::unique_ptr<driftguard::Rule>>& rules = registered_rules()) {
  return driftguard::parse_config(text, "cfg/driftguard.toml", rules);
}

// The error `text` gives ("file:line:col: message"), or "(no error)".
inline std::string config_error(const std::string& text,
                                const std::vector<std::unique_ptr<driftguard::Rule>>& rules = registered_rules()) {
  try {
    config_from(text, rules);
  } catch (const driftguard::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace dgtest
