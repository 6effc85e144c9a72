// INHERITS (table inheritance, not partitioning): a table's parents, what a child takes from them when it is created
// or joins one (ALTER TABLE ... INHERIT / NO INHERIT), what an ALTER TABLE of a parent does to its children, and the
// children DROP TABLE refuses or cascades to. The model holds what PostgreSQL's catalog holds: a child's columns
// (inherited ones included, as pg_attribute lists them) and its own constraints (conislocal; the check constraints
// it has from its parents stay theirs). PostgreSQL's tablecmds.c (MergeAttributes, ATExecAddInherit,
// ATExecDropInherit, ATExecAddColumn's recursion) and dependency.c.
#include <stdexcept>

#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

// The tables that INHERIT from s.n directly.
std::vector<Table*> Replayer::Impl::inheritors(const std::string& s, const std::string& n) {
  std::vector<Table*> out;
  if (!r.names_.may_have_inheritance(m) && !check_relation_names()) return out;
  for (auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [t_key_, t] : sc.tables) {
      if (contains_pair(t.inherits, {s, n})) out.push_back(&sc.tables.edit(t_key_));  // to change (ObjectMap)
    }
  }
  if (!out.empty() && !r.names_.may_have_inheritance(m)) {
    throw std::logic_error("the replay's inheritance flag is stale: " + named(s, n) + " has children");
  }
  return out;
}

// s.n is t or one of t's ancestors (INHERIT would make a cycle).
bool Replayer::Impl::inherits_from(const Table& t, const std::string& s, const std::string& n, int depth) const {
  if (t.schema == s && t.name == n) return true;
  if (depth > 100) return false;  // a cycle a refused history let in
  for (const auto& [ps, pn] : t.inherits) {
    if (const Table* p = m.table(ps, pn); p && inherits_from(*p, s, n, depth + 1)) return true;
  }
  return false;
}

// A column a child takes from a parent, merged with one it has already (from another parent or declared in the
// child): the types must be the same, NOT NULL adds up. INHERITS copies no identity (the column stays NOT NULL).
void Replayer::Impl::merge_inherited_column(Table& child, const Column& from_parent) {
  if (Column* existing = child.column(from_parent.name)) {
    if (existing->type != from_parent.type && !child.opaque) {
      fail("child table " + dq(child.name) + " has different type for column " + dq(from_parent.name));
    }
    existing->not_null = existing->not_null || from_parent.not_null;
    return;
  }
  Column copy = from_parent;
  copy.src = child.src;
  copy.identity.clear();
  copy.local = false;
  // PostgreSQL does not copy comments to children, nor column privileges
  if (!copy.comment().text.empty() || copy.comment().src.known() || !copy.grants().empty()) {
    copy.edit().comment = {};
    copy.edit().grants = {};
  }
  child.columns.push_back(copy);
}

// A check constraint t has, its own or from an ancestor. The model holds a table's own constraints only (as the
// catalog's conislocal does): the ones a child has from its parents are theirs.
const Constraint* Replayer::Impl::check_of(const Table& t, const std::string& name, int depth) const {
  if (const Constraint* c = t.constraint(name); c && c->kind == ConstraintKind::check) return c;
  if (depth > 100) return nullptr;  // a cycle a refused history let in
  for (const auto& [ps, pn] : parents_of(t)) {
    const Table* p = m.table(ps, pn);
    if (const Constraint* c = p ? check_of(*p, name, depth + 1) : nullptr) return c;
  }
  return nullptr;
}

// Every check constraint t has, its own and its ancestors', by name.
std::map<std::string, Constraint> Replayer::Impl::checks_of(const Table& t, int depth) const {
  std::map<std::string, Constraint> out;
  for (const auto& c : t.constraints) {
    if (c.kind == ConstraintKind::check) out.emplace(c.name, c);
  }
  if (depth > 100) return out;
  for (const auto& [ps, pn] : parents_of(t)) {
    if (const Table* p = m.table(ps, pn)) out.merge(checks_of(*p, depth + 1));
  }
  return out;
}

// t's INHERITS parents and, for a partition, its partitioned table: the tables whose checks t has.
std::vector<std::pair<std::string, std::string>> Replayer::Impl::parents_of(const Table& t) {
  std::vector<std::pair<std::string, std::string>> out = t.inherits;
  if (!t.parent_table.empty()) out.emplace_back(t.parent_schema, t.parent_table);
  return out;
}

// A table leaving a parent (NO INHERIT, DETACH PARTITION): the check constraints it had (`had`) and has no longer
// from another parent become its own (PostgreSQL: conislocal), valid (the copy a child got at CREATE TABLE was
// checked on the new, empty table; one a parent's ADD CONSTRAINT ... NOT VALID gave an existing child stays NOT
// VALID in PostgreSQL; not modeled).
void Replayer::Impl::keep_checks_as_own(Table& child, const std::map<std::string, Constraint>& had) {
  for (const auto& [name, c] : had) {
    if (check_of(child, name, 0)) continue;
    Constraint own = c;
    own.src = stmt_ref();
    own.not_valid = false;
    own.comment = {};
    child.constraints.push_back(own);
  }
}

// What ALTER TABLE ... INHERIT and ATTACH PARTITION need of the table joining a parent, in PostgreSQL's order
// (MergeAttributesIntoExisting, MergeConstraintsIntoExisting): every column of the parent, with its type,
// collation, NOT NULL and generation; every check constraint of the parent, with its expression, and valid if
// the parent's is (measured on PostgreSQL 15: fixtures refused-inherit-*.sql, refused-attach-*.sql).
void Replayer::Impl::merge_into_parent(const Table& child, const Table& parent) {
  if (child.opaque || parent.opaque) return;
  for (const auto& pc : parent.columns) {
    const Column* cc = child.column(pc.name);
    if (!cc) fail("child table is missing column " + dq(pc.name));
    if (cc->type != pc.type) fail("child table " + dq(child.name) + " has different type for column " + dq(pc.name));
    if (cc->collation != pc.collation) {
      fail("child table " + dq(child.name) + " has different collation for column " + dq(pc.name));
    }
    if (pc.not_null && !cc->not_null) fail("column " + dq(pc.name) + " in child table must be marked NOT NULL");
    if (!pc.generated().empty() && cc->generated().empty()) {
      fail("column " + dq(pc.name) + " in child table must be a generated column");
    }
  }
  for (const auto& [name, pc] : checks_of(parent, 0)) {
    const Constraint* cc = check_of(child, name, 0);
    if (!cc) fail("child table is missing constraint " + dq(name));
    if (cc->expression != pc.expression) {
      fail("child table " + dq(child.name) + " has different definition for check constraint " + dq(name));
    }
    if (!pc.not_valid && cc->not_valid) {
      fail("constraint " + dq(name) + " conflicts with NOT VALID constraint on child table " + dq(child.name));
    }
  }
}

// ALTER TABLE child INHERIT parent / NO INHERIT parent. Joining needs what merge_into_parent checks; leaving keeps
// the columns and constraints.
void Replayer::Impl::alter_inherit(Table& child, const json& parent_rangevar, bool add) {
  Table* parent = find_table(parent_rangevar, false);
  std::pair<std::string, std::string> key{parent->schema, parent->name};
  if (!add) {
    if (!contains_pair(child.inherits, key)) {
      fail("relation " + dq(parent->name) + " is not a parent of relation " + dq(child.name));
    }
    // The check constraints it had from that parent only become its own (PostgreSQL: conislocal).
    auto had = checks_of(child, 0);
    std::erase(child.inherits, key);
    // A column no other parent gives it becomes its own (attinhcount 0, attislocal): a later DROP COLUMN of the
    // parent keeps it.
    for (auto& c : child.columns) {
      if (parent->column(c.name) && inherited_count(child, c.name) == 0) c.local = true;
    }
    keep_checks_as_own(child, had);
    return;
  }
  if (!child.parent_table.empty()) fail("cannot change inheritance of a partition");
  if (!child.partition_by.empty()) fail("cannot change inheritance of partitioned table");
  if (!parent->parent_table.empty()) fail("cannot inherit from a partition");
  if (!parent->partition_by.empty()) fail("cannot inherit from partitioned table " + dq(parent->name));
  if (contains_pair(child.inherits, key)) fail("relation " + dq(parent->name) + " would be inherited from more than once");
  if (inherits_from(*parent, child.schema, child.name, 0)) fail("circular inheritance not allowed");
  merge_into_parent(child, *parent);
  child.inherits.push_back(key);
  r.names_.note_inheritance();
}

// After ALTER TABLE parent ADD COLUMN: the new columns reach every descendant (PostgreSQL recurses unless the
// statement says ONLY). A new check constraint reaches them too, as the parent's (nothing to record).
void Replayer::Impl::propagate_columns(const Table& parent, const std::vector<std::string>& new_columns, int depth) {
  if (depth > 100) return;  // a cycle a refused history let in
  for (Table* child : column_children(parent)) {
    for (const auto& name : new_columns) {
      const Column* c = parent.column(name);
      if (!c) continue;
      if (!c->identity.empty()) fail("cannot recursively add identity column to table that has child tables");
      merge_inherited_column(*child, *c);
    }
    propagate_columns(*child, new_columns, depth + 1);
  }
}

// DROP TABLE of a parent: without CASCADE PostgreSQL refuses while a child exists (unless the same statement drops
// the child too); with it the children go as well, and theirs.
void Replayer::Impl::drop_children(const std::string& s, const std::string& n, bool cascade) {
  for (Table* child : inheritors(s, n)) {
    if (!cascade && !dropped_together.count({child->schema, child->name})) {
      fail("cannot drop table " + named(s, n) + " because table " + named(child->schema, child->name) +
           " depends on it (use CASCADE)");
    }
  }
  // By name, not by pointer: dropping one child drops its own children, which may be later children of this
  // parent too (a table inheriting from the parent and from its child).
  std::vector<std::pair<std::string, std::string>> children;
  for (const Table* child : inheritors(s, n)) children.emplace_back(child->schema, child->name);
  for (const auto& [cs, cn] : children) {
    Table* child = m.table(cs, cn);
    if (!child) continue;  // dropped with an earlier child
    std::erase(child->inherits, std::pair<std::string, std::string>{s, n});  // no cycle can bring it back
    if (dropped_together.count({cs, cn})) continue;  // the statement drops it next
    drop_relation("OBJECT_TABLE", {cs, cn}, true, true);
  }
}

// How many of t's parents have the column (pg_attribute.attinhcount); a partition's parent counts.
int Replayer::Impl::inherited_count(const Table& t, const std::string& column) const {
  int n = 0;
  if (!t.parent_table.empty()) {
    if (const Table* p = m.table(t.parent_schema, t.parent_table); p && p->column(column)) ++n;
  }
  for (const auto& [ps, pn] : t.inherits) {
    if (const Table* p = m.table(ps, pn); p && p->column(column)) ++n;
  }
  return n;
}

// A partitioned table's partitions have its columns as INHERITS children do (pg_inherits holds both): its column
// commands recurse to them (measured on PostgreSQL 15, fixture partition-column-commands.sql).
std::vector<Table*> Replayer::Impl::column_children(const Table& t) {
  std::vector<Table*> out = inheritors(t.schema, t.name);
  if (t.partition_by.empty()) return out;
  for (auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [p_key_, p] : sc.tables) {
      if (p.parent_schema == t.schema && p.parent_table == t.name && !(p.schema == t.schema && p.name == t.name)) {
        out.push_back(&sc.tables.edit(p_key_));  // to change (ObjectMap)
      }
    }
  }
  return out;
}

// Is the column one of the partition key's (a key column, or read by a key expression)?
bool Replayer::Impl::in_partition_key(const Table& t, const std::string& column) {
  return !t.partition_by.empty() && norm::mentions_identifier(t.partition_by, column);
}

// Every table that inherits from t (or is a partition of it), directly or not, each once (a diamond reaches a table twice), nearer first.
std::vector<Table*> Replayer::Impl::descendants(const Table& t) {
  std::vector<Table*> out;
  std::set<std::pair<std::string, std::string>> seen{{t.schema, t.name}};
  for (std::size_t i = 0; i <= out.size(); ++i) {
    const Table& from = i == 0 ? t : *out[i - 1];
    for (Table* child : column_children(from)) {
      if (seen.insert({child->schema, child->name}).second) out.push_back(child);
    }
  }
  return out;
}

// ALTER COLUMN TYPE, SET/DROP DEFAULT and SET/DROP NOT NULL of a parent's column reach every descendant (the
// children have the column), unless the statement says ONLY (ATSimpleRecursion, ATPrepAlterColumnType). Defaults
// too: measured on PostgreSQL 15, SET DEFAULT on a parent sets the children's (fixture inherit-alter-column.sql).
void Replayer::Impl::recurse_to_children(Table& t, const json& cmd) {
  if (alter_recursing || !alter_recurse) return;
  alter_recursing = true;
  std::string column = nm(str(cmd, "name"));
  try {
    for (Table* d : descendants(t)) {
      // A column the same statement adds reaches the children after its commands, as the parent has it then.
      if (d->column(column)) alter_table_cmd(*d, cmd);
    }
  } catch (const Failure&) {
    alter_recursing = false;
    throw;
  }
  alter_recursing = false;
}

// DROP COLUMN of a parent, before the parent's own column goes (ATExecDropColumn): a child's column that only this
// parent gives it goes too (and its children's, the same way); one the child declared itself or has from another
// parent stays. With ONLY, every child's column stays and becomes the child's own. A partition's columns are
// never its own (attislocal is false even for the ones PARTITION OF or ATTACH named): they go, and ONLY is refused.
void Replayer::Impl::drop_inherited_column(Table& parent, const std::string& column, bool cascade) {
  if (!parent.column(column)) return;
  std::vector<std::pair<std::string, std::string>> children;  // by name: a drop may cascade to another child
  for (const Table* child : column_children(parent)) children.emplace_back(child->schema, child->name);
  for (const auto& [cs, cn] : children) {
    Table* child = m.table(cs, cn);
    Column* cc = child ? child->column(column) : nullptr;
    if (!cc) continue;
    bool partition = child->parent_schema == parent.schema && child->parent_table == parent.name;
    if (!alter_recurse && partition) fail("cannot drop column from only the partitioned table when partitions exist");
    if (!alter_recurse) {
      cc->local = true;
    } else if (partition || (!cc->local && inherited_count(*child, column) == 1)) {
      bool was = alter_recursing;
      alter_recursing = true;
      try {
        drop_inherited_column(*child, column, cascade);
        drop_column(*child, column, false, cascade);
      } catch (const Failure&) {
        alter_recursing = was;
        throw;
      }
      alter_recursing = was;
    }
  }
}

// RENAME COLUMN: a column a parent gives the table cannot be renamed there; on a parent, the column is renamed in
// every descendant as well, which ONLY cannot skip, and a descendant that has it from a parent outside the renamed
// tables too refuses (renameatt_internal's expected_parents).
void Replayer::Impl::rename_inherited_column(Table& t, const std::string& from, const std::string& to, bool recurse) {
  if (t.column(from) && inherited_count(t, from) > 0) fail("cannot rename inherited column " + dq(from));
  std::vector<Table*> below = descendants(t);
  if (!below.empty() && t.column(from)) {
    if (!recurse) fail("inherited column " + dq(from) + " must be renamed in child tables too");
    std::set<std::pair<std::string, std::string>> renamed{{t.schema, t.name}};
    for (const Table* d : below) renamed.insert({d->schema, d->name});
    for (const Table* d : below) {
      int expected = renamed.count({d->parent_schema, d->parent_table}) ? 1 : 0;  // a partition's table
      for (const auto& p : d->inherits) expected += renamed.count(p) ? 1 : 0;
      if (inherited_count(*d, from) > expected) fail("cannot rename inherited column " + dq(from));
      if (d->column(to)) fail("column " + dq(to) + " of relation " + named(d->schema, d->name) + " already exists");
    }
  }
  rename_column(t, from, to);
  requery_views(t.schema, t.name, from, to, true);
  for (Table* d : below) {
    rename_column(*d, from, to);
    requery_views(d->schema, d->name, from, to, true);
  }
}

}  // namespace driftguard::model
