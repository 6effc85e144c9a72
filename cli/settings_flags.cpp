#include "cli/settings_flags.hpp"

#include "cli/command.hpp"

namespace driftguard {

void add_settings_flags(CLI::App* app, SettingsFlags& f) {
  app->add_option("--pg-version", f.pg_version, "Target PostgreSQL major version (default 15)");
  add_runner_flag(app, f.runner);
  app->add_flag("--assume-in-transaction", f.assume_in_transaction,
                "Every file runs inside a transaction (overrides the runner)");
  app->add_option("--baseline", f.baseline,
                  "Migrations newer than this version are not deployed yet: what they create counts as new");
}

void add_runner_flag(CLI::App* app, std::string& runner) {
  app->add_option("--runner", runner,
                  "Migration runner, for the transaction each file runs in: auto (from the layout), prisma, supabase, "
                  "golang-migrate, goose, dbmate, flyway, diesel, sqlx, fider, synapse, temporal, extension, drizzle, plain")
      ->check(CLI::IsMember({"auto", "prisma", "supabase", "golang-migrate", "goose", "dbmate", "flyway", "diesel", "sqlx",
                             "fider", "synapse", "temporal", "extension", "drizzle", "plain"}));
}

void apply_settings_flags(const SettingsFlags& f, Settings& s) {
  if (f.pg_version != 0) {
    if (f.pg_version < 9 || f.pg_version > 18) throw UsageError("--pg-version must be between 9 and 18");
    s.pg_version = f.pg_version;
  }
  if (f.runner != "auto") {
    auto r = parse_runner(f.runner);
    if (!r) throw UsageError("--runner: unknown runner '" + f.runner + "'");
    s.runner = *r;
  }
  s.assume_in_transaction = s.assume_in_transaction || f.assume_in_transaction;
  if (!f.baseline.empty()) s.baseline = f.baseline;
}

}  // namespace driftguard
