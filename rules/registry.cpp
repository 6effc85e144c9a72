#include "rules/registry.hpp"

// One line per rule, in id order. Each rule lives in rules/<category>/<rule_id>.cpp and defines make_<rule_id>().
#define DRIFTGUARD_RULES(X) \
  X(adding_exclusion_constraint)                   \
  X(adding_field_with_default)                     \
  X(adding_foreign_key_constraint)                 \
  X(adding_not_nullable_field)                     \
  X(adding_primary_key_constraint)                 \
  X(adding_required_field)                         \
  X(adding_serial_column)                          \
  X(adding_stored_generated_column)                \
  X(ban_alter_domain_with_add_constraint)          \
  X(ban_char_field)                                \
  X(ban_cluster)                                   \
  X(ban_concurrent_index_creation_in_transaction)  \
  X(ban_create_domain_with_constraint)             \
  X(ban_delete_without_where)                      \
  X(ban_disable_rls)                               \
  X(ban_drop_column)                               \
  X(ban_drop_constraint)                           \
  X(ban_drop_database)                             \
  X(ban_drop_default)                              \
  X(ban_drop_extension)                            \
  X(ban_drop_function)                             \
  X(ban_drop_index)                                \
  X(ban_drop_not_null)                             \
  X(ban_drop_policy)                               \
  X(ban_drop_schema)                               \
  X(ban_drop_sequence)                             \
  X(ban_drop_table)                                \
  X(ban_drop_trigger)                              \
  X(ban_drop_type)                                 \
  X(ban_drop_view)                                 \
  X(ban_lock_table)                                \
  X(ban_truncate)                                  \
  X(ban_uncommitted_transaction)                   \
  X(ban_update_without_where)                      \
  X(ban_vacuum_full)                               \
  X(changing_column_type)                          \
  X(constraint_missing_not_valid)                  \
  X(deleted_applied_migration)                     \
  X(disallowed_unique_constraint)                  \
  X(duplicate_migration_version)                   \
  X(edited_applied_migration)                      \
  X(foreign_key_without_index)                     \
  X(identifier_naming)                             \
  X(identifier_too_long)                           \
  X(incomplete_down_migration)                     \
  X(lock_held_across_statements)                   \
  X(migration_file_name)                           \
  X(migration_order)                               \
  X(multiple_alter_table)                          \
  X(non_idempotent_insert)                         \
  X(non_idempotent_rename)                         \
  X(prefer_bigint_over_int)                        \
  X(prefer_bigint_over_smallint)                   \
  X(prefer_identity)                               \
  X(prefer_jsonb)                                  \
  X(prefer_text_field)                             \
  X(prefer_timestamptz)                            \
  X(prisma_changed_map)                            \
  X(prisma_changed_type)                           \
  X(prisma_new_required_relation)                  \
  X(prisma_removed_enum_value)                     \
  X(prisma_removed_field)                          \
  X(prisma_removed_model)                          \
  X(prisma_required_without_default)               \
  X(renaming_column)                               \
  X(renaming_object)                               \
  X(renaming_table)                                \
  X(require_concurrent_index_creation)             \
  X(require_concurrent_index_deletion)             \
  X(require_concurrent_partition_detach)           \
  X(require_concurrent_reindex)                    \
  X(require_down_migration)                        \
  X(require_enum_value_ordering)                   \
  X(require_header)                                \
  X(require_if_exists)                             \
  X(require_if_not_exists)                         \
  X(require_lock_timeout)                          \
  X(require_or_replace)                            \
  X(require_statement_timeout)                     \
  X(require_transaction)                           \
  X(rls_not_enabled)                               \
  X(schema_without_migration)                      \
  X(security_definer_without_search_path)          \
  X(syntax_error)                                  \
  X(transaction_nesting)                           \
  X(unguarded_create)                              \
  X(unused_ignore)                                 \
  X(validate_constraint_in_same_transaction)

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

std::vector<std::string> rules_named(std::string_view id_or_category) {
  static const auto rules = make_all_rules();
  std::vector<std::string> ids;
  for (const auto& r : rules) {
    if (r->info().id == id_or_category || r->info().category == id_or_category) ids.emplace_back(r->info().id);
  }
  return ids;
}

}  // namespace driftguard
