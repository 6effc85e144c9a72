// What the engine knows before each statement. Per run (RunState): the schema model the replay builds from the
// earlier files and statements — the one model of the schema that drift and `schema` read too —, which answers
// whether an object is new in the file, its columns' types and its validated checks. Per file (FileState): what is
// about the file's execution, which no schema model holds: transactions (explicit, and the one the migration
// runner wraps the file in), timeouts set, locks held, constraints added NOT VALID in the open transaction, and
// what a re-run of the file meets: objects dropped with or without IF EXISTS earlier in the file (the model only
// holds what exists, not what a file dropped).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer/pgtree.hpp"
#include "analyzer/finding.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

// Object kinds share PostgreSQL's namespaces: tables, views, sequences and indexes are all relations.
enum class ObjKind { relation, type, schema, function, trigger, policy, constraint, role, publication, extension, column };

class RunState;

enum class Timeout { lock, statement };

class FileState {
 public:
  FileState() = default;
  // `run`: for objects created by earlier migrations of the run (may be null); `tx`: the runner's transaction.
  FileState(const RunState* run, FileTransaction tx);

  // Transactions. in_transaction(): explicit (BEGIN) or the runner's implicit one.
  bool in_transaction() const { return explicit_ || implicit_; }
  bool in_explicit_transaction() const { return explicit_; }
  bool in_runner_transaction() const { return implicit_; }
  const FileTransaction& runner_transaction() const { return tx_; }
  // A BEGIN now would nest: a transaction is open that BEGIN does not take over (an explicit one, or the one a
  // wrapping runner opened; PostgreSQL turns the implicit block of a multi-statement request into the BEGIN's).
  bool begin_nests() const { return explicit_ || (implicit_ && tx_.mode == TxMode::wrapped); }
  // The open explicit transaction's BEGIN came while the runner's transaction was open (PostgreSQL ignored it).
  bool explicit_nested() const { return explicit_nested_; }
  Span transaction_begin() const { return transaction_begin_; }
  // Changes whenever a transaction starts; statements with the same id share a transaction (0: autocommit).
  int transaction_id() const { return in_transaction() ? tx_id_ : 0; }

  // Relations (tables, indexes, ...) created earlier in this file, or by an earlier migration of the run that is
  // newer than the baseline: they hold no data anyone uses yet, so locking them harms nobody. The model's answer
  // (RunState::is_new_relation).
  bool is_new_relation(const std::vector<std::string>& parts) const;
  bool is_new_relation(const pg::Node& rangevar) const;

  // `SET [LOCAL] lock_timeout` / `statement_timeout` (or set_config) is in effect.
  bool timeout_set(Timeout t) const;
  // Statements so far that took a lock blocking reads or writes on an existing relation while this timeout was
  // not in effect (for statement_timeout: only those that read or write every row).
  int blocking_without_timeout(Timeout t) const { return blocking_without_[static_cast<int>(t)]; }
  // Of those, the CREATE INDEX statements without CONCURRENTLY (require-concurrent-index-creation's findings).
  int index_builds_without_timeout(Timeout t) const { return index_builds_without_[static_cast<int>(t)]; }
  // The existing relations the current transaction holds ACCESS EXCLUSIVE on, each with the first statement that
  // took it, in the order taken.
  struct HeldLock {
    Span statement;
    std::vector<std::string> relation;
    std::string why;
    bool dropped = false;  // that statement dropped the relation itself (DROP TABLE / VIEW / ... of it)
  };
  const std::vector<HeldLock>& access_exclusive_held() const { return held_; }
  // `SET TIME ZONE` (or SET timezone) earlier in the file made the session time zone one with a zero UTC offset
  // and no daylight saving time (UTC, GMT, ...): timestamp <-> timestamptz changes are then catalog-only.
  bool time_zone_utc() const;
  // A constraint ("schema.table.name") added NOT VALID earlier in the current transaction: the ADD's span.
  std::optional<Span> not_valid_in_transaction(const std::string& key) const;

  bool dropped_if_exists(ObjKind k, const std::string& key) const;
  // Dropped earlier in the file, with or without IF EXISTS (a DROP then CREATE pair re-runs cleanly).
  bool dropped(ObjKind k, const std::string& key) const;

  // Updates the state with a statement that has just been checked.
  void apply(const Statement& st);

 private:
  static std::string k(ObjKind kind, const std::string& key);
  void start_transaction();
  void end_transaction();
  void apply_locks(const Statement& st);
  void apply_timeouts(const Statement& st);

  const RunState* run_ = nullptr;
  FileTransaction tx_;
  bool explicit_ = false;
  bool implicit_ = false;
  bool explicit_nested_ = false;
  int tx_id_ = 0;
  Span transaction_begin_{};
  struct TimeoutState {
    bool session = false;
    int local_tx = 0;  // transaction id of a SET LOCAL
  };
  TimeoutState timeouts_[2];
  TimeoutState utc_;
  int blocking_without_[2] = {0, 0};
  int index_builds_without_[2] = {0, 0};
  std::vector<HeldLock> held_;
  std::unordered_map<std::string, Span> not_valid_;
  std::unordered_set<std::string> dropped_if_exists_;
  std::unordered_set<std::string> dropped_;
};

struct ColumnType {
  std::string base;  // "varchar", "int4", "text"
  std::vector<long> mods;
  int array_depth = 0;
  std::string display;  // "varchar(20)"
};

// A column's field in schema.prisma, for the lint of a Prisma migration folder whose schema was found
// (cli/cmd_lint): Prisma generates the migration's SQL from it, so a type finding belongs there.
struct SchemaField {
  std::string file;    // the .prisma file
  Span span;           // the field's declaration (name, type, attributes), bytes of that file
  Position start{};
  Position end{};
  std::string model;   // "User"
  std::string name;    // "createdAt"
  std::string type;    // the Prisma type as written, without ? or []: "DateTime", "Int"
  std::string native;  // its @db attribute as written ("@db.VarChar(255)"), "" when none
};

// What the run knows before each statement: the schema the statement runs on, as the replay builds it
// (analyzer/model/replay) from the earlier files of the run, in migration order, and the earlier statements of
// this file. Rules read it through RuleContext::run(); the engine advances it statement by statement.
class RunState {
 public:
  RunState();
  // Starts from where the replay of a history starts: a platform baseline's objects and search_path
  // (cli/model_source's start_replay), so that auth.users or storage.objects exist for the rules.
  explicit RunState(model::Replayer start);

  // The schema before the current statement (after the file, in Rule::finish_file).
  const model::SchemaModel& model() const { return replay_.model(); }
  // The schema at the end of the history the linted file belongs to (its migration folder, later files included)
  // when the caller replayed it and kept it (set_history_end with keep_model), else the model as it stands.
  const model::SchemaModel& history_end() const { return history_end_ ? *history_end_ : model(); }
  // The end of the history (lint replays it when a rule asks for it). What the type rules read of it, each table's
  // columns with their types and where each column was declared, is kept in a summary (`HistoryEndColumns`); the
  // model itself only with `keep_model` (foreign-key-without-index reads its indexes and constraints): a second
  // model as large as the run's was half of lint's memory on a Prisma folder.
  void set_history_end(const model::SchemaModel& end, bool keep_model);
  void set_history_end(std::shared_ptr<const model::SchemaModel> end) {
    set_history_end(*end, false);
    history_end_ = std::move(end);
  }
  bool has_history_end() const { return history_end_columns_ != nullptr; }
  // The type of a column at the end of the history (the table and column as named there; an empty schema is
  // public); null when it has no such column (or, without a history end, the model as it stands has none).
  const std::string* history_end_column_type(const std::string& schema, const std::string& table,
                                             const std::string& column) const;
  // A column of the history's end was declared at `at` (its file, line and column): the column survives to the
  // end of the history whatever it or its table was renamed to. False without a history end.
  bool history_end_declares_column_at(const SourceRef& at) const;
  // The replayed model, moved out (Engine::history_end).
  model::SchemaModel take_model() { return replay_.take(); }
  // The table a RangeVar (or name parts) names: an unqualified name is looked up in pg_temp, then public.
  const model::Table* table(const pg::Node& rangevar) const;
  const model::Table* table(const std::vector<std::string>& parts) const;
  // The declared type of a column of a table ("schema.table" key), when the history declares it.
  std::optional<ColumnType> column_type(const std::string& table_key, const std::string& column) const;
  // A validated CHECK constraint proves the column NOT NULL (CHECK (col IS NOT NULL), possibly AND-ed with other
  // tests): added without NOT VALID, or NOT VALID and then VALIDATE CONSTRAINT; forgotten when dropped.
  bool has_not_null_check(const std::string& table_key, const std::string& column) const;
  // A validated CHECK constraint reads the column: PostgreSQL re-checks it on every row when the column's type
  // changes, even when the change itself is binary-compatible.
  bool has_check_on(const std::string& table_key, const std::string& column) const;

  // The relation (table, view, sequence, index) was created by this file or by an earlier file of the run whose
  // version is newer than the baseline: the model says where each object was created.
  bool relation_is_new(const std::vector<std::string>& parts) const;
  // The relation was created by the current file (earlier in it).
  bool relation_created_in_file(const std::vector<std::string>& parts) const;
  // The object exists and its model entry was created by the current file, earlier in it (its SourceRef names
  // the file): a schema (`parts` = {name}), type or domain, function or procedure (any overload of the name),
  // extension, trigger or policy (`parts` = the table's name parts, then the object's name). The model answers
  // exactly: an object dropped again, replaced (CREATE OR REPLACE of an older one) or left alone by IF NOT
  // EXISTS is not new. Kinds the model does not hold (roles, publications, constraints by name) are never new.
  bool created_in_file(ObjKind kind, const std::vector<std::string>& parts) const;
  // A function or procedure created by the current file: the overload with these input argument types (canonical,
  // "integer", "text"; null: any overload of the name). CREATE OR REPLACE of one that existed before the file
  // replaces it: not created.
  bool function_created_in_file(const std::vector<std::string>& parts,
                                const std::vector<std::string>* identity_args) const;

  // Created earlier in the current file. The model answers where it holds the object (created_in_file and
  // friends, below; columns: a column of the model whose declaration is in this file); where it does not, because
  // the replay refused the CREATE (its foreign key, schema or table comes from outside the linted files: PostgreSQL
  // would refuse it too, but lint judges the file as written), the refused statement says what it would have
  // created. Keys as the rules build them: "schema.name", "schema.table.name" for triggers, policies and columns
  // (ObjKind::column), "name" for schemas and extensions.
  bool created(ObjKind kind, const std::string& key) const;
  // A function: the overload with these input argument types (null: any overload of the name).
  bool created_function(const std::vector<std::string>& parts, const std::vector<std::string>* identity_args) const;
  bool created_relation(const pg::Node& rangevar) const;
  bool created_relation(const std::vector<std::string>& parts) const;
  // A relation created by this file or by an earlier file of the run newer than the baseline (is_new above), or
  // by a CREATE of this file the replay refused.
  bool is_new_relation(const std::vector<std::string>& parts) const;

  // The schema.prisma fields of the run's tables, by "schema.table.column" (set by lint for a Prisma folder).
  // Shared by copies of the run (Engine::history_end replays on a copy): copying the map was a sixth of a
  // one-file lint of a Prisma migration.
  void set_schema_fields(std::shared_ptr<const std::map<std::string, SchemaField>> fields) {
    schema_fields_ = std::move(fields);
  }
  const SchemaField* schema_field(const std::vector<std::string>& table, const std::string& column) const;
  // A finding at another file's place (RuleContext::report_elsewhere): true the first time this rule reports at
  // this place in the run.
  bool first_report_at(const Finding& f) { return reported_elsewhere_.insert(f.rule + "\n" + f.file + "\n" + std::to_string(f.span.begin)).second; }

  // Around each file: `baseline` is --baseline (empty: every earlier migration counts as applied).
  void begin_file(const SourceFile& file, const std::string& baseline);
  // Replays the file's statements into the model as its runner runs them (`tx`), calling `before(i)` with the
  // index of each up statement just before it is applied.
  void replay_file(const SourceFile& file, const ParsedFile& parsed, TxMode tx,
                   const model::Replayer::BeforeStatement& before);
  void end_file();

 private:
  friend struct StateCodec;  // rules/state_codec.hpp: the replay's part of the run, for lint's context cache
  // Where a relation of the model was created ("" when the model does not hold it).
  const SourceRef* relation_source(const std::vector<std::string>& parts) const;

  model::Replayer replay_;
  std::shared_ptr<const model::SchemaModel> history_end_;
  // The history end's columns: by table ("schema\0table"), each column's name and type (the distinct types held
  // once), and where each column was declared (the interned file, line, column; sorted): 56 bytes a column, where
  // the model's Column and its heap strings took about 400. Shared by copies of the run.
  struct HistoryEndColumns {
    std::set<std::string> types;
    std::unordered_map<std::string, std::vector<std::pair<std::string, const std::string*>>> tables;
    std::vector<std::tuple<const std::string*, int, int>> declared;
  };
  std::shared_ptr<const HistoryEndColumns> history_end_columns_;
  std::string file_;                 // the file being linted
  int function_order_ = 0;           // the newest function's creation order when the file began
  bool after_baseline_ = false;
  std::set<std::string> new_files_;  // earlier files of the run newer than the baseline
  std::shared_ptr<const std::map<std::string, SchemaField>> schema_fields_;
  std::set<std::string> reported_elsewhere_;
  // What the current file's statements that the replay refused would have created ("kind:key", see created()).
  std::unordered_set<std::string> refused_creates_;
};

}  // namespace driftguard
