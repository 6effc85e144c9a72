// CREATE [OR REPLACE] VIEW and the stored form of a view's query: PostgreSQL's view.c and its ruleutils.c.
#include "analyzer/model/replay/replayer_impl.hpp"
#include "analyzer/model/stored_query.hpp"

namespace driftguard::model {

namespace {
// The query as printed, its loose form and its output columns, kept in the view.
void keep_query(View& v, norm::QueryText q) {
  v.definition = std::move(q.text);
  v.loose = std::move(q.loose);
  v.resolved = q.resolved;
  v.columns.clear();
  for (auto& qc : q.columns) v.columns.emplace_back(std::move(qc.name), std::move(qc.type));
}

bool has_query(const View& v) { return v.query && !v.query->tree.is_null(); }

// The stored query, renamed (`renamed`: a changed copy of the tree, which copies of the model share), printed
// again under the view's own column names.
void print_again(View& v, nlohmann::json renamed, norm::ExprContext c) {
  auto q = std::make_shared<View::Query>(View::Query{std::move(renamed), v.query->text});
  std::vector<std::string> names;
  for (const auto& [cn, ct_] : v.columns) names.push_back(cn);
  c.text = q->text;
  c.base = 0;
  v.query = std::move(q);
  keep_query(v, norm::view_query_tree(pg::from_nlohmann(v.query->tree), c, names));
}
}  // namespace

// The query of CREATE VIEW / CREATE MATERIALIZED VIEW as PostgreSQL stores it, resolved against the model's
// relations (norm::stored_view_query); `names`: the view's column list.
void Replayer::Impl::set_view_query(View& v, const json& query_node, const std::vector<std::string>& names) {
  std::vector<std::string> cols;
  for (const auto& n : names) cols.push_back(nm(n));
  refuse_missing_relations(query_node);
  norm::ExprContext c = ectx();
  std::size_t end = st && st->span.end > c.base ? st->span.end : c.text.size();
  auto stored = std::make_shared<View::Query>();
  stored->text = c.text.size() >= end && end >= c.base ? std::string(c.text.substr(c.base, end - c.base)) : std::string();
  // Printed and its `*` expanded in one go: the query printed with its stars marked is also its canonical text.
  norm::StoredQuery printed = norm::stored_view_query(query_node, c, cols);
  norm::QueryText& q = printed.text;
  // A column no relation of the query has, where the model holds every column of every relation it reads.
  if (!q.missing_column.empty()) {
    bool all_known = true;
    for (const auto& parts : relations_named(query_node)) all_known = all_known && knows_all_of(resolve_relation(parts).first);
    if (all_known) fail("column " + dq(q.missing_column) + " does not exist");
  }
  // A view's columns are a relation's: each name once (PostgreSQL's "specified more than once").
  std::set<std::string> seen;
  for (const auto& qc : q.columns) {
    if (q.resolved && !seen.insert(qc.name).second) fail("column " + dq(qc.name) + " specified more than once");
  }
  // What is printed again later (renames) is the query with its `*` expanded now, as PostgreSQL stores it.
  stored->tree = std::move(printed.tree);
  v.query = std::move(stored);
  keep_query(v, std::move(q));
}

// After a rename of a table or view (s.from -> to) or of one of its columns (column: from -> to): the views that
// read it name it anew in their stored query, and print it again under their own column names (as PostgreSQL's
// ruleutils prints a query that holds relations and columns by number).
void Replayer::Impl::requery_views(const std::string& s, const std::string& rel, const std::string& from,
                                   const std::string& to, bool column) {
  for (auto& [sc_key_, sc] : m.schemas) {
    for (auto& [v_key_, v] : sc.views) {
      if (!has_query(v) || !contains_pair(v.reads, {s, rel})) continue;
      nlohmann::json query = v.query->tree;
      std::set<std::string> qualifiers;  // how the query names the relation: its aliases, else its name
      bool others_have_it = false;       // another relation of the query has a column of that name
      each_node(query, "RangeVar", [&](nlohmann::json& x) {
        auto parts = rangevar_parts(x);
        std::string written = parts.empty() ? "" : nm(parts.back());
        bool match = (written == (column ? rel : from)) &&
                     (parts.size() < 2 ? resolve_relation({written}).first == s || !column : parts[parts.size() - 2] == s);
        std::string alias = str(field(x, "alias"), "aliasname");
        if (match) {
          qualifiers.insert(alias.empty() ? written : alias);
          if (!column) x["relname"] = to;
        } else if (column) {
          auto [os, on] = resolve_relation(parts);
          const Table* ot = m.table(os, on);
          others_have_it = others_have_it || !ot || ot->opaque || ot->column(from);
        }
      });
      // Is this a reference to the renamed column (not a `*`)?
      auto renamed_column = [&](const nlohmann::json& ref) {
        const nlohmann::json& fields = field(ref, "fields");
        auto names = strings(fields);
        if (!column || !fields.is_array() || names.size() != fields.size() || names.empty()) return false;
        std::size_t n = names.size();
        return names[n - 1] == from && (n == 1 ? !others_have_it : qualifiers.count(names[n - 2]) > 0);
      };
      // An output column keeps the name it was created with (a WITH query's, a sub-select's): AS the old name.
      each_node(query, "ResTarget", [&](nlohmann::json& x) {
        if (str(x, "name").empty() && renamed_column(field(field(x, "val"), "ColumnRef"))) x["name"] = from;
      });
      each_node(query, "ColumnRef", [&](nlohmann::json& x) {
        nlohmann::json& fields = x["fields"];
        auto names = strings(fields);
        if (renamed_column(x)) fields[names.size() - 1]["String"]["sval"] = to;
        std::size_t n = names.size();
        if (!column && n >= 2 && n == fields.size() && names[n - 2] == from && qualifiers.count(from)) {
          fields[n - 2]["String"]["sval"] = to;
        }
      });
      print_again(v, std::move(query), ectx());
    }
  }
}

// PostgreSQL holds what a view reads by oid and prints the schema's new name; the stored query (with the old one
// where it was written) is renamed and printed again.
void Replayer::Impl::requery_views_in_schema(const std::string& from, const std::string& to) {
  for (auto& [sc_key_, sc] : m.schemas) {
    for (auto& [v_key_, v] : sc.views) {
      bool reads_it = std::any_of(v.reads.begin(), v.reads.end(), [&](const auto& read) { return read.first == to; });
      if (!has_query(v) || !reads_it) continue;
      nlohmann::json query = v.query->tree;
      each_node(query, "RangeVar", [&](nlohmann::json& x) {
        if (nm(str(x, "schemaname")) == from) x["schemaname"] = to;
      });
      each_node(query, "ColumnRef", [&](nlohmann::json& x) {
        nlohmann::json& fields = x["fields"];
        auto names = strings(fields);
        if (names.size() >= 3 && names.size() == fields.size() && names[names.size() - 3] == from) {
          fields[names.size() - 3]["String"]["sval"] = to;
        }
      });
      print_again(v, std::move(query), ectx());
    }
  }
}

// Does the view's query use this column of a table it reads (by name, qualified with the table's name or alias,
// or through a `*`)? PostgreSQL records that dependency: DROP COLUMN ... CASCADE drops the view.
bool Replayer::Impl::view_reads_column(const View& v, const Table& t, const std::string& column) {
  if (!contains_pair(v.reads, {t.schema, t.name})) return false;
  if (!has_query(v)) return norm::mentions_identifier(v.definition, column);
  std::set<std::string> qualifiers;
  each_node(v.query->tree, "RangeVar", [&](const nlohmann::json& x) {
    auto parts = rangevar_parts(x);
    if (parts.empty() || nm(parts.back()) != t.name) return;
    std::string alias = str(field(x, "alias"), "aliasname");
    qualifiers.insert(alias.empty() ? t.name : alias);
  });
  bool uses = false;
  each_node(v.query->tree, "ColumnRef", [&](const nlohmann::json& x) {
    const nlohmann::json& fields = field(x, "fields");
    auto names = strings(fields);
    bool star = fields.is_array() && names.size() < fields.size();
    if (star && (names.empty() || qualifiers.count(names.back()))) uses = true;
    if (!star && !names.empty() && names.back() == column && (names.size() == 1 || qualifiers.count(names[names.size() - 2]))) uses = true;
  });
  return uses;
}

// A relation the query reads that does not exist, where the model holds every relation there (knows_all_of).
void Replayer::Impl::refuse_missing_relations(const json& query) {
  for (auto parts : relations_named(query)) {
    for (auto& p : parts) p = nm(p);
    auto [s, n] = resolve_relation(parts);
    const Schema* sc = m.schema(s);
    if (sc && !relation_kind(*sc, n).empty()) continue;
    if (parts.size() >= 2 ? sc && knows_all_of(s) : knows_all_unqualified(n)) {
      fail("relation " + dq(join(parts, ".")) + " does not exist");
    }
  }
}

void Replayer::Impl::create_view(const json& b) {
  const json& rv = field(b, "view");
  auto [s, n] = relation_target(rv);
  Schema& sc = *m.schema(s);
  std::string kind = relation_kind(sc, n);
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
  // CREATE OR REPLACE keeps the view, and its comment and privileges
  if (!kind.empty()) v.comment = sc.views[n].comment;
  v.grants = kind.empty() ? created_grants('r', s) : sc.views[n].grants;
  sc.views[n] = v;
}

}  // namespace driftguard::model
