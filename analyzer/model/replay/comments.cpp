// COMMENT ON: PostgreSQL's comment.c. A comment changes nothing the model holds, but PostgreSQL refuses one on a
// relation or column that does not exist; the replay does too where it knows every relation (knows_all_of).
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

void Replayer::Impl::comment_on(const json& b) {
  std::string type = str(b, "objtype");
  bool column = type == "OBJECT_COLUMN";
  if (!column && type != "OBJECT_TABLE" && type != "OBJECT_VIEW" && type != "OBJECT_MATVIEW") return;
  std::vector<std::string> parts = strings(field(field(field(b, "object"), "List"), "items"));
  std::string col = column && !parts.empty() ? nm(parts.back()) : "";
  if (column && !parts.empty()) parts.pop_back();
  if (parts.empty()) return;
  for (auto& p : parts) p = nm(p);
  auto [s, n] = resolve_relation(parts);
  const Schema* sc = m.schema(s);
  bool known = parts.size() >= 2 ? knows_all_of(s) : knows_all_unqualified(n);
  if (!sc || relation_kind(*sc, n).empty()) {
    if (known) fail("relation " + dq(join(parts, ".")) + " does not exist");
    return;
  }
  const Table* t = m.table(s, n);
  if (column && t && !t->opaque && !t->column(col)) {
    fail("column " + dq(col) + " of relation " + dq(n) + " does not exist");
  }
}

}  // namespace driftguard::model
