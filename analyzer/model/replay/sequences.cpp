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
  seq.grants = created_grants('S', s);
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

// Column defaults hold the sequences they call by oid (nextval('s'::regclass)): dropping a sequence, or the table,
// column or schema that takes it along, refuses while a column that is not dropped with it has such a default
// ("default value for column z of table b depends on sequence a_k_seq"), and CASCADE drops that default
// (PostgreSQL's dependency.c). `going` says which columns the statement drops anyway (their defaults go with them).
void Replayer::Impl::drop_sequence_defaults(const std::string& s, const std::string& n, bool cascade,
                                            const std::string& what, const GoingColumn& going) {
  std::string lit;  // the regclass text as a literal: single quotes doubled
  for (char ch : q(s, n)) lit += ch == '\'' ? std::string("''") : std::string(1, ch);
  lit = "'" + lit + "'::regclass";
  std::vector<std::pair<Table*, Column*>> users;
  for (auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [t_key_, t] : sc.tables) {
      if (dropped_together.count({t.schema, t.name})) continue;
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const Column& c = t.columns[i];
        if (c.default_expr.find(lit) == std::string::npos || going(t, c)) continue;
        Table& own = sc.tables.edit(t_key_);  // to change (ObjectMap): `t` may be shared
        users.emplace_back(&own, &own.columns[i]);
      }
    }
  }
  if (users.empty()) return;
  if (!cascade) {
    fail("cannot drop " + what + " because the default value for column " + dq(users.front().second->name) +
         " of table " + named(users.front().first->schema, users.front().first->name) + " depends on sequence " +
         named(s, n) + " (use CASCADE)");
  }
  for (auto& [t, c] : users) c->default_expr.clear();
}

// The same for every sequence a table's columns own (serial), or one column's (`column` not empty).
void Replayer::Impl::drop_owned_sequence_defaults(const Table& t, const std::string& column, bool cascade,
                                                  const std::string& what) {
  const Schema* sc = m.schema(t.schema);
  if (!sc) return;
  for (const auto& [qn, seq] : sc->sequences) {
    if (column.empty() ? seq.owned_by.rfind(t.name + ".", 0) != 0 : seq.owned_by != t.name + "." + column) continue;
    drop_sequence_defaults(t.schema, qn, cascade, what, [&](const Table& ut, const Column& uc) {
      return &ut == &t && (column.empty() || uc.name == column);
    });
  }
}

}  // namespace driftguard::model
