#include "cli/presets.hpp"

namespace driftguard {

const std::vector<Preset>& presets() {
  // A category name sets every rule of the category, opt-in rules included; a rule id after it wins.
  static const std::vector<Preset> all = {
      {"additive-only", "Migrations only add: every destructive and breaking rule is an error",
       R"([rules]
destructive = "error"
breaking = "error"
)"},
      {"online-safe",
       "Migrations run against live traffic: every locking rule is an error, lock_timeout and statement_timeout are "
       "required",
       R"([rules]
locking = "error"
transaction = "error"
require-lock-timeout = "error"
require-statement-timeout = "error"
)"},
      {"prisma",
       "A Prisma project: migrations are generated and applied once (idempotency rules off), the runner is Prisma's",
       R"(runner = "prisma"

[rules]
# prisma migrate records every applied migration in _prisma_migrations and never re-runs one: IF [NOT] EXISTS
# guards add nothing.
idempotency = "off"
breaking = "error"
)"},
      {"strict", "Every rule on: hazards are errors, style and conventions are warnings",
       R"([rules]
destructive = "error"
breaking = "error"
locking = "error"
transaction = "error"
security = "error"
idempotency = "warning"
types = "warning"
convention = "warning"
# These are errors by default and stay errors.
duplicate-migration-version = "error"
edited-applied-migration = "error"
migration-order = "error"
syntax-error = "error"
identifier-too-long = "error"

# Every integer column, not only keys and sequence-fed ones.
[rules.options.prefer-bigint-over-int]
all-columns = true
)"},
      {"supabase",
       "A Supabase project: tables in exposed schemas must have row level security, on every migration",
       R"(platform = "supabase"

[rls]
exposed_schemas = ["public"]

[rules]
security = "error"
)"},
  };
  return all;
}

const Preset* find_preset(std::string_view name) {
  for (const auto& p : presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace driftguard
