// multiple-alter-table: consecutive ALTER TABLE statements on one existing table, where one statement with several
// sub-commands would do: each statement takes its own ACCESS EXCLUSIVE lock (waiting behind every running query
// each time) and may scan or rewrite the table again.
#include <cctype>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard {
namespace {

bool alters_table(const Statement& st) {
  return st.kind == "AlterTableStmt" && st.do_depth == 0 && str(unwrap(st.node), "objtype") == "OBJECT_TABLE" &&
         !flag(unwrap(st.node), "missing_ok");
}

std::string table_key(const Statement& st) { return rangevar_key(field(unwrap(st.node), "relation")); }

class MultipleAlterTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"multiple-alter-table", "convention", Severity::off,
                            "Consecutive ALTER TABLE statements on one table, where one statement would do"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const auto& all = ctx.statements();
    std::size_t i = ctx.statement_index();
    if (&unwrap(all[i].node) != &node || i == 0 || !alters_table(all[i]) || !alters_table(all[i - 1])) return;
    std::string key = table_key(all[i]);
    if (table_key(all[i - 1]) != key) return;
    if (i >= 2 && alters_table(all[i - 2]) && table_key(all[i - 2]) == key) return;  // reported with the run's 2nd
    const json& rel = field(node, "relation");
    if (ctx.state().is_new_relation(rel)) return;  // nobody else uses it yet: the locks harm nobody
    std::size_t last = i;
    while (last + 1 < all.size() && alters_table(all[last + 1]) && table_key(all[last + 1]) == key) ++last;

    // The fix moves the sub-commands of the following statements into the first, when only white space lies
    // between them (comments would be lost).
    const std::string& text = ctx.file().text;
    std::string moved;
    bool mechanical = true;
    for (std::size_t k = i; k <= last && mechanical; ++k) {
      const Statement& st = all[k];
      const json& r = field(unwrap(st.node), "relation");
      std::size_t after_name = lex::name_end(text, st.base + static_cast<std::size_t>(num(r, "location", 0)));
      std::size_t gap = ctx.after_statement(all[k - 1]);
      mechanical = !st.approximate && text.find_first_not_of(" \t\r\n", gap) == st.span.begin;
      std::string_view cmds = std::string_view(text).substr(after_name, st.span.end - after_name);
      while (!cmds.empty() && std::isspace(static_cast<unsigned char>(cmds.front()))) cmds.remove_prefix(1);
      moved += ",\n  " + std::string(cmds);
    }
    std::optional<Fix> fix;
    if (mechanical) {
      fix = Fix{"merge into one ALTER TABLE",
                {{Span{all[i - 1].span.end, all[i - 1].span.end}, moved},
                 {Span{ctx.after_statement(all[i - 1]), ctx.after_statement(all[last])}, ""}}};
    }
    // Reported at the first statement of the run: the one the others merge into.
    std::size_t count = last - i + 2;
    ctx.report(all[i - 1].span,
               std::to_string(count) + " ALTER TABLE statements in a row change " + rangevar_display(rel),
               "Make them one ALTER TABLE with the sub-commands separated by commas.", std::move(fix));
    ctx.note("this and the next " +
             std::string(count == 2 ? "ALTER TABLE statement" : std::to_string(count - 1) + " ALTER TABLE statements") +
             " change it one after the other: each takes its own ACCESS EXCLUSIVE lock, waiting behind every running "
             "query, and may scan or rewrite the table again");
  }
};

}  // namespace
std::unique_ptr<Rule> make_multiple_alter_table() { return std::make_unique<MultipleAlterTable>(); }
}  // namespace driftguard
