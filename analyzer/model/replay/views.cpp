// CREATE [OR REPLACE] VIEW and the stored text of a view's query: PostgreSQL's view.c.
#include "analyzer/model/replay/replayer_impl.hpp"

#include <regex>

#include "analyzer/pgquery.hpp"

namespace driftguard::model {

// The text of the query of CREATE VIEW / CREATE MATERIALIZED VIEW: what follows the first top-level AS.
std::string Replayer::Impl::view_query(const json& query_node) {
  if (st && !text.empty() && !st->approximate) {
    std::string_view s = text.substr(st->span.begin, st->span.end - st->span.begin);
    std::size_t p = 0;
    while (p < s.size()) {
      p = lex::skip_trivia(s, p);
      if (p >= s.size()) break;
      if (s[p] == '(') {
        int depth = 0;
        while (p < s.size()) {
          p = lex::skip_trivia(s, p);
          if (p >= s.size()) break;
          if (s[p] == '(') ++depth;
          bool close = s[p] == ')';
          p = lex::skip_token(s, p);
          if (close && --depth == 0) break;
        }
        continue;
      }
      if (lex::keyword_at(s, p, "as")) {
        std::string body(s.substr(p + 2));
        static const std::regex tail(R"(\s+WITH\s+((NO\s+)?DATA|(CASCADED\s+|LOCAL\s+)?CHECK\s+OPTION)\s*$)",
                                     std::regex::icase);
        std::string q1 = norm::query(body);
        if (pg::parse(body).error) q1 = norm::query(std::regex_replace(body, tail, ""));
        return q1;
      }
      p = lex::skip_token(s, p);
    }
  }
  // No reliable text (generated SQL is handled by the same path; this is a DO body with approximate
  // locations): a stable rendering of the tree.
  return norm::expr(query_node);
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
  v.definition = view_query(field(b, "query"));
  v.reads = relations_read(field(b, "query"));
  v.src = ref(rv);
  v.order = kind.empty() ? ++r.order_ : sc.views[n].order;
  sc.views[n] = v;
}

}  // namespace driftguard::model
