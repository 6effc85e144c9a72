#include "rules/locking/lock_model.hpp"

#include <algorithm>

#include "rules/names.hpp"

namespace driftguard {

std::string_view lock_name(LockMode m) {
  switch (m) {
    case LockMode::none:
      return "no lock";
    case LockMode::access_share:
      return "ACCESS SHARE";
    case LockMode::row_share:
      return "ROW SHARE";
    case LockMode::row_exclusive:
      return "ROW EXCLUSIVE";
    case LockMode::share_update_exclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::share:
      return "SHARE";
    case LockMode::share_row_exclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::exclusive:
      return "EXCLUSIVE";
    case LockMode::access_exclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "no lock";
}

// PostgreSQL's conflict table: plain SELECT (ACCESS SHARE) conflicts only with ACCESS EXCLUSIVE; INSERT, UPDATE
// and DELETE (ROW EXCLUSIVE) conflict with SHARE and everything stronger.
bool blocks_reads(LockMode m) { return m == LockMode::access_exclusive; }
bool blocks_writes(LockMode m) { return m >= LockMode::share; }

std::string blocks_text(LockMode m) {
  if (blocks_reads(m)) return "blocks reads and writes";
  if (blocks_writes(m)) return "blocks writes (reads continue)";
  if (m == LockMode::share_update_exclusive) {
    return "blocks other schema changes, VACUUM and index builds on it (reads and writes continue)";
  }
  if (m == LockMode::row_exclusive) return "blocks schema changes and index builds on it, and locks the rows it changes";
  if (m == LockMode::none) return "blocks nothing";
  return "blocks only ACCESS EXCLUSIVE";
}

std::string lock_sentence(const LockTaken& l) {
  std::string on = l.relation.empty() ? std::string("the table") : display(l.relation);
  return "takes " + std::string(lock_name(l.mode)) + " on " + on + ": " + blocks_text(l.mode) +
         " until the transaction ends";
}

namespace {

LockMode constraint_lock(const json& constraint) {
  std::string t = str(constraint, "contype");
  if (t == "CONSTR_FOREIGN") return LockMode::share_row_exclusive;
  return LockMode::access_exclusive;
}

}  // namespace

LockMode alter_cmd_lock(const json& cmd) {
  const std::string sub = str(cmd, "subtype");
  if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" || sub == "AT_ResetOptions" || sub == "AT_ClusterOn" ||
      sub == "AT_DropCluster" || sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions" ||
      sub == "AT_ValidateConstraint" || sub == "AT_AttachPartition" || sub == "AT_DetachPartitionFinalize") {
    return LockMode::share_update_exclusive;
  }
  if (sub == "AT_DetachPartition") {
    const json& pc = field(field(cmd, "def"), "PartitionCmd");
    return flag(pc, "concurrent") ? LockMode::share_update_exclusive : LockMode::access_exclusive;
  }
  if (sub == "AT_EnableTrig" || sub == "AT_EnableAlwaysTrig" || sub == "AT_EnableReplicaTrig" ||
      sub == "AT_DisableTrig" || sub == "AT_EnableTrigAll" || sub == "AT_DisableTrigAll" ||
      sub == "AT_EnableTrigUser" || sub == "AT_DisableTrigUser") {
    return LockMode::share_row_exclusive;
  }
  if (sub == "AT_AddConstraint") {
    const json& c = field(field(cmd, "def"), "Constraint");
    if (c.is_object()) return constraint_lock(c);
  }
  return LockMode::access_exclusive;
}

namespace {

void add(std::vector<LockTaken>& out, std::vector<std::string> rel, LockMode m, std::string why) {
  if (m == LockMode::none) return;
  out.push_back(LockTaken{std::move(rel), m, std::move(why)});
}

// Tables referenced by FOREIGN KEY constraints in a list of constraints / column definitions.
void foreign_keys(const json& elements, std::vector<LockTaken>& out, const std::string& why) {
  if (!elements.is_array()) return;
  for (const auto& e : elements) {
    const json& c = field(e, "Constraint");
    if (c.is_object() && str(c, "contype") == "CONSTR_FOREIGN") {
      add(out, rangevar_parts(field(c, "pktable")), LockMode::share_row_exclusive, why);
    }
    const json& cd = field(e, "ColumnDef");
    if (cd.is_object()) foreign_keys(field(cd, "constraints"), out, why);
  }
}

LockMode relation_drop_lock(const std::string& rt, bool concurrent) {
  if (rt == "OBJECT_INDEX") return concurrent ? LockMode::share_update_exclusive : LockMode::access_exclusive;
  if (rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_SEQUENCE" ||
      rt == "OBJECT_FOREIGN_TABLE") {
    return LockMode::access_exclusive;
  }
  return LockMode::none;
}

}  // namespace

std::vector<LockTaken> locks_of(const json& statement) {
  std::vector<LockTaken> out;
  const std::string t = node_type(statement);
  const json& b = unwrap(statement);
  if (t == "AlterTableStmt") {
    LockMode strongest = LockMode::none;
    std::string why = "ALTER TABLE";
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      LockMode m = alter_cmd_lock(cmd);
      if (m > strongest) strongest = m;
      const json& con = field(field(cmd, "def"), "Constraint");
      if (con.is_object() && str(con, "contype") == "CONSTR_FOREIGN") {
        add(out, rangevar_parts(field(con, "pktable")), LockMode::share_row_exclusive,
            "ALTER TABLE ... ADD FOREIGN KEY (referenced table)");
      }
      const json& cd = field(field(cmd, "def"), "ColumnDef");
      if (cd.is_object()) foreign_keys(field(cd, "constraints"), out, "ALTER TABLE ... ADD COLUMN ... REFERENCES");
    }
    out.insert(out.begin(), LockTaken{rangevar_parts(field(b, "relation")), strongest, why});
  } else if (t == "IndexStmt") {
    add(out, rangevar_parts(field(b, "relation")),
        flag(b, "concurrent") ? LockMode::share_update_exclusive : LockMode::share,
        flag(b, "concurrent") ? "CREATE INDEX CONCURRENTLY" : "CREATE INDEX");
  } else if (t == "CreateStmt") {
    const json& parent = field(b, "inhRelations");
    if (parent.is_array()) {
      bool partition = field(b, "partbound").is_object();
      for (const auto& p : parent) {
        add(out, rangevar_parts(p), partition ? LockMode::access_exclusive : LockMode::share_update_exclusive,
            partition ? "CREATE TABLE ... PARTITION OF (parent)" : "CREATE TABLE ... INHERITS (parent)");
      }
    }
    std::size_t first = out.size();
    foreign_keys(field(b, "tableElts"), out, "CREATE TABLE ... REFERENCES (referenced table)");
    // A self-reference points at the table being created: nothing existing is locked.
    std::string self = rangevar_key(field(b, "relation"));
    out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                             [&](const LockTaken& l) { return qualified_key(l.relation) == self; }),
              out.end());
  } else if (t == "DropStmt") {
    std::string rt = str(b, "removeType");
    if (rt == "OBJECT_TRIGGER" || rt == "OBJECT_POLICY" || rt == "OBJECT_RULE") {
      for (const auto& o : field(b, "objects")) {
        auto parts = drop_object_parts(o);
        if (parts.size() >= 2) parts.pop_back();
        add(out, parts, LockMode::access_exclusive, "DROP " + rt.substr(7));
      }
    } else {
      LockMode m = relation_drop_lock(rt, flag(b, "concurrent"));
      std::string what = rt == "OBJECT_MATVIEW" ? "MATERIALIZED VIEW" : rt.size() > 7 ? rt.substr(7) : rt;
      std::replace(what.begin(), what.end(), '_', ' ');
      for (const auto& o : field(b, "objects")) add(out, drop_object_parts(o), m, "DROP " + what);
    }
  } else if (t == "TruncateStmt") {
    for (const auto& r : field(b, "relations")) add(out, rangevar_parts(r), LockMode::access_exclusive, "TRUNCATE");
  } else if (t == "ReindexStmt") {
    bool concurrent = false;
    for (const auto& p : field(b, "params")) {
      if (str(field(p, "DefElem"), "defname") == "concurrently") concurrent = true;
    }
    std::string kind = str(b, "kind");
    LockMode m = concurrent ? LockMode::share_update_exclusive
                 : kind == "REINDEX_OBJECT_INDEX" ? LockMode::access_exclusive
                                                  : LockMode::share;
    // REINDEX SCHEMA / DATABASE / SYSTEM name no relation: they lock each table in turn, in a transaction each.
    if (field(b, "relation").is_object()) {
      add(out, rangevar_parts(field(b, "relation")), m, concurrent ? "REINDEX CONCURRENTLY" : "REINDEX");
    }
  } else if (t == "ClusterStmt") {
    add(out, rangevar_parts(field(b, "relation")), LockMode::access_exclusive, "CLUSTER");
  } else if (t == "VacuumStmt") {
    bool full = false;
    for (const auto& o : field(b, "options")) {
      if (str(field(o, "DefElem"), "defname") == "full") full = true;
    }
    for (const auto& r : field(b, "rels")) {
      add(out, rangevar_parts(field(field(r, "VacuumRelation"), "relation")),
          full ? LockMode::access_exclusive : LockMode::share_update_exclusive, full ? "VACUUM FULL" : "VACUUM");
    }
  } else if (t == "RefreshMatViewStmt") {
    add(out, rangevar_parts(field(b, "relation")),
        flag(b, "concurrent") ? LockMode::exclusive : LockMode::access_exclusive,
        flag(b, "concurrent") ? "REFRESH MATERIALIZED VIEW CONCURRENTLY" : "REFRESH MATERIALIZED VIEW");
  } else if (t == "LockStmt") {
    long mode = num(b, "mode", 8);
    LockMode m = mode >= 1 && mode <= 8 ? static_cast<LockMode>(mode) : LockMode::access_exclusive;
    for (const auto& r : field(b, "relations")) add(out, rangevar_parts(r), m, "LOCK TABLE");
  } else if (t == "CreateTrigStmt") {
    add(out, rangevar_parts(field(b, "relation")), LockMode::share_row_exclusive, "CREATE TRIGGER");
  } else if (t == "CreatePolicyStmt" || t == "AlterPolicyStmt") {
    add(out, rangevar_parts(field(b, "table")), LockMode::access_exclusive,
        t == "CreatePolicyStmt" ? "CREATE POLICY" : "ALTER POLICY");
  } else if (t == "RuleStmt") {
    add(out, rangevar_parts(field(b, "relation")), LockMode::access_exclusive, "CREATE RULE");
  } else if (t == "RenameStmt") {
    const json& rel = field(b, "relation");
    if (rel.is_object()) {
      bool index = str(b, "renameType") == "OBJECT_INDEX";
      add(out, rangevar_parts(rel), index ? LockMode::share_update_exclusive : LockMode::access_exclusive, "RENAME");
    }
  } else if (t == "InsertStmt" || t == "UpdateStmt" || t == "DeleteStmt") {
    add(out, rangevar_parts(field(b, "relation")), LockMode::row_exclusive,
        t == "InsertStmt" ? "INSERT" : t == "UpdateStmt" ? "UPDATE" : "DELETE");
  } else if (t == "CreateStatsStmt") {
    for (const auto& r : field(b, "relations")) add(out, rangevar_parts(r), LockMode::share_update_exclusive, "CREATE STATISTICS");
  }
  return out;
}

}  // namespace driftguard
