// prisma-required-without-default: produced by `driftguard prisma-check` from a comparison of schema.prisma with the base ref
// (cli/cmd_prisma_check.cpp), not from a statement; registered so that it has an id, a severity and documentation.
#include "rules/common.hpp"

namespace driftguard {
std::unique_ptr<Rule> make_prisma_required_without_default() {
  return make_external_rule({"prisma-required-without-default", "breaking", Severity::error,
                             "A schema.prisma field goes from optional to required without a @default (prisma-check)"});
}
}  // namespace driftguard
