#include "rules/locking/lock_util.hpp"

#include <cctype>
#include <set>

#include "analyzer/text.hpp"

namespace driftguard::locking {

namespace {
// Built-in functions that are stable or immutable (pg_proc.provolatile 's' or 'i'): a default made of them, of
// constants, casts and operators is evaluated once by ADD COLUMN on PostgreSQL 11 and later (no rewrite).
const std::set<std::string>& non_volatile_functions() {
  static const std::set<std::string> f = {
      "now", "statement_timestamp", "transaction_timestamp", "date_trunc", "date_part", "extract", "make_date",
      "make_time", "make_timestamp", "make_timestamptz", "make_interval", "to_timestamp", "to_date", "to_char",
      "to_number", "timezone", "lower", "upper", "initcap", "btrim", "ltrim", "rtrim", "substring", "substr",
      "replace", "concat", "concat_ws", "length", "char_length", "left", "right", "lpad", "rpad", "md5", "sha256",
      "encode", "decode", "format", "repeat", "split_part", "regexp_replace", "abs", "round", "trunc", "floor",
      "ceil", "ceiling", "power", "sqrt", "jsonb_build_object", "jsonb_build_array", "json_build_object",
      "json_build_array", "to_jsonb", "to_json", "jsonb_object", "array_fill", "current_setting", "current_schema",
      "current_database", "uuid_nil", "int4range", "int8range", "numrange", "tstzrange", "tsrange", "daterange",
      "to_tsvector", "array_to_string", "string_to_array"};
  return f;
}

// Node types that cannot make an expression volatile by themselves (their children are still checked).
const std::set<std::string>& neutral_nodes() {
  static const std::set<std::string> n = {
      "A_Const", "TypeCast", "TypeName", "SQLValueFunction", "A_Expr", "BoolExpr", "NullTest", "BooleanTest",
      "CaseExpr", "CaseWhen", "CoalesceExpr", "MinMaxExpr", "A_ArrayExpr", "RowExpr", "String", "Integer",
      "Float", "Boolean", "CollateClause", "List", "FuncCall"};
  return n;
}

}  // namespace

// The first part of a default expression that may be volatile ("random()", "nextval()", "a subquery"), or "".
std::string volatile_part(const json& e, int depth) {
  if (depth > 100) return "a deeply nested expression";
  if (e.is_array()) {
    for (const auto& v : e) {
      if (auto p = volatile_part(v, depth + 1); !p.empty()) return p;
    }
    return {};
  }
  if (!e.is_object()) return {};
  for (auto it = e.begin(); it != e.end(); ++it) {
    const std::string& key = it.key();
    bool typed = !key.empty() && key[0] >= 'A' && key[0] <= 'Z' && it.value().is_object();
    if (typed && !neutral_nodes().count(key)) return "an expression (" + key + ")";
    if (key == "FuncCall") {
      auto name = strings(field(it.value(), "funcname"));
      bool builtin = name.size() == 1 || (name.size() == 2 && name[0] == "pg_catalog");
      if (!builtin || !non_volatile_functions().count(name.back())) return display(name) + "()";
    }
    if (it.value().is_structured()) {
      if (auto p = volatile_part(it.value(), depth + 1); !p.empty()) return p;
    }
  }
  return {};
}

bool reads_or_writes_every_row(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "IndexStmt" || t == "ClusterStmt" || t == "RefreshMatViewStmt" || t == "ReindexStmt") return true;
  if (t == "VacuumStmt") return flag(b, "is_vacuumcmd") && has_option(field(b, "options"), "full");
  if (t != "AlterTableStmt") return false;
  for (const auto& c : alter_cmds(st.node)) {
    const json& def = field(*c.cmd, "def");
    const json& con = field(def, "Constraint");
    const std::string ct = str(con, "contype");
    if (c.subtype == "AT_AddConstraint") {
      if ((ct == "CONSTR_CHECK" || ct == "CONSTR_FOREIGN") && !flag(con, "skip_validation")) return true;
      // UNIQUE / PRIMARY KEY / EXCLUDE build an index; PRIMARY KEY USING INDEX may scan to set NOT NULL.
      if ((ct == "CONSTR_UNIQUE" || ct == "CONSTR_EXCLUSION") && str(con, "indexname").empty()) return true;
      if (ct == "CONSTR_PRIMARY") return true;
    }
    if (c.subtype == "AT_SetNotNull" || c.subtype == "AT_AlterColumnType" || c.subtype == "AT_SetLogged" ||
        c.subtype == "AT_SetUnLogged" || c.subtype == "AT_SetTableSpace" || c.subtype == "AT_SetAccessMethod" ||
        c.subtype == "AT_AttachPartition") {
      return true;
    }
    if (c.subtype == "AT_AddColumn") {
      const json& cd = field(def, "ColumnDef");
      if (!cd.is_object()) continue;
      if (is_serial(field(cd, "typeName")) || column_constraint(cd, "CONSTR_CHECK") ||
          column_constraint(cd, "CONSTR_PRIMARY") || column_constraint(cd, "CONSTR_UNIQUE") ||
          column_constraint(cd, "CONSTR_GENERATED") || column_constraint(cd, "CONSTR_IDENTITY")) {
        return true;
      }
      if (const json* d = column_constraint(cd, "CONSTR_DEFAULT")) {
        if (!volatile_part(field(*d, "raw_expr")).empty()) return true;
        if (column_constraint(cd, "CONSTR_FOREIGN")) return true;  // a default makes the foreign key validated
      }
    }
  }
  return false;
}

std::vector<LockTaken> existing_locks(const RuleContext& ctx) {
  std::vector<LockTaken> out;
  for (auto& l : locks_of(ctx.statement().node)) {
    if (!ctx.state().is_new_relation(l.relation)) out.push_back(std::move(l));
  }
  return out;
}

std::optional<LockTaken> existing_lock_on(const RuleContext& ctx, const std::vector<std::string>& relation) {
  if (relation.empty() || ctx.state().is_new_relation(relation)) return std::nullopt;
  std::string key = qualified_key(relation);
  for (auto& l : locks_of(ctx.statement().node)) {
    if (!l.relation.empty() && qualified_key(l.relation) == key) return l;
  }
  return std::nullopt;
}

std::string transaction_phrase(const RuleContext& ctx) {
  const FileState& s = ctx.state();
  if (ctx.statement().do_depth > 0) return "inside a DO block, which always runs as one transaction";
  if (s.in_explicit_transaction() && !s.explicit_nested()) return "inside the transaction opened by BEGIN";
  if (s.in_transaction()) return "inside the runner's transaction (" + s.runner_transaction().why + ")";
  return "";
}

std::vector<Note> begin_note(const RuleContext& ctx) {
  const FileState& s = ctx.state();
  if (!s.in_explicit_transaction() || ctx.statement().do_depth > 0) return {};
  Note n;
  n.message = "the transaction starts here";
  n.span = s.transaction_begin();
  return {n};
}

bool can_add_statements(const RuleContext& ctx) {
  const FileState& s = ctx.state();
  if (s.in_transaction() || ctx.statement().do_depth > 0) return false;
  Runner r = s.runner_transaction().runner;
  return !ctx.settings().assume_in_transaction && !sends_file_as_one_query(r) && r != Runner::supabase;
}

bool concurrently_impossible(const RuleContext& ctx) {
  return ctx.state().runner_transaction().runner == Runner::extension;
}

bool concurrently(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "IndexStmt" || t == "DropStmt") return flag(b, "concurrent");
  if (t == "ReindexStmt") return has_option(field(b, "params"), "concurrently");
  if (t == "AlterTableStmt") {
    for (const auto& c : alter_cmds(st.node)) {
      if (c.subtype == "AT_DetachPartition" && flag(field(field(*c.cmd, "def"), "PartitionCmd"), "concurrent")) {
        return true;
      }
    }
  }
  return false;
}

bool must_run_outside_transaction(const Statement& st) {
  if (concurrently(st)) return true;
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "ReindexStmt") return str(b, "kind") == "REINDEX_OBJECT_SYSTEM" || str(b, "kind") == "REINDEX_OBJECT_DATABASE";
  if (t == "VacuumStmt") return flag(b, "is_vacuumcmd");
  return t == "CreatedbStmt" || t == "DropdbStmt" || t == "CreateTableSpaceStmt" || t == "DropTableSpaceStmt" ||
         t == "AlterSystemStmt" || t == "CreateSubscriptionStmt";
}

std::optional<std::size_t> after_keyword(const RuleContext& ctx, std::string_view kw, int max_tokens) {
  if (ctx.statement().approximate) return std::nullopt;
  std::string_view text = ctx.file().text;
  std::size_t p = ctx.statement_span().begin;
  const std::size_t end = ctx.statement_span().end;
  for (int i = 0; i < max_tokens && p < end; ++i) {
    p = lex::skip_trivia(text, p);
    if (p >= end) break;
    std::size_t next = lex::skip_token(text, p);
    if (lex::keyword_at(text, p, kw)) return next;
    p = next;
  }
  return std::nullopt;
}

std::string keyword_case(const RuleContext& ctx, std::string_view upper) {
  const std::string& text = ctx.file().text;
  std::size_t b = ctx.statement_span().begin;
  bool lower = b < text.size() && std::islower(static_cast<unsigned char>(text[b]));
  std::string out(upper);
  if (lower) {
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace driftguard::locking
