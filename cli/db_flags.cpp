#include "cli/db_flags.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "cli/command.hpp"

namespace driftguard {

void add_db_flags(CLI::App* app, DbFlags& flags, bool catalog_flags) {
  app->add_option("--database-url", flags.url,
                  "PostgreSQL URL or key=value conninfo; without a value: $DIRECT_URL, else $DATABASE_URL, else "
                  "libpq's PG* variables and ~/.pgpass. The password is never printed")
      ->type_name("URL")  // not a file: the shell completions offer nothing (cli/completions.cpp)
      ->expected(0, 1)
      ->default_str("");
  app->add_option("--statement-timeout", flags.statement_timeout,
                  "Statement timeout of the read-only transaction (30s, 500ms, 2min; 0 = none)")
      ->type_name("DURATION")
      ->capture_default_str();
  app->add_option("--connect-timeout", flags.connect_timeout,
                  "Give up when the server has not answered within this time (default 10s, or the URL's "
                  "connect_timeout, $PGCONNECT_TIMEOUT, driftguard.toml's [database] connect_timeout; 0 = wait)")
      ->type_name("DURATION");
  if (catalog_flags) {
    app->add_option("--schema", flags.schemas,
                    "Read only these schemas of the database (repeatable; default: every user schema except platform "
                    "schemas)");
    app->add_flag("--include-platform-schemas", flags.include_platform,
                  "Also read platform schemas (Supabase's auth, storage, ...; Prisma's _prisma_migrations)");
  }
}

void add_platform_flags(CLI::App* app, PlatformFlags& flags) {
  app->add_option("--platform", flags.platform,
                  "The platform the history starts from: supabase (its auth, storage, roles and extensions exist "
                  "before the first migration) or none (default: driftguard.toml's platform, else detected)")
      ->check(CLI::IsMember({"supabase", "none"}));
  app->add_option("--prelude", flags.prelude,
                  "A SQL file applied before the first migration, after the platform baseline when there is "
                  "one (roles, extension schemas of another platform); its objects are not compared")
      ->check(CLI::ExistingFile);
}

int parse_timeout_ms(const std::string& text, const std::string& flag) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string number = text.substr(0, i);
  std::string unit = text.substr(i);
  double factor = unit.empty() || unit == "s" ? 1000 : unit == "ms" ? 1 : unit == "min" ? 60000 : -1;
  if (number.empty() || factor < 0 || number.find('.') != number.rfind('.')) {
    throw UsageError(flag + ": expected a duration such as 30s, 500ms or 2min, got '" + text + "'");
  }
  double ms = std::stod(number) * factor;
  if (ms > 2147483647.0) throw UsageError(flag + ": '" + text + "' is too long");
  return static_cast<int>(ms);
}

int parse_connect_timeout_s(const std::string& text, const std::string& flag) {
  int ms = parse_timeout_ms(text, flag);
  if (ms == 0) return 0;
  // libpq counts whole seconds and turns 1 into 2.
  if (ms < 2000) throw UsageError(flag + ": '" + text + "' is below libpq's minimum of 2s (0 = wait forever)");
  return static_cast<int>(std::ceil(ms / 1000.0));
}

std::string database_url(const DbFlags& flags, std::string* source) {
  if (flags.url && !flags.url->empty()) return *flags.url;
  for (const char* name : {"DIRECT_URL", "DATABASE_URL"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      if (source != nullptr) *source = name;
      return v;
    }
  }
  return "";
}

db::ConnectOptions connect_options(const DbFlags& flags) {
  db::ConnectOptions o;
  o.url = database_url(flags, &o.url_source);
  o.statement_timeout_ms = parse_timeout_ms(flags.statement_timeout);
  if (!flags.connect_timeout.empty()) {
    o.connect_timeout_s = parse_connect_timeout_s(flags.connect_timeout, "--connect-timeout");
    o.connect_timeout_wins = true;
  } else if (const char* env = std::getenv("PGCONNECT_TIMEOUT"); env != nullptr && *env != '\0') {
    o.connect_timeout_s = parse_connect_timeout_s(env, "PGCONNECT_TIMEOUT");
  } else if (flags.config_connect_timeout_s) {
    o.connect_timeout_s = *flags.config_connect_timeout_s;
  }
  return o;
}

}  // namespace driftguard
