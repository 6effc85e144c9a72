// Helpers shared by the destructive rules: which dropped objects existed before the file, and whether the file
// re-creates an object it drops (drop-and-recreate to change a definition) or got it from a rename earlier on.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/parse.hpp"
#include "rules/common.hpp"

namespace driftguard::destructive {

using StmtPred = std::function<bool(const std::string& kind, const json& body)>;

// Does a statement after (or before) the current one, in execution order, satisfy pred?
inline bool any_statement(const RuleContext& ctx, bool after, const StmtPred& pred) {
  const auto& all = ctx.statements();
  const std::size_t at = ctx.statement_index();
  std::size_t from = after ? at + 1 : 0;
  std::size_t to = after ? all.size() : at;
  for (std::size_t i = from; i < to; ++i) {
    if (pred(all[i].kind, unwrap(all[i].node))) return true;
  }
  return false;
}

// The object a CREATE statement makes, keyed like FileState and DropTarget::key.
inline std::optional<std::pair<ObjKind, std::string>> created_object(const std::string& t, const json& b) {
  auto schema_of = [](const json& rv) {
    std::string s = str(rv, "schemaname");
    return s.empty() ? std::string("public") : s;
  };
  if (t == "CreateStmt") return std::pair{ObjKind::relation, rangevar_key(field(b, "relation"))};
  if (t == "CreateTableAsStmt") return std::pair{ObjKind::relation, rangevar_key(field(field(b, "into"), "rel"))};
  if (t == "ViewStmt") return std::pair{ObjKind::relation, rangevar_key(field(b, "view"))};
  if (t == "CreateSeqStmt") return std::pair{ObjKind::relation, rangevar_key(field(b, "sequence"))};
  if (t == "IndexStmt" && !str(b, "idxname").empty()) {
    return std::pair{ObjKind::relation, schema_of(field(b, "relation")) + "." + str(b, "idxname")};
  }
  if (t == "CreateEnumStmt" || t == "CreateRangeStmt") {
    return std::pair{ObjKind::type, qualified_key(strings(field(b, "typeName")))};
  }
  if (t == "CompositeTypeStmt") return std::pair{ObjKind::type, rangevar_key(field(b, "typevar"))};
  if (t == "CreateDomainStmt") return std::pair{ObjKind::type, qualified_key(strings(field(b, "domainname")))};
  if (t == "CreateFunctionStmt") return std::pair{ObjKind::function, qualified_key(strings(field(b, "funcname")))};
  if (t == "CreateSchemaStmt") return std::pair{ObjKind::schema, str(b, "schemaname")};
  if (t == "CreateTrigStmt") {
    return std::pair{ObjKind::trigger, rangevar_key(field(b, "relation")) + "." + str(b, "trigname")};
  }
  if (t == "CreatePolicyStmt") {
    return std::pair{ObjKind::policy, rangevar_key(field(b, "table")) + "." + str(b, "policy_name")};
  }
  return std::nullopt;
}

// The object a RenameStmt gives its new name to, keyed like created_object.
inline std::optional<std::pair<ObjKind, std::string>> renamed_object(const std::string& t, const json& b) {
  if (t != "RenameStmt") return std::nullopt;
  const std::string rt = str(b, "renameType");
  const std::string newname = str(b, "newname");
  auto in_schema_of = [&](const std::string& old_key) { return old_key.substr(0, old_key.find('.')) + "." + newname; };
  if (rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_SEQUENCE" ||
      rt == "OBJECT_FOREIGN_TABLE" || rt == "OBJECT_INDEX") {
    return std::pair{ObjKind::relation, in_schema_of(rangevar_key(field(b, "relation")))};
  }
  if (rt == "OBJECT_TYPE" || rt == "OBJECT_DOMAIN") {
    return std::pair{ObjKind::type, in_schema_of(qualified_key(drop_object_parts(field(b, "object"))))};
  }
  if (rt == "OBJECT_FUNCTION" || rt == "OBJECT_PROCEDURE" || rt == "OBJECT_ROUTINE") {
    return std::pair{ObjKind::function, in_schema_of(qualified_key(drop_object_parts(field(b, "object"))))};
  }
  if (rt == "OBJECT_SCHEMA") return std::pair{ObjKind::schema, newname};
  return std::nullopt;
}

// Is the object created again later in the file (DROP ... ; CREATE ... to change its definition)?
inline bool recreated_later(const RuleContext& ctx, ObjKind kind, const std::string& key) {
  return any_statement(ctx, true, [&](const std::string& t, const json& b) {
    auto o = created_object(t, b);
    return o && o->first == kind && o->second == key;
  });
}

// Does an ALTER TABLE on `table_key` (other than the current statement) run a sub-command `subtype` whose
// ColumnDef / Constraint name is `name`? Adds with IF NOT EXISTS do not count (the object may have been there).
inline bool table_cmd_elsewhere(const RuleContext& ctx, bool after, const std::string& table_key,
                                const char* subtype, const std::string& name) {
  return any_statement(ctx, after, [&](const std::string& t, const json& b) {
    if (t != "AlterTableStmt" || rangevar_key(field(b, "relation")) != table_key) return false;
    for (const auto& c : alter_cmds(b)) {
      if (c.subtype != subtype || flag(*c.cmd, "missing_ok")) continue;
      const json& def = field(*c.cmd, "def");
      std::string n = str(field(def, "ColumnDef"), "colname");
      if (n.empty()) n = str(field(def, "Constraint"), "conname");
      if (n == name) return true;
    }
    return false;
  });
}

// Is the table dropped later in the file? Then what is dropped from it first (columns, constraints, triggers,
// policies) goes with it anyway, and ban-drop-table reports the table.
inline bool table_dropped_later(const RuleContext& ctx, const std::string& table_key) {
  return any_statement(ctx, true, [&](const std::string& t, const json& b) {
    if (t != "DropStmt") return false;
    std::string rt = str(b, "removeType");
    if (rt != "OBJECT_TABLE" && rt != "OBJECT_FOREIGN_TABLE") return false;
    for (const auto& o : field(b, "objects")) {
      if (qualified_key(drop_object_parts(o)) == table_key) return true;
    }
    return false;
  });
}

// The table key of a trigger or policy key ("public.orders.trg" -> "public.orders").
inline std::string owner_table(const std::string& key) { return key.substr(0, key.rfind('.')); }

// Names (as displayed) of the dropped objects that existed before this file. Without CASCADE, objects that the
// file creates again later are left out too when `skip_recreated`: the drop replaces them, nothing goes away.
inline std::vector<std::string> dropped_existing(const DropInfo& d, ObjKind kind, const RuleContext& ctx,
                                                 bool skip_recreated) {
  std::vector<std::string> out;
  for (const auto& t : d.targets) {
    if (t.created_in_file) continue;
    if (skip_recreated && !d.cascade && recreated_later(ctx, kind, t.key)) continue;
    if ((kind == ObjKind::trigger || kind == ObjKind::policy) && table_dropped_later(ctx, owner_table(t.key))) continue;
    out.push_back(t.display);
  }
  return out;
}

// "drops view a" / "drops views a and b" / "drops views a, b and 3 more" (a finding's first line)
inline std::string drops(const char* one, const char* many, const std::vector<std::string>& names) {
  return std::string("drops ") + (names.size() > 1 ? many : one) + " " + join_names_short(names);
}

// The whole list in a note when the first line shortened it.
inline void note_all_names(RuleContext& ctx, const std::vector<std::string>& names) {
  if (names_shortened(names)) ctx.note("all " + std::to_string(names.size()) + ": " + join_names(names));
}

}  // namespace driftguard::destructive
