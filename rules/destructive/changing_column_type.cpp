#include "rules/common.hpp"

namespace driftguard {
namespace {

// A column type reduced to what the rewrite decision needs.
struct Type {
  std::string base;  // canonical built-in name ("varchar", "int4") or the user type's name
  std::vector<long> mods;
  int array_depth = 0;
  std::string display;
};

std::string canonical(const std::string& base) {
  if (base == "serial" || base == "serial4") return "int4";
  if (base == "bigserial" || base == "serial8") return "int8";
  if (base == "smallserial" || base == "serial2") return "int2";
  return base;
}

// interval typmods from the grammar: [range] or [range, precision].
constexpr long kYear = 1 << 2, kMonth = 1 << 1, kDay = 1 << 3, kHour = 1 << 10, kMinute = 1 << 11,
               kSecond = 1 << 12;
constexpr long kFullRange = 0x7FFF;
constexpr long kFullPrecision = 0xFFFF;

std::string interval_display(const std::vector<long>& mods, int array_depth) {
  std::string out = "interval";
  if (!mods.empty() && mods[0] != kFullRange) {
    static const std::pair<long, const char*> names[] = {
        {kYear, "year"}, {kMonth, "month"}, {kDay, "day"}, {kHour, "hour"}, {kMinute, "minute"}, {kSecond, "second"}};
    const char* first = nullptr;
    const char* last = nullptr;
    for (const auto& [bit, name] : names) {
      if (mods[0] & bit) {
        if (!first) first = name;
        last = name;
      }
    }
    if (first) out += std::string(" ") + first + (last != first ? std::string(" to ") + last : std::string());
  }
  if (mods.size() > 1 && mods[1] != kFullPrecision) {
    // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"(" + std::string&&`
    out += '(';
    out += std::to_string(mods[1]);
    out += ')';
  }
  for (int i = 0; i < array_depth; ++i) out += "[]";
  return out;
}

Type make_type(std::string base, std::vector<long> mods, int depth, std::string disp) {
  Type t{canonical(base), std::move(mods), depth, std::move(disp)};
  if (t.base == "interval") t.display = interval_display(t.mods, t.array_depth);
  return t;
}

int interval_least_field(long range) {
  if (range & kSecond) return 0;
  if (range & kMinute) return 1;
  if (range & kHour) return 2;
  if (range & kDay) return 3;
  if (range & kMonth) return 4;
  if (range & kYear) return 5;
  return 0;
}

bool is_temporal(const std::string& b) {
  return b == "timestamp" || b == "timestamptz" || b == "time" || b == "timetz";
}

enum class Verdict { same, compatible, rewrite, rewrite_unless_utc };

// PostgreSQL's rules (ATColumnChangeRequiresRewrite and the length-coercion support functions varchar_support,
// numeric_support, varbit_support, timestamp_support, time_support and interval_support): the table is not
// rewritten when the old type is binary-coercible to the new one and any length coercion is a no-op.
Verdict compare(const Type& from, const Type& to) {
  if (from.base == to.base && from.mods == to.mods && from.array_depth == to.array_depth) return Verdict::same;
  if (from.array_depth != 0 || to.array_depth != 0) return Verdict::rewrite;  // element coercion is per element
  const std::string& a = from.base;
  const std::string& b = to.base;
  bool widen_len = to.mods.empty() || (!from.mods.empty() && from.mods[0] <= to.mods[0]);
  // citext's casts to and from text and varchar are WITHOUT FUNCTION (measured: no rewrite); a length limit is not.
  if (a == "citext" && (b == "text" || (b == "varchar" && to.mods.empty()))) return Verdict::compatible;
  if ((a == "text" || a == "varchar") && b == "citext") return Verdict::compatible;
  if ((a == "varchar" || a == "text") && b == "text") return Verdict::compatible;
  if (a == "text" && b == "varchar") return to.mods.empty() ? Verdict::compatible : Verdict::rewrite;
  if (a == "varchar" && b == "varchar") return widen_len ? Verdict::compatible : Verdict::rewrite;
  if (a == "varbit" && b == "varbit") return widen_len ? Verdict::compatible : Verdict::rewrite;
  if (a == "cidr" && b == "inet") return Verdict::compatible;
  if (a == "numeric" && b == "numeric") {
    if (to.mods.empty()) return Verdict::compatible;
    if (from.mods.empty()) return Verdict::rewrite;
    long fs = from.mods.size() > 1 ? from.mods[1] : 0;
    long ts = to.mods.size() > 1 ? to.mods[1] : 0;
    return fs == ts && from.mods[0] <= to.mods[0] ? Verdict::compatible : Verdict::rewrite;
  }
  if (is_temporal(a) && a == b) {
    if (to.mods.empty() || to.mods[0] == 6 || (!from.mods.empty() && from.mods[0] <= to.mods[0])) {
      return Verdict::compatible;
    }
    return Verdict::rewrite;
  }
  if ((a == "timestamp" && b == "timestamptz") || (a == "timestamptz" && b == "timestamp")) {
    return Verdict::rewrite_unless_utc;
  }
  if (a == "interval" && b == "interval") {
    if (to.mods.empty()) return Verdict::compatible;
    long old_range = from.mods.empty() ? kFullRange : from.mods[0];
    long old_precis = from.mods.size() > 1 ? from.mods[1] : kFullPrecision;
    long new_range = to.mods[0];
    long new_precis = to.mods.size() > 1 ? to.mods[1] : kFullPrecision;
    int old_least = interval_least_field(old_range);
    int new_least = interval_least_field(new_range);
    bool noop = new_least <= old_least && (old_least > 0 || new_precis >= 6 || new_precis >= old_precis);
    return noop ? Verdict::compatible : Verdict::rewrite;
  }
  return Verdict::rewrite;
}

// When the old type is unknown: is the change to `to` probably a binary-compatible widening, and an example.
struct Guess {
  bool compatible;
  std::string example;
};
Guess guess(const Type& to) {
  if (to.array_depth != 0) return {false, "varchar(n) to text"};
  const std::string& b = to.base;
  if (b == "text") return {true, "varchar(n) to text"};
  if (b == "varchar") {
    if (to.mods.empty()) return {true, "varchar(n) or text to varchar"};
    return {true, "a shorter varchar to " + to.display};
  }
  if (b == "numeric") {
    if (to.mods.empty()) return {true, "numeric(p,s) to numeric"};
    return {true, "numeric with a lower precision and the same scale to " + to.display};
  }
  if (b == "varbit") return {true, "a shorter bit varying to " + to.display};
  if (b == "inet") return {false, "cidr to inet"};
  if (is_temporal(b) || b == "interval") return {false, b + "(3) to " + b};
  return {false, "varchar(n) to text"};
}

const char* kRewrite = "rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock";

// A USING clause that only reads the column (`USING col`, `USING col::new_type`) converts nothing: PostgreSQL
// decides the rewrite from the types alone (measured).
bool noop_using(const json& expr, const std::string& column, const Type& to) {
  auto is_column = [&](const json& e) {
    auto f = strings(field(field(e, "ColumnRef"), "fields"));
    return f.size() == 1 && f[0] == column;
  };
  if (is_column(expr)) return true;
  const json& tc = field(expr, "TypeCast");
  if (!tc.is_object() || !is_column(field(tc, "arg"))) return false;
  const json& tn = field(tc, "typeName");
  Type cast = make_type(type_base(tn), type_mods(tn), array_depth(tn), type_display(tn));
  return cast.base == to.base && cast.mods == to.mods && cast.array_depth == to.array_depth;
}

class ChangingColumnType final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"changing-column-type", "destructive", Severity::error,
                            "Changing a column's type rewrites the table (unless binary-compatible) and changes what "
                            "clients read"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    bool foreign = str(b, "objtype") == "OBJECT_FOREIGN_TABLE";
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_AlterColumnType") continue;
      const json& cd = field(field(*c.cmd, "def"), "ColumnDef");
      const json& tn = field(cd, "typeName");
      if (!tn.is_object()) continue;
      std::string column = str(*c.cmd, "name");
      bool using_clause = field(cd, "raw_default").is_object();
      bool collate = field(cd, "collClause").is_object();
      Type to = make_type(type_base(tn), type_mods(tn), array_depth(tn), type_display(tn));
      if (using_clause && noop_using(field(cd, "raw_default"), column, to)) using_clause = false;
      const std::optional<ColumnType> old = ctx.run().column_type(rangevar_key(rel), column);
      std::string subject = "column " + quote_ident(column) + " of " + rangevar_display(rel);
      // The first line says what happens to the table; the classification and its reasons are the note.
      const std::string alter = "ALTER COLUMN " + quote_ident(column) + " TYPE " + to.display;
      const std::string table = rangevar_display(rel);
      std::string head;
      std::string msg;
      if (old) {
        Type from = make_type(old->base, old->mods, old->array_depth, old->display);
        Verdict v = compare(from, to);
        // timestamp <-> timestamptz converts nothing when the session time zone is UTC (PostgreSQL 12 and later).
        const bool utc = v == Verdict::rewrite_unless_utc && ctx.settings().pg_version >= 12 && ctx.state().time_zone_utc();
        if (utc) v = Verdict::compatible;
        if (v == Verdict::same && !using_clause && !collate) continue;
        if (v == Verdict::same && !using_clause) {
          head = "ALTER COLUMN " + quote_ident(column) + " COLLATE rebuilds the indexes of " + table;
          msg = "changes the collation of " + subject + " (" + to.display +
                "): no table rewrite, but its indexes are rebuilt under an ACCESS EXCLUSIVE lock and clients see "
                "a new sort order";
        } else {
          msg = "changes the type of " + subject + " from " + from.display + " to " + to.display;
          if (foreign) {
            head = alter + " on " + table + " changes what clients see";  // the note says it is a foreign table
            msg += ": a foreign table stores no rows, so nothing is rewritten, but clients see the new type";
          } else if (using_clause) {
            head = alter + " USING rewrites " + table;
            msg += std::string(" with a USING clause: PostgreSQL ") + kRewrite + ", and clients see the new type";
          } else if (v == Verdict::compatible && ctx.run().has_check_on(rangevar_key(rel), column)) {
            head = alter + " scans " + table;
            msg += std::string(utc ? ": catalog-only in the UTC session time zone set earlier in the file"
                                   : ": binary-compatible") +
                   ", so the table is not rewritten, but PostgreSQL scans every row to re-check the CHECK "
                   "constraints on the column under an ACCESS EXCLUSIVE lock, and clients see the new type";
          } else if (v == Verdict::compatible) {
            head = alter + " on " + table + " changes what clients see";
            msg += utc ? ": catalog-only in the UTC session time zone set earlier in the file, so the table is not "
                         "rewritten, but clients see the new type"
                       : ": binary-compatible, so the table is not rewritten, but clients see the new type";
          } else if (v == Verdict::rewrite_unless_utc) {
            head = alter + (ctx.settings().pg_version >= 12 ? " may rewrite " : " rewrites ") + table;
            msg += std::string(": PostgreSQL ") + kRewrite +
                   (ctx.settings().pg_version >= 12 ? " unless the session time zone is UTC" : "") +
                   ", and clients see the new type";
          } else {
            head = alter + " rewrites " + table;
            msg += std::string(": PostgreSQL ") + kRewrite + ", and clients see the new type";
          }
        }
      } else if (using_clause && !foreign) {
        head = alter + " USING rewrites " + table;
        msg = "changes the type of " + subject + " to " + to.display + " with a USING clause: PostgreSQL " +
              kRewrite + ", and clients see the new type";
      } else {
        msg = "changes the type of " + subject + " to " + to.display +
              " (its current type is not declared in the migrations linted)";
        if (foreign) {
          head = alter + " on " + table + " changes what clients see";  // the note says it is a foreign table
          msg += ": a foreign table stores no rows, so nothing is rewritten, but clients see the new type";
        } else {
          head = alter + " may rewrite " + table;
          Guess g = guess(to);
          if (g.compatible) {
            msg += ": probably binary-compatible, with no table rewrite, if it widens the old type (e.g. " +
                   g.example + "); any other change " + kRewrite + "; either way clients see the new type";
          } else {
            msg += std::string(": this ") + kRewrite + " unless the change is binary-compatible (e.g. " + g.example +
                   "), and clients see the new type";
          }
        }
      }
      // The lock is in the note; a first line that rewrites, scans or rebuilds names it too when that stays short.
      const bool clients_only = head.find(" changes what clients see") != std::string::npos;
      if (!clients_only && head.size() + 23 <= 80) head += " under ACCESS EXCLUSIVE";
      ctx.report(ctx.alter_cmd_span(node, c.index), head,
                 "Add a column of the new type, backfill it in batches and keep it in sync (trigger or application "
                 "writes), switch readers to it, then drop the old column in a later migration.");
      ctx.note(msg);
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_changing_column_type() { return std::make_unique<ChangingColumnType>(); }
}  // namespace driftguard
