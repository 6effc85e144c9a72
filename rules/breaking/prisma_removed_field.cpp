// prisma-removed-field: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_prisma_removed_field() {
  return make_external_rule({"prisma-removed-field", "breaking", Severity::error,
                             "A schema.prisma model loses a field (prisma-check)"});
}
}  // namespace driftguard
