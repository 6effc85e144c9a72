// What the engine knows before each statement: per file (transactions, objects created or dropped IF EXISTS
// earlier in the file; columns added to existing tables are ObjKind::column, key "schema.table.column") and per
// run (column types and validated IS NOT NULL checks declared by earlier statements, in migration order).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "analyzer/finding.hpp"
#include "analyzer/parse.hpp"

namespace driftguard {

// Object kinds share PostgreSQL's namespaces: tables, views, sequences and indexes are all relations.
enum class ObjKind { relation, type, schema, function, trigger, policy, constraint, role, publication, extension, column };

class FileState {
 public:
  bool in_transaction() const { return in_transaction_; }
  Span transaction_begin() const { return transaction_begin_; }
  bool created(ObjKind k, const std::string& key) const;
  bool created_relation(const nlohmann::json& rangevar) const;
  bool dropped_if_exists(ObjKind k, const std::string& key) const;
  // Dropped earlier in the file, with or without IF EXISTS (a DROP then CREATE pair re-runs cleanly).
  bool dropped(ObjKind k, const std::string& key) const;

  // Updates the state with a statement that has just been checked.
  void apply(const Statement& st);

 private:
  static std::string k(ObjKind kind, const std::string& key);
  bool in_transaction_ = false;
  Span transaction_begin_{};
  std::unordered_set<std::string> created_;
  std::unordered_set<std::string> dropped_if_exists_;
  std::unordered_set<std::string> dropped_;
};

struct ColumnType {
  std::string base;  // "varchar", "int4", "text"
  std::vector<long> mods;
  int array_depth = 0;
  std::string display;  // "varchar(20)"
};

class RunState {
 public:
  // key: "schema.table" and column name
  const ColumnType* column_type(const std::string& table_key, const std::string& column) const;
  // A validated CHECK constraint proves the column NOT NULL (CHECK (col IS NOT NULL), possibly AND-ed with other
  // tests): added without NOT VALID, or NOT VALID and then VALIDATE CONSTRAINT; forgotten when dropped.
  bool has_not_null_check(const std::string& table_key, const std::string& column) const;
  void apply(const Statement& st);

 private:
  struct NotNullCheck {
    std::vector<std::string> columns;
    bool validated = false;
  };
  std::unordered_map<std::string, std::unordered_map<std::string, ColumnType>> tables_;
  // table key -> constraint name ("#N" for unnamed ones) -> check
  std::unordered_map<std::string, std::unordered_map<std::string, NotNullCheck>> checks_;
  int unnamed_checks_ = 0;
};

}  // namespace driftguard
