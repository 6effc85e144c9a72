// foreign-key-without-index: a foreign key whose referencing columns are not the leading columns of any index of
// its table at the end of the history (the migration folder the file belongs to, later migrations included, so an
// index a later migration adds clears it). Each DELETE of a referenced row, and each UPDATE of its key, looks the
// referencing rows up: without such an index, by scanning the whole referencing table.
#include <algorithm>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard {
namespace {

// Do the index keys (quoted column names, or expressions) start with exactly these columns, in any order?
bool leads_with(const std::vector<std::string>& keys, const std::vector<std::string>& columns) {
  if (keys.size() < columns.size()) return false;
  std::vector<std::string> lead(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(columns.size()));
  std::vector<std::string> want;
  for (const auto& c : columns) want.push_back(quote_ident(c));
  std::sort(lead.begin(), lead.end());
  std::sort(want.begin(), want.end());
  return lead == want;
}

// An index of the table serves lookups by these columns: a plain (not partial) index, or the index of a primary
// key or unique constraint, whose leading columns they are. Only btree indexes keep a usable column order.
bool indexed(const model::Table& t, const std::vector<std::string>& columns) {
  for (const auto& i : t.indexes) {
    if (!i.predicate().empty() || i.method != "btree") continue;
    std::vector<std::string> keys;
    for (const auto& k : i.keys) keys.push_back(k.is_expression ? std::string("(") : k.expr);
    if (leads_with(keys, columns)) return true;
  }
  for (const auto& c : t.constraints) {
    if (c.kind != model::ConstraintKind::primary_key && c.kind != model::ConstraintKind::unique) continue;
    std::vector<std::string> keys;
    for (const auto& k : c.columns) keys.push_back(quote_ident(k));
    if (leads_with(keys, columns)) return true;
  }
  return false;
}

class ForeignKeyWithoutIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"foreign-key-without-index", "convention", Severity::off,
                            "A foreign key whose columns lead no index of the table at the end of the history"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  // After the file: the foreign keys this file created that still exist at the end of the history.
  void finish_file(RuleContext& ctx) const override {
    const std::string& path = ctx.file().path;
    const std::string& text = ctx.file().text;
    LineMap lines(text);
    for (const auto& [sn, schema] : ctx.run().history_end().schemas) {
      for (const auto& [tn, t] : schema.tables) {
        if (t.opaque) continue;  // its indexes are not all known (created outside the linted files, LIKE, AS)
        for (const auto& c : t.constraints) {
          if (c.kind != model::ConstraintKind::foreign_key || c.src.file != path || c.src.line < 1 ||
              static_cast<std::size_t>(c.src.line) > lines.line_count() || indexed(t, c.columns)) {
            continue;
          }
          std::size_t start = lines.line_start(c.src.line);
          std::size_t at = start + char_index_to_offset(lines.line_text(c.src.line), std::max(c.src.column, 1));
          Span span{at, std::max(at + 1, lex::name_end(text, at))};
          std::string cols;
          for (const auto& col : c.columns) cols += (cols.empty() ? "" : ", ") + quote_ident(col);
          std::string table = display({t.schema, t.name});
          std::string referenced = display({c.ref_schema, c.ref_table});
          std::string index_name = t.name + "_" + c.columns.front() + "_idx";
          ctx.report(span,
                     "foreign key " + quote_ident(c.name) + " on " + table + " has no index",
                     "Add an index on the referencing columns in a migration, e.g. CREATE INDEX CONCURRENTLY " +
                         quote_ident(index_name) + " ON " + table + " (" + cols +
                         "); (or accept the scans on a table that stays small).");
          ctx.note("no index of " + table + " has (" + cols + ") as its leading columns at the end of the migration "
                   "history: each DELETE from " + referenced + ", and each UPDATE of its key, scans " + table +
                   " for referencing rows");
        }
      }
    }
  }
};

}  // namespace
std::unique_ptr<Rule> make_foreign_key_without_index() { return std::make_unique<ForeignKeyWithoutIndex>(); }
}  // namespace driftguard
