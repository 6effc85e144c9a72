// The command-line flags that set analysis Settings (shared by lint and locks), mapped in one place.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "rules/rule.hpp"

namespace driftguard {

struct SettingsFlags {
  int pg_version = 0;  // 0: not given (Settings keeps its value, 15 by default)
  std::string runner = "auto";
  bool assume_in_transaction = false;
  std::string baseline;
};

// --pg-version, --runner, --assume-in-transaction, --baseline.
void add_settings_flags(CLI::App* app, SettingsFlags& flags);
// --runner alone (drift: the transaction each replayed migration runs in).
void add_runner_flag(CLI::App* app, std::string& runner);
// Applies the flags to `settings` (defaults, or what a configuration file set). Throws UsageError.
void apply_settings_flags(const SettingsFlags& flags, Settings& settings);

}  // namespace driftguard
