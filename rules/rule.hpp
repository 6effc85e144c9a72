// The rule interface. A rule sees one node of one statement at a time (dispatched by node type), the statement,
// the state of the file before the statement, and the run's settings. It never talks to a database.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/pgtree.hpp"
#include "analyzer/finding.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "rules/options.hpp"
#include "rules/state.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

using json = pg::Node;  // the parse tree (analyzer/names.hpp)

struct RuleInfo {
  std::string_view id;
  std::string_view category;  // destructive, breaking, idempotency, locking, transaction, types, security, convention
  Severity severity;          // default severity; Severity::off = opt-in
  std::string_view summary;   // one line
  // When set, the rule runs by default only on files of this layout (e.g. rls-not-enabled on Supabase
  // migrations); elsewhere it is opt-in (--rule ID or --severity ID=LEVEL enables it for every file).
  std::optional<Layout> default_layout = std::nullopt;
};

struct Settings {
  int pg_version = 15;                  // target PostgreSQL major version
  RuleOptions rule_options;             // from the config file, validated against each rule's option_specs()
  // Schemas whose tables clients reach directly (Supabase/PostgREST exposes `public`): rls-not-enabled.
  std::vector<std::string> exposed_schemas{"public"};
  Runner runner = Runner::auto_detect;  // how files are run (transactions); auto: from the layout
  bool assume_in_transaction = false;   // every file runs inside a transaction (overrides the runner)
  std::string baseline;                 // migrations newer than this version are not applied yet ("": all are)
};

class RuleContext;

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  // Node types (libpg_query names, e.g. "DropStmt") this rule wants to see.
  virtual std::vector<std::string_view> node_types() const = 0;
  virtual void check(std::string_view type, const json& node, RuleContext& ctx) const = 0;
  // Called once after the last statement of a file.
  virtual void finish_file(RuleContext& /*ctx*/) const {}
  // Options this rule reads (see rules/options.hpp); the config loader rejects any other.
  virtual std::vector<OptionSpec> option_specs() const { return {}; }
};

// What a rule can see and do while it checks one node.
class RuleContext {
 public:
  RuleContext(const SourceFile& file, const Settings& settings, const FileState& state, const RunState& run)
      : file_(file), settings_(settings), state_(state), run_(run) {}

  const SourceFile& file() const { return file_; }
  const Settings& settings() const { return settings_; }
  const FileState& state() const { return state_; }  // before the current statement
  const RunState& run() const { return run_; }       // earlier files of this run, in migration order
  const Statement& statement() const { return *stmt_; }
  // Every statement of the file in execution order, and the index of the current one (for rules that must look
  // ahead, e.g. a drop followed by a re-create of the same object).
  const std::vector<Statement>& statements() const { return *all_; }
  std::size_t statement_index() const { return index_; }
  // The indexes in statements() of the CREATE TABLE and ALTER TABLE statements of the relation written as
  // `relation` (rangevar_display), in order. Built on the first call: a rule that asks it for every column of a
  // long file would otherwise scan the file once per column (quadratic in the file's length).
  const std::vector<std::size_t>& table_statements(const std::string& relation) const;
  // Enclosing nodes of the current node, outermost first (type and body).
  struct Frame {
    std::string_view type;
    const json* node;
  };
  const std::vector<Frame>& ancestors() const { return ancestors_; }

  // Spans.
  Span statement_span() const { return stmt_->span; }
  // The token (or qualified name) at a node's "location"; the statement when it has none.
  Span location_span(const json& node) const;
  Span location_span(int location) const;
  // The text of an ALTER TABLE sub-command (libpg_query gives them no location).
  Span alter_cmd_span(const json& alter_table_stmt, std::size_t cmd_index) const;
  std::string_view text(Span s) const { return std::string_view(file_.text).substr(s.begin, s.end - s.begin); }

  // Another rule runs on this file: one hazard is reported once, by the rule whose fix resolves it, and a rule
  // that overlaps it stays silent while it is on (true when no engine is attached).
  bool rule_enabled(std::string_view id) const { return !rule_enabled_ || rule_enabled_(id); }
  // The user chose the current rule (--rule, --severity, a preset or the config): a rule that is quiet by default
  // in some context (idempotency inside a tracked runner's transaction) then reports there too.
  bool rule_chosen() const { return rule_chosen_ && rule_ != nullptr && rule_chosen_(rule_->info().id); }

  void report(Span span, std::string message, std::string help, std::optional<Fix> fix = std::nullopt);
  // A note (no place) on the finding reported last. The message's first line is a short statement of the hazard
  // naming the object; why, the lock, the transaction and measured facts go into notes (issue 16).
  void note(std::string message);
  // A finding in another file than the linted one (a Prisma migration's type finding at its schema.prisma field),
  // located already (span, start, end in that file). The engine reports it once per run, place and rule: a field
  // is one decision, however many migrations its type appears in.
  void report_elsewhere(Finding f);
  // Offset just after the statement's terminating ';' (or its end when it has none): where a fix inserts a
  // following statement.
  std::size_t after_statement() const { return after_statement(*stmt_); }
  std::size_t after_statement(const Statement& st) const;

  // The current rule's option `name` from the config, or `fallback` when it is not set. T is one of
  // OptionValue's types (bool, std::int64_t, double, std::string, std::vector<std::string>); the config loader
  // has checked the type against the rule's option_specs().
  template <class T>
  T option(std::string_view name, T fallback) const {
    auto r = settings_.rule_options.find(rule_->info().id);
    if (r == settings_.rule_options.end()) return fallback;
    auto o = r->second.find(name);
    if (o == r->second.end()) return fallback;
    const T* v = std::get_if<T>(&o->second);
    return v ? *v : fallback;
  }

  // Engine use.
  void set_statement(const Statement* s) { stmt_ = s; }
  void set_statements(const std::vector<Statement>* all) {
    all_ = all;
    table_statements_.reset();
  }
  void set_statement_index(std::size_t i) { index_ = i; }
  void set_rule(const Rule* r) { rule_ = r; }
  void set_rule_enabled(std::function<bool(std::string_view)> f) { rule_enabled_ = std::move(f); }
  void set_rule_chosen(std::function<bool(std::string_view)> f) { rule_chosen_ = std::move(f); }
  std::vector<Frame>& mutable_ancestors() { return ancestors_; }
  std::vector<Finding>& findings() { return findings_; }

 private:
  const SourceFile& file_;
  const Settings& settings_;
  const FileState& state_;
  const RunState& run_;
  const Statement* stmt_ = nullptr;
  const std::vector<Statement>* all_ = nullptr;
  std::size_t index_ = 0;
  const Rule* rule_ = nullptr;
  std::function<bool(std::string_view)> rule_enabled_;
  std::function<bool(std::string_view)> rule_chosen_;
  std::vector<Frame> ancestors_;
  std::vector<Finding> findings_;
  mutable std::optional<std::unordered_map<std::string, std::vector<std::size_t>>> table_statements_;
};

}  // namespace driftguard
