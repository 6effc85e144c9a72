// schema-without-migration: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_schema_without_migration() {
  return make_external_rule({"schema-without-migration", "convention", Severity::error,
                             "schema.prisma changed but no migration was added next to it (prisma-check)"});
}
}  // namespace driftguard
