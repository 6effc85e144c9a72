// prisma-changed-type: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_prisma_changed_type() {
  return make_external_rule({"prisma-changed-type", "breaking", Severity::error,
                             "A schema.prisma field changes its type, list-ness or @db native type (prisma-check)"});
}
}  // namespace driftguard
