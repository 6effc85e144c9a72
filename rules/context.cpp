#include <algorithm>

#include "analyzer/text.hpp"
#include "rules/names.hpp"
#include "rules/rule.hpp"

namespace driftguard {

Span RuleContext::location_span(int location) const {
  if (location < 0 || stmt_->approximate) return stmt_->span;
  std::size_t p = stmt_->base + static_cast<std::size_t>(location);
  if (p >= file_.text.size()) return stmt_->span;
  return Span{p, std::max(p + 1, lex::name_end(file_.text, p))};
}

Span RuleContext::location_span(const json& node) const {
  const json& b = unwrap(node);
  if (!b.is_object() || !b.contains("location")) return stmt_->span;
  return location_span(static_cast<int>(num(b, "location", -1)));
}

Span RuleContext::alter_cmd_span(const json& alter_table_stmt, std::size_t cmd_index) const {
  const json& b = unwrap(alter_table_stmt);
  const json& cmds = field(b, "cmds");
  const json& rel = field(b, "relation");
  if (stmt_->approximate || !cmds.is_array() || !rel.is_object() || !rel.contains("location")) return stmt_->span;
  std::size_t rel_at = stmt_->base + static_cast<std::size_t>(num(rel, "location", 0));
  if (rel_at >= stmt_->span.end) return stmt_->span;
  std::string_view t = file_.text;
  std::size_t start = lex::name_end(t, rel_at);
  auto commas = lex::top_level_commas(t, start, stmt_->span.end);
  if (commas.size() + 1 != cmds.size() || cmd_index >= cmds.size()) return stmt_->span;
  std::size_t b0 = cmd_index == 0 ? start : commas[cmd_index - 1] + 1;
  std::size_t e0 = cmd_index < commas.size() ? commas[cmd_index] : stmt_->span.end;
  b0 = lex::skip_trivia(t, b0);
  e0 = lex::trim_end(t, b0, e0);
  if (e0 <= b0) return stmt_->span;
  return Span{b0, e0};
}

std::size_t RuleContext::after_statement(const Statement& st) const {
  std::size_t p = lex::skip_trivia(file_.text, st.span.end);
  if (p < file_.text.size() && file_.text[p] == ';') return p + 1;
  return st.span.end;
}

const std::vector<std::size_t>& RuleContext::table_statements(const std::string& relation) const {
  if (!table_statements_) {
    table_statements_.emplace();
    for (std::size_t i = 0; i < all_->size(); ++i) {
      const Statement& st = (*all_)[i];
      if (st.kind != "CreateStmt" && st.kind != "AlterTableStmt") continue;
      (*table_statements_)[rangevar_display(field(unwrap(st.node), "relation"))].push_back(i);
    }
  }
  static const std::vector<std::size_t> kNone;
  auto it = table_statements_->find(relation);
  return it == table_statements_->end() ? kNone : it->second;
}

void RuleContext::report(Span span, std::string message, std::string help, std::optional<Fix> fix) {
  Finding f;
  f.rule = std::string(rule_->info().id);
  f.category = std::string(rule_->info().category);
  f.file = file_.path;
  f.span = span;
  f.message = std::move(message);
  f.help = std::move(help);
  f.fix = std::move(fix);
  findings_.push_back(std::move(f));
}

void RuleContext::note(std::string message) {
  if (!findings_.empty()) findings_.back().notes.push_back(Note{std::move(message), std::nullopt});
}

void RuleContext::report_elsewhere(Finding f) {
  f.rule = std::string(rule_->info().id);
  f.category = std::string(rule_->info().category);
  findings_.push_back(std::move(f));
}

}  // namespace driftguard
