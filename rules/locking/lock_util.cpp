#include "rules/locking/lock_util.hpp"

#include <cctype>

#include "analyzer/text.hpp"

namespace driftguard::locking {

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
  return !ctx.settings().assume_in_transaction && r != Runner::prisma && r != Runner::golang_migrate &&
         r != Runner::supabase;
}

bool concurrently(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "IndexStmt" || t == "DropStmt") return flag(b, "concurrent");
  if (t == "ReindexStmt") {
    for (const auto& p : field(b, "params")) {
      if (str(field(p, "DefElem"), "defname") == "concurrently") return true;
    }
  }
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
