// Shared pieces for rule implementations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rules/names.hpp"
#include "rules/rule.hpp"
#include "rules/state.hpp"

namespace driftguard {

// A rule whose findings are produced outside the engine (from a git diff or a schema.prisma comparison): it has
// an id, a severity and documentation, and can be selected and configured, but sees no statement.
std::unique_ptr<Rule> make_external_rule(RuleInfo info);

// One object named by a DROP statement.
struct DropTarget {
  std::vector<std::string> parts;  // name parts as written
  std::string display;             // "public.orders", "trg ON public.orders", "f(integer)"
  std::string key;                 // state key (see FileState)
  bool created_in_file = false;    // created earlier in the same file
};

struct DropInfo {
  std::string remove_type;  // "OBJECT_TABLE", ...
  bool missing_ok = false;
  bool cascade = false;
  bool concurrent = false;
  std::vector<DropTarget> targets;
};

// Reads a DropStmt body.
DropInfo read_drop(const json& drop_stmt, const RuleContext& ctx);

// Was the function an ObjectWithArgs names (DROP FUNCTION f(int), ...) created earlier in this file? The overload
// with its argument types when they are given, else any overload of the name.
bool function_created_in_file(const RuleContext& ctx, const json& object_with_args);

// "a", "a and b", "a, b and c"
std::string join_names(const std::vector<std::string>& names);
// For a finding's first line: up to three names whole ("a, b and c"), else "a, b and 3 more" (never "and 1 more":
// the name is as short); the caller then lists them all in a note (names_shortened).
std::string join_names_short(const std::vector<std::string>& names);
bool names_shortened(const std::vector<std::string>& names);

// The names of targets that existed before this file (not created earlier in it).
std::vector<std::string> existing_targets(const DropInfo& d);

// AlterTableCmd bodies of an AlterTableStmt, with their index.
struct AlterCmd {
  std::size_t index;
  const json* cmd;  // AlterTableCmd body
  std::string subtype;
};
std::vector<AlterCmd> alter_cmds(const json& alter_table_stmt);

// Is this ALTER TABLE on a table (not an index, view, sequence or type)?
bool alters_table(const json& alter_table_stmt);

// The RangeVar of an ALTER TABLE on a table that existed before this file (rules that protect existing data use
// it); JSON null when the statement alters something else, or a table created earlier in the same file or by a
// migration of this run newer than --baseline (RunState::is_new_relation).
const json& existing_altered_table(const json& alter_table_stmt, const RuleContext& ctx);

// serial, bigserial, smallserial (and serial2/4/8): a pseudo-type written without a schema (TypeName body).
bool is_serial(const json& type_name);

// A column type written as a built-in ("int4" for integer, int, int4 or pg_catalog.int4): its base name; "" for a
// schema-qualified user type.
std::string builtin_base(const json& type_name);

}  // namespace driftguard
