// What the engine knows before each statement: per file (transactions, objects created or dropped IF EXISTS
// earlier in the file; columns added to existing tables are ObjKind::column, key "schema.table.column") and per run (column types declared by earlier statements, in migration order).
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
  void apply(const Statement& st);

 private:
  std::unordered_map<std::string, std::unordered_map<std::string, ColumnType>> tables_;
};

}  // namespace driftguard
