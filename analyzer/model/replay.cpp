// The dispatcher of the replay: each statement goes to the file of its object kind (analyzer/model/replay/*.cpp,
// declared in replay/replayer_impl.hpp); failures become replay errors at the statement.
#include "analyzer/model/replay.hpp"

#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {

// Statement kinds that change nothing the model holds.
bool no_effect_kind(const std::string& k) {
  static const std::set<std::string> kinds = {
      "TransactionStmt", "VariableShowStmt", "LockStmt",        "VacuumStmt",       "CheckPointStmt",
      "NotifyStmt",      "ListenStmt",       "UnlistenStmt",    "DiscardStmt",      "ExplainStmt",
      "ClusterStmt",     "ReindexStmt",      "RefreshMatViewStmt", "CommentStmt",   "AlterOwnerStmt",
      "AlterFunctionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt", "SecLabelStmt",
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
  else if (k == "CreateRangeStmt") create_range(b);
  else if (k == "CreateSeqStmt") create_sequence(b);
  else if (k == "AlterSeqStmt") alter_sequence(b);
  else if (k == "CreateFunctionStmt") create_function(b);
  else if (k == "CreateTrigStmt") create_trigger(b);
  else if (k == "CreatePolicyStmt") create_policy(b);
  else if (k == "AlterPolicyStmt") alter_policy(b);
  else if (k == "CreateExtensionStmt") create_extension(b);
  else if (k == "VariableSetStmt") set_variable(b);
  else if (k == "SelectStmt" && field(b, "intoClause").is_object()) select_into(b);
  else return false;
  return true;
}

void Replayer::Impl::apply(const Statement& s, std::size_t index, const std::vector<Statement>& all) {
  st = &s;
  const std::string& k = s.kind;
  if (k == "DoStmt") {
    // The statements of the block follow it (do_depth deeper); the block itself is only listed when none could
    // be read from it.
    bool has_inner = index + 1 < all.size() && all[index + 1].do_depth > s.do_depth;
    if (!has_inner) skip(describe_kind(k), false);
    return;
  }
  if (no_effect_kind(k)) {
    skip(k == "CommentStmt" ? "COMMENT" : describe_kind(k), true);
    return;
  }
  try {
    if (dispatch(s.node)) {
      ++r.applied_;
    } else {
      skip(describe_kind(k), false);
    }
  } catch (const Failure& f) {
    report(f);
  }
}

void Replayer::apply_file(const SourceFile& file, const ParsedFile& parsed, std::vector<Finding>& findings) {
  std::size_t first = findings.size();
  Impl impl(*this, findings);
  LineMap lines(file.text);
  impl.file = file.path;
  impl.text = file.text;
  impl.lines = &lines;
  for (const auto& e : parsed.errors) {
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
    findings.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < parsed.statements.size(); ++i) impl.apply(parsed.statements[i], i, parsed.statements);
  model_.schemas.erase(kTemp);  // the session ends with the file
  // Syntax errors were reported first: put this file's findings in source order.
  std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
}

void Replayer::apply_sql(const std::string& sql, const SourceRef& origin, std::vector<Finding>& findings) {
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
  model_.schemas.erase(kTemp);  // the session ends with the file
}

}  // namespace driftguard::model
