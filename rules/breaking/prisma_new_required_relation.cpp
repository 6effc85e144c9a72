// prisma-new-required-relation: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_prisma_new_required_relation() {
  return make_external_rule({"prisma-new-required-relation", "breaking", Severity::warning,
                             "A schema.prisma model that already existed gets a new required relation (prisma-check)"});
}
}  // namespace driftguard
