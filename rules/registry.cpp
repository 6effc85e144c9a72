#include "rules/registry.hpp"

// One line per rule, in id order. Each rule lives in rules/<category>/<rule_id>.cpp and defines make_<rule_id>().
#define DRIFTGUARD_RULES(X) \
  X(adding_required_field) \
  X(ban_delete_without_where) \
  X(ban_drop_default) \
  X(ban_drop_not_null) \
  X(ban_drop_table)         \
  X(ban_truncate) \
  X(ban_update_without_where) \
  X(changing_column_type) \
  X(renaming_column) \
  X(renaming_object) \
  X(renaming_table) \
  X(syntax_error)           \
  X(transaction_nesting)    \
  X(unused_ignore)

namespace driftguard {

#define DRIFTGUARD_DECLARE(name) std::unique_ptr<Rule> make_##name();
DRIFTGUARD_RULES(DRIFTGUARD_DECLARE)
#undef DRIFTGUARD_DECLARE

std::vector<std::unique_ptr<Rule>> make_all_rules() {
  std::vector<std::unique_ptr<Rule>> rules;
#define DRIFTGUARD_MAKE(name) rules.push_back(make_##name());
  DRIFTGUARD_RULES(DRIFTGUARD_MAKE)
#undef DRIFTGUARD_MAKE
  return rules;
}

}  // namespace driftguard
