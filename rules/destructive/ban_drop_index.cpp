#include "rules/destructive/drop_util.hpp"

#include <set>

#include "analyzer/model/normalize.hpp"

namespace driftguard {
namespace {

// The index a DROP INDEX names and its table, in the model before the statement (an unqualified name: pg_temp,
// then public, as the search path finds it).
std::pair<const model::Table*, const model::Index*> find_index(const model::SchemaModel& m,
                                                               const std::vector<std::string>& parts) {
  if (parts.empty()) return {nullptr, nullptr};
  auto in = [&](const std::string& schema) -> std::pair<const model::Table*, const model::Index*> {
    const model::Schema* s = m.schema(schema);
    if (!s) return {nullptr, nullptr};
    for (const auto& [tn, t] : s->tables) {
      for (const auto& i : t.indexes) {
        if (i.name == parts.back()) return {&t, &i};
      }
    }
    return {nullptr, nullptr};
  };
  if (parts.size() >= 2) return in(parts[parts.size() - 2]);
  if (auto r = in("pg_temp"); r.first) return r;
  return in("public");
}

bool same_key(const model::IndexKey& a, const model::IndexKey& b) {
  return a.expr == b.expr && a.opclass == b.opclass && a.collation == b.collation && a.desc == b.desc &&
         a.nulls == b.nulls;
}

// Another index of the table answers every query the dropped one answered, so dropping it loses no access path: a
// btree index with the dropped one's keys as its leading keys (same expressions, operator classes, collations,
// directions) and the same predicate; the table's primary key or a unique constraint counts as a btree index on its
// columns. A unique index is covered only by one unique on exactly its keys (with the same NULLS [NOT] DISTINCT).
// `gone`: the indexes the same statement drops, which cover nothing.
bool covered(const model::Table& t, const model::Index& d, const std::set<const model::Index*>& gone) {
  if (d.method != "btree" || d.keys.empty()) return false;
  auto covers = [&](const std::vector<model::IndexKey>& keys, bool unique, bool nulls_not_distinct,
                    const std::string& predicate) {
    if (predicate != d.predicate() || keys.size() < d.keys.size()) return false;
    if (d.unique && (!unique || keys.size() != d.keys.size() || nulls_not_distinct != d.nulls_not_distinct)) return false;
    for (std::size_t k = 0; k < d.keys.size(); ++k) {
      if (!same_key(keys[k], d.keys[k])) return false;
    }
    return true;
  };
  for (const auto& i : t.indexes) {
    if (!gone.count(&i) && i.method == "btree" && covers(i.keys, i.unique, i.nulls_not_distinct, i.predicate())) return true;
  }
  for (const auto& c : t.constraints) {
    if (c.kind != model::ConstraintKind::primary_key && c.kind != model::ConstraintKind::unique) continue;
    std::vector<model::IndexKey> keys;
    for (const auto& col : c.columns) {
      model::IndexKey k;
      k.expr = norm::ident(col);
      keys.push_back(k);
    }
    if (covers(keys, true, c.nulls_not_distinct, "")) return true;
  }
  return false;
}

class BanDropIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-index", "destructive", Severity::warning,
                            "Dropping an index slows the queries that used it; a unique one lets duplicates in"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_INDEX") return;
    // An index another index of the table covers is redundant: dropping it is the fix, not a hazard.
    std::vector<std::pair<const model::Table*, const model::Index*>> found;
    std::set<const model::Index*> gone;
    for (const auto& t : d.targets) {
      found.push_back(find_index(ctx.run().model(), t.parts));
      gone.insert(found.back().second);
    }
    std::size_t n = 0;
    std::erase_if(d.targets, [&](const DropTarget&) {
      const auto& [table, index] = found[n++];
      return index != nullptr && covered(*table, *index, gone);
    });
    auto names = destructive::dropped_existing(d, ObjKind::relation, ctx, true);
    if (names.empty()) return;
    std::string it = names.size() > 1 ? "them" : "it";
    ctx.report(ctx.statement_span(), destructive::drops("index", "indexes", names),
               "Check that no query needs the index (pg_stat_user_indexes.idx_scan) and that no uniqueness depends "
               "on it; to rebuild it, create the new index under the same name in the same migration.");
    destructive::note_all_names(ctx, names);
    ctx.note("queries that used " + it + " get slower, and if " + (names.size() > 1 ? "one is" : "it is") +
             " unique, duplicate rows can be inserted");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_index() { return std::make_unique<BanDropIndex>(); }
}  // namespace driftguard
