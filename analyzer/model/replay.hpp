// Replays migration statements, in order, into a SchemaModel: CREATE/ALTER/DROP/RENAME of tables, columns,
// constraints, indexes, types, sequences, views, functions, triggers, policies, extensions and schemas, with
// PostgreSQL's semantics (IF [NOT] EXISTS, CASCADE, names chosen for unnamed constraints and indexes, serial
// columns) and its transactions: a statement that fails inside a transaction block takes the block with it. A
// statement that cannot be applied becomes a `replay-error` finding; a statement the model does not represent
// (DML, GRANT, arbitrary DO blocks, ...) is recorded in skipped(), never dropped silently.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/model/normalize.hpp"
#include "analyzer/model/relation_names.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"

namespace driftguard {
struct StateCodec;  // rules/state_codec.hpp
}

namespace driftguard::model {

inline constexpr const char* kReplayError = "replay-error";

// How a file's migration tool sends it to PostgreSQL (rules/transaction/runner.hpp decides it per file).
enum class FileMode {
  statements,   // statement by statement, autocommit (psql -f): a failed statement alone is lost, the rest runs
  transaction,  // statement by statement inside BEGIN ... COMMIT the tool opens; the tool stops at the first error
  request,      // the whole file as one multi-statement request (Prisma): one implicit transaction block, and
                // PostgreSQL parses all of it before running any
};

struct Skipped {
  SourceRef where;
  std::string what;        // "INSERT", "GRANT", "DO block without a statement driftguard can read", ...
  bool no_effect = false;  // understood, and changes nothing the model holds (COMMENT, SET, BEGIN, ANALYZE, ...)
};

class Replayer {
 public:
  Replayer() = default;
  // A copy replays on from the same point; it does not share the replica (it seeds its own when it needs one).
  Replayer(const Replayer& other);
  Replayer& operator=(const Replayer& other);
  Replayer(Replayer&&) = default;
  Replayer& operator=(Replayer&&) = default;

  // Called with the index of each statement of the file's up part (parsed.statements without goose/dbmate down
  // sections, in order) just before it is applied, while model() is the schema the statement runs on (lint reads it).
  using BeforeStatement = std::function<void(std::size_t)>;

  // Applies the statements of one migration file (parsed with parse_sql) as its tool runs them. Syntax errors
  // become replay errors.
  void apply_file(const SourceFile& file, const ParsedFile& parsed, std::vector<Finding>& findings,
                  FileMode mode = FileMode::statements, const BeforeStatement& before = {});
  // As apply_file in FileMode::statements, for a large file parsed in runs (parse_sql_runs, analyzer/parse.hpp):
  // `parse` calls its argument with each run's statements and syntax errors, which are applied and then dropped,
  // so that the file's parse trees are never all held at once (static drift's SQL side: nothing reads a
  // statement of it after it is replayed). The replica does not follow such a file: it is seeded again if needed.
  using Runs = std::function<void(const std::function<void(ParsedFile&)>&)>;
  void apply_file_runs(const SourceFile& file, const Runs& parse, std::vector<Finding>& findings);
  // Parses and applies SQL that was generated, not read from a file: every object it creates, and every finding,
  // points at `origin`.
  void apply_sql(const std::string& sql, const SourceRef& origin, std::vector<Finding>& findings);

  // The tables and materialized views of `schema` holding an index, or a constraint with an index, named `name`
  // (unordered): the replay's index of names (relation_names.hpp), not a walk of every table of the model.
  std::vector<std::string> index_holders(const std::string& schema, const std::string& name) const;
  const SchemaModel& model() const { return model_; }
  // The caller may change the model: the replica (below) no longer matches it.
  SchemaModel& model() {
    replica_.reset();
    names_.clear();
    return model_;
  }
  SchemaModel take() {
    replica_.reset();
    names_.clear();
    return std::move(model_);
  }
  const std::vector<Skipped>& skipped() const { return skipped_; }
  int applied() const { return applied_; }  // statements that changed (or were checked against) the model
  // Where view queries and policy sub-selects find the columns of relations this model does not hold (the
  // catalog reader replays one object at a time into a scratch model: the relations are in the model it builds).
  void set_relation_fallback(norm::RelationLookup lookup) { fallback_ = std::move(lookup); }
  // The search_path each file's session starts with (a platform's: Supabase's is "$user", public, extensions;
  // schemas that do not exist are skipped as PostgreSQL skips them).
  void set_search_path(std::vector<std::string> path) { search_path_ = std::move(path); }
  // A failed statement is lost alone: it neither rolls back its transaction block nor stops the file. Lint judges
  // every statement as written, on the schema the earlier ones would have built had they all run; a failure there
  // is most often an object created outside the linted files.
  void set_isolate_failures(bool on) { isolate_failures_ = on; }
  // For the next apply_file only: `start` is the model as that file starts (the caller keeps a copy of it anyway,
  // or replays a copy of this replayer and keeps the original), and stays unchanged until apply_file returns. A
  // block at the file's start then restores from it, and no replica replays the file a second time (the down
  // check: every pair's up and down were replayed twice, cli/check_down.cpp). The replica is dropped.
  void set_file_start(const SchemaModel* start) { file_start_ = start; }

 private:
  struct Impl;
  friend struct Impl;
  friend struct ::driftguard::StateCodec;  // lint's context cache writes and restores the state below
  SchemaModel model_;
  std::vector<Skipped> skipped_;
  int applied_ = 0;
  int order_ = 0;
  norm::RelationLookup fallback_;
  // What the replay may call missing (replay/common.cpp, knows_all_of): schemas this history created (others, such
  // as a platform's, hold objects the model does not), and whether a statement it could not read may have
  // created objects (a DO block, CALL, a statement that does not parse).
  std::set<std::string> own_schemas_{"public"};
  bool unmodeled_ = false;
  bool isolate_failures_ = false;
  // Index and constraint names to the relations holding them (relation_names.hpp); a copy rebuilds its own.
  mutable RelationNames names_;  // a cache (a const lookup drops stale entries): index_holders is const
  std::vector<std::string> search_path_{"public"};
  // Rollback without a copy of the model per file (replay.cpp, Impl::open_block). A file that runs as one
  // transaction (every Prisma migration) must be able to restore the model it started with; copying the whole
  // model for that made a history of N files cost N copies of a model that grows with N. Instead a replica of
  // this replayer, seeded once by a copy, replays each file after this one has: between files it holds the model
  // as the next file starts, and a failing block restores from it. The replay is deterministic, so the replica
  // replays without rollbacks whenever this one did; after a restore, or when the caller changes the model
  // (model(), apply_sql), it is dropped and seeded again at the next such block.
  std::unique_ptr<Replayer> replica_;
  bool is_replica_ = false;
  bool replica_lost_ = false;  // a replica needed the model at its file's start, which it does not keep
  void seed_replica();
  void share_from(const SchemaModel& m);      // the replica, after a file: share m's objects (replay.cpp)
  static void forget_touched(SchemaModel& m);  // ObjectMap::forget_touched of every schema
  const SchemaModel* file_start_ = nullptr;  // set_file_start; not copied
};

}  // namespace driftguard::model
