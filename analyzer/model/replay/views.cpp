// CREATE [OR REPLACE] VIEW and the stored form of a view's query: PostgreSQL's view.c and its ruleutils.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

// The query of CREATE VIEW / CREATE MATERIALIZED VIEW as PostgreSQL stores it, resolved against the model's
// relations (norm::view_query_tree); `names`: the view's column list.
void Replayer::Impl::set_view_query(View& v, const json& query_node, const std::vector<std::string>& names) {
  std::vector<std::string> cols;
  for (const auto& n : names) cols.push_back(nm(n));
  norm::QueryText q = norm::view_query_tree(query_node, ectx(), cols);
  v.definition = std::move(q.text);
  v.loose = std::move(q.loose);
  v.resolved = q.resolved;
  for (auto& c : q.columns) v.columns.emplace_back(std::move(c.name), std::move(c.type));
}

void Replayer::Impl::create_view(const json& b) {
  const json& rv = field(b, "view");
  auto [s, n] = relation_target(rv);
  Schema& sc = *m.schema(s);
  std::string kind = sc.relation_kind(n);
  if (!kind.empty() && !(kind == "view" && flag(b, "replace"))) {
    check_new_relation(s, n);
  }
  View v;
  v.schema = s;
  v.name = n;
  set_view_query(v, field(b, "query"), strings(field(b, "aliases")));
  v.reads = relations_read(field(b, "query"));
  v.src = ref(rv);
  v.order = kind.empty() ? ++r.order_ : sc.views[n].order;
  sc.views[n] = v;
}

}  // namespace driftguard::model
