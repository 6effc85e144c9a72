#include "cli/drift_sql.hpp"

#include <map>
#include <set>

namespace driftguard {

namespace {

using namespace model;

bool hand_written(const Index& i) { return i.has_expressions() || !i.predicate().empty() || !i.options().empty(); }

// The expected model with every object the script must not touch taken as the actual side has it.
SchemaModel aligned_target(const SchemaModel& expected, const SchemaModel& actual, const std::vector<diff::DriftItem>& items,
                           const diff::Options& opts) {
  SchemaModel target = expected;
  std::set<std::string> drifted;
  for (const auto& i : items) drifted.insert(i.path);
  auto skip = [&](const std::string& path) { return diff::ignored(path, opts.ignore); };
  bool prisma = opts.prisma == diff::Side::expected;
  // Extensions: Prisma's `extensions = [...]` is optional; without it, the database's are not Prisma's business.
  if (prisma && expected.extensions.empty()) target.extensions = actual.extensions;
  for (const auto& [n, e] : actual.extensions) {
    if (skip(n)) target.extensions[n] = e;
  }
  for (const auto& [n, e] : expected.extensions) {
    if (skip(n) && !actual.extensions.count(n)) target.extensions.erase(n);
  }
  for (const auto& [sn, as] : actual.schemas) {
    Schema* ts = target.schema(sn);
    if (!ts) {
      // A schema only the database has: Prisma cannot express it unless it names it; an ignored one stays.
      if (prisma || skip(sn)) target.schemas[sn] = as;
      continue;
    }
    const std::string& schema_name = sn;  // lambdas cannot capture structured bindings in C++17 (clang 14 refuses)
    auto keep_map = [&](auto& tm, const auto& am, bool inexpressible) {
      for (const auto& [n, x] : am) {
        std::string path = schema_name + "." + n;
        if (skip(path) || (prisma && inexpressible && !tm.count(n))) tm[n] = x;
      }
      for (auto it = tm.begin(); it != tm.end();) {
        if (skip(schema_name + "." + it->first) && !am.count(it->first)) {
          it = tm.erase(it);
        } else {
          ++it;
        }
      }
    };
    keep_map(ts->functions, as.functions, true);
    keep_map(ts->sequences, as.sequences, true);
    keep_map(ts->types, as.types, false);
    keep_map(ts->views, as.views, true);
    keep_map(ts->tables, as.tables, false);
    for (auto& [n, t] : ts->types) {
      auto it = as.types.find(n);
      if (prisma && it != as.types.end() && t.kind != "enum") t = it->second;
    }
    for (auto& [n, v] : ts->views) {
      // A schema.prisma view has no definition: only its existence is expected.
      auto it = as.views.find(n);
      if (it != as.views.end() && (v.definition.empty() || (prisma && !drifted.count(sn + "." + n)))) v = it->second;
    }
    for (auto&& [tn, t] : ts->tables.editing()) {
      auto it = as.tables.find(tn);
      if (it == as.tables.end()) continue;
      const Table& a = it->second;
      std::string path = sn + "." + tn;
      for (auto& c : t.columns) {
        const Column* ac = a.column(c.name);
        if (ac && !drifted.count(path + "." + c.name)) c = *ac;
      }
      for (const auto& ac : a.columns) {
        if (!t.column(ac.name) && skip(path + "." + ac.name)) t.columns.push_back(ac);
      }
      std::erase_if(t.columns, [&](const Column& c) { return !a.column(c.name) && skip(path + "." + c.name); });
      if (!prisma) continue;
      // What schema.prisma cannot express stays as the database has it.
      t.policies = a.policies;
      t.triggers = a.triggers;
      t.rls_enabled = a.rls_enabled;
      t.rls_forced = a.rls_forced;
      t.options = a.options;
      t.partition_by = a.partition_by;
      t.parent_schema = a.parent_schema;
      t.parent_table = a.parent_table;
      t.partition_bound = a.partition_bound;
      t.inherits = a.inherits;
      std::erase_if(t.constraints, [](const Constraint& c) {
        return c.kind == ConstraintKind::check || c.kind == ConstraintKind::exclusion;
      });
      for (const auto& c : a.constraints) {
        if (c.kind == ConstraintKind::check || c.kind == ConstraintKind::exclusion) t.constraints.push_back(c);
      }
      for (const auto& i : a.indexes) {
        if (hand_written(i) && !t.index(i.name)) t.indexes.push_back(i);
      }
    }
  }
  // Comments are not compared when a side is schema.prisma (Prisma writes none): the script leaves them as they
  // are. commentable() walks a const model; the comments written here are target's own.
  if (opts.prisma != diff::Side::none) {
    // A column's comment and privileges live in a part its copies share (model.hpp, Column::edit), and tables and
    // functions are shared by copies of the model (ObjectMap): each table, column and function of target takes
    // its own first, so the writes below change target's objects only.
    for (auto& [sk, sc] : target.schemas) {
      for (auto&& [tk, t] : sc.tables.editing()) {
        for (auto& c : t.columns) c.edit();
      }
      sc.functions.own_all();
    }
    std::map<std::string, Comment> kept;
    for (const auto& c : commentable(actual)) kept[c.target] = *c.comment;
    for (const auto& c : commentable(target)) {
      auto it = kept.find(c.target);
      *const_cast<Comment*>(c.comment) = it == kept.end() ? Comment{} : it->second;
    }
    // Nor privileges (Prisma has no grants): objects keep theirs, new ones what the database gives them.
    std::map<std::string, Grants> held;
    for (const auto& g : grantable(actual)) held[g.target] = *g.grants;
    for (const auto& g : grantable(target)) {
      auto it = held.find(g.target);
      *const_cast<Grants*>(g.grants) = it == held.end() ? initial_grants(actual, g.kind, g.schema) : it->second;
    }
    target.default_grants = actual.default_grants;
  }
  return target;
}

}  // namespace

DriftScript drift_script(const SchemaModel& expected, const SchemaModel& actual, const std::vector<diff::DriftItem>& items,
                         const diff::Options& opts, bool allow_destructive, const std::string& expected_label,
                         const std::string& actual_label, bool reverse) {
  DriftScript d;
  d.options.lock_safe = true;
  d.options.concurrently = true;
  d.options.comment_destructive = !allow_destructive;
  d.options.reason = "drift --format sql";
  // The script starts from one side and reaches the other wherever the differ finds drift; reversed, the sides
  // swap, and so does the one schema.prisma is (what it cannot express is kept as the side it starts from has it).
  const SchemaModel& from = reverse ? expected : actual;
  const SchemaModel& to = reverse ? actual : expected;
  diff::Options aligned = opts;
  if (reverse) {
    aligned.prisma = opts.prisma == diff::Side::expected ? diff::Side::actual
                     : opts.prisma == diff::Side::actual ? diff::Side::expected
                                                        : diff::Side::none;
  }
  SchemaModel target = aligned_target(to, from, items, aligned);
  d.script = script_between(from, target, d.options);
  std::vector<std::string> header = {
      "driftguard drift --format sql" + std::string(reverse ? " --reverse" : "") + ": turns " +
          (reverse ? expected_label : actual_label) + " into " + (reverse ? actual_label : expected_label) + ".",
      "Run it with psql -f (statement by statement: CREATE INDEX CONCURRENTLY cannot run in a transaction block).",
  };
  int destructive = 0;
  for (const auto& st : d.script.statements) destructive += st.destructive ? 1 : 0;
  if (destructive > 0 && !allow_destructive) {
    header.push_back("WARNING: " + std::to_string(destructive) + " destructive statement" + (destructive == 1 ? " is" : "s are") +
                     " commented out (data would be lost); review them, then run again with --allow-destructive.");
  }
  for (const auto& i : d.script.incomplete) header.push_back("NOT DONE: " + i);
  d.sql = d.script.text(d.options, header);
  return d;
}

}  // namespace driftguard
