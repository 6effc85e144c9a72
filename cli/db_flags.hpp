// The flags of commands that read a live database (drift, status, verify), mapped in one place:
// --database-url [URL] (no value, or not given where a database is required: $DIRECT_URL, then $DATABASE_URL, then
// libpq's PG* variables and ~/.pgpass), --statement-timeout (default 30s), --connect-timeout (default 10s), and for
// the catalog --schema / --include-platform-schemas; the platform baseline flags --platform / --prelude.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "introspect/db/connection.hpp"

namespace driftguard {

struct DbFlags {
  std::optional<std::string> url;  // set when --database-url was given ("" = libpq's defaults)
  std::string statement_timeout = "30s";
  std::string connect_timeout;                   // "" = not given
  std::optional<int> config_connect_timeout_s;   // [database] connect_timeout of the command's driftguard.toml
  std::vector<std::string> schemas;
  bool include_platform = false;
};

void add_db_flags(CLI::App* app, DbFlags& flags, bool catalog_flags);

// The platform a replayed history starts from (drift, schema): --platform supabase|none, --prelude FILE. Empty =
// not given (the config's `platform` / `prelude`, else detection: cli/model_source.hpp).
struct PlatformFlags {
  std::string platform;
  std::string prelude;
};
void add_platform_flags(CLI::App* app, PlatformFlags& flags);
// The connection to open. Throws UsageError for a bad --statement-timeout or --connect-timeout.
// The connect timeout: --connect-timeout, else the URL's connect_timeout, else $PGCONNECT_TIMEOUT, else the config's
// [database] connect_timeout, else 10 seconds.
db::ConnectOptions connect_options(const DbFlags& flags);
// The URL to connect to when a database is used: --database-url's value, else $DIRECT_URL (what Prisma Migrate
// uses: the connection that bypasses a pooler), else $DATABASE_URL, else "" (libpq's PG* variables and ~/.pgpass).
// `source` receives the variable's name when one was used.
std::string database_url(const DbFlags& flags, std::string* source = nullptr);
// "30s", "500ms", "2min", "0" (none), or a number of seconds -> milliseconds. `flag` names the setting in errors.
// Throws UsageError.
int parse_timeout_ms(const std::string& text, const std::string& flag = "--statement-timeout");
// A connect timeout ("10s", "1min", "0" = none) -> whole seconds, at least 2 (libpq's minimum). Throws UsageError.
int parse_connect_timeout_s(const std::string& text, const std::string& flag);

}  // namespace driftguard
