// CREATE TRIGGER: PostgreSQL's trigger.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

// A trigger's function is looked up with no arguments (PostgreSQL's CreateTrigger); missing, the statement fails.
// pg_catalog's own trigger functions and functions the model may not hold (knows_all_of) are never missing.
void Replayer::Impl::refuse_missing_trigger_function(const std::vector<std::string>& parts) {
  static const std::set<std::string> builtin = {"suppress_redundant_updates_trigger", "tsvector_update_trigger",
                                                "tsvector_update_trigger_column"};
  if (parts.empty()) return;
  std::string n = nm(parts.back());
  bool qualified = parts.size() >= 2;
  if (qualified ? parts[parts.size() - 2] == "pg_catalog" : builtin.count(n) > 0) return;
  std::vector<std::string> schemas = qualified ? std::vector<std::string>{parts[parts.size() - 2]} : search_path;
  for (const auto& s : schemas) {
    const Schema* sc = m.schema(s);
    if (sc && sc->functions.count(q(s, n) + "()")) return;
    if (sc && !knows_all_of(s)) return;
  }
  if (qualified && !m.schema(parts[parts.size() - 2])) return;
  if (!qualified && !knows_all_unqualified(n)) return;
  fail("function " + (qualified ? parts[parts.size() - 2] + "." : std::string()) + n + "() does not exist");
}

namespace {

// A BEFORE row trigger runs before the generated columns are computed: its WHEN may not read NEW.<generated
// column>, nor NEW as a whole row of a table that has one (PostgreSQL's CreateTrigger).
bool reads_new_generated(const Table& t, const json& when) {
  bool has_generated = std::any_of(t.columns.begin(), t.columns.end(), [](const Column& c) { return !c.generated().empty(); });
  bool found = false;
  if (!has_generated) return false;
  each_node(when, "ColumnRef", [&](const json& v) {
    const json& fields = field(v, "fields");
    auto names = strings(fields);
    bool whole_row = fields.is_array() && fields.size() == 2 && names.size() == 1;  // NEW.*
    const Column* c = names.size() == 2 ? t.column(names[1]) : nullptr;
    found = found || (!names.empty() && names[0] == "new" && (whole_row || (c && !c->generated().empty())));
  });
  return found;
}

}  // namespace

void Replayer::Impl::create_trigger(const json& b) {
  auto [s, n] = resolve_relation(rangevar_parts(field(b, "relation")));
  Table* t = m.table(s, n);
  if (!t) {
    const Schema* sc = m.schema(s);
    if (sc && sc->views.count(n)) {
      skip("CREATE TRIGGER on a view", false);
      return;
    }
    fail("relation " + named(s, n) + " does not exist");
  }
  Trigger g;
  g.name = nm(str(b, "trigname"));
  g.src = stmt_ref();
  long timing = num(b, "timing", 0);
  g.timing = timing & 2 ? "BEFORE" : timing & 64 ? "INSTEAD OF" : "AFTER";
  long ev = num(b, "events", 0);
  if (ev & 4) g.events.push_back("INSERT");
  if (ev & 8) g.events.push_back("DELETE");
  if (ev & 16) {
    std::vector<std::string> cols;
    for (const auto& c : strings(field(b, "columns"))) {
      if (!t->column(nm(c)) && !t->opaque) fail("column " + dq(nm(c)) + " of relation " + dq(t->name) + " does not exist");
      cols.push_back(norm::ident(c));
    }
    g.events.push_back(cols.empty() ? "UPDATE" : "UPDATE OF " + join(cols, ", "));
  }
  if (ev & 32) g.events.push_back("TRUNCATE");
  g.for_each_row = flag(b, "row");
  g.constraint = flag(b, "isconstraint");
  g.deferrable = flag(b, "deferrable");
  g.initially_deferred = flag(b, "initdeferred");
  auto fparts = strings(field(b, "funcname"));
  refuse_missing_trigger_function(fparts);
  std::vector<std::string> fargs;
  for (const auto& a : strings(field(b, "args"))) {
    std::string lit = "'";
    for (char c : a) lit += c == '\'' ? std::string("''") : std::string(1, c);
    fargs.push_back(lit + "'");
  }
  g.function = (fparts.size() >= 2 ? q(fparts[fparts.size() - 2], fparts.back()) : norm::ident(fparts.empty() ? "" : fparts.back())) +
               "(" + join(fargs, ", ") + ")";
  if (const json& w = field(b, "whenClause"); !w.is_null()) {
    if (g.timing == "BEFORE" && g.for_each_row && reads_new_generated(*t, w)) {
      fail("BEFORE trigger's WHEN condition cannot reference NEW generated columns");
    }
    g.when = norm::expr(w, ectx(t));
  }
  if (Trigger* existing = t->trigger(g.name)) {
    if (!flag(b, "replace")) fail("trigger " + dq(g.name) + " for relation " + named(s, n) + " already exists");
    g.comment = existing->comment;  // CREATE OR REPLACE keeps the trigger, and its comment
    *existing = g;
    return;
  }
  t->triggers.push_back(g);
}

}  // namespace driftguard::model
