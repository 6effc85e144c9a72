// The flags of commands that read a live database (drift, status), mapped in one place:
// --database-url [URL] (no value, or not given where a database is required: libpq's PG* variables and
// ~/.pgpass), --statement-timeout (default 30s), and for the catalog --schema / --include-platform-schemas; the
// platform baseline flags --platform / --prelude.
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
// The connection to open. Throws UsageError for a bad --statement-timeout.
db::ConnectOptions connect_options(const DbFlags& flags);
// "30s", "500ms", "2min", "0" (none), or a number of seconds -> milliseconds. Throws UsageError.
int parse_timeout_ms(const std::string& text);

}  // namespace driftguard
