// drift --format sql: the script that turns the actual side into the expected side (or, --reverse, the expected
// side into the actual one), written by the same planner
// as rollbacks (analyzer/model/sql_out) and limited to what the differ calls drift: a column the differ finds
// equivalent (Prisma's equivalence rules, ignored paths) is left alone, and when the expected side is
// schema.prisma, what Prisma cannot express (policies, triggers, functions, views, RLS, CHECK constraints, ...)
// is kept as the database has it, never dropped.
#pragma once

#include <string>
#include <vector>

#include "analyzer/model/sql_out.hpp"
#include "introspect/diff.hpp"

namespace driftguard {

struct DriftScript {
  model::Script script;
  model::ScriptOptions options;
  std::string sql;  // with its header
};

// `expected_label` / `actual_label` name the sides in the header ("prisma:schema.prisma", "database:host/db").
// `reverse` (drift --reverse): the other way, from the expected side to the actual one — the migration that brings
// the history to what the database has become ("commit a migration for the dashboard changes").
DriftScript drift_script(const model::SchemaModel& expected, const model::SchemaModel& actual,
                         const std::vector<diff::DriftItem>& items, const diff::Options& opts, bool allow_destructive,
                         const std::string& expected_label, const std::string& actual_label, bool reverse = false);

}  // namespace driftguard
