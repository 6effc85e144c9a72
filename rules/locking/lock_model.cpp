#include "rules/locking/lock_model.hpp"

#include <algorithm>
#include <cctype>

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

std::string lock_target(const LockTaken& l) {
  return l.relation.empty()  ? std::string("the table")
         : l.table_of_index ? "the table of index " + display(l.relation)
                            : display(l.relation);
}

std::string lock_sentence(const LockTaken& l) {
  return "takes " + std::string(lock_name(l.mode)) + " on " + lock_target(l) + ": " + blocks_text(l.mode) +
         " until the transaction ends";
}

namespace {
std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
}  // namespace

bool option_enabled(const json& def_elem) {
  const json& arg = field(def_elem, "arg");
  if (!arg.is_object()) return true;
  if (const json& s = field(arg, "String"); s.is_object()) {
    std::string v = lower(str(s, "sval"));
    return v != "false" && v != "off";
  }
  if (const json& i = field(arg, "Integer"); i.is_object()) return num(i, "ival", 0) != 0;
  if (const json& b = field(arg, "Boolean"); b.is_object()) return flag(b, "boolval");
  return true;
}

bool has_option(const json& options, std::string_view name) {
  if (!options.is_array()) return false;
  for (const auto& o : options) {
    const json& d = field(o, "DefElem");
    if (str(d, "defname") == name && option_enabled(d)) return true;
  }
  return false;
}

namespace {

LockMode constraint_lock(const json& constraint) {
  std::string t = str(constraint, "contype");
  if (t == "CONSTR_FOREIGN") return LockMode::share_row_exclusive;
  return LockMode::access_exclusive;
}

// Storage parameters: most take SHARE UPDATE EXCLUSIVE, these ACCESS EXCLUSIVE (reloptions.c's lockmode of each
// option); a view's options all do (measured).
bool rel_options_need_access_exclusive(const json& def) {
  const json& options = def.is_array() ? def : field(field(def, "List"), "items");
  if (!options.is_array()) return false;
  for (const auto& o : options) {
    std::string n = str(field(o, "DefElem"), "defname");
    if (n == "user_catalog_table" || n == "buffering" || n == "security_barrier" || n == "security_invoker" ||
        n == "check_option") {
      return true;
    }
  }
  return false;
}

}  // namespace

LockMode alter_cmd_lock(const json& cmd) {
  const std::string sub = str(cmd, "subtype");
  if (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions") {
    return rel_options_need_access_exclusive(field(cmd, "def")) ? LockMode::access_exclusive
                                                                : LockMode::share_update_exclusive;
  }
  if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" || sub == "AT_ResetOptions" || sub == "AT_ClusterOn" ||
      sub == "AT_DropCluster" || sub == "AT_ValidateConstraint" || sub == "AT_AttachPartition" ||
      sub == "AT_DetachPartitionFinalize") {
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
    const bool view = str(b, "objtype") == "OBJECT_VIEW";  // (a materialized view's options are a table's)
    std::vector<LockTaken> others;
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      const std::string sub = str(cmd, "subtype");
      LockMode m = alter_cmd_lock(cmd);
      // A view's storage options (security_barrier, check_option, ...) all take ACCESS EXCLUSIVE (measured).
      if (view && (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions")) m = LockMode::access_exclusive;
      if (m > strongest) strongest = m;
      const json& con = field(field(cmd, "def"), "Constraint");
      if (con.is_object() && str(con, "contype") == "CONSTR_FOREIGN") {
        add(others, rangevar_parts(field(con, "pktable")), LockMode::share_row_exclusive,
            "ALTER TABLE ... ADD FOREIGN KEY (referenced table)");
      }
      // ADD CONSTRAINT ... USING INDEX reads the index, and renames it to the constraint's name when they differ.
      if (con.is_object() && !str(con, "indexname").empty()) {
        std::vector<std::string> index = rangevar_parts(field(b, "relation"));
        if (!index.empty()) index.back() = str(con, "indexname");
        std::string name = str(con, "conname");
        bool renamed = !name.empty() && name != str(con, "indexname");
        add(others, index, renamed ? LockMode::share_update_exclusive : LockMode::access_share,
            renamed ? "ALTER TABLE ... ADD CONSTRAINT ... USING INDEX (renames the index)"
                    : "ALTER TABLE ... ADD CONSTRAINT ... USING INDEX");
      }
      const json& cd = field(field(cmd, "def"), "ColumnDef");
      if (cd.is_object()) foreign_keys(field(cd, "constraints"), others, "ALTER TABLE ... ADD COLUMN ... REFERENCES");
      // CLUSTER ON marks the index (SHARE UPDATE EXCLUSIVE on it too).
      if (sub == "AT_ClusterOn") {
        std::vector<std::string> index = rangevar_parts(field(b, "relation"));
        if (!index.empty()) index.back() = str(cmd, "name");
        add(others, index, LockMode::share_update_exclusive, "ALTER TABLE ... CLUSTER ON (the index)");
      }
      // ATTACH / DETACH PARTITION also lock the partition: ACCESS EXCLUSIVE, SHARE UPDATE EXCLUSIVE when detached
      // CONCURRENTLY.
      const json& pc = field(field(cmd, "def"), "PartitionCmd");
      if (pc.is_object() && (sub == "AT_AttachPartition" || sub == "AT_DetachPartition")) {
        bool concurrent = sub == "AT_DetachPartition" && flag(pc, "concurrent");
        add(others, rangevar_parts(field(pc, "name")),
            concurrent ? LockMode::share_update_exclusive : LockMode::access_exclusive,
            sub == "AT_AttachPartition" ? "ALTER TABLE ... ATTACH PARTITION (the partition)"
                                        : "ALTER TABLE ... DETACH PARTITION (the partition)");
      }
    }
    out.push_back(LockTaken{rangevar_parts(field(b, "relation")), strongest, why});
    out.insert(out.end(), others.begin(), others.end());
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
      for (const auto& o : field(b, "objects")) {
        add(out, drop_object_parts(o), m, "DROP " + what);
        // DROP INDEX locks the index's table with the same mode, before the index.
        if (rt == "OBJECT_INDEX") {
          add(out, drop_object_parts(o), m, "DROP " + what + " (its table)");
          out.back().table_of_index = true;
        }
      }
    }
  } else if (t == "TruncateStmt") {
    for (const auto& r : field(b, "relations")) add(out, rangevar_parts(r), LockMode::access_exclusive, "TRUNCATE");
  } else if (t == "ReindexStmt") {
    const bool concurrent = has_option(field(b, "params"), "concurrently");
    const std::string why = concurrent ? "REINDEX CONCURRENTLY" : "REINDEX";
    // REINDEX SCHEMA / DATABASE / SYSTEM name no relation: they lock each table in turn, in a transaction each.
    if (field(b, "relation").is_object()) {
      auto rel = rangevar_parts(field(b, "relation"));
      if (str(b, "kind") == "REINDEX_OBJECT_INDEX") {
        // The index's table first (SHARE: blocks writes), then the index (ACCESS EXCLUSIVE: blocks the reads that
        // would use it); CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on both.
        add(out, rel, concurrent ? LockMode::share_update_exclusive : LockMode::access_exclusive, why);
        add(out, rel, concurrent ? LockMode::share_update_exclusive : LockMode::share, why + " (its table)");
        out.back().table_of_index = true;
      } else {
        add(out, rel, concurrent ? LockMode::share_update_exclusive : LockMode::share, why);
      }
    }
  } else if (t == "ClusterStmt") {
    auto rel = rangevar_parts(field(b, "relation"));
    add(out, rel, LockMode::access_exclusive, "CLUSTER");
    if (!rel.empty() && !str(b, "indexname").empty()) {
      rel.back() = str(b, "indexname");
      add(out, rel, LockMode::access_exclusive, "CLUSTER (the index)");
    }
  } else if (t == "VacuumStmt") {
    const bool full = flag(b, "is_vacuumcmd") && has_option(field(b, "options"), "full");
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
  } else if (t == "CommentStmt") {
    // COMMENT ON a relation or one of its columns takes SHARE UPDATE EXCLUSIVE on it (measured; the documentation
    // does not say). A comment on a constraint or another object takes no lock that blocks anything.
    std::string ot = str(b, "objtype");
    const json& o = field(b, "object");
    if (ot == "OBJECT_TABLE" || ot == "OBJECT_INDEX" || ot == "OBJECT_VIEW" || ot == "OBJECT_MATVIEW" ||
        ot == "OBJECT_SEQUENCE" || ot == "OBJECT_FOREIGN_TABLE") {
      add(out, strings(field(field(o, "List"), "items")), LockMode::share_update_exclusive, "COMMENT ON");
    } else if (ot == "OBJECT_COLUMN") {
      auto parts = strings(field(field(o, "List"), "items"));
      if (parts.size() >= 2) parts.pop_back();
      add(out, parts, LockMode::share_update_exclusive, "COMMENT ON COLUMN");
    }
  } else if (t == "CreateStatsStmt") {
    for (const auto& r : field(b, "relations")) add(out, rangevar_parts(r), LockMode::share_update_exclusive, "CREATE STATISTICS");
  }
  return out;
}

}  // namespace driftguard
