// driftguard.toml: loading, validation (unknown keys and bad values are errors with file:line:col), discovery
// (the nearest config above each linted file), and merging with command-line flags. See docs/config.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/command.hpp"
#include "cli/settings_flags.hpp"
#include "rules/engine.hpp"

namespace driftguard {

inline constexpr std::string_view kConfigName = "driftguard.toml";

// A config file that does not parse or holds an unknown key or a bad value. what() = "FILE:LINE:COL: message".
struct ConfigError : UsageError {
  using UsageError::UsageError;
};

// One requirement of `driftguard verify` on a live database ([verify] in driftguard.toml, or a flag).
struct Requirement {
  enum class Kind { table, column, rls, policy, extension };
  Kind kind = Kind::table;
  std::string schema;  // table, column, rls (of one table or of every table of the schema), policy
  std::string table;   // "" for rls on a whole schema
  std::string name;    // column, policy ("" = at least one policy), extension
  std::string where;   // "FILE:LINE:COL" of the config entry; "" for a flag
};

struct Config {
  std::string path;  // as displayed (relative to the working directory when below it); "" = built-in defaults
  std::string dir;   // absolute folder of the file: relative paths and file patterns in it are relative to this
  std::optional<int> pg_version;
  std::optional<std::string> runner;
  std::optional<Severity> fail_on;
  std::optional<std::string> baseline;       // as written; resolve with resolve()
  std::optional<std::string> platform;       // "supabase" or "none" (drift, schema: the platform baseline)
  std::optional<std::string> prelude;        // SQL file applied before the first migration; resolve with resolve()
  std::optional<std::string> docs_url;       // where the rule pages are published (lint --docs-url)
  std::optional<int> connect_timeout_s;      // [database] connect_timeout, whole seconds (0 = wait forever)
  std::vector<std::string> exposed_schemas;  // [rls] exposed_schemas
  std::vector<std::string> ignore_files;     // [ignore] files: globs relative to dir (absolute when inherited)
  std::vector<std::string> ignore_drift;     // [ignore] drift: object patterns ("schema.name", `*` wildcards)
  RuleSelection selection;                   // [rules] select / exclude / severity
  RuleOptions rule_options;                  // [rules.options.<rule-id>]
  std::vector<Requirement> verify;           // [verify]: tables, columns, rls, policies, extensions
  std::vector<std::string> presets;          // the presets applied (preset = ..., here or in an extended config)
  std::vector<std::string> extends;          // the configs this one extends, nearest first (extend = ...)

  // True when `file` (a path as found, relative to the working directory or absolute) matches [ignore] files.
  bool ignores_file(const std::string& file) const;
  // A path from the config (baseline) made usable from the working directory.
  std::string resolve(const std::string& relative) const;
};

// "schema.table" or "table" (in `public`) -> {schema, table}; names as PostgreSQL stores them.
std::pair<std::string, std::string> split_table_name(const std::string& name);

// Parses a config's text. `path` names it in errors; `rules` are the known rules (ids and option specs).
Config parse_config(std::string_view text, const std::string& path, const std::vector<std::unique_ptr<Rule>>& rules);
// Reads and parses a config file against the registry. Throws ConfigError (also when it cannot be read).
Config load_config(const std::string& path);
// The nearest driftguard.toml in the folder of `path` (or `path` itself when it is a folder) and its parents,
// stopping at the repository root (the first folder that holds .git) or the filesystem root.
std::optional<std::string> find_config(const std::string& path);

// Values given on the command line; each one set replaces the config's (see docs/config.md for lists).
struct Overrides {
  std::vector<std::string> select;              // --rule: replaces [rules] select
  std::vector<std::string> exclude;             // --exclude-rule: added to [rules] exclude
  std::map<std::string, Severity> severity;     // --severity: per rule, over [rules.severity]
  SettingsFlags flags;                          // --pg-version, --runner, --assume-in-transaction, --baseline
  std::optional<Severity> fail_on;              // --fail-on
  std::vector<std::string> exposed_schemas;     // --exposed-schema: replaces [rls] exposed_schemas
};

// --severity RULE=LEVEL flags (lint, check-down) as Overrides::severity. Throws UsageError on a malformed one.
std::map<std::string, Severity> severity_flags(const std::vector<std::string>& flags);

// What one config plus the command line means for a run.
struct Effective {
  Settings settings;
  RuleSelection selection;
  Severity fail_on = Severity::error;
};
Effective effective(const Config& c, const Overrides& o);
// The rules a Supabase project gets by default on every file (rls-not-enabled), unless selected otherwise.
void enable_supabase_rules(RuleSelection& selection);

// The configs of a run: --config for every file, else each file's nearest config (cached per folder), else the
// built-in defaults. Each distinct config gets one engine.
class ConfigSet {
 public:
  ConfigSet(std::optional<std::string> explicit_path, Overrides overrides);
  struct Profile {
    Config config;
    Effective effective;
    std::unique_ptr<Engine> engine;
  };
  // The profile for a file (or folder) path. Throws ConfigError / UsageError.
  const Profile& for_path(const std::string& path);

 private:
  std::optional<std::string> explicit_;
  Overrides overrides_;
  std::map<std::string, std::string> config_of_dir_;  // absolute folder -> config path ("" = none)
  // The nearest config at or above an absolute folder (absolute; "" = none), for every folder looked up on the way.
  const std::string& nearest_config(const std::string& dir);
  std::map<std::string, std::string> nearest_;
  // The absolute, normal folder of a path (itself when it is a folder, else its parent).
  std::string folder_of(const std::string& path);
  std::string cwd_;  // the working directory at the first lookup ("" until then, or when it cannot be read)
  bool cwd_read_ = false;
  std::map<std::string, std::unique_ptr<Profile>> profiles_;  // config path -> profile
  std::map<std::string, bool> supabase_prisma_;  // Prisma folder -> the project is on Supabase
};

// Prints the effective configuration (TOML) of `p`, including every rule's effective severity.
void print_config(std::ostream& out, const ConfigSet::Profile& p, const std::string& for_path);

}  // namespace driftguard
