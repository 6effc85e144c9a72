// The dispatcher of the replay: each statement goes to the file of its object kind (analyzer/model/replay/*.cpp,
// declared in replay/replayer_impl.hpp); failures become replay errors at the statement.
#include "analyzer/model/replay.hpp"

#include <stdexcept>
#include <utility>

#include "analyzer/marker_lines.hpp"

#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {

// Statement kinds that change nothing the model holds.
bool no_effect_kind(const std::string& k) {
  static const std::set<std::string> kinds = {
      "TransactionStmt", "VariableShowStmt", "LockStmt",        "VacuumStmt",       "CheckPointStmt",
      "NotifyStmt",      "ListenStmt",       "UnlistenStmt",    "DiscardStmt",      "ExplainStmt",
      "ClusterStmt",     "ReindexStmt",      "RefreshMatViewStmt", "AlterOwnerStmt",
      "AlterExtensionStmt", "AlterExtensionContentsStmt", "SecLabelStmt",
      "AlterTypeStmt",   "AlterStatsStmt",   "DeallocateStmt",  "PrepareStmt",      "ConstraintsSetStmt"};
  return kinds.count(k) > 0;
}

// What a statement kind is, for the list of statements the model does not represent.
std::string describe_kind(const std::string& k) {
  static const std::pair<const char*, const char*> names[] = {
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"SelectStmt", "SELECT"},
      {"MergeStmt", "MERGE"},
      {"CopyStmt", "COPY"},
      {"TruncateStmt", "TRUNCATE"},
      {"CallStmt", "CALL"},
      {"PLpgSQL_stmt_dynexecute", "EXECUTE of a text computed at run time (in a DO block)"},
      {"GrantStmt", "GRANT/REVOKE"},
      {"GrantRoleStmt", "GRANT/REVOKE role"},
      {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
      {"CreateRoleStmt", "CREATE ROLE"},
      {"AlterRoleStmt", "ALTER ROLE"},
      {"AlterRoleSetStmt", "ALTER ROLE SET"},
      {"DropRoleStmt", "DROP ROLE"},
      {"CreatePublicationStmt", "CREATE PUBLICATION"},
      {"AlterPublicationStmt", "ALTER PUBLICATION"},
      {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
      {"RuleStmt", "CREATE RULE"},
      {"DefineStmt", "CREATE AGGREGATE/OPERATOR/COLLATION/TEXT SEARCH"},
      {"CreateCastStmt", "CREATE CAST"},
      {"CreateOpClassStmt", "CREATE OPERATOR CLASS"},
      {"CreateStatsStmt", "CREATE STATISTICS"},
      {"CreateForeignTableStmt", "CREATE FOREIGN TABLE"},
      {"CreateForeignServerStmt", "CREATE SERVER"},
      {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER"},
      {"CreateUserMappingStmt", "CREATE USER MAPPING"},
      {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA"},
      {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
      {"CreatedbStmt", "CREATE DATABASE"},
      {"DropdbStmt", "DROP DATABASE"},
      {"AlterSystemStmt", "ALTER SYSTEM"},
      {"DoStmt", "DO block without a statement driftguard can read"},
      {"CreateTrigStmt", "CREATE TRIGGER"},
      {"ReassignOwnedStmt", "REASSIGN OWNED"},
      {"DropOwnedStmt", "DROP OWNED"},
      {"AlterDatabaseStmt", "ALTER DATABASE"},
      {"AlterDatabaseSetStmt", "ALTER DATABASE SET"}};
  for (const auto& [n, d] : names) {
    if (k == n) return d;
  }
  return k;
}

}  // namespace

// Applies one statement node. Returns false when the model does not represent this kind of statement.
bool Replayer::Impl::dispatch(const json& node) {
  std::string k = node_type(node);
  const json& b = unwrap(node);
  if (k == "CreateStmt") create_table(b);
  else if (k == "CreateTableAsStmt") create_table_as(b);
  else if (k == "ViewStmt") create_view(b);
  else if (k == "IndexStmt") create_index(b);
  else if (k == "AlterTableStmt") alter_table(b);
  else if (k == "RenameStmt") rename(b);
  else if (k == "AlterObjectSchemaStmt") alter_object_schema(b);
  else if (k == "DropStmt") drop(b);
  else if (k == "CreateSchemaStmt") create_schema(b);
  else if (k == "CreateEnumStmt") create_enum(b);
  else if (k == "AlterEnumStmt") alter_enum(b);
  else if (k == "CompositeTypeStmt") create_composite(b);
  else if (k == "CreateDomainStmt") create_domain(b);
  else if (k == "AlterDomainStmt") alter_domain(b);
  else if (k == "CreateRangeStmt") create_range(b);
  else if (k == "CreateSeqStmt") create_sequence(b);
  else if (k == "AlterSeqStmt") alter_sequence(b);
  else if (k == "CreateFunctionStmt") create_function(b);
  else if (k == "AlterFunctionStmt") alter_function(b);
  else if (k == "CreateTrigStmt") create_trigger(b);
  else if (k == "CreatePolicyStmt") create_policy(b);
  else if (k == "AlterPolicyStmt") alter_policy(b);
  else if (k == "CreateExtensionStmt") create_extension(b);
  else if (k == "CommentStmt") return comment_on(b);
  else if (k == "GrantStmt") return grant_stmt(b);
  else if (k == "AlterDefaultPrivilegesStmt") return alter_default_privileges(b);
  else if (k == "VariableSetStmt") set_variable(b);
  else if (k == "SelectStmt" && field(b, "intoClause").is_object()) select_into(b);
  else if (k == "SelectStmt" && set_config(b)) return true;
  else return false;
  return true;
}

void Replayer::Impl::apply(const Statement& s, std::size_t index, const std::vector<Statement>& all) {
  st = &s;
  const std::string& k = s.kind;
  if (stopped) return;  // the tool stopped running the file
  if (k == "TransactionStmt") {
    transaction_statement(unwrap(s.node));
    skip(describe_kind(k), true);
    return;
  }
  pristine = false;
  if (aborted) return;  // PostgreSQL ignores the rest of a failed transaction block
  if (k == "DoStmt") {
    // The statements of the block follow it (do_depth deeper); the block itself is only listed when none could
    // be read from it.
    bool has_inner = index + 1 < all.size() && all[index + 1].do_depth > s.do_depth;
    if (!has_inner) {
      skip(describe_kind(k), false);
      unmodeled_statement(k);
    }
    return;
  }
  std::size_t first = findings.size();
  try {
    refuse_in_transaction_block(k, unwrap(s.node));
    if (no_effect_kind(k)) {
      skip(describe_kind(k), true);
      return;
    }
    refuse_new_enum_labels(s.node);
    dropped_together.clear();  // set by DROP TABLE, read by what it drops: never a statement's leftover
    // Lint only (isolated failures): an ALTER TABLE of a table the linted files never created (it exists outside
    // them) gets an opaque shell of that name first, with no source, so that what the file declares on it
    // (constraints, validated checks, column types) is kept for later statements instead of refused with it.
    if (const json& b = unwrap(s.node); r.isolate_failures_ && k == "AlterTableStmt" &&
                                        str(b, "objtype") == "OBJECT_TABLE" && !flag(b, "missing_ok")) {
      auto [schema, name] = resolve_relation(rangevar_parts(field(b, "relation")));
      if (Schema* sc = m.schema(schema); sc && relation_kind(*sc, name).empty()) {
        Table& t = sc->tables[name];
        t.schema = schema;
        t.name = name;
        t.opaque = true;
      }
    }
    if (dispatch(s.node)) {
      ++r.applied_;
    } else {
      // COMMENT ON ROLE, DATABASE, ...: named by what it comments
      skip(k == "CommentStmt" ? "COMMENT ON " + object_type_word(str(unwrap(s.node), "objtype")) : describe_kind(k), false);
      unmodeled_statement(k);
    }
  } catch (const Failure& f) {
    report(f);
  }
  // The statement failed (a replay error, not a guarded note): its transaction fails with it.
  if (findings.size() > first) findings[first].message += roll_back_failure();
}

// ---- transactions ----

void Replayer::Impl::start_file(FileMode requested, std::size_t pieces) {
  // One statement is not grouped into a block: PostgreSQL runs a single-statement request on its own.
  run_mode = requested == FileMode::request && pieces <= 1 ? FileMode::statements : requested;
  if (run_mode != FileMode::statements) {
    open_block();
    tool_block = true;
  }
}

void Replayer::Impl::end_file() {
  // The tool commits its block. A block the file opened and left open ends with psql's session: rolled back.
  if (in_block() && !tool_block) restore_block_start();
  close_block();
}

// A block that begins before the file changed anything (the tool's, or a BEGIN first thing) rolls back to the
// model the file started with, which the replica holds (Replayer::replica_, replay.hpp): no copy. Any other block
// copies the model, unless nothing in the file can roll it back (blocks_restorable).
void Replayer::Impl::open_block() {
  if (pristine) {
    if (!file_start && !r.is_replica_ && !r.replica_ && replica_wanted) r.seed_replica();
    block_at_file_start = true;
  } else if (blocks_restorable) {
    block_start = m;
  } else {
    block_uncopied = true;
  }
}

void Replayer::Impl::close_block() {
  block_start.reset();
  block_at_file_start = false;
  block_uncopied = false;
}

void Replayer::Impl::restore_block_start() {
  r.names_.clear();  // the restored model may hold names noted as gone since (relation_names.hpp)
  if (block_uncopied) throw std::logic_error("replay: a block of " + file + " was restored, but may_restore said none can be");
  if (block_start) {
    m = *block_start;
  } else if (block_at_file_start && !pristine) {
    if (file_start) {
      m = *file_start;
    } else if (r.is_replica_) {
      r.replica_lost_ = true;  // cannot happen (it replays only files that did not restore); its owner drops it
    } else if (r.replica_) {  // always, but for isolated failures only when the file has a transaction statement
      m = r.replica_->model_;
      restored_from_replica = true;
    }
  }
}

Replayer::Replayer(const Replayer& other)
    : model_(other.model_),
      skipped_(other.skipped_),
      applied_(other.applied_),
      order_(other.order_),
      fallback_(other.fallback_),
      own_schemas_(other.own_schemas_),
      unmodeled_(other.unmodeled_),
      isolate_failures_(other.isolate_failures_),
      search_path_(other.search_path_) {}

Replayer& Replayer::operator=(const Replayer& other) {
  if (this != &other) *this = Replayer(other);
  return *this;
}

void Replayer::seed_replica() {
  replica_ = std::make_unique<Replayer>(*this);
  replica_->skipped_.clear();
  replica_->is_replica_ = true;
}

void Replayer::Impl::transaction_statement(const json& b) {
  std::string kind = str(b, "kind");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    if (!in_block()) open_block();  // inside the tool's block PostgreSQL only warns
    return;
  }
  bool commit = kind == "TRANS_STMT_COMMIT";
  if ((!commit && kind != "TRANS_STMT_ROLLBACK") || !in_block()) return;  // savepoints; no block: a warning
  if (commit && !aborted) {
    committed = true;
  } else {
    restore_block_start();  // ROLLBACK, or COMMIT of a failed block
  }
  close_block();
  aborted = false;
  new_enum_labels.clear();
  // In Prisma's request the next statement starts a new implicit block; after a wrapping tool's block, autocommit.
  if (run_mode == FileMode::request || flag(b, "chain")) open_block();
  if (run_mode == FileMode::transaction) tool_block = false;
}

// A statement failed: what PostgreSQL and the tool do next. Returns what the failure costs, for its message.
std::string Replayer::Impl::roll_back_failure() {
  std::string cost;
  if (r.isolate_failures_) return cost;
  if (run_mode != FileMode::statements) {
    std::string what = committed ? "nothing of it since its last COMMIT applies" : "nothing of it applies";
    cost = !in_block()                      ? "; the tool stops running the file here"
           : run_mode == FileMode::request ? "; the file runs as one transaction (one request), so " + what
                                            : "; the file runs in one transaction, so " + what;
    stopped = true;
  } else if (in_block()) {
    cost = "; its transaction block is rolled back";
    aborted = true;
  }
  if (in_block()) {
    restore_block_start();
    new_enum_labels.clear();
    if (stopped) close_block();
  }
  return cost;
}

// Statements PostgreSQL runs only outside a transaction block (PreventInTransactionBlock).
void Replayer::Impl::refuse_in_transaction_block(const std::string& kind, const json& b) {
  if (!in_block()) return;
  std::string what;
  if (kind == "IndexStmt" && flag(b, "concurrent")) what = "CREATE INDEX CONCURRENTLY";
  if (kind == "DropStmt" && flag(b, "concurrent")) what = "DROP INDEX CONCURRENTLY";
  if (kind == "VacuumStmt" && flag(b, "is_vacuumcmd")) what = "VACUUM";
  if (kind == "ReindexStmt") {
    for (const auto& p : field(b, "params")) {
      if (str(field(p, "DefElem"), "defname") == "concurrently") what = "REINDEX CONCURRENTLY";
    }
  }
  if (!what.empty()) fail(what + " cannot run inside a transaction block");
}

namespace {

// With isolated failures (lint) a failed statement restores nothing, so a block is rolled back only by a ROLLBACK
// (or ABORT) or, at the end of the file, when a BEGIN (START TRANSACTION, COMMIT AND CHAIN) left it open — the
// last of the file's BEGINs and COMMITs is not a plain COMMIT. Savepoint statements change no block. A file
// without either keeps no copy of the model for its blocks: copying it at every BEGIN after the file's first
// change was 8 % of lint's CPU on the corpus (bench/RESULTS.md).
bool may_restore(const std::vector<Statement>& statements) {
  bool open_at_end = false;
  for (const auto& s : statements) {
    if (s.kind != "TransactionStmt") continue;
    const json& b = unwrap(s.node);
    std::string kind = str(b, "kind");
    if (kind == "TRANS_STMT_ROLLBACK") return true;
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") open_at_end = true;
    if (kind == "TRANS_STMT_COMMIT") open_at_end = flag(b, "chain");
  }
  return open_at_end;
}

Finding syntax_error_finding(const SourceFile& file, const LineMap& lines, const SyntaxError& e) {
  Finding f;
  f.rule = kReplayError;
  f.category = "drift";
  f.severity = Severity::error;
  f.file = file.path;
  f.span = e.span;
  f.start = lines.position(e.span.begin);
  f.end = lines.position(e.span.end);
  f.message = "statement does not parse, so the schema after it is unknown: " + e.message;
  f.help = "Fix the syntax error (driftguard parses with PostgreSQL 15's grammar).";
  return f;
}

}  // namespace

void Replayer::apply_file(const SourceFile& file, const ParsedFile& all, std::vector<Finding>& findings,
                          FileMode mode, const BeforeStatement& before) {
  // A goose or dbmate file's down section is not part of the history.
  ParsedFile up_only;
  const auto down = down_sections(file.text);
  if (!down.empty()) {
    up_only = all;
    up_only.statements.clear();
    up_only.errors.clear();
    for (const auto& st : all.statements) {
      if (!in_sections(down, st.span.begin)) up_only.statements.push_back(st);
    }
    for (const auto& e : all.errors) {
      if (!in_sections(down, e.span.begin)) up_only.errors.push_back(e);
    }
  }
  const ParsedFile& parsed = down.empty() ? all : up_only;
  std::size_t first = findings.size();
  Impl impl(*this, findings);
  // With isolated failures (lint) a failed statement restores nothing: only a ROLLBACK, or a BEGIN the file leaves
  // open, does. A file without transaction statements then needs no replica, and keeping one would replay the
  // whole history twice; it is dropped instead, and seeded again (a copy) at the next file that needs one.
  impl.blocks_restorable = !isolate_failures_ || may_restore(parsed.statements);
  impl.replica_wanted = impl.blocks_restorable;
  impl.file_start = std::exchange(file_start_, nullptr);
  if (!impl.replica_wanted || impl.file_start) replica_.reset();
  LineMap lines(file.text);
  impl.file = file.path;
  impl.text = file.text;
  impl.lines = &lines;
  std::size_t pieces = parsed.errors.size();
  for (const auto& s : parsed.statements) pieces += s.do_depth == 0 ? 1 : 0;
  impl.start_file(mode, pieces);
  auto syntax_error = [&](const SyntaxError& e) {
    Finding f = syntax_error_finding(file, lines, e);
    unmodeled_ = true;  // what the piece creates is unknown
    // PostgreSQL rejects the piece like a failed statement (a request: before running any of it).
    if (!impl.stopped && !impl.aborted) f.message += impl.roll_back_failure();
    findings.push_back(std::move(f));
  };
  if (impl.run_mode == FileMode::request && !parsed.errors.empty() && !isolate_failures_) {
    for (const auto& e : parsed.errors) syntax_error(e);
    if (before) {
      for (std::size_t i = 0; i < parsed.statements.size(); ++i) before(i);  // PostgreSQL runs none of them
    }
  } else {
    // Statements and pieces that do not parse, in file order.
    std::size_t next_error = 0;
    for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
      while (next_error < parsed.errors.size() &&
             parsed.errors[next_error].span.begin < parsed.statements[i].span.begin) {
        syntax_error(parsed.errors[next_error++]);
      }
      if (before) before(i);
      impl.apply(parsed.statements[i], i, parsed.statements);
    }
    while (next_error < parsed.errors.size()) syntax_error(parsed.errors[next_error++]);
  }
  impl.end_file();
  model_.schemas.erase(kTemp);  // the session ends with the file
  std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
  // The replica follows: it holds the model as the next file starts (replay.hpp). After a restore from it, the
  // replay of the file rolled back, which the replica cannot do without a copy: it is seeded again when needed.
  if (replica_ && impl.restored_from_replica) {
    replica_.reset();
  } else if (replica_) {
    std::vector<Finding> replica_findings;
    replica_->apply_file(file, all, replica_findings, mode);
    replica_->skipped_.clear();
    if (replica_->replica_lost_) {
      replica_.reset();
    } else {
      replica_->share_from(model_);
    }
  }
  if (!is_replica_) forget_touched(model_);  // a replica's are read by share_from
}

// The replica ends each file equal to the model it follows (the replay is deterministic): the tables and functions
// either made, copied or changed in the file are replaced by the model's own, so that both hold one copy of the
// schema and the model copies an object only when a later file changes it (ObjectMap::share_touched; the model's
// log is read here, before apply_file forgets it; bench/RESULTS.md, "thirteenth session: memory of the model").
void Replayer::share_from(const SchemaModel& m) {
  for (auto& [name, sc] : model_.schemas) {
    if (const Schema* from = m.schema(name)) {
      sc.tables.share_touched(from->tables);
      sc.functions.share_touched(from->functions);
    } else {
      sc.tables.forget_touched();
      sc.functions.forget_touched();
    }
  }
}

void Replayer::forget_touched(SchemaModel& m) {
  for (auto& [name, sc] : m.schemas) {
    sc.tables.forget_touched();
    sc.functions.forget_touched();
  }
}

void Replayer::apply_file_runs(const SourceFile& file, const Runs& parse, std::vector<Finding>& findings) {
  const auto down = down_sections(file.text);
  std::size_t first = findings.size();
  Impl impl(*this, findings);
  impl.blocks_restorable = true;  // as apply_file without isolated failures
  impl.replica_wanted = true;
  impl.file_start = std::exchange(file_start_, nullptr);
  if (impl.file_start) replica_.reset();
  LineMap lines(file.text);
  impl.file = file.path;
  impl.text = file.text;
  impl.lines = &lines;
  impl.start_file(FileMode::statements, 0);
  auto syntax_error = [&](const SyntaxError& e) {
    Finding f = syntax_error_finding(file, lines, e);
    unmodeled_ = true;  // what the piece creates is unknown
    if (!impl.stopped && !impl.aborted) f.message += impl.roll_back_failure();
    findings.push_back(std::move(f));
  };
  parse([&](ParsedFile& run) {
    // A goose or dbmate file's down section is not part of the history.
    std::erase_if(run.statements, [&](const Statement& st) { return in_sections(down, st.span.begin); });
    std::erase_if(run.errors, [&](const SyntaxError& e) { return in_sections(down, e.span.begin); });
    std::size_t next_error = 0;
    // A DO block's statements follow it in its run (Impl::apply looks at the next one).
    for (std::size_t i = 0; i < run.statements.size(); ++i) {
      while (next_error < run.errors.size() && run.errors[next_error].span.begin < run.statements[i].span.begin) {
        syntax_error(run.errors[next_error++]);
      }
      impl.apply(run.statements[i], i, run.statements);
    }
    while (next_error < run.errors.size()) syntax_error(run.errors[next_error++]);
    run.statements.clear();  // the run's tree goes with its statements
    run.errors.clear();
  });
  impl.end_file();
  model_.schemas.erase(kTemp);  // the session ends with the file
  std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
  replica_.reset();  // it cannot replay the runs again; a later block seeds a new one
  forget_touched(model_);
}

void Replayer::apply_sql(const std::string& sql, const SourceRef& origin, std::vector<Finding>& findings) {
  replica_.reset();  // it follows apply_file only
  ParsedFile parsed = parse_sql(sql);
  Impl impl(*this, findings);
  impl.origin = origin;
  impl.text = sql;
  impl.file = origin.file;
  for (const auto& e : parsed.errors) {
    impl.st = nullptr;
    impl.error("generated SQL does not parse: " + e.message);
  }
  for (std::size_t i = 0; i < parsed.statements.size(); ++i) impl.apply(parsed.statements[i], i, parsed.statements);
  impl.end_file();
  model_.schemas.erase(kTemp);  // the session ends with the file
  forget_touched(model_);
}

std::vector<std::string> Replayer::index_holders(const std::string& schema, const std::string& name) const {
  const Schema* sc = model_.schema(schema);
  return sc ? names_.holders_of(model_, *sc, name) : std::vector<std::string>{};
}

}  // namespace driftguard::model
