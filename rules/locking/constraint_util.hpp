// Shared by the constraint rules of the locking category.
#pragma once

#include <optional>
#include <string>

#include "rules/locking/lock_util.hpp"

namespace driftguard::locking {

// "CHECK", "FOREIGN KEY", "UNIQUE", "PRIMARY KEY", "EXCLUDE" from a Constraint's contype.
std::string constraint_kind(const json& constraint);
// "ADD FOREIGN KEY on orders" (`table`: the altered table's RangeVar): how a finding's first line names an added
// constraint.
std::string add_constraint(const json& constraint, const json& table);

// Fix for ADD CONSTRAINT without NOT VALID: append NOT VALID to the sub-command and validate in a later transaction
// (after the statement when it runs on its own, after the COMMIT of an explicit transaction). None when the
// constraint has no name or the VALIDATE would land in the same transaction.
std::optional<Fix> not_valid_fix(const RuleContext& ctx, const json& alter_table_stmt, std::size_t cmd_index,
                                 const json& constraint);

// disallowed-unique-constraint and adding-primary-key-constraint: ADD UNIQUE / PRIMARY KEY (or ADD COLUMN with
// one) on an existing table, not USING INDEX.
void check_index_constraint(const json& alter_table_stmt, RuleContext& ctx, const std::string& contype);

}  // namespace driftguard::locking
