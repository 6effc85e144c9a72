// prisma-changed-map: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_prisma_changed_map() {
  return make_external_rule({"prisma-changed-map", "breaking", Severity::error,
                             "A schema.prisma @map or @@map changes: the database name of a field, model, enum or enum value changes (prisma-check)"});
}
}  // namespace driftguard
