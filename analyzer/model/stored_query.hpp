// A view's query as CREATE VIEW stores it (analyzer/model/replay/views.cpp): printed and its `*` expanded in one go.
#pragma once

#include <string>
#include <vector>

#include "analyzer/model/normalize.hpp"

namespace driftguard::norm {

// The query's printed forms (view_query_tree) and its tree with each `*` of a target list replaced by the columns
// it stands for now, qualified (`t.id`, `s.n`): PostgreSQL expands `*` when it stores a view, so a column added
// later is not the view's, and a rename prints `t.new AS old`. The tree is the query as given where the expansion
// would print otherwise (a relation the model lacks). A query with a `*` is printed three times (with its stars
// marked, which is also its canonical text; loose; expanded), not five (view_query_tree, then expand_stars printing
// the marked query and view_query_tree of the expanded one).
struct StoredQuery {
  QueryText text;
  nlohmann::json tree;
};
StoredQuery stored_view_query(const json& select_stmt, const ExprContext& ctx,
                              const std::vector<std::string>& column_names = {});

}  // namespace driftguard::norm
