#include "introspect/diff.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "analyzer/model/normalize.hpp"
#include "analyzer/text_util.hpp"
#include "introspect/prisma/equivalence.hpp"

namespace driftguard::diff {

using namespace model;

namespace {

// Does a glob (*, ? within one dot-separated name) match the whole text?
bool glob(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') {
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (glob(p.substr(1), s.substr(i))) return true;
      if (i < s.size() && s[i] == '.') break;
    }
    return false;
  }
  if (s.empty()) return false;
  if ((p[0] == '?' && s[0] != '.') || p[0] == s[0]) return glob(p.substr(1), s.substr(1));
  return false;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '.') {
      parts.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (i > from ? "." : "") + parts[i];
  return out;
}

Severity severity_of(const std::string& kind, bool unmanaged) {
  if (unmanaged) return Severity::info;
  static const std::set<std::string> errors = {
      "missing-table", "missing-column", "column-type", "nullability",   "primary-key",   "missing-enum",
      "enum-values",   "missing-schema", "missing-extension", "missing-constraint", "foreign-key-action",
      "constraint-definition", "missing-type", "identity", "generated"};
  static const std::set<std::string> infos = {"index-kind", "enum-order", "comment"};
  if (errors.count(kind)) return Severity::error;
  if (infos.count(kind)) return Severity::info;
  return Severity::warning;
}

// Where a column's nullability comes from: the SET/DROP NOT NULL that last changed it, else its declaration.
const SourceRef& nullability_src(const Column& c) { return c.not_null_src().known() ? c.not_null_src() : c.src; }

std::string column_def(const Column& c) {
  std::string out = c.type;
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (!c.identity.empty()) out += " GENERATED " + c.identity + " AS IDENTITY";
  if (!c.generated().empty()) out += " GENERATED ALWAYS AS (" + c.generated() + ") STORED";
  if (!c.default_expr.empty()) out += " DEFAULT " + c.default_expr;
  if (c.not_null) out += " NOT NULL";
  return out;
}

// An index, or a unique constraint seen as the index that enforces it.
struct IndexView {
  Index index;
  bool from_constraint = false;
};

// An object's comment: a member, or read through an accessor where it is out of line (model.hpp, Shared).
template <typename T>
const Comment& comment_of(const T& o) {
  return o.comment;
}
const Comment& comment_of(const Column& c) { return c.comment(); }
const Comment& comment_of(const Index& i) { return i.comment(); }

// Does any object of the model carry a comment? (Every object that can, a superset of commentable()'s.)
bool any_comment(const SchemaModel& m) {
  auto has = [](const auto& objects) {
    return std::any_of(objects.begin(), objects.end(), [](const auto& o) { return !comment_of(o).text.empty(); });
  };
  for (const auto& [sn, s] : m.schemas) {
    if (!s.comment.text.empty()) return true;
    for (const auto& [n, t] : s.types) if (!t.comment.text.empty()) return true;
    for (const auto& [n, q] : s.sequences) if (!q.comment.text.empty()) return true;
    for (const auto& [k, f] : s.functions) if (!f.comment.text.empty()) return true;
    for (const auto& [n, t] : s.tables) {
      if (!t.comment.text.empty() || has(t.columns) || has(t.constraints) || has(t.indexes) || has(t.triggers) ||
          has(t.policies)) {
        return true;
      }
    }
    for (const auto& [n, v] : s.views) if (!v.comment.text.empty() || has(v.indexes)) return true;
  }
  return false;
}

std::vector<IndexView> index_views(const Table& t) {
  std::vector<IndexView> out;
  for (const auto& i : t.indexes) out.push_back({i, false});
  for (const auto& c : t.constraints) {
    if (c.kind != ConstraintKind::unique) continue;
    IndexView v;
    v.from_constraint = true;
    v.index.name = c.name;
    v.index.unique = true;
    v.index.nulls_not_distinct = c.nulls_not_distinct;
    for (const auto& col : c.columns) v.index.keys.push_back(IndexKey{norm::ident(col), false, false, "", "", ""});
    v.index.include = c.include;
    v.index.src = c.src;
    out.push_back(std::move(v));
  }
  return out;
}

class Differ {
 public:
  Differ(const SchemaModel& e, const SchemaModel& a, const Options& o) : e_(e), a_(a), o_(o) {}

  std::vector<DriftItem> run() {
    schemas();
    extensions();
    for (const auto& [sn, es] : e_.schemas) {
      const Schema* as = a_.schema(sn);
      if (!as) continue;
      types(sn, es, *as);
      sequences(sn, es, *as);
      tables(sn, es, *as);
      views(sn, es, *as);
      functions(sn, es, *as);
    }
    comments();
    privileges();
    std::erase_if(items_, [&](const DriftItem& i) { return ignored(i.path, o_.ignore); });
    std::stable_sort(items_.begin(), items_.end(), [](const DriftItem& x, const DriftItem& y) {
      return std::tie(x.path, x.kind) < std::tie(y.path, y.kind);
    });
    return std::move(items_);
  }

 private:
  const SchemaModel& e_;
  const SchemaModel& a_;
  const Options& o_;
  std::vector<DriftItem> items_;
  bool prisma_has_extensions() const {
    if (o_.prisma == Side::expected) return !e_.extensions.empty();
    if (o_.prisma == Side::actual) return !a_.extensions.empty();
    return true;
  }

  // Adds an item. `prisma_inexpressible`: the object is of a kind schema.prisma cannot express; the item is
  // unmanaged when the object exists only on the non-Prisma side.
  void add(const std::string& kind, const std::string& path, const std::string& message, Endpoint exp, Endpoint act,
           bool prisma_inexpressible = false) {
    DriftItem i;
    i.kind = kind;
    i.path = path;
    i.message = message;
    bool only_expected = exp.present && !act.present;
    bool only_actual = act.present && !exp.present;
    i.expected = std::move(exp);
    i.actual = std::move(act);
    if (prisma_inexpressible) {
      i.unmanaged = (o_.prisma == Side::expected && only_actual) || (o_.prisma == Side::actual && only_expected) ||
                    (o_.prisma != Side::none && kind.find("missing") == std::string::npos &&
                     kind.find("extra") == std::string::npos);
    }
    i.severity = severity_of(kind, i.unmanaged);
    items_.push_back(std::move(i));
  }
  static Endpoint at(std::string value, const SourceRef& src) { return Endpoint{true, std::move(value), src}; }
  static Endpoint none() { return Endpoint{}; }

  // Maps of objects, or of pointers to them (a selection of a schema's objects, not copied).
  template <typename T>
  static const T& deref(const T& x) {
    return x;
  }
  template <typename T>
  static const T& deref(const T* x) {
    return *x;
  }

  // missing-X / extra-X for two maps keyed by name.
  template <typename Map, typename Describe, typename Same>
  void compare_named(const Map& em, const Map& am, const std::string& what, const std::string& prefix,
                     Describe describe, Same same, bool inexpressible_extra) {
    for (const auto& [n, px] : em) {
      const auto& x = deref(px);
      auto it = am.find(n);
      if (it == am.end()) {
        add("missing-" + what, prefix + n, what + " " + prefix + n + " is missing", at(describe(x), x.src), none(),
            inexpressible_extra);
      } else {
        same(prefix + n, x, deref(it->second));
      }
    }
    for (const auto& [n, px] : am) {
      if (!em.count(n)) {
        const auto& x = deref(px);
        add("extra-" + what, prefix + n, what + " " + prefix + n + " is not expected", none(), at(describe(x), x.src),
            inexpressible_extra);
      }
    }
  }

  void schemas() {
    for (const auto& [n, s] : e_.schemas) {
      if (!a_.schema(n)) add("missing-schema", n, "schema " + n + " is missing", at("schema", s.src), none());
    }
    for (const auto& [n, s] : a_.schemas) {
      if (!e_.schema(n)) {
        add("extra-schema", n, "schema " + n + " is not expected", none(), at("schema", s.src), true);
      }
    }
  }

  void extensions() {
    bool inexpressible = !prisma_has_extensions();
    compare_named(
        e_.extensions, a_.extensions, "extension", "",
        [](const Extension& x) { return x.schema.empty() ? x.name : x.name + " WITH SCHEMA " + x.schema; },
        [](const std::string&, const Extension&, const Extension&) {}, inexpressible);
  }

  void types(const std::string& sn, const Schema& es, const Schema& as) {
    auto describe = [](const Type& t) {
      if (t.kind != "enum") return t.kind + " " + t.definition;
      std::string v = "enum (";
      for (std::size_t i = 0; i < t.values.size(); ++i) v += (i ? ", " : "") + t.values[i];
      return v + ")";
    };
    for (const auto& [n, t] : es.types) {
      auto it = as.types.find(n);
      std::string path = sn + "." + n;
      std::string what = t.kind == "enum" ? "enum" : "type";
      if (it == as.types.end()) {
        add("missing-" + what, path, what + " " + path + " is missing", at(describe(t), t.src), none(), t.kind != "enum");
      } else if (describe(t) != describe(it->second)) {
        bool enums = t.kind == "enum" && it->second.kind == "enum";
        auto sorted = [](std::vector<std::string> v) {
          std::sort(v.begin(), v.end());
          return v;
        };
        // The same labels in another order (ADD VALUE appends; schema.prisma lists them as written): only ORDER BY
        // on the column and comparisons between labels see it.
        bool order_only = enums && sorted(t.values) == sorted(it->second.values);
        add(order_only ? "enum-order" : enums ? "enum-values" : "type-definition", path,
            order_only ? "enum " + path + " has the same values in another order"
            : enums    ? "enum " + path + " has different values"
                       : "type " + path + " is defined differently",
            at(describe(t), t.src), at(describe(it->second), it->second.src), !enums);
      }
    }
    for (const auto& [n, t] : as.types) {
      if (es.types.count(n)) continue;
      std::string path = sn + "." + n;
      std::string what = t.kind == "enum" ? "enum" : "type";
      add("extra-" + what, path, what + " " + path + " is not expected", none(), at(describe(t), t.src), t.kind != "enum");
    }
  }

  void sequences(const std::string& sn, const Schema& es, const Schema& as) {
    // Sequences owned by a column (serial) follow their column: the column's default shows any difference.
    auto free = [](const Schema& s) {
      std::map<std::string, const Sequence*> out;
      for (const auto& [n, q] : s.sequences) {
        if (q.owned_by.empty()) out[n] = &q;
      }
      return out;
    };
    auto ef = free(es);
    auto af = free(as);
    compare_named(
        ef, af, "sequence", sn + ".", [](const Sequence& q) { return "sequence AS " + q.type; },
        [&](const std::string& path, const Sequence& x, const Sequence& y) {
          if (x.type != y.type) {
            add("sequence-definition", path, "sequence " + path + " has a different type", at(x.type, x.src), at(y.type, y.src), true);
          }
        },
        true);
  }

  void tables(const std::string& sn, const Schema& es, const Schema& as) {
    for (const auto& [n, t] : es.tables) {
      auto it = as.tables.find(n);
      std::string path = sn + "." + n;
      if (it == as.tables.end()) {
        add("missing-table", path, "table " + path + " is missing", at("table", t.src), none());
      } else if (&t != &it->second || o_.prisma != Side::none) {
        // One object (two copies of a model share what neither changed, model::ObjectMap: the down check's
        // before and after) agrees with itself; a Prisma side is compared as Prisma sees it (as_prisma_sees).
        table(path, t, it->second);
      }
    }
    for (const auto& [n, t] : as.tables) {
      if (!es.tables.count(n)) add("extra-table", sn + "." + n, "table " + sn + "." + n + " is not expected", none(), at("table", t.src));
    }
  }

  void table(const std::string& path, const Table& e, const Table& a) {
    for (const auto& ec : e.columns) {
      const Column* ac = a.column(ec.name);
      std::string cp = path + "." + ec.name;
      if (!ac) {
        if (!a.opaque) add("missing-column", cp, "column " + cp + " is missing", at(column_def(ec), ec.src), none());
        continue;
      }
      column(cp, ec, *ac);
    }
    for (const auto& ac : a.columns) {
      if (!e.column(ac.name) && !e.opaque) {
        add("extra-column", path + "." + ac.name, "column " + path + "." + ac.name + " is not expected", none(),
            at(column_def(ac), ac.src));
      }
    }
    partitioning(path, e, a);
    storage(path, e, a);
    primary_key(path, e, a);
    constraints(path, e, a);
    indexes(path, e, a);
    rls(path, e, a);
    policies(path, e, a);
    triggers(path, e, a);
  }

  void column(const std::string& cp, const Column& expected, const Column& actual) {
    // Copies only where a side is schema.prisma (as_prisma_sees): the down check diffs whole models per migration.
    if (o_.prisma == Side::none) return compare_columns(cp, expected, actual);
    auto [e, a] = as_prisma_sees(cp, expected, actual);
    compare_columns(cp, e, a);
  }

  void compare_columns(const std::string& cp, const Column& e, const Column& a) {
    if (e.type != a.type) {
      add("column-type", cp, "column " + cp + " has type " + a.type + ", expected " + e.type, at(e.type, e.src), at(a.type, a.src));
    }
    if (e.not_null != a.not_null) {
      add("nullability", cp, "column " + cp + (a.not_null ? " is NOT NULL, expected nullable" : " is nullable, expected NOT NULL"),
          at(e.not_null ? "NOT NULL" : "NULL", nullability_src(e)), at(a.not_null ? "NOT NULL" : "NULL", nullability_src(a)));
    }
    if (e.default_expr != a.default_expr) {
      add("default", cp, "column " + cp + " has a different default", at(e.default_expr.empty() ? "(none)" : e.default_expr, e.src),
          at(a.default_expr.empty() ? "(none)" : a.default_expr, a.src));
    }
    if (e.identity != a.identity) {
      auto v = [](const Column& c) { return c.identity.empty() ? std::string("(none)") : "GENERATED " + c.identity + " AS IDENTITY"; };
      add("identity", cp, "column " + cp + " differs in identity", at(v(e), e.src), at(v(a), a.src));
    }
    if (e.generated() != a.generated()) {
      auto v = [](const Column& c) { return c.generated().empty() ? std::string("(none)") : "GENERATED ALWAYS AS (" + c.generated() + ") STORED"; };
      add("generated", cp, "column " + cp + " differs in its generation expression", at(v(e), e.src), at(v(a), a.src));
    }
    if (e.collation != a.collation) {
      auto v = [](const Column& c) { return c.collation.empty() ? std::string("(default)") : c.collation.str(); };
      add("collation", cp, "column " + cp + " has a different collation", at(v(e), e.src), at(v(a), a.src));
    }
  }

  // The two columns with the schema.prisma side's properties replaced by the other side's wherever Prisma's
  // engine sees no difference (introspect/prisma/equivalence.hpp); unchanged when no side is schema.prisma.
  std::pair<Column, Column> as_prisma_sees(const std::string& cp, const Column& e, const Column& a) const {
    bool any_default = o_.prisma_any_default.count(cp) > 0;
    if (o_.prisma == Side::expected) return {prisma::as_prisma_sees(e, a, any_default), a};
    if (o_.prisma == Side::actual) return {e, prisma::as_prisma_sees(a, e, any_default)};
    return {e, a};
  }

  // Partitioning, INHERITS and storage parameters: schema.prisma expresses none of them.
  void partitioning(const std::string& path, const Table& e, const Table& a) {
    if (e.partition_by != a.partition_by) {
      auto v = [](const Table& t) { return t.partition_by.empty() ? std::string("(not partitioned)") : t.partition_by; };
      add("partition-key", path, "partition key of " + path + " differs", at(v(e), e.src), at(v(a), a.src), true);
    }
    auto of = [](const Table& t) {
      return t.parent_table.empty() ? std::string("(not a partition)")
                                    : "PARTITION OF " + norm::qualified(t.parent_schema, t.parent_table) + " " + t.partition_bound;
    };
    if (of(e) != of(a)) {
      add("partition-bound", path, "partition " + path + " is attached differently", at(of(e), e.src), at(of(a), a.src), true);
    }
    auto parents = [](const Table& t) {
      if (t.inherits.empty()) return std::string("(no parent)");
      std::string out = "INHERITS (";
      for (std::size_t i = 0; i < t.inherits.size(); ++i) {
        out += (i ? ", " : "") + norm::qualified(t.inherits[i].first, t.inherits[i].second);
      }
      return out + ")";
    };
    if (parents(e) != parents(a)) {
      add("inherits", path, "parents of " + path + " differ", at(parents(e), e.src), at(parents(a), a.src), true);
    }
  }
  void storage(const std::string& path, const Table& e, const Table& a) {
    if (e.options == a.options) return;
    auto v = [](const Table& t) { return t.options.empty() ? std::string("(none)") : storage_clause(t.options); };
    add("storage-parameters", path, "storage parameters of " + path + " differ", at(v(e), e.src), at(v(a), a.src), true);
  }

  void primary_key(const std::string& path, const Table& e, const Table& a) {
    const Constraint* ep = e.primary_key();
    const Constraint* ap = a.primary_key();
    if (!ep && !ap) return;
    if (ep && ap && ep->definition() == ap->definition()) {
      if (ep->name != ap->name) {
        add("constraint-renamed", path + "." + ep->name, "primary key of " + path + " is named " + ap->name + ", expected " + ep->name,
            at(ep->name, ep->src), at(ap->name, ap->src));
      }
      return;
    }
    std::string p = path + "." + (ep ? ep->name : ap->name);
    add("primary-key", p, ep && ap ? "primary key of " + path + " differs" : ep ? "primary key of " + path + " is missing" : "primary key of " + path + " is not expected",
        ep ? at(ep->definition(), ep->src) : none(), ap ? at(ap->definition(), ap->src) : none());
  }

  static bool inexpressible(const Constraint& c) {
    return c.kind == ConstraintKind::check || c.kind == ConstraintKind::exclusion;
  }

  void constraints(const std::string& path, const Table& e, const Table& a) {
    auto pick = [](const Table& t) {
      std::vector<const Constraint*> out;
      for (const auto& c : t.constraints) {
        if (c.kind != ConstraintKind::primary_key && c.kind != ConstraintKind::unique) out.push_back(&c);
      }
      return out;
    };
    auto ec = pick(e);
    auto ac = pick(a);
    std::vector<const Constraint*> em;
    std::vector<const Constraint*> am;
    for (const Constraint* x : ec) {
      const Constraint* y = a.constraint(x->name);
      if (!y || y->kind == ConstraintKind::primary_key || y->kind == ConstraintKind::unique) {
        em.push_back(x);
        continue;
      }
      compare_constraint(path + "." + x->name, *x, *y);
    }
    for (const Constraint* y : ac) {
      const Constraint* x = e.constraint(y->name);
      if (!x || x->kind == ConstraintKind::primary_key || x->kind == ConstraintKind::unique) am.push_back(y);
    }
    // Same definition under another name: one rename, not missing + extra.
    for (const Constraint* x : em) {
      auto it = std::find_if(am.begin(), am.end(), [&](const Constraint* y) { return y->definition() == x->definition(); });
      if (it != am.end()) {
        add("constraint-renamed", path + "." + x->name,
            std::string(to_string(x->kind)) + " constraint " + x->name + " of " + path + " is named " + (*it)->name,
            at(x->name, x->src), at((*it)->name, (*it)->src), inexpressible(*x));
        am.erase(it);
        continue;
      }
      add("missing-constraint", path + "." + x->name,
          std::string(to_string(x->kind)) + " constraint " + x->name + " of " + path + " is missing", at(x->definition(), x->src), none(),
          inexpressible(*x));
    }
    for (const Constraint* y : am) {
      add("extra-constraint", path + "." + y->name,
          std::string(to_string(y->kind)) + " constraint " + y->name + " of " + path + " is not expected", none(),
          at(y->definition(), y->src), inexpressible(*y));
    }
  }

  void compare_constraint(const std::string& p, const Constraint& x, const Constraint& y) {
    if (x.definition() == y.definition()) return;
    if (x.kind == ConstraintKind::foreign_key && y.kind == ConstraintKind::foreign_key) {
      Constraint xs = x;
      xs.on_delete = y.on_delete;
      xs.on_update = y.on_update;
      if (xs.definition() == y.definition()) {
        auto actions = [](const Constraint& c) { return "ON DELETE " + c.on_delete + " ON UPDATE " + c.on_update; };
        add("foreign-key-action", p, "foreign key " + p + " has different referential actions", at(actions(x), x.src),
            at(actions(y), y.src));
        return;
      }
    }
    add("constraint-definition", p, std::string(to_string(x.kind)) + " constraint " + p + " is defined differently",
        at(x.definition(), x.src), at(y.definition(), y.src), inexpressible(x));
  }

  static bool hand_written(const Index& i) { return i.has_expressions() || !i.predicate().empty() || !i.options().empty(); }

  // Another index of the same side, with another name, defined the same way and found on the other side (not
  // among `unmatched`): schema.prisma cannot declare a second one (`db pull` writes one of them, and Prisma's
  // differ sees no drift), so for Prisma the second one is inexpressible.
  static const Index* duplicate_of(const Index& i, const std::vector<IndexView>& same_side,
                                   const std::vector<IndexView>& unmatched) {
    for (const auto& v : same_side) {
      if (v.index.name == i.name || v.index.definition() != i.definition()) continue;
      if (std::none_of(unmatched.begin(), unmatched.end(), [&](const IndexView& u) { return u.index.name == v.index.name; })) {
        return &v.index;
      }
    }
    return nullptr;
  }

  void indexes(const std::string& path, const Table& e, const Table& a) {
    const auto ev = index_views(e);  // also every index of e: duplicate_of
    auto av = index_views(a);
    auto find = [](std::vector<IndexView>& v, const std::string& n) {
      return std::find_if(v.begin(), v.end(), [&](const IndexView& x) { return x.index.name == n; });
    };
    std::vector<IndexView> em;
    for (const auto& x : ev) {
      auto it = find(av, x.index.name);
      if (it == av.end()) {
        em.push_back(x);
        continue;
      }
      std::string p = path + "." + x.index.name;
      if (x.index.definition() != it->index.definition()) {
        add("index-definition", p, "index " + p + " is defined differently", at(x.index.definition(), x.index.src),
            at(it->index.definition(), it->index.src), hand_written(x.index) || hand_written(it->index));
      } else if (x.from_constraint != it->from_constraint) {
        auto v = [](const IndexView& i) { return std::string(i.from_constraint ? "unique constraint" : "unique index"); };
        add("index-kind", p, p + " is a " + v(*it) + ", expected a " + v(x), at(v(x), x.index.src), at(v(*it), it->index.src));
      }
      av.erase(it);
    }
    for (const auto& x : em) {
      std::string p = path + "." + x.index.name;
      auto it = std::find_if(av.begin(), av.end(), [&](const IndexView& y) { return y.index.definition() == x.index.definition(); });
      if (it != av.end()) {
        add("index-renamed", p, "index " + x.index.name + " of " + path + " is named " + it->index.name, at(x.index.name, x.index.src),
            at(it->index.name, it->index.src), hand_written(x.index));
        av.erase(it);
        continue;
      }
      const Index* dup = duplicate_of(x.index, ev, em);
      add("missing-index", p, "index " + p + " is missing" + (dup ? " (the same as " + dup->name + ")" : ""),
          at(x.index.definition(), x.index.src), none(), hand_written(x.index) || dup);
    }
    // Every index of a, for duplicate_of (av lost the matched ones): listed again only when one is left.
    const auto a_all = av.empty() ? std::vector<IndexView>() : index_views(a);
    for (const auto& y : av) {
      std::string p = path + "." + y.index.name;
      const Index* dup = duplicate_of(y.index, a_all, av);
      add("extra-index", p, "index " + p + " is not expected" + (dup ? " (the same as " + dup->name + ")" : ""), none(),
          at(y.index.definition(), y.index.src), hand_written(y.index) || dup);
    }
  }

  void rls(const std::string& path, const Table& e, const Table& a) {
    if (e.rls_enabled == a.rls_enabled && e.rls_forced == a.rls_forced) return;
    auto v = [](const Table& t) {
      return std::string(t.rls_enabled ? "ENABLE ROW LEVEL SECURITY" : "no row level security") + (t.rls_forced ? ", FORCE" : "");
    };
    auto where = [](const Table& t) { return t.rls_src.known() ? t.rls_src : t.src; };
    add("rls", path, "row-level security of " + path + " differs", at(v(e), where(e)), at(v(a), where(a)), true);
    // Unmanaged when only the non-Prisma side turns it on.
    const Table& prisma = o_.prisma == Side::expected ? e : a;
    items_.back().unmanaged = o_.prisma != Side::none && !prisma.rls_enabled && !prisma.rls_forced;
    items_.back().severity = severity_of("rls", items_.back().unmanaged);
  }

  template <typename T, typename Vec>
  void compare_list(const std::string& path, const Vec& ev, const Vec& av, const std::string& what) {
    for (const T& x : ev) {
      auto it = std::find_if(av.begin(), av.end(), [&](const T& y) { return y.name == x.name; });
      std::string p = path + "." + x.name;
      if (it == av.end()) {
        add("missing-" + what, p, what + " " + x.name + " on " + path + " is missing", at(x.definition(), x.src), none(), true);
      } else if (x.definition() != it->definition()) {
        add(what, p, what + " " + x.name + " on " + path + " is defined differently", at(x.definition(), x.src),
            at(it->definition(), it->src), true);
      }
    }
    for (const T& y : av) {
      if (std::none_of(ev.begin(), ev.end(), [&](const T& x) { return x.name == y.name; })) {
        add("extra-" + what, path + "." + y.name, what + " " + y.name + " on " + path + " is not expected", none(),
            at(y.definition(), y.src), true);
      }
    }
  }
  void policies(const std::string& path, const Table& e, const Table& a) {
    compare_list<Policy>(path, e.policies, a.policies, "policy");
  }
  void triggers(const std::string& path, const Table& e, const Table& a) {
    compare_list<Trigger>(path, e.triggers, a.triggers, "trigger");
  }

  void views(const std::string& sn, const Schema& es, const Schema& as) {
    auto describe = [](const View& v) { return std::string(v.materialized ? "MATERIALIZED VIEW AS " : "VIEW AS ") + v.definition; };
    compare_named(
        es.views, as.views, "view", sn + ".", describe,
        [&](const std::string& path, const View& x, const View& y) {
          // An empty definition means "expected to exist" (a schema.prisma view): only its existence is compared.
          // A definition with a column driftguard could not resolve is compared without column qualifiers (the
          // weaker comparison documented in drift.md), never taken as equal.
          bool loose = !x.resolved || !y.resolved;
          bool same = loose ? x.materialized == y.materialized && !x.loose.empty() && x.loose == y.loose
                            : describe(x) == describe(y);
          if (!x.definition.empty() && !y.definition.empty() && !same) {
            add("view-definition", path,
                "view " + path + " is defined differently" +
                    (loose ? std::string(" (compared without column qualifiers: a relation it reads is not in the model)") : ""),
                at(describe(x), x.src), at(describe(y), y.src), true);
          }
          Table ex;
          Table ay;
          ex.indexes = x.indexes;
          ay.indexes = y.indexes;
          indexes(path, ex, ay);
        },
        true);
  }

  // COMMENT ON, on objects both sides hold (a missing or extra object is its own item). Skipped when a side is
  // schema.prisma: Prisma writes no comment to the database (its `///` doc comments stay in the schema).
  void comments() {
    if (o_.prisma != Side::none) return;
    // Two models without a comment agree on every object: listing every object of both (strings per column) was
    // 9 % of Lemmy's lint, whose down check diffs whole models per migration (bench/RESULTS.md, ninth session).
    if (!any_comment(e_) && !any_comment(a_)) return;
    std::map<std::string, const Comment*> actual;
    for (const auto& c : commentable(a_)) actual[c.target] = c.comment;
    for (const auto& c : commentable(e_)) {
      auto it = actual.find(c.target);
      if (it == actual.end() || it->second->text == c.comment->text) continue;
      auto v = [](const Comment& x) { return x.text.empty() ? std::string("(none)") : x.text; };
      add("comment", c.path, "comment on " + c.target + " differs", at(v(*c.comment), c.comment->src),
          at(v(*it->second), it->second->src));
    }
  }

  // "SELECT, INSERT (with grant option: SELECT)" or "(none)": what `who` holds in `x`.
  static std::string held(const Grants& x, const std::string& who) {
    auto w = x.find(who);
    if (w == x.end()) return "(none)";
    std::string out = privilege_names(w->second);
    if (w->second.find('*') != std::string::npos) {
      std::string options;
      for (std::size_t i = 0; i + 1 < w->second.size(); ++i) {
        if (w->second[i + 1] == '*') options += w->second[i];
      }
      out += " (with grant option: " + privilege_names(options) + ")";
    }
    return out;
  }

  // Privileges (GRANT/REVOKE, default privileges), one item per object and grantee, on objects both sides hold.
  // Skipped when a side is schema.prisma: Prisma has no grants.
  void privileges() {
    if (o_.prisma != Side::none) return;
    if (!privileges_may_differ()) return default_privileges();
    std::map<std::string, const Grants*> actual;
    for (const auto& g : grantable(a_)) actual[g.target] = g.grants;
    for (const auto& g : grantable(e_)) {
      auto it = actual.find(g.target);
      if (it == actual.end() || *it->second == *g.grants) continue;
      std::set<std::string> grantees;
      for (const auto& [who, l] : *g.grants) grantees.insert(who);
      for (const auto& [who, l] : *it->second) grantees.insert(who);
      for (const auto& who : grantees) {
        std::string e = held(*g.grants, who);
        std::string a = held(*it->second, who);
        if (e == a) continue;
        add("privileges", g.path, "privileges of " + who + " on " + g.target + " differ",
            at(e, grant_source(e_, g.path, who, g.src)), at(a, grant_source(a_, g.path, who, nullptr)));
      }
    }
    default_privileges();
  }

  // Whether an object both sides hold (by grantable()'s target) may have other privileges: a walk by name that
  // builds nothing, before privileges()' walk, which builds a target and a path string for every object and column
  // of both models (the down check diffs whole models for every pair: 21 % of Lemmy's check-down, bench/RESULTS.md).
  // Conservative: a target names its schema unless it is public, pg_catalog or "" (norm::qualified), so an object
  // of one of those is compared with its namesakes in all three; a true runs the exact walk.
  bool privileges_may_differ() const {
    for (const auto& [n, s] : e_.schemas) {
      if (auto it = a_.schemas.find(n); it != a_.schemas.end() && it->second.grants != s.grants) return true;
    }
    std::map<std::string, const Grants*> functions;  // by target, as privileges() finds them (functions are few)
    for (const auto& [sn, s] : a_.schemas) {
      for (const auto& [k, f] : s.functions) functions[ddl::comment_target(f)] = &f.grants;
    }
    for (const auto& [sn, s] : e_.schemas) {
      for (const auto& [k, f] : s.functions) {
        auto it = functions.find(ddl::comment_target(f));
        if (it != functions.end() && *it->second != f.grants) return true;
      }
      bool unnamed = sn.empty() || sn == "public" || sn == "pg_catalog";
      for (const auto& asn : unnamed ? std::vector<std::string>{"", "pg_catalog", "public"} : std::vector<std::string>{sn}) {
        const Schema* as = a_.schema(asn);
        if (!as) continue;
        for (const auto& [n, q] : s.sequences) {
          auto it = as->sequences.find(n);
          if (it != as->sequences.end() && it->second.grants != q.grants) return true;
        }
        for (const auto& [n, t] : s.tables) {
          auto it = as->tables.find(n);
          if (t.platform_shell || it == as->tables.end() || it->second.platform_shell) continue;
          if (it->second.grants != t.grants) return true;
          const auto& acols = it->second.columns;
          for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const Column& c = t.columns[i];
            // Columns mostly keep their places; a column name is unique in its table.
            const Column* ac = i < acols.size() && acols[i].name == c.name ? &acols[i] : it->second.column(c.name);
            if (ac && ac->grants() != c.grants()) return true;
          }
        }
        for (const auto& [n, v] : s.views) {
          auto it = as->views.find(n);
          if (it != as->views.end() && it->second.materialized == v.materialized && it->second.grants != v.grants) return true;
        }
      }
    }
    return false;
  }

  // The GRANT/REVOKE that last changed `who`'s privileges on the object, else the object's CREATE (its starting
  // privileges come from it).
  static SourceRef grant_source(const SchemaModel& m, const std::string& path, const std::string& who,
                                const SourceRef* own) {
    auto it = m.grant_sources.find({path, who});
    if (it != m.grant_sources.end()) return it->second;
    return own ? *own : SourceRef{};
  }

  // ALTER DEFAULT PRIVILEGES: one item per pg_default_acl entry and grantee whose privileges differ (an entry one
  // side does not have holds its start: PostgreSQL's own ACL for a global entry, nothing for a schema's). Path: the
  // schema of an IN SCHEMA entry, "" for a global one.
  void default_privileges() {
    for (const auto& entry : default_grants_pairs(e_, a_)) {
      const DefaultGrantsKey& key = entry.first;  // not a structured binding: the lambda below captures it (clang 14)
      const Grants& eg = entry.second.first;
      const Grants& ag = entry.second.second;
      if (eg == ag) continue;
      std::set<std::string> grantees;
      for (const auto& [who, l] : eg) grantees.insert(who);
      for (const auto& [who, l] : ag) grantees.insert(who);
      for (const auto& who : grantees) {
        std::string e = held(eg, who);
        std::string a = held(ag, who);
        if (e == a) continue;
        auto src = [&](const SchemaModel& m) {
          auto it = m.default_grant_sources.find(key);
          return it == m.default_grant_sources.end() ? SourceRef{} : it->second;
        };
        add("default-privileges", key.schema,
            "default privileges of " + who + " " + default_grants_clause(key) + " differ", at(e, src(e_)),
            at(a, src(a_)));
      }
    }
  }

  void functions(const std::string& sn, const Schema& es, const Schema& as) {
    (void)sn;
    auto describe = [](const Function& f) {
      std::string out = (f.procedure ? "PROCEDURE " : "FUNCTION ") + f.signature();
      if (!f.returns.empty()) out += " RETURNS " + f.returns;
      out += " LANGUAGE " + f.language;
      for (const auto& o : f.options) out += " " + o;
      return out;
    };
    // A SQL-standard body is compared in its canonical form (Function::body), not as written (sql_text); whitespace
    // is collapsed only when the bodies differ as they are (collapsing every body of both models was most of this).
    auto same_body = [](const Function& x, const Function& y) {
      return x.body == y.body || collapse_whitespace(x.body) == collapse_whitespace(y.body);
    };
    // Keyed as drift names them (the model's key is the qualified, quoted signature); pointers: nothing is copied.
    std::map<std::string, const Function*> em;
    std::map<std::string, const Function*> am;
    for (const auto& [k, f] : es.functions) em[f.name + "(" + f.identity_args + ")"] = &f;
    for (const auto& [k, f] : as.functions) am[f.name + "(" + f.identity_args + ")"] = &f;
    compare_named(
        em, am, "function", sn + ".", describe,
        [&](const std::string& path, const Function& x, const Function& y) {
          if (&x == &y) return;  // one object, shared by two copies of a model (model::ObjectMap)
          if (describe(x) != describe(y) || !same_body(x, y)) {
            add("function-definition", path, "function " + path + " is defined differently", at(describe(x), x.src),
                at(describe(y), y.src), true);
          }
        },
        true);
  }
};

}  // namespace

std::vector<DriftItem> diff(const SchemaModel& expected, const SchemaModel& actual, const Options& opts) {
  return Differ(expected, actual, opts).run();
}

bool ignored(const std::string& path, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return false;
  auto parts = split_path(path);
  std::vector<std::string> candidates;
  for (std::size_t n = 1; n <= parts.size(); ++n) {
    candidates.push_back(join_path(parts, 0, n));
    if (n >= 2) candidates.push_back(join_path(parts, 1, n));
  }
  for (const auto& p : patterns) {
    for (const auto& c : candidates) {
      if (glob(p, c)) return true;
    }
  }
  return false;
}

}  // namespace driftguard::diff
