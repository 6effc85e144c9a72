#include "rules/state.hpp"

#include <algorithm>

#include "rules/names.hpp"

namespace driftguard {

std::string FileState::k(ObjKind kind, const std::string& key) {
  return std::to_string(static_cast<int>(kind)) + ":" + key;
}

bool FileState::created(ObjKind kind, const std::string& key) const { return created_.count(k(kind, key)) > 0; }

bool FileState::created_relation(const json& rangevar) const {
  return created(ObjKind::relation, rangevar_key(rangevar));
}

bool FileState::dropped_if_exists(ObjKind kind, const std::string& key) const {
  return dropped_if_exists_.count(k(kind, key)) > 0;
}

bool FileState::dropped(ObjKind kind, const std::string& key) const { return dropped_.count(k(kind, key)) > 0; }

namespace {

std::optional<ObjKind> drop_kind(const std::string& remove_type) {
  if (remove_type == "OBJECT_TABLE" || remove_type == "OBJECT_VIEW" || remove_type == "OBJECT_MATVIEW" ||
      remove_type == "OBJECT_INDEX" || remove_type == "OBJECT_SEQUENCE" || remove_type == "OBJECT_FOREIGN_TABLE") {
    return ObjKind::relation;
  }
  if (remove_type == "OBJECT_TYPE" || remove_type == "OBJECT_DOMAIN") return ObjKind::type;
  if (remove_type == "OBJECT_SCHEMA") return ObjKind::schema;
  if (remove_type == "OBJECT_FUNCTION" || remove_type == "OBJECT_PROCEDURE" || remove_type == "OBJECT_ROUTINE") {
    return ObjKind::function;
  }
  if (remove_type == "OBJECT_TRIGGER") return ObjKind::trigger;
  if (remove_type == "OBJECT_POLICY") return ObjKind::policy;
  if (remove_type == "OBJECT_PUBLICATION") return ObjKind::publication;
  if (remove_type == "OBJECT_EXTENSION") return ObjKind::extension;
  return std::nullopt;
}

// Key of an object that lives on a table (trigger, policy): "schema.table.name".
std::string on_table_key(const std::vector<std::string>& parts) {
  if (parts.size() < 2) return parts.empty() ? std::string() : parts[0];
  std::vector<std::string> table(parts.begin(), parts.end() - 1);
  return qualified_key(table) + "." + parts.back();
}

}  // namespace

void FileState::apply(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "TransactionStmt") {
    std::string kind = str(b, "kind");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      if (!in_transaction_) transaction_begin_ = st.span;
      in_transaction_ = true;
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE" ||
               kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED") {
      in_transaction_ = false;
    }
  } else if (t == "CreateStmt") {
    created_.insert(k(ObjKind::relation, rangevar_key(field(b, "relation"))));
  } else if (t == "CreateTableAsStmt") {
    created_.insert(k(ObjKind::relation, rangevar_key(field(field(b, "into"), "rel"))));
  } else if (t == "ViewStmt") {
    created_.insert(k(ObjKind::relation, rangevar_key(field(b, "view"))));
  } else if (t == "CreateSeqStmt") {
    created_.insert(k(ObjKind::relation, rangevar_key(field(b, "sequence"))));
  } else if (t == "IndexStmt") {
    if (auto name = str(b, "idxname"); !name.empty()) {
      std::string schema = str(field(b, "relation"), "schemaname");
      created_.insert(k(ObjKind::relation, (schema.empty() ? "public" : schema) + "." + name));
    }
  } else if (t == "CreateEnumStmt" || t == "CreateRangeStmt") {
    created_.insert(k(ObjKind::type, qualified_key(strings(field(b, "typeName")))));
  } else if (t == "CompositeTypeStmt") {
    created_.insert(k(ObjKind::type, rangevar_key(field(b, "typevar"))));
  } else if (t == "CreateDomainStmt") {
    created_.insert(k(ObjKind::type, qualified_key(strings(field(b, "domainname")))));
  } else if (t == "CreateSchemaStmt") {
    created_.insert(k(ObjKind::schema, str(b, "schemaname")));
  } else if (t == "CreateFunctionStmt") {
    created_.insert(k(ObjKind::function, qualified_key(strings(field(b, "funcname")))));
  } else if (t == "CreateTrigStmt") {
    created_.insert(k(ObjKind::trigger, rangevar_key(field(b, "relation")) + "." + str(b, "trigname")));
  } else if (t == "CreatePolicyStmt") {
    created_.insert(k(ObjKind::policy, rangevar_key(field(b, "table")) + "." + str(b, "policy_name")));
  } else if (t == "CreateExtensionStmt") {
    created_.insert(k(ObjKind::extension, str(b, "extname")));
  } else if (t == "RenameStmt") {
    std::string rt = str(b, "renameType");
    if ((rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_SEQUENCE" ||
         rt == "OBJECT_INDEX") &&
        created_relation(field(b, "relation"))) {
      std::string schema = str(field(b, "relation"), "schemaname");
      created_.insert(k(ObjKind::relation, (schema.empty() ? "public" : schema) + "." + str(b, "newname")));
    }
  } else if (t == "DropRoleStmt") {
    for (const auto& r : field(b, "roles")) {
      std::string name = str(field(r, "RoleSpec"), "rolename");
      if (name.empty()) continue;
      dropped_.insert(k(ObjKind::role, name));
      if (flag(b, "missing_ok")) dropped_if_exists_.insert(k(ObjKind::role, name));
    }
  } else if (t == "DropStmt") {
    auto kind = drop_kind(str(b, "removeType"));
    if (kind) {
      for (const auto& o : field(b, "objects")) {
        auto parts = drop_object_parts(o);
        std::string key;
        if (*kind == ObjKind::trigger || *kind == ObjKind::policy) {
          key = on_table_key(parts);
        } else if (*kind == ObjKind::schema || *kind == ObjKind::extension || *kind == ObjKind::publication) {
          key = parts.empty() ? "" : parts.back();
        } else {
          key = qualified_key(parts);
        }
        dropped_.insert(k(*kind, key));
        if (flag(b, "missing_ok")) dropped_if_exists_.insert(k(*kind, key));
      }
    }
  } else if (t == "AlterTableStmt") {
    std::string table = rangevar_key(field(b, "relation"));
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      if (str(cmd, "subtype") == "AT_DropConstraint") {
        dropped_.insert(k(ObjKind::constraint, table + "." + str(cmd, "name")));
        if (flag(cmd, "missing_ok")) dropped_if_exists_.insert(k(ObjKind::constraint, table + "." + str(cmd, "name")));
      }
      // Columns added earlier in the file: key "schema.table.column".
      if (str(cmd, "subtype") == "AT_AddColumn") {
        const json& cd = field(field(cmd, "def"), "ColumnDef");
        if (cd.is_object()) created_.insert(k(ObjKind::column, table + "." + str(cd, "colname")));
      }
    }
  }
}

const ColumnType* RunState::column_type(const std::string& table_key, const std::string& column) const {
  auto t = tables_.find(table_key);
  if (t == tables_.end()) return nullptr;
  auto c = t->second.find(column);
  return c == t->second.end() ? nullptr : &c->second;
}

bool RunState::has_not_null_check(const std::string& table_key, const std::string& column) const {
  auto t = checks_.find(table_key);
  if (t == checks_.end()) return false;
  for (const auto& [name, c] : t->second) {
    if (c.validated && std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end()) return true;
  }
  return false;
}

namespace {
// Columns a CHECK expression proves NOT NULL: `col IS NOT NULL`, and AND-ed conjunctions of such tests.
void not_null_columns(const json& expr, std::vector<std::string>& out) {
  const json& nt = field(expr, "NullTest");
  if (nt.is_object() && str(nt, "nulltesttype") == "IS_NOT_NULL") {
    auto f = strings(field(field(field(nt, "arg"), "ColumnRef"), "fields"));
    if (f.size() == 1) out.push_back(f[0]);
  }
  const json& be = field(expr, "BoolExpr");
  if (be.is_object() && str(be, "boolop") == "AND_EXPR") {
    for (const auto& a : field(be, "args")) not_null_columns(a, out);
  }
}

ColumnType to_column_type(const json& type_name) {
  ColumnType ct;
  ct.base = type_base(type_name);
  ct.mods = type_mods(type_name);
  ct.array_depth = array_depth(type_name);
  ct.display = type_display(type_name);
  return ct;
}
}  // namespace

void RunState::apply(const Statement& st) {
  const json& b = unwrap(st.node);
  // Records a CHECK constraint that proves columns NOT NULL; `column` is the column of a column constraint.
  auto add_check = [this](const std::string& table, const json& con, const std::string& column, bool validated) {
    if (str(con, "contype") != "CONSTR_CHECK") return;
    NotNullCheck check;
    not_null_columns(field(con, "raw_expr"), check.columns);
    if (check.columns.empty()) return;
    if (!column.empty() && std::find(check.columns.begin(), check.columns.end(), column) == check.columns.end()) {
      return;
    }
    check.validated = validated;
    std::string name = str(con, "conname");
    checks_[table][name.empty() ? "#" + std::to_string(++unnamed_checks_) : name] = std::move(check);
  };
  if (st.kind == "CreateStmt") {
    std::string table = rangevar_key(field(b, "relation"));
    auto& cols = tables_[table];
    cols.clear();
    checks_.erase(table);
    // Constraints of a new table are always validated (NOT VALID is ignored in CREATE TABLE).
    for (const auto& elt : field(b, "tableElts")) {
      const json& cd = field(elt, "ColumnDef");
      if (cd.is_object()) {
        cols[str(cd, "colname")] = to_column_type(field(cd, "typeName"));
        for (const auto& con : field(cd, "constraints")) {
          add_check(table, field(con, "Constraint"), str(cd, "colname"), true);
        }
      }
      add_check(table, field(elt, "Constraint"), "", true);
    }
  } else if (st.kind == "AlterTableStmt") {
    std::string table = rangevar_key(field(b, "relation"));
    auto& cols = tables_[table];
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      std::string sub = str(cmd, "subtype");
      const json& cd = field(field(cmd, "def"), "ColumnDef");
      const json& con = field(field(cmd, "def"), "Constraint");
      if (sub == "AT_AddConstraint" && con.is_object()) {
        add_check(table, con, "", !flag(con, "skip_validation"));
      } else if (sub == "AT_ValidateConstraint") {
        auto t = checks_.find(table);
        if (t != checks_.end()) {
          if (auto k = t->second.find(str(cmd, "name")); k != t->second.end()) k->second.validated = true;
        }
      } else if (sub == "AT_DropConstraint") {
        if (auto t = checks_.find(table); t != checks_.end()) t->second.erase(str(cmd, "name"));
      }
      if (sub == "AT_AddColumn" && cd.is_object()) {
        cols[str(cd, "colname")] = to_column_type(field(cd, "typeName"));
      } else if (sub == "AT_AlterColumnType" && cd.is_object()) {
        cols[str(cmd, "name")] = to_column_type(field(cd, "typeName"));
      } else if (sub == "AT_DropColumn") {
        cols.erase(str(cmd, "name"));
      }
    }
  } else if (st.kind == "RenameStmt" && str(b, "renameType") == "OBJECT_COLUMN") {
    auto t = tables_.find(rangevar_key(field(b, "relation")));
    if (t != tables_.end()) {
      auto c = t->second.find(str(b, "subname"));
      if (c != t->second.end()) {
        ColumnType ct = c->second;
        t->second.erase(c);
        t->second[str(b, "newname")] = ct;
      }
    }
    if (auto k = checks_.find(rangevar_key(field(b, "relation"))); k != checks_.end()) {
      for (auto& [name, check] : k->second) std::replace(check.columns.begin(), check.columns.end(), str(b, "subname"), str(b, "newname"));
    }
  } else if (st.kind == "RenameStmt" && str(b, "renameType") == "OBJECT_TABLE") {
    auto t = tables_.find(rangevar_key(field(b, "relation")));
    if (t != tables_.end()) {
      auto cols = std::move(t->second);
      tables_.erase(t);
      std::string schema = str(field(b, "relation"), "schemaname");
      tables_[(schema.empty() ? "public" : schema) + "." + str(b, "newname")] = std::move(cols);
    }
    auto c = checks_.find(rangevar_key(field(b, "relation")));
    if (c != checks_.end()) {
      auto checks = std::move(c->second);
      checks_.erase(c);
      std::string schema = str(field(b, "relation"), "schemaname");
      checks_[(schema.empty() ? "public" : schema) + "." + str(b, "newname")] = std::move(checks);
    }
  } else if (st.kind == "RenameStmt" && str(b, "renameType") == "OBJECT_TABCONSTRAINT") {
    auto t = checks_.find(rangevar_key(field(b, "relation")));
    if (t != checks_.end()) {
      if (auto k = t->second.find(str(b, "subname")); k != t->second.end()) {
        auto check = std::move(k->second);
        t->second.erase(k);
        t->second[str(b, "newname")] = std::move(check);
      }
    }
  } else if (st.kind == "DropStmt" && str(b, "removeType") == "OBJECT_TABLE") {
    for (const auto& o : field(b, "objects")) {
      tables_.erase(qualified_key(drop_object_parts(o)));
      checks_.erase(qualified_key(drop_object_parts(o)));
    }
  }
}

}  // namespace driftguard
