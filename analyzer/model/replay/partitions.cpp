// Partitioned tables: PARTITION BY, partition bounds, ATTACH / DETACH PARTITION, and the bound checks PostgreSQL
// makes for a new partition (partbounds.c: check_new_partition_bound) and for a table it attaches (tablecmds.c:
// ATExecAttachPartition). The columns and checks a partition shares with its parent: replay/inheritance.cpp.
#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>

#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {

// MINVALUE or MAXVALUE (a ColumnRef in a range bound), upper case.
std::string bound_word(const json& v) {
  std::string w = display(strings(field(v, "fields")));
  std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::toupper(c); });
  return w;
}

std::string sql_literal(const std::string& value) {
  std::string lit = "'";
  for (char c : value) lit += c == '\'' ? std::string("''") : std::string(1, c);
  return lit + "'";
}

}  // namespace

// PARTITION BY: "LIST (k)", "RANGE (at, ((v + 1)))", "HASH (id)", as pg_get_partkeydef prints it.
std::string Replayer::Impl::partition_key(const Table& t, const json& spec) {
  std::string strategy = str(spec, "strategy");
  std::transform(strategy.begin(), strategy.end(), strategy.begin(), [](unsigned char c) { return std::toupper(c); });
  std::vector<std::string> keys;
  for (const auto& e : field(spec, "partParams")) {
    const json& pe = field(e, "PartitionElem");
    std::string key;
    if (std::string name = nm(str(pe, "name")); !name.empty()) {
      if (!t.column(name) && !t.opaque) fail("column " + dq(name) + " named in partition key does not exist");
      key = norm::ident(name);
    } else {
      // a function call bare, another expression in parentheses (pg_get_partkeydef's looks_like_function)
      const json& expr = field(pe, "expr");
      key = norm::expr(expr, ectx(&t));
      // appended, not "(" + std::string&&: GCC 12 -O3 raises a false -Wrestrict on that operator
      if (node_type(expr) != "FuncCall") key = std::string("(").append(key).append(")");
    }
    if (const json& c = field(pe, "collation"); c.is_array()) key += " COLLATE " + collation_name(c);
    auto opc = strings(field(pe, "opclass"));
    if (opc.size() == 2 && (opc[0] == "pg_catalog" || opc[0] == "public")) opc.erase(opc.begin());
    if (!opc.empty()) {  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `" " + std::string&&`
      key += ' ';
      key += display(opc);
    }
    keys.push_back(key);
  }
  return strategy + " (" + join(keys, ", ") + ")";
}

// FOR VALUES IN (...) / FROM (...) TO (...) / WITH (modulus m, remainder r) / DEFAULT, as pg_get_expr prints
// relpartbound: literals as the type of the parent's key column reads them (numbers bare, the rest quoted).
std::string Replayer::Impl::partition_bound(const Table& parent, const json& bound) {
  if (flag(bound, "is_default")) return "DEFAULT";
  // the types of the key's columns (an expression's type is not known: its literals stay as written)
  std::vector<std::string> types;
  if (ParsedFile key = parse_sql("CREATE TABLE k () PARTITION BY " + parent.partition_by); key.statements.size() == 1) {
    for (const auto& e : field(field(unwrap(key.statements[0].node), "partspec"), "partParams")) {
      const Column* c = parent.column(str(field(e, "PartitionElem"), "name"));
      types.push_back(c ? c->type : "");
    }
  }
  auto datum = [&](const json& d, std::size_t i) -> std::string {
    const json& v = unwrap(d);
    if (node_type(d) == "ColumnRef") return bound_word(v);
    if (node_type(d) != "A_Const") return norm::expr(d);
    if (flag(v, "isnull")) return "NULL";
    std::string type = i < types.size() ? types[i] : "";
    static const std::regex numeric_type(R"(^(smallint|integer|bigint|real|double precision|numeric)(\(.*\))?$)");
    static const std::regex number(R"(^-?[0-9]+(\.[0-9]+)?$)");
    bool numeric = std::regex_match(type, numeric_type);
    std::string value;
    if (const json& sv = field(v, "sval"); sv.is_object()) {
      value = str(sv, "sval");
      if (numeric && std::regex_match(value, number)) {
        // '03' is 3 (measured on PostgreSQL 15: refused-partition-list-overlap.sql); real and double precision
        // print their own way (3.50 is 3.5): only the leading zeros go
        std::size_t sign = value[0] == '-' ? 1 : 0;
        while (value.size() > sign + 1 && value[sign] == '0' && std::isdigit(static_cast<unsigned char>(value[sign + 1]))) {
          value.erase(sign, 1);
        }
        return value;
      }
    } else if (const json& bv = field(v, "boolval"); bv.is_object()) {
      return flag(bv, "boolval") ? "true" : "false";
    } else {
      value = norm::expr(d);
      if (numeric || type.empty()) return value;
    }
    return sql_literal(value);
  };
  auto list = [&](const char* f) {
    std::vector<std::string> out;
    for (const auto& d : field(bound, f)) out.push_back(datum(d, str(bound, "strategy") == "l" ? 0 : out.size()));
    return join(out, ", ");
  };
  std::string strategy = str(bound, "strategy");
  if (strategy == "l") return "FOR VALUES IN (" + list("listdatums") + ")";
  if (strategy == "r") return "FOR VALUES FROM (" + list("lowerdatums") + ") TO (" + list("upperdatums") + ")";
  return "FOR VALUES WITH (modulus " + std::to_string(num(bound, "modulus", 0)) + ", remainder " +
         std::to_string(num(bound, "remainder", 0)) + ")";
}

namespace {

// A bound as pg_get_expr prints it, read back: FOR VALUES IN (...) / FROM (...) TO (...) / WITH (...) / DEFAULT.
struct Bound {
  std::string strategy;                   // "l", "r", "h" or "d" (DEFAULT)
  std::vector<std::string> values;        // list: each datum as printed ("NULL", "1", "'x'")
  std::vector<std::string> lower, upper;  // range: each datum as printed ("MINVALUE", "MAXVALUE", "1")
  long modulus = 0, remainder = 0;        // hash
};

std::string datum_text(const json& d) {
  const json& v = unwrap(d);
  if (node_type(d) == "ColumnRef") return bound_word(v);
  if (node_type(d) != "A_Const") return norm::expr(d);
  if (flag(v, "isnull")) return "NULL";
  if (const json& i = field(v, "ival"); i.is_object()) return std::to_string(num(i, "ival", 0));  // 01 is 1
  if (const json& f = field(v, "fval"); f.is_object()) return str(f, "fval");
  if (const json& b = field(v, "boolval"); b.is_object()) return flag(b, "boolval") ? "true" : "false";
  return sql_literal(str(field(v, "sval"), "sval"));
}

std::optional<Bound> read_bound(const std::string& printed) {
  ParsedFile p = parse_sql("CREATE TABLE x PARTITION OF y " + printed);
  if (p.statements.size() != 1) return std::nullopt;
  const json& spec = field(unwrap(p.statements[0].node), "partbound");
  if (!spec.is_object()) return std::nullopt;
  Bound b;
  b.strategy = flag(spec, "is_default") ? "d" : str(spec, "strategy");
  for (const auto& d : field(spec, "listdatums")) b.values.push_back(datum_text(d));
  for (const auto& d : field(spec, "lowerdatums")) b.lower.push_back(datum_text(d));
  for (const auto& d : field(spec, "upperdatums")) b.upper.push_back(datum_text(d));
  b.modulus = num(spec, "modulus", 0);
  b.remainder = num(spec, "remainder", 0);
  return b;
}

// A range bound as numbers (MINVALUE and MAXVALUE as infinities); none when a datum is not a number: text and
// dates order by collation and type, which the replay does not model, so their ranges are not checked.
std::optional<std::vector<long double>> numbers(const std::vector<std::string>& datums) {
  static const std::regex number(R"(^-?[0-9]+(\.[0-9]+)?$)");
  std::vector<long double> out;
  for (const auto& d : datums) {
    if (d == "MINVALUE") {
      out.push_back(-INFINITY);
    } else if (d == "MAXVALUE") {
      out.push_back(INFINITY);
    } else if (std::regex_match(d, number)) {
      out.push_back(std::stold(d));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

// A new partition's bound against its parent's other partitions, as PostgreSQL checks it (check_new_partition_bound):
// one DEFAULT partition, list values in no other partition (NULL included), ranges not empty and not overlapping
// (numbers only, see numbers()), hash moduli each a factor of the next larger and no remainder taken. The
// partition named is the one PostgreSQL names: the first list value's, the lowest overlapping range's, the
// first slot's. Measured on PostgreSQL 15: fixtures refused-partition-*.sql.
void Replayer::Impl::check_new_partition_bound(const Table& parent, const std::string& name, const std::string& bound) {
  std::optional<Bound> nb = read_bound(bound);
  if (!nb) return;
  std::vector<std::pair<std::string, Bound>> others;
  for (const auto& [sc_key_, sc] : m.schemas) {
    for (const auto& [t_key_, t] : sc.tables) {
      if (t.parent_schema != parent.schema || t.parent_table != parent.name) continue;
      if (std::optional<Bound> b = read_bound(t.partition_bound)) others.emplace_back(t.name, *b);
    }
  }
  auto overlap = [&](const std::string& with) { fail("partition " + dq(name) + " would overlap partition " + dq(with)); };
  if (nb->strategy == "d") {
    for (const auto& [other, b] : others) {
      if (b.strategy == "d") fail("partition " + dq(name) + " conflicts with existing default partition " + dq(other));
    }
    return;
  }
  if (nb->strategy == "l") {
    for (const auto& v : nb->values) {
      for (const auto& [other, b] : others) {
        if (b.strategy == "l" && contains(b.values, v)) overlap(other);
      }
    }
  } else if (nb->strategy == "r") {
    auto lo = numbers(nb->lower), hi = numbers(nb->upper);
    if (!lo || !hi) return;
    if (!(*lo < *hi)) fail("empty range bound specified for partition " + dq(name));
    const std::string* lowest = nullptr;
    std::vector<long double> lowest_lo;
    for (const auto& [other, b] : others) {
      auto olo = numbers(b.lower), ohi = numbers(b.upper);
      if (b.strategy != "r" || !olo || !ohi || !(*lo < *ohi && *olo < *hi)) continue;
      if (!lowest || *olo < lowest_lo) {
        lowest = &other;
        lowest_lo = *olo;
      }
    }
    if (lowest) overlap(*lowest);
  } else if (nb->strategy == "h") {
    long greatest = nb->modulus;
    for (const auto& [other, b] : others) {
      if (b.strategy != "h") continue;
      long small = std::min(b.modulus, nb->modulus), large = std::max(b.modulus, nb->modulus);
      if (small <= 0 || large % small != 0) fail("every hash partition modulus must be a factor of the next larger modulus");
      greatest = std::max(greatest, b.modulus);
    }
    // The slots of the greatest modulus the new partition would take, in order; the first one taken names.
    for (long slot = nb->remainder; slot < greatest; slot += nb->modulus) {
      for (const auto& [other, b] : others) {
        if (b.strategy == "h" && slot % b.modulus == b.remainder) overlap(other);
      }
    }
  }
}

// ALTER TABLE parent ATTACH PARTITION child FOR VALUES ... / DETACH PARTITION child. Attaching refuses what
// ATExecAttachPartition refuses, in its order: a table that is a partition, an INHERITS child or parent, a column
// the parent does not have, an overlapping bound, then what INHERIT refuses (merge_into_parent). The child's
// checks the parent has become the parent's (conislocal false: the catalog's and the model's table no longer
// owns them); detached, they are its own again (measured on PostgreSQL 15: fixtures attach-partition-*.sql).
void Replayer::Impl::attach_partition(Table& parent, const json& cmd, bool attach) {
  if (parent.partition_by.empty()) fail("table " + dq(parent.name) + " is not partitioned");
  Table* child = find_table(field(cmd, "name"), false);
  if (!attach) {
    auto had = checks_of(*child, 0);
    child->parent_schema.clear();
    child->parent_table.clear();
    child->partition_bound.clear();
    for (auto& c : child->columns) c.local = true;  // a detached table's columns are its own (RemoveInheritance)
    keep_checks_as_own(*child, had);
    return;
  }
  if (!child->parent_table.empty()) fail(dq(child->name) + " is already a partition");
  if (!child->inherits.empty()) fail("cannot attach inheritance child as partition");
  if (child->partition_by.empty() && !inheritors(child->schema, child->name).empty()) {
    fail("cannot attach inheritance parent as partition");
  }
  if (inherits_from(parent, child->schema, child->name, 0) ||
      (child->schema == parent.schema && child->name == parent.name)) {
    fail("circular inheritance not allowed");
  }
  std::string bound = partition_bound(parent, field(cmd, "bound"));
  if (!child->opaque && !parent.opaque) {
    for (const auto& c : child->columns) {
      if (!parent.column(c.name)) {
        fail("table " + dq(child->name) + " contains column " + dq(c.name) + " not found in parent " + dq(parent.name));
      }
    }
  }
  check_new_partition_bound(parent, child->name, bound);
  merge_into_parent(*child, parent);
  std::erase_if(child->constraints, [&](const Constraint& c) {
    return c.kind == ConstraintKind::check && check_of(parent, c.name, 0);
  });
  for (auto& c : child->columns) c.local = false;  // a partition's columns are never its own (attislocal)
  child->parent_schema = parent.schema;
  child->parent_table = parent.name;
  child->partition_bound = bound;
}

}  // namespace driftguard::model
