// Private to the replay: the state of one Replayer::apply_file/apply_sql run and the operations it applies, one
// file per object kind under analyzer/model/replay/ (as PostgreSQL's src/backend/commands/ is split), plus the
// small helpers they share. A statement that cannot be applied throws Failure (fail()); apply() reports it.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/model/normalize.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/names.hpp"
#include "analyzer/text.hpp"

namespace driftguard::norm {
// The calls of a function in canonical expressions, lexed (a name in a string literal is none); declared here,
// their users' header (normalize.cpp). A canonical expression qualifies a call unless the function is public's.
// Replaces the calls of function `schema`.`from` by `to` (a function's rename).
std::string rename_call(const std::string& canonical, const std::string& schema, const std::string& from,
                        const std::string& to);
// Does the expression call function `name`, unqualified or qualified with `schema`? (Unqualified calls cannot be
// told apart by schema from the text.)
bool calls_function(const std::string& canonical, const std::string& schema, const std::string& name);
}  // namespace driftguard::norm

namespace driftguard::model {

// Helpers shared by the replay files. Their own namespace keeps them out of the model's API (the using-directive
// makes them visible to the replay code that includes this header, as the anonymous namespace did).
namespace replay_detail {

// Appends to a table's columns, constraints or indexes growing the room by a quarter, not doubling: these vectors
// are most of a model's memory, and one that doubled at its first ALTER kept half of its room unused (a table
// shared by model copies is copied to exactly its size, so every later append grows it again).
template <class V, class X>
void append(V& v, X&& x) {
  if (v.size() == v.capacity()) v.reserve(v.size() + v.size() / 4 + 1);
  v.push_back(std::forward<X>(x));
}

inline constexpr std::size_t kMaxIdent = 63;
inline const std::string kTemp = "pg_temp";

// Calls fn on every node of one kind ("RangeVar", "ColumnRef") in a parse tree, outermost first.
template <typename Json, typename Fn>
void each_node(Json& node, const std::string& kind, Fn&& fn) {
  if (node.is_array()) {
    for (auto& x : node) each_node(x, kind, fn);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == kind) fn(it.value());
    each_node(it.value(), kind, fn);
  }
}

// PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes (at a character boundary).
inline std::string nm(std::string s) {
  if (s.size() <= kMaxIdent) return s;
  std::size_t n = kMaxIdent;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

inline std::string q(const std::string& schema, const std::string& name) { return norm::qualified(schema, name); }

struct Failure {
  std::string message;
};
[[noreturn]] inline void fail(std::string message) { throw Failure{std::move(message)}; }

inline std::string dq(const std::string& s) { return "\"" + s + "\""; }
// "name" or "schema.name" in double quotes, as PostgreSQL's messages show a relation.
inline std::string named(const std::string& schema, const std::string& name) {
  return dq(schema == "public" || schema.empty() ? name : schema + "." + name);
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

inline bool contains_pair(const std::vector<std::pair<std::string, std::string>>& v,
                          const std::pair<std::string, std::string>& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

inline std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// A collation as the catalog prints it: schema omitted for pg_catalog and public ("C", en_US, x."de-CH").
inline std::string collation_name(const json& collname) {
  auto parts = strings(collname);
  if (parts.size() == 2 && (parts[0] == "pg_catalog" || parts[0] == "public")) parts.erase(parts.begin());
  return display(parts);
}

inline std::string object_type_word(const std::string& t) {
  std::string s = t.rfind("OBJECT_", 0) == 0 ? t.substr(7) : t;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c == '_' ? ' ' : std::toupper(c); });
  return s;
}

}  // namespace replay_detail
using namespace replay_detail;

struct Replayer::Impl {
  Replayer& r;
  SchemaModel& m;
  std::vector<Finding>& findings;
  // where the statements come from
  std::string file;
  std::string_view text;
  const LineMap* lines = nullptr;  // null: every position is `origin`
  SourceRef origin;
  std::vector<std::string> search_path{"public"};
  // the statement being applied
  const Statement* st = nullptr;
  std::map<std::string, std::string> cols_cache;  // the columns ectx() gives an expression
  // the transaction the statements run in (how the file's tool runs it; explicit BEGIN/COMMIT)
  FileMode run_mode = FileMode::statements;
  // The model when the open transaction block began: a copy, or, for a block that began before the file changed
  // anything (the block of a file that runs as one transaction), none: the replica holds it (replay.cpp).
  std::optional<SchemaModel> block_start;
  bool block_at_file_start = false;  // the open block began with the file: Replayer::replica_ has its model
  bool pristine = true;              // no statement of the file has run yet (BEGIN aside): the model is the file's start
  bool restored_from_replica = false;
  // The model as the file started, held by the caller (Replayer::set_file_start): a block at the file's start
  // restores from it instead of from a replica.
  const SchemaModel* file_start = nullptr;
  bool replica_wanted = true;  // a block at the file's start may be restored: Replayer::replica_ must hold it
  // Whether any block of the file may be restored (replay.cpp, may_restore): when not, a block opened after the
  // file changed the model keeps no copy of it (block_uncopied).
  bool blocks_restorable = true;
  bool block_uncopied = false;
  bool tool_block = false;  // the open block is the one the tool opened (transaction, request)
  bool committed = false;   // a COMMIT in the file ended a block: a failure loses only what came after it
  bool aborted = false;     // a statement of an explicit block failed: PostgreSQL ignores the rest of the block
  bool stopped = false;     // the tool stopped running the file
  std::set<std::pair<std::string, std::string>> new_enum_labels;  // (type, label) added by ADD VALUE in the block

  Impl(Replayer& rep, std::vector<Finding>& f) : r(rep), m(rep.model_), findings(f), search_path(rep.search_path_) {}

  // ---- the dispatcher and transactions (replay.cpp) ----
  bool dispatch(const json& node);
  void apply(const Statement& s, std::size_t index, const std::vector<Statement>& all);
  void start_file(FileMode requested, std::size_t pieces);
  void end_file();
  bool in_block() const { return block_start.has_value() || block_at_file_start || block_uncopied; }
  void open_block();
  void close_block();
  void restore_block_start();
  void transaction_statement(const json& b);
  std::string roll_back_failure();
  void refuse_in_transaction_block(const std::string& kind, const json& b);

  // ---- index and constraint names (Replayer::names_, relation_names.hpp) ----
  // Schema::relation_kind and SchemaModel::find_index without walking the schema. Whatever adds an index or an
  // index-backed constraint, renames one, or puts a relation under a new name or schema notes it here.
  std::string relation_kind(const Schema& sc, const std::string& n) { return r.names_.relation_kind(m, sc, n); }
  SchemaModel::IndexRef find_index(const std::string& s, const std::string& n) { return r.names_.find_index(m, s, n); }
  void note_name(const std::string& s, const std::string& name, const std::string& holder) {
    if (const Schema* sc = m.schema(s)) r.names_.note(*sc, name, holder);
  }
  void note_relation(const std::string& s, const std::string& relation) {
    if (const Schema* sc = m.schema(s)) r.names_.note_relation(*sc, relation);
  }

  // Runs `apply` so that a failure leaves the model as it was: PostgreSQL applies a statement completely or not at
  // all (DROP TABLE a, p refused for p keeps a). The copy shares every table and function (model::ObjectMap).
  template <class Apply>
  void all_or_nothing(Apply&& apply) {
    SchemaModel before = m;
    try {
      apply();
    } catch (const Failure&) {
      m = std::move(before);
      r.names_.clear();  // the restored model may hold names noted as gone since (relation_names.hpp)
      throw;
    }
  }

  // ---- positions, findings, name resolution and the names PostgreSQL chooses (replay/common.cpp) ----
  SourceRef stmt_ref() const;
  SourceRef ref(const json& b) const;
  norm::ExprContext ectx(const Table* t = nullptr, const std::string& target = {});
  std::string domain_base(const std::string& type) const;
  std::optional<norm::RelationInfo> relation_info(const std::vector<std::string>& parts);
  void error(const std::string& message);
  void report(const Failure& f);
  std::string creation_schema();
  std::pair<std::string, std::string> relation_target(const json& rv);
  std::pair<std::string, std::string> create_target(const std::vector<std::string>& parts);
  std::pair<std::string, std::string> resolve_relation(const std::vector<std::string>& parts);
  std::pair<std::string, std::string> resolve_type(const std::vector<std::string>& parts);
  Table* find_table(const json& rangevar, bool missing_ok);
  void check_new_relation(const std::string& s, const std::string& n);
  std::string choose_relation_name(const std::string& s, const std::string& n1, const std::string& n2,
                                   const std::string& label);
  std::string choose_constraint_name(const Table& t, const std::string& n2, const std::string& label);
  static std::string name_addition(const std::vector<std::string>& names);
  // The addition of an index's chosen name (an index, or a unique, primary key or exclusion constraint's index):
  // its key and INCLUDE columns' names, a name equal to an earlier one numbered (expr, expr1: ChooseIndexColumnNames).
  static std::string index_name_addition(std::vector<std::string> names);
  void skip(const std::string& what, bool no_effect) { r.skipped_.push_back({stmt_ref(), what, no_effect}); }
  // The schema an unqualified name resolves to with `exists`, or the first schema of the search path.
  template <typename Pred>
  std::pair<std::string, std::string> resolve(const std::vector<std::string>& parts, Pred exists) {
    std::string name = parts.empty() ? std::string() : nm(parts.back());
    if (parts.size() >= 2) return {parts[parts.size() - 2], name};
    for (const auto& s : search_path) {
      if (const Schema* sc = m.schema(s); sc && exists(*sc, name)) return {s, name};
    }
    return {search_path.empty() ? "public" : search_path.front(), name};
  }
  std::string column_type(const json& type_name) const { return extension_type(norm::type_name(type_name)); }
  // A type an extension created, written unqualified, as PostgreSQL resolves it through the search path:
  // "citext" is "extensions.citext" when citext was created in extensions (replay/schemas.cpp).
  std::string extension_type(const std::string& type) const;
  // The schema an unqualified function or operator (on an operand of `type`) written here resolves to, when it
  // is an extension's or the history's own in a schema other than public (norm::ExprContext::function_schema).
  std::string function_schema(const std::string& function) const;
  std::string operator_schema(const std::string& op, const std::string& type) const;
  std::string implicit_cast(const std::string& type, const std::string& name, bool op) const;
  // Refusals of a missing object are made only where the model holds every object there is (knows_all_of): a
  // whole history (not generated SQL or the catalog reader's one-object scratch model), a schema the history
  // created, no extension's objects in it, no statement the replay could not read that may have created one.
  bool knows_all_of(const std::string& schema) const;
  // The same for an unqualified name: every schema of the search path (pg_catalog's "pg_*" names are not known).
  bool knows_all_unqualified(const std::string& name) const;
  void unmodeled_statement(const std::string& kind);

  // ---- CREATE TABLE [AS], SELECT INTO, columns, constraints, ALTER TABLE (replay/tables.cpp) ----
  Column make_column(Table& t, const json& cd, std::vector<std::pair<pg::TreeRef, std::string>>& constraints,
                     std::string* serial_type);
  std::string default_value(std::string canonical, const std::string& type) const;
  void set_default(Column& c, const json& raw);
  void add_serial(Table& t, Column& c, const std::string& type);
  Column& add_column(Table& t, const json& cd, bool if_not_exists);
  void add_constraints(Table& t, const std::vector<std::pair<pg::TreeRef, std::string>>& cons, bool each_alone = false);
  std::vector<std::string> existing_columns(const Table& t, const std::vector<std::string>& names, const char* what);
  void check_constraint_name(const Table& t, const std::string& name, bool index_backed);
  static void collect_columns(const json& node, std::set<std::string>& out);
  void add_constraint(Table& t, const json& b, const std::string& column);
  bool unique_key_on(const Table& t, const std::vector<std::string>& columns) const;
  void refuse_generated_reference(const Table& t, const json& expr);
  const json* alter_cmds = nullptr;  // the subcommands of the ALTER TABLE being applied
  void create_table(const json& b);
  // LIKE of a table, a view or a composite type: its columns (what the options keep of them) into `t`.
  void like_columns(Table& t, const json& clause, const std::function<bool(const Column&)>& merge_own);
  // After the table exists: what INCLUDING CONSTRAINTS and INCLUDING INDEXES copy from a LIKE source table.
  void like_constraints_and_indexes(Table& t, const Table& like, long options);
  static void drop_redundant_keys(std::vector<std::pair<pg::TreeRef, std::string>>& cons);
  void create_table_as(const json& b);
  void select_into(const json& b);
  void alter_table(const json& b);
  Column& need_column(Table& t, const std::string& name0);
  bool sets_not_null(const std::string& column) const;
  void drop_column(Table& t, const std::string& name0, bool missing_ok, bool cascade);
  void alter_table_cmd(Table& t, const json& c);
  void keep_bpchar_literals(Table& t, const std::string& column, const std::string& new_type);
  static void storage_options(std::map<std::string, std::string>& options, const json& defs, bool reset);

  // ---- partitions: PARTITION BY, bounds, ATTACH / DETACH (replay/partitions.cpp) ----
  std::string partition_key(const Table& t, const json& spec);
  std::string partition_bound(const Table& parent, const json& bound);
  void check_new_partition_bound(const Table& parent, const std::string& name, const std::string& bound);
  void attach_partition(Table& parent, const json& cmd, bool attach);
  // ALTER COLUMN ... SET STORAGE, and the storage two INHERITS parents must agree on (replay/tables.cpp).
  void set_storage(Column& col, const std::string& storage);
  char column_storage(const Column& c) const;
  static bool storage_conflict(char a, char b);

  // ---- INHERITS (replay/inheritance.cpp) ----
  std::vector<Table*> inheritors(const std::string& s, const std::string& n);
  bool inherits_from(const Table& t, const std::string& s, const std::string& n, int depth) const;
  void merge_inherited_column(Table& child, const Column& from_parent);
  const Constraint* check_of(const Table& t, const std::string& name, int depth) const;
  std::map<std::string, Constraint> checks_of(const Table& t, int depth) const;
  static std::vector<std::pair<std::string, std::string>> parents_of(const Table& t);
  void keep_checks_as_own(Table& child, const std::map<std::string, Constraint>& had);
  void merge_into_parent(const Table& child, const Table& parent);
  void alter_inherit(Table& child, const json& parent_rangevar, bool add);
  void propagate_columns(const Table& parent, const std::vector<std::string>& new_columns, int depth = 0);
  void drop_children(const std::string& s, const std::string& n, bool cascade);
  int inherited_count(const Table& t, const std::string& column) const;
  std::vector<Table*> descendants(const Table& t);
  // The tables that take t's columns: its INHERITS children and, for a partitioned table, its partitions.
  std::vector<Table*> column_children(const Table& t);
  static bool in_partition_key(const Table& t, const std::string& column);
  void recurse_to_children(Table& t, const json& cmd);
  void drop_inherited_column(Table& parent, const std::string& column, bool cascade);
  void rename_inherited_column(Table& t, const std::string& from, const std::string& to, bool recurse);
  // The ALTER TABLE being applied: without ONLY it recurses to the children (alter_recurse); a command applied to
  // a child by that recursion skips the refusals of a command written on an inherited column (alter_recursing).
  bool alter_recurse = true;
  bool alter_recursing = false;
  // The tables of the DROP TABLE being applied: a child dropped with its parent in one statement needs no CASCADE.
  std::set<std::pair<std::string, std::string>> dropped_together;

  // ---- CREATE INDEX (replay/indexes.cpp) ----
  IndexKey index_key(const Table& t, const json& elem, const std::string& method);
  static std::string key_name(const json& elem);
  // An index's own column names as PostgreSQL chose them (ChooseIndexColumnNames, before the digits that tell
  // equal names apart): keys then INCLUDE columns; for a unique or exclusion constraint, its index's.
  static std::vector<std::string> index_column_names(const Index& i);
  static std::vector<std::string> index_column_names(const Constraint& c);
  void create_index(const json& b);
  void refuse_mutable_functions(const json& expr, const char* where);
  void refuse_opclass_type(const Table& t, const std::string& column, const std::string& opclass,
                           const std::string& method);

  // ---- CREATE [MATERIALIZED] VIEW (replay/views.cpp) ----
  void set_view_query(View& v, const json& query_node, const std::vector<std::string>& names);
  void create_view(const json& b);
  void refuse_missing_relations(const json& query);
  bool view_reads_column(const View& v, const Table& t, const std::string& column);
  // After ALTER SCHEMA from RENAME TO to: the views that read its relations name the schema anew.
  void requery_views_in_schema(const std::string& from, const std::string& to);
  void requery_views(const std::string& s, const std::string& rel, const std::string& from, const std::string& to,
                     bool column);

  // ---- enums, composites, domains, ranges (replay/types.cpp) ----
  bool is_user_type(const std::string& type) const;
  void create_enum(const json& b);
  void new_type(const std::string& s, const std::string& n);
  void create_other_type(const std::string& kind, const std::vector<std::string>& parts, std::string def);
  void create_composite(const json& b);
  norm::ExprContext domain_ectx(const Type::DomainParts& d);
  void create_domain(const json& b);
  void alter_domain(const json& b);
  void rename_domain_constraint(Type& t, const std::string& from, const std::string& to);
  void create_range(const json& b);
  Type* find_type(const std::vector<std::string>& parts, bool missing_ok);
  void alter_enum(const json& b);
  void relabel_defaults(const std::string& type, const std::string& from, const std::string& to);
  void refuse_new_enum_labels(const json& stmt);
  void check_enum_literals(const json& node, const std::map<std::string, std::string>& cols);
  void check_enum_value(const std::string& type, const json& value);

  // ---- CREATE/ALTER SEQUENCE (replay/sequences.cpp) ----
  void sequence_options(Sequence& s, const json& options);
  void create_sequence(const json& b);
  Sequence* find_sequence(const std::vector<std::string>& parts, bool missing_ok);
  void alter_sequence(const json& b);
  using GoingColumn = std::function<bool(const Table&, const Column&)>;
  void drop_sequence_defaults(const std::string& s, const std::string& n, bool cascade, const std::string& what,
                              const GoingColumn& going);
  void drop_owned_sequence_defaults(const Table& t, const std::string& column, bool cascade, const std::string& what);

  // ---- CREATE FUNCTION/PROCEDURE and lookup by signature (replay/functions.cpp) ----
  std::string sql_standard_body(const json& body, const std::string* body_text = nullptr);
  std::vector<std::pair<std::size_t, std::size_t>> sql_body_reads(const Function& f, const std::string& s, const std::string& n);
  void rename_in_sql_bodies(const std::string& s, const std::string& n, const std::string& to_s, const std::string& to_n);
  void drop_reading_functions(const std::string& s, const std::string& n, const std::string& kind, bool cascade);
  void create_function(const json& b);
  void function_option(Function& f, const json& defelem);
  void alter_function(const json& b);
  Function* find_function(const json& owa, bool missing_ok, std::string* display_name);
  // The function, or a refusal where the replay knows every function there (knows_all_of), or null.
  Function* find_function_refusing(const json& owa, std::string* display_name);
  // A schema GRANT names: refused when missing, unless a statement the replay could not read may have created it.
  Schema* grant_schema(const std::string& name);

  // ---- CREATE TRIGGER (replay/triggers.cpp) ----
  void create_trigger(const json& b);
  void refuse_missing_trigger_function(const std::vector<std::string>& parts);

  // ---- COMMENT ON (replay/comments.cpp) ----
  bool comment_on(const json& b);  // false: the object is not one the model holds

  // ---- GRANT, REVOKE, ALTER DEFAULT PRIVILEGES (replay/grants.cpp) ----
  bool grant_stmt(const json& b);                // false: objects or privileges the model does not hold
  bool alter_default_privileges(const json& b);  // false: ON TYPES, ON SCHEMAS
  std::vector<std::string> grantees(const json& list) const;
  // privileges: the AccessPriv nodes of a GRANT/REVOKE (none: ALL PRIVILEGES).
  std::string grant_letters(const std::vector<const json*>& privileges, char kind, const std::string& word);
  static void change_grants(Grants& g, const std::vector<std::string>& who, const std::string& letters, bool is_grant,
                            bool option);
  bool identity_sequence(const Schema& sc, const std::string& n) const;
  // What a new object of `kind` ('r', 'S', 'f') in `schema` starts with (default privileges).
  Grants created_grants(char kind, const std::string& schema) const;

  // ---- CREATE/ALTER POLICY (replay/policies.cpp) ----
  static std::vector<std::string> roles(const json& list);
  void create_policy(const json& b);
  void alter_policy(const json& b);

  // ---- ALTER ... RENAME and ALTER ... SET SCHEMA (replay/renames.cpp) ----
  void freeze_index_column_names(Table& t, const std::string& column);
  void rebuilt_index_column_names(Table& t, const std::string& column);
  void rename_column(Table& t, const std::string& from, const std::string& to);
  void rename_relation(const std::string& s, const std::string& from, const std::string& to, const std::string& expect);
  void rename_type(const std::string s, const std::string from, const std::string& to);
  void retype_columns(const std::string& from, const std::string& to);
  void rename(const json& b);
  void alter_object_schema(const json& b);
  void move_relation(const std::string& s, const std::string& n, const std::string& to_s, const std::string& to_n);
  void sequence_moved(const std::string& s, const std::string& n, const std::string& to_s, const std::string& to_n);

  // ---- DROP and the dependencies it follows (replay/drops.cpp) ----
  std::vector<std::pair<Table*, std::string>> referencing_fks(const Table& t, const std::vector<std::string>* cols);
  void drop_dependents(std::vector<std::pair<Table*, std::string>> deps, bool cascade, const std::string& what,
                       const Table* self);
  void drop(const json& b);
  void drop_objects(const json& b, const std::string& type, bool missing_ok, bool cascade);  // drop()'s loop
  void drop_relation(const std::string& type, const std::vector<std::string>& parts, bool missing_ok, bool cascade);
  void drop_type(const std::string s, const std::string n, bool cascade);
  // What calls a function in its expressions (PostgreSQL records a dependency on it): generated columns, defaults,
  // checks, indexes, policies, trigger conditions and views. Dropped with CASCADE, else the DROP is refused.
  void drop_function_dependents(const Function& f, bool cascade);
  static std::vector<std::vector<std::string>> relations_named(const json& query);
  std::vector<std::pair<std::string, std::string>> relations_read(const json& query);
  void drop_reading_views(const std::string& s, const std::string& n, const std::string& kind, bool cascade);
  void drop_views(const std::vector<std::pair<std::string, std::string>>& views);

  // ---- CREATE SCHEMA, CREATE EXTENSION, SET search_path (replay/schemas.cpp) ----
  void create_schema(const json& b);
  void create_extension(const json& b);
  void set_variable(const json& b);
  void set_search_path(const std::string& value);
  bool set_config(const json& select);
};

}  // namespace driftguard::model
