// CREATE/ALTER SEQUENCE: PostgreSQL's sequence.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

void Replayer::Impl::sequence_options(Sequence& s, const json& options) {
  for (const auto& o : options) {
    const json& d = field(o, "DefElem");
    std::string name = str(d, "defname");
    if (name == "as") s.type = column_type(field(field(d, "arg"), "TypeName"));
    if (name == "owned_by") {
      auto parts = drop_object_parts(field(d, "arg"));
      if (parts.size() == 1 && parts[0] == "none") {
        s.owned_by.clear();
      } else if (parts.size() >= 2) {
        std::string col = nm(parts.back());
        std::vector<std::string> tparts(parts.begin(), parts.end() - 1);
        auto [ts, tn] = resolve_relation(tparts);
        const Table* t = m.table(ts, tn);
        if (!t) fail("relation " + named(ts, tn) + " does not exist");
        if (!t->column(col) && !t->opaque) fail("column " + dq(col) + " of relation " + named(ts, tn) + " does not exist");
        if (ts != s.schema) fail("sequence must be in the same schema as the table it is linked to");
        s.owned_by = tn + "." + col;
      }
    }
  }
}

void Replayer::Impl::create_sequence(const json& b) {
  const json& rv = field(b, "sequence");
  auto [s, n] = relation_target(rv);
  if (!relation_kind(*m.schema(s), n).empty()) {
    if (flag(b, "if_not_exists")) return;
    check_new_relation(s, n);
  }
  Sequence seq;
  seq.schema = s;
  seq.name = n;
  seq.src = ref(rv);
  sequence_options(seq, field(b, "options"));
  m.schema(s)->sequences[n] = seq;
}

Sequence* Replayer::Impl::find_sequence(const std::vector<std::string>& parts, bool missing_ok) {
  auto [s, n] = resolve_relation(parts);
  Schema* sc = m.schema(s);
  if (sc && sc->sequences.count(n)) return &sc->sequences[n];
  if (missing_ok) return nullptr;
  fail("sequence " + named(s, n) + " does not exist");
}

void Replayer::Impl::alter_sequence(const json& b) {
  Sequence* seq = find_sequence(rangevar_parts(field(b, "sequence")), flag(b, "missing_ok"));
  if (seq) sequence_options(*seq, field(b, "options"));
}

}  // namespace driftguard::model
