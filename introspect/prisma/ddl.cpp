#include "introspect/prisma/ddl.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <optional>

namespace driftguard::prisma {

namespace {

constexpr std::size_t kMaxIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1

// The longest prefix of `s` of at most `n` bytes that does not split a UTF-8 character.
std::string_view floor_char_boundary(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string quote_literal(std::string_view v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

// Every PostgreSQL @db.* type: its rendering and the scalar types it applies to.
struct NativeType {
  std::string_view name;
  std::string_view sql;
  std::vector<std::string_view> scalars;
  int max_args;
};
const std::vector<NativeType>& native_types() {
  static const std::vector<NativeType> types = {
      {"Text", "TEXT", {"String"}, 0},
      {"Char", "CHAR", {"String"}, 1},
      {"VarChar", "VARCHAR", {"String"}, 1},
      {"Bit", "BIT", {"String"}, 1},
      {"VarBit", "VARBIT", {"String"}, 1},
      {"Uuid", "UUID", {"String"}, 0},
      {"Xml", "XML", {"String"}, 0},
      {"Inet", "INET", {"String"}, 0},
      {"Citext", "CITEXT", {"String"}, 0},
      {"Boolean", "BOOLEAN", {"Boolean"}, 0},
      {"Integer", "INTEGER", {"Int"}, 0},
      {"SmallInt", "SMALLINT", {"Int"}, 0},
      {"Oid", "OID", {"Int"}, 0},
      {"BigInt", "BIGINT", {"BigInt"}, 0},
      {"DoublePrecision", "DOUBLE PRECISION", {"Float"}, 0},
      {"Real", "REAL", {"Float"}, 0},
      {"Decimal", "DECIMAL", {"Decimal"}, 2},
      {"Money", "MONEY", {"Decimal"}, 0},
      {"Timestamp", "TIMESTAMP", {"DateTime"}, 1},
      {"Timestamptz", "TIMESTAMPTZ", {"DateTime"}, 1},
      {"Date", "DATE", {"DateTime"}, 0},
      {"Time", "TIME", {"DateTime"}, 1},
      {"Timetz", "TIMETZ", {"DateTime"}, 1},
      {"Json", "JSON", {"Json"}, 0},
      {"JsonB", "JSONB", {"Json"}, 0},
      {"ByteA", "BYTEA", {"Bytes"}, 0},
  };
  return types;
}

std::string scalar_sql(std::string_view scalar) {
  static const std::map<std::string_view, std::string_view> m = {
      {"Int", "INTEGER"}, {"BigInt", "BIGINT"},      {"Float", "DOUBLE PRECISION"}, {"Decimal", "DECIMAL(65,30)"},
      {"Boolean", "BOOLEAN"}, {"String", "TEXT"}, {"DateTime", "TIMESTAMP(3)"},     {"Json", "JSONB"},
      {"Bytes", "BYTEA"}};
  return std::string(m.at(scalar));
}

// Prisma's operator classes for PostgreSQL indexes (ops: XyzOps); raw("...") gives any other.
const std::map<std::string_view, std::string_view>& operator_classes() {
  static const std::map<std::string_view, std::string_view> m = {
      {"InetOps", "inet_ops"},
      {"JsonbOps", "jsonb_ops"},
      {"JsonbPathOps", "jsonb_path_ops"},
      {"ArrayOps", "array_ops"},
      {"TextOps", "text_ops"},
      {"BitMinMaxOps", "bit_minmax_ops"},
      {"VarBitMinMaxOps", "varbit_minmax_ops"},
      {"BpcharBloomOps", "bpchar_bloom_ops"},
      {"BpcharMinMaxOps", "bpchar_minmax_ops"},
      {"ByteaBloomOps", "bytea_bloom_ops"},
      {"ByteaMinMaxOps", "bytea_minmax_ops"},
      {"DateBloomOps", "date_bloom_ops"},
      {"DateMinMaxOps", "date_minmax_ops"},
      {"DateMinMaxMultiOps", "date_minmax_multi_ops"},
      {"Float4BloomOps", "float4_bloom_ops"},
      {"Float4MinMaxOps", "float4_minmax_ops"},
      {"Float4MinMaxMultiOps", "float4_minmax_multi_ops"},
      {"Float8BloomOps", "float8_bloom_ops"},
      {"Float8MinMaxOps", "float8_minmax_ops"},
      {"Float8MinMaxMultiOps", "float8_minmax_multi_ops"},
      {"InetInclusionOps", "inet_inclusion_ops"},
      {"InetBloomOps", "inet_bloom_ops"},
      {"InetMinMaxOps", "inet_minmax_ops"},
      {"InetMinMaxMultiOps", "inet_minmax_multi_ops"},
      {"Int2BloomOps", "int2_bloom_ops"},
      {"Int2MinMaxOps", "int2_minmax_ops"},
      {"Int2MinMaxMultiOps", "int2_minmax_multi_ops"},
      {"Int4BloomOps", "int4_bloom_ops"},
      {"Int4MinMaxOps", "int4_minmax_ops"},
      {"Int4MinMaxMultiOps", "int4_minmax_multi_ops"},
      {"Int8BloomOps", "int8_bloom_ops"},
      {"Int8MinMaxOps", "int8_minmax_ops"},
      {"Int8MinMaxMultiOps", "int8_minmax_multi_ops"},
      {"NumericBloomOps", "numeric_bloom_ops"},
      {"NumericMinMaxOps", "numeric_minmax_ops"},
      {"NumericMinMaxMultiOps", "numeric_minmax_multi_ops"},
      {"OidBloomOps", "oid_bloom_ops"},
      {"OidMinMaxOps", "oid_minmax_ops"},
      {"OidMinMaxMultiOps", "oid_minmax_multi_ops"},
      {"TextBloomOps", "text_bloom_ops"},
      {"TextMinMaxOps", "text_minmax_ops"},
      {"TimestampBloomOps", "timestamp_bloom_ops"},
      {"TimestampMinMaxOps", "timestamp_minmax_ops"},
      {"TimestampMinMaxMultiOps", "timestamp_minmax_multi_ops"},
      {"TimestampTzBloomOps", "timestamptz_bloom_ops"},
      {"TimestampTzMinMaxOps", "timestamptz_minmax_ops"},
      {"TimestampTzMinMaxMultiOps", "timestamptz_minmax_multi_ops"},
      {"TimeBloomOps", "time_bloom_ops"},
      {"TimeMinMaxOps", "time_minmax_ops"},
      {"TimeMinMaxMultiOps", "time_minmax_multi_ops"},
      {"TimeTzBloomOps", "timetz_bloom_ops"},
      {"TimeTzMinMaxOps", "timetz_minmax_ops"},
      {"TimeTzMinMaxMultiOps", "timetz_minmax_multi_ops"},
      {"UuidBloomOps", "uuid_bloom_ops"},
      {"UuidMinMaxOps", "uuid_minmax_ops"},
      {"UuidMinMaxMultiOps", "uuid_minmax_multi_ops"},
  };
  return m;
}

// Prisma renders a DateTime literal through chrono: "2020-01-01 00:00:00[.fff] +00:00".
std::optional<std::string> format_datetime(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || s.size() < 19 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) ||
      s[16] != ':' || !num(17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  long nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
    }
    if (i == start) return std::nullopt;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  std::string offset;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    offset = "+00:00";
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!num(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !num(i + 4, 2, om)) return std::nullopt;
    offset = std::string(1, s[i]) + std::string(s.substr(i + 1, 5));
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string out = std::string(s.substr(0, 10)) + " " + std::string(s.substr(11, 8));
  if (nanos != 0) {
    // chrono prints milliseconds, microseconds or nanoseconds, whichever is exact
    int digits = nanos % 1000000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
    std::string frac = std::to_string(1000000000L + nanos).substr(1);  // 9 digits, zero-padded
    out += "." + frac.substr(0, static_cast<std::size_t>(digits));
  }
  return out + " " + offset;
}

std::optional<std::string> base64_to_hex(std::string_view s) {
  static const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string hex;
  unsigned buf = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : s) {
    if (c == '=') {
      ++padding;
      continue;
    }
    auto v = alphabet.find(c);
    if (v == std::string_view::npos || padding > 0) return std::nullopt;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      char b[3];
      std::snprintf(b, sizeof b, "%02x", (buf >> bits) & 0xFF);
      hex += b;
    }
  }
  if (padding > 2) return std::nullopt;
  return hex;
}

struct IndexColumn {
  std::string column;
  std::string opclass;
  bool desc = false;
  bool asc = false;  // `sort: Asc` written out: Prisma then prints ASC (measured with its engine)
};

struct Index {
  std::string name;
  bool unique = false;
  std::string method;  // empty for BTree
  std::vector<IndexColumn> columns;
  std::string where;
  SourceRef origin;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;  // qualified
  std::vector<std::string> ref_columns;
  std::string on_delete, on_update;
  SourceRef origin;
};

struct Column {
  std::string name;
  std::string type;      // without NOT NULL; SERIAL for autoincrement
  std::string base_type; // SERIAL → INTEGER etc.: the type another table uses to reference it
  bool not_null = false;
  std::string default_sql;
};

struct Table {
  std::string schema;
  std::string name;
  std::vector<Column> columns;
  std::string pk_name;
  std::vector<std::string> pk_columns;
  std::vector<Index> indexes;
  std::vector<ForeignKey> fks;
  SourceRef origin;
  const Model* model = nullptr;
};

class Generator {
 public:
  explicit Generator(const PrismaSchema& s) : s_(s) {}

  std::vector<GeneratedDdl> run() {
    read_datasource();
    check_schemas();
    for (const auto& m : s_.models) tables_.push_back(table_for(m));
    for (std::size_t i = 0; i < s_.models.size(); ++i) {
      indexes_for(s_.models[i], tables_[i]);
      if (!relation_mode_prisma_) foreign_keys_for(s_.models[i], tables_[i]);
    }
    many_to_many();
    check_constraint_names();
    if (!diags_.empty()) throw PrismaError(std::move(diags_));
    return emit();
  }

  // Prisma's engine: primary key, index and unique constraint names share one namespace ("has to be unique in the
  // following namespace: global for primary key, indexes and unique constraints"); two default names cut to 63
  // bytes can meet there (found by the DDL oracle). PostgreSQL would refuse the second index.
  void check_constraint_names() {
    std::map<std::pair<std::string, std::string>, SourceRef> seen;  // (schema, name) -> where first used
    auto use = [&](const std::string& schema, const std::string& name, const SourceRef& at) {
      auto [it, fresh] = seen.emplace(std::make_pair(schema, name), at);
      if (!fresh) {
        error(at, "the constraint name '" + name + "' is already used at " + it->second.str() +
                      ": primary keys, indexes and unique constraints need distinct names (give one a map: name)");
      }
    };
    for (const auto& t : tables_) {
      if (!t.pk_name.empty()) use(t.schema, t.pk_name, t.origin);
      for (const auto& ix : t.indexes) use(t.schema, ix.name, ix.origin);
    }
  }

  // --- names ---------------------------------------------------------------------------------------------------
  static std::string mapped(const std::vector<Attribute>& attrs, const std::string& name) {
    for (const auto& a : attrs) {
      if (a.name == "map") {
        const Expr* e = a.first_or("name");
        if (e && e->is_string()) return e->text;
      }
    }
    return name;
  }
  std::string schema_of(const std::vector<Attribute>& attrs) const {
    for (const auto& a : attrs) {
      if (a.name == "schema") {
        const Expr* e = a.positional(0);
        if (e && e->is_string()) return e->text;
      }
    }
    return "public";
  }
  // Objects in the default schema are written unqualified, as Prisma does.
  static std::string qualified(const std::string& schema, const std::string& name) {
    return schema == "public" ? quote_ident(name) : quote_ident(schema) + "." + quote_ident(name);
  }
  std::string enum_sql(const Enum& e) const { return qualified(schema_of(e.attributes), mapped(e.attributes, e.name)); }
  static std::string column_name(const Field& f) { return mapped(f.attributes, f.name); }

 private:
  void error(const SourceRef& at, std::string msg) { diags_.push_back({at, std::move(msg)}); }

  const std::string* string_arg(const Expr* e, const std::string& what) {
    if (!e) return nullptr;
    if (!e->is_string()) {
      error(e->ref, what + " must be a string");
      return nullptr;
    }
    return &e->text;
  }

  void read_datasource() {
    if (s_.datasources.empty()) return;
    const ConfigBlock& ds = s_.datasources.front();
    const Expr* provider = ds.get("provider");
    if (!provider) {
      error(ds.ref, "the datasource has no provider");
    } else if (!provider->is_string() || (provider->text != "postgresql" && provider->text != "postgres")) {
      error(provider->ref, "only the PostgreSQL provider (\"postgresql\") is supported");
    }
    if (const Expr* mode = ds.get("relationMode")) relation_mode_prisma_ = mode->is_string() && mode->text == "prisma";
    if (const Expr* mode = ds.get("referentialIntegrity")) {
      relation_mode_prisma_ = mode->is_string() && mode->text == "prisma";
    }
    if (const Expr* schemas = ds.get("schemas")) {
      schemas_listed_ = true;
      if (schemas->kind != Expr::Kind::Array) error(schemas->ref, "schemas must be a list of strings");
      for (const auto& item : schemas->items) {
        if (const std::string* name = string_arg(&item, "a schema name")) schemas_.push_back({*name, item.ref});
      }
    } else {
      schemas_.push_back({"public", ds.ref});
    }
    if (const Expr* exts = ds.get("extensions")) {
      if (exts->kind != Expr::Kind::Array) error(exts->ref, "extensions must be a list");
      for (const auto& item : exts->items) {
        if (item.kind != Expr::Kind::Path && item.kind != Expr::Kind::Call) {
          error(item.ref, "an extension is a name, optionally with (schema: \"...\", version: \"...\", map: \"...\")");
          continue;
        }
        Extension x{item.text, "", "", item.ref};
        for (const auto& a : item.args) {
          const std::string* v = string_arg(&a.value, "the extension's " + a.name);
          if (!v) continue;
          if (a.name == "map") x.name = *v;
          else if (a.name == "schema") x.schema = *v;
          else if (a.name == "version") x.version = *v;
          else error(a.ref, "unknown extension argument '" + a.name + "': expected schema, version or map");
        }
        extensions_.push_back(std::move(x));
      }
      std::stable_sort(extensions_.begin(), extensions_.end(),
                       [](const Extension& a, const Extension& b) { return a.name < b.name; });
    }
  }

  // With `schemas = [...]` every model, view and enum names one of them with @@schema; without, none may.
  void check_schemas() {
    bool multi = !s_.datasources.empty() && s_.datasources.front().get("schemas");
    auto check = [&](const std::vector<Attribute>& attrs, const SourceRef& at, const std::string& what) {
      const Attribute* a = nullptr;
      for (const auto& x : attrs) {
        if (x.name == "schema") a = &x;
      }
      if (!a) {
        if (multi) error(at, what + " has no @@schema attribute (the datasource lists schemas)");
        return;
      }
      const std::string* name = string_arg(a->positional(0), "@@schema's argument");
      if (!name) {
        if (!a->positional(0)) error(a->ref, "@@schema needs the schema name, as in @@schema(\"public\")");
      } else if (!multi) {
        error(a->ref, "@@schema needs the datasource to list its schemas (schemas = [...])");
      } else if (std::none_of(schemas_.begin(), schemas_.end(), [&](const auto& sch) { return sch.first == *name; })) {
        error(a->ref, "schema \"" + *name + "\" is not in the datasource's schemas list");
      }
    };
    for (const auto& m : s_.models) check(m.attributes, m.ref, "model " + m.name);
    for (const auto& v : s_.views) check(v.attributes, v.ref, "view " + v.name);
    for (const auto& e : s_.enums) check(e.attributes, e.ref, "enum " + e.name);
  }

  // --- columns -------------------------------------------------------------------------------------------------
  bool is_relation(const Field& f) const { return s_.model(f.type) || view_named(f.type); }
  const Model* view_named(std::string_view name) const {
    for (const auto& v : s_.views) {
      if (v.name == name) return &v;
    }
    return nullptr;
  }

  // The column type without list brackets; `native` is the @db attribute if any.
  std::string element_type(const Field& f, const Attribute*& native) {
    native = nullptr;
    for (const auto& a : f.attributes) {
      if (a.name.rfind("db.", 0) == 0) native = &a;
    }
    if (f.type == "Unsupported") return f.unsupported;
    if (const Enum* e = s_.enum_(f.type)) {
      if (native) error(native->ref, "native type attributes do not apply to enum fields");
      return enum_sql(*e);
    }
    if (!native) return scalar_sql(f.type);
    std::string_view tname = std::string_view(native->name).substr(3);
    for (const auto& nt : native_types()) {
      if (nt.name != tname) continue;
      if (std::find(nt.scalars.begin(), nt.scalars.end(), f.type) == nt.scalars.end()) {
        error(native->ref, "@db." + std::string(tname) + " does not apply to a field of type " + f.type);
      }
      if (static_cast<int>(native->args.size()) > nt.max_args) {
        error(native->ref, "@db." + std::string(tname) + " takes " +
                               (nt.max_args == 0 ? std::string("no arguments") : "at most " + std::to_string(nt.max_args) +
                                                                                     " argument" + (nt.max_args > 1 ? "s" : "")));
      }
      std::vector<std::string> args;
      for (const auto& a : native->args) {
        if (a.value.kind != Expr::Kind::Number || !a.name.empty()) {
          error(a.ref, "arguments of @db." + std::string(tname) + " are numbers");
        }
        args.push_back(a.value.text);
      }
      return std::string(nt.sql) + (args.empty() ? "" : "(" + join(args, ",") + ")");
    }
    error(native->ref, "unknown native type @" + native->name + " for PostgreSQL");
    return scalar_sql(f.type);
  }

  std::optional<std::string> literal(const Field& f, const Expr& v, const std::string& type_sql) {
    auto bad = [&](const std::string& expected) -> std::optional<std::string> {
      error(v.ref, "default value of field '" + f.name + "' must be " + expected);
      return std::nullopt;
    };
    if (const Enum* e = s_.enum_(f.type)) {
      if (v.kind != Expr::Kind::Path) return bad("a value of enum " + e->name);
      for (const auto& val : e->values) {
        if (val.name == v.text) return quote_literal(mapped(val.attributes, val.name));
      }
      return bad("a value of enum " + e->name + " ('" + v.text + "' is not one)");
    }
    const std::string& t = f.type;
    if (t == "String" || t == "Json") {
      if (!v.is_string()) return bad("a string");
      return quote_literal(v.text);
    }
    if (t == "Boolean") {
      if (!v.is_path("true") && !v.is_path("false")) return bad("true or false");
      return v.text;
    }
    if (t == "Int" || t == "BigInt") {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
      if (v.kind != Expr::Kind::Number || ec != std::errc() || p != v.text.data() + v.text.size()) {
        return bad("an integer");
      }
      return std::to_string(n);
    }
    if (t == "Float") {
      double d = 0;
      auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
      if (v.kind != Expr::Kind::Number || ec != std::errc() || p != v.text.data() + v.text.size()) {
        return bad("a number");
      }
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      return std::string(buf, r.ptr);
    }
    if (t == "Decimal") {
      if (v.kind != Expr::Kind::Number && !v.is_string()) return bad("a number");
      return v.text;
    }
    if (t == "DateTime") {
      if (!v.is_string()) return bad("now(), or a date-time string such as \"2020-01-01T00:00:00Z\"");
      auto dt = format_datetime(v.text);
      if (!dt) return bad("an RFC 3339 date-time such as \"2020-01-01T00:00:00Z\"");
      return quote_literal(*dt);
    }
    if (t == "Bytes") {
      if (!v.is_string()) return bad("a base64 string");
      auto hex = base64_to_hex(v.text);
      if (!hex) return bad("a base64 string");
      return "'\\x" + *hex + "'";
    }
    (void)type_sql;
    return bad("dbgenerated(\"...\") for an Unsupported type");
  }

  // Renders @default; sets `serial` for autoincrement().
  std::string default_sql(const Field& f, const Attribute& a, const std::string& type_sql, bool& serial) {
    const Expr* v = a.first_or("value");
    if (!v) {
      error(a.ref, "@default needs a value");
      return "";
    }
    if (v->kind == Expr::Kind::Call) {
      const std::string& fn = v->text;
      if (fn == "dbgenerated") {
        const Expr* e = v->positional(0);
        if (!e) return "";
        if (!e->is_string()) error(e->ref, "dbgenerated() takes a string");
        return e->text;
      }
      if (fn == "autoincrement") {
        if (f.type != "Int" && f.type != "BigInt") error(v->ref, "autoincrement() applies to Int and BigInt fields");
        serial = true;
        return "";
      }
      if (fn == "now") {
        if (f.type != "DateTime") error(v->ref, "now() applies to DateTime fields");
        return "CURRENT_TIMESTAMP";
      }
      if (fn == "uuid" || fn == "cuid" || fn == "nanoid" || fn == "ulid") {
        if (f.type != "String") error(v->ref, fn + "() applies to String fields");
        return "";  // generated by the Prisma client, not the database
      }
      if (fn == "auto") {
        error(v->ref, "auto() is only supported on MongoDB");
        return "";
      }
      if (fn == "sequence") {
        error(v->ref, "sequence() is only supported on CockroachDB");
        return "";
      }
      error(v->ref, "unknown default function " + fn + "()");
      return "";
    }
    if (f.arity == Arity::List) {
      if (v->kind != Expr::Kind::Array) {
        error(v->ref, "default value of list field '" + f.name + "' must be a list");
        return "";
      }
      std::vector<std::string> items;
      for (const auto& item : v->items) {
        if (auto lit = literal(f, item, type_sql)) items.push_back(*lit);
      }
      return "ARRAY[" + join(items, ", ") + "]::" + type_sql + "[]";
    }
    if (v->kind == Expr::Kind::Array) {
      error(v->ref, "a list default applies to list fields only");
      return "";
    }
    auto lit = literal(f, *v, type_sql);
    return lit ? *lit : "";
  }

  Table table_for(const Model& m) {
    Table t;
    t.model = &m;
    t.name = mapped(m.attributes, m.name);
    t.schema = schema_of(m.attributes);
    t.origin = m.ref;
    for (const auto& f : m.fields) {
      if (is_relation(f)) continue;
      if (s_.composite(f.type)) {
        error(f.type_ref, "composite types are only supported on MongoDB");
        continue;
      }
      Column c;
      c.name = column_name(f);
      const Attribute* native = nullptr;
      std::string type = element_type(f, native);
      bool serial = false;
      if (const Attribute* d = f.attr("default")) c.default_sql = default_sql(f, *d, type, serial);
      c.base_type = type + (f.arity == Arity::List ? "[]" : "");
      if (serial) {
        std::string_view nt = native ? std::string_view(native->name).substr(3) : "";
        if (f.arity == Arity::List) error(f.ref, "autoincrement() does not apply to a list");
        if (nt == "SmallInt") type = "SMALLSERIAL";
        else if (f.type == "BigInt") type = "BIGSERIAL";
        else if (nt.empty() || nt == "Integer") type = "SERIAL";
        else error(native->ref, "autoincrement() does not apply to @" + native->name);
      }
      c.type = type + (f.arity == Arity::List ? "[]" : "");
      c.not_null = f.arity == Arity::Required;
      t.columns.push_back(std::move(c));
    }
    // primary key: @id on a field or @@id
    for (const auto& f : m.fields) {
      if (const Attribute* id = f.attr("id")) {
        if (!t.pk_columns.empty()) error(id->ref, "a model can have only one primary key");
        t.pk_columns = {column_name(f)};
        t.pk_name = constraint_map(*id);
      }
    }
    if (const Attribute* id = m.attr("id")) {
      if (!t.pk_columns.empty()) error(id->ref, "a model can have only one primary key");
      for (const auto& c : index_columns(m, *id, "@@id")) t.pk_columns.push_back(c.column);
      t.pk_name = constraint_map(*id);
    }
    if (!t.pk_columns.empty() && t.pk_name.empty()) t.pk_name = default_primary_key_name(t.name);
    return t;
  }

  std::string constraint_map(const Attribute& a) {
    const std::string* s = constraint_name(a.arg("map"));
    return s ? *s : "";
  }

  // The `map:` name of a primary key, unique constraint, index or foreign key. Prisma rejects a name longer than
  // PostgreSQL's 63 bytes (it would be cut, and two cut names could clash) instead of shortening it.
  const std::string* constraint_name(const Expr* e) {
    const std::string* s = string_arg(e, "map");
    if (s && s->size() > 63) {
      error(e->ref, "the constraint name '" + *s + "' in map: is longer than PostgreSQL's limit of 63 bytes");
    }
    return s;
  }

  // Prisma accepts a single value where a list is expected: @@index(userId) is @@index([userId]).
  static std::vector<Expr> as_list(const Expr& e) { return e.kind == Expr::Kind::Array ? e.items : std::vector<Expr>{e}; }

  // --- indexes -------------------------------------------------------------------------------------------------
  const Field* scalar_field(const Model& m, const Expr& e) {
    const Field* f = m.field(e.text);
    if (!f) {
      error(e.ref, "model " + m.name + " has no field '" + e.text + "'");
      return nullptr;
    }
    if (is_relation(*f)) {
      error(e.ref, "'" + e.text + "' is a relation field; list its scalar fields instead");
      return nullptr;
    }
    return f;
  }

  std::vector<IndexColumn> index_columns(const Model& m, const Attribute& a, const std::string& what) {
    std::vector<IndexColumn> cols;
    const Expr* list = a.first_or("fields");
    if (!list || (list->kind == Expr::Kind::Array && list->items.empty())) {
      error(a.ref, what + " needs a list of fields, as in " + what + "([a, b])");
      return cols;
    }
    for (const auto& item : as_list(*list)) {
      if (item.kind != Expr::Kind::Path && item.kind != Expr::Kind::Call) {
        error(item.ref, "expected a field name");
        continue;
      }
      const Field* f = scalar_field(m, item);
      if (!f) continue;
      IndexColumn c{column_name(*f), "", false, false};
      for (const auto& arg : item.args) column_option(c, arg);
      cols.push_back(std::move(c));
    }
    return cols;
  }

  void column_option(IndexColumn& c, const Arg& arg) {
    if (arg.name == "sort") {
      if (!arg.value.is_path("Asc") && !arg.value.is_path("Desc")) error(arg.value.ref, "sort is Asc or Desc");
      c.desc = arg.value.is_path("Desc");
      c.asc = arg.value.is_path("Asc");
    } else if (arg.name == "ops") {
      if (arg.value.is_call("raw")) {
        const Expr* s = arg.value.positional(0);
        if (const std::string* v = string_arg(s, "raw()'s argument")) c.opclass = *v;
        else if (!s) error(arg.value.ref, "raw() needs the operator class as a string");
      } else {
        auto it = operator_classes().find(arg.value.text);
        if (arg.value.kind != Expr::Kind::Path || it == operator_classes().end()) {
          error(arg.value.ref, "unknown operator class '" + arg.value.text + "' (use raw(\"...\") for others)");
        } else {
          c.opclass = std::string(it->second);
        }
      }
    } else if (arg.name == "length") {
      error(arg.ref, "length is only supported on MySQL");
    } else {
      error(arg.ref, "unknown argument '" + arg.name + "' for an index field: expected sort, ops or length");
    }
  }

  void index_options(Index& ix, const Attribute& a, const std::string& what,
                     std::initializer_list<std::string_view> allowed) {
    for (const auto& arg : a.args) {
      if (arg.name.empty() || arg.name == "fields") continue;
      if (std::find(allowed.begin(), allowed.end(), arg.name) == allowed.end()) {
        error(arg.ref, "unknown argument '" + arg.name + "' for " + what);
        continue;
      }
      if (arg.name == "type") {
        static const std::map<std::string_view, std::string_view> methods = {
            {"BTree", ""}, {"Hash", "HASH"}, {"Gist", "GIST"}, {"Gin", "GIN"}, {"SpGist", "SPGIST"}, {"Brin", "BRIN"}};
        auto it = methods.find(arg.value.text);
        if (arg.value.kind != Expr::Kind::Path || it == methods.end()) {
          error(arg.value.ref, "unknown index type '" + arg.value.text + "': expected BTree, Hash, Gist, Gin, SpGist or Brin");
        } else {
          ix.method = std::string(it->second);
          // Prisma's engine: "Hash type does not support sort option."
          bool sorted = std::any_of(ix.columns.begin(), ix.columns.end(),
                                    [](const IndexColumn& c) { return c.asc || c.desc; });
          if (ix.method == "HASH" && sorted) error(a.ref, "a Hash index takes no sort order");
        }
      } else if (arg.name == "where") {
        const Expr* s = arg.value.is_call("raw") ? arg.value.positional(0) : nullptr;
        if (!s || !s->is_string()) error(arg.value.ref, "where takes raw(\"<predicate>\")");
        else ix.where = s->text;
      } else if (arg.name == "sort" || arg.name == "length") {
        // field-level @unique(sort: Desc)
        IndexColumn& c = ix.columns.front();
        column_option(c, arg);
      } else if (arg.name == "clustered") {
        if (arg.value.is_path("true")) error(arg.ref, "clustered indexes are only supported on SQL Server");
      } else if (arg.name == "map") {
        if (const std::string* s = constraint_name(&arg.value)) ix.name = *s;
      } else if (arg.name == "name" && a.name == "index") {
        if (const std::string* s = string_arg(&arg.value, arg.name)) ix.name = *s;
      } else if (arg.name == "ops") {
        error(arg.ref, "ops goes on a field of the index, as in [field(ops: JsonbPathOps)]");
      }
    }
  }

  // What Prisma's engine accepts for an @@index field without ops: (measured with prisma-engine sql over every
  // scalar type, list and @db type, for every index type; tests/test_prisma_ddl.cpp compares the two on that
  // matrix). Gin: lists and jsonb; Gist: String (text); SpGist: String as text, char, varchar or inet; Brin: not
  // Boolean, Json, enums, Money, Citext or Xml; Hash and BTree: any. No index at all on @db.Xml (reported at the
  // field, as the engine does, besides the index type's own refusal).
  static bool index_type_accepts(std::string_view method, const std::string& type, const std::string& native,
                                 bool list, bool is_enum) {
    if (method == "GIN") return list || (type == "Json" && (native.empty() || native == "JsonB"));
    if (method == "GIST") return type == "String" && native.empty();
    if (method == "SPGIST") {
      return type == "String" && (native.empty() || native == "Text" || native == "Char" || native == "VarChar" ||
                                  native == "Inet");
    }
    if (method == "BRIN") {
      return !is_enum && type != "Boolean" && type != "Json" && native != "Money" && native != "Citext" &&
             native != "Xml";
    }
    return true;
  }

  void index_type_support(const Model& m, const Attribute& a, const Index& ix) {
    const Expr* list = a.first_or("fields");
    if (!list) return;
    static const std::map<std::string, std::string_view> names = {
        {"", "BTree"}, {"HASH", "Hash"}, {"GIST", "Gist"}, {"GIN", "Gin"}, {"SPGIST", "SpGist"}, {"BRIN", "Brin"}};
    for (const auto& item : as_list(*list)) {
      const Field* f = m.field(item.text);
      if (!f || is_relation(*f)) continue;  // reported by index_columns
      bool ops = std::any_of(item.args.begin(), item.args.end(), [](const Arg& g) { return g.name == "ops"; });
      std::string native;
      for (const auto& at : f->attributes) {
        if (at.name.rfind("db.", 0) == 0) native = at.name.substr(3);
      }
      if (native == "Xml") {
        error(f->ref, "field '" + f->name + "' has native type Xml, which Prisma cannot index (remove it from the index)");
      }
      auto method = names.find(ix.method);
      if (ops || method == names.end()) continue;
      bool is_enum = s_.enum_(f->type) != nullptr;
      if (!index_type_accepts(ix.method, f->type, native, f->arity == Arity::List, is_enum)) {
        std::string type = f->type + (f->arity == Arity::List ? "[]" : "") + (native.empty() ? "" : " @db." + native);
        error(item.ref, "the " + std::string(method->second) + " index type has no default operator class for field '" +
                            f->name + "' (" + type + "): give it one with ops:, or use another index type");
      }
    }
  }

  void indexes_for(const Model& m, Table& t) {
    for (const auto& f : m.fields) {
      const Attribute* u = f.attr("unique");
      if (!u) continue;
      if (is_relation(f)) {
        error(u->ref, "@unique on a relation field; put it on the scalar field");
        continue;
      }
      Index ix;
      ix.unique = true;
      ix.origin = u->ref;
      ix.columns.push_back({column_name(f), "", false, false});
      index_options(ix, *u, "@unique", {"map", "sort", "length", "clustered", "where"});
      if (ix.name.empty()) ix.name = default_constraint_name(t.name, {column_name(f)}, "_key");
      t.indexes.push_back(std::move(ix));
    }
    // Prisma collects all @@index, then all @@unique, then @@fulltext.
    for (const char* kind : {"index", "unique", "fulltext"}) {
      for (const auto& a : m.attributes) {
        if (a.name != kind) continue;
        if (a.name == "fulltext") {
          error(a.ref, "@@fulltext is only supported on MySQL and MongoDB");
          continue;
        }
        Index ix;
        ix.unique = a.name == "unique";
        ix.origin = a.ref;
        ix.columns = index_columns(m, a, "@@" + a.name);
        if (ix.columns.empty()) continue;
        if (ix.unique) index_options(ix, a, "@@unique", {"map", "name", "clustered", "where"});
        else index_options(ix, a, "@@index", {"map", "name", "type", "clustered", "where", "ops"});
        if (!ix.unique) index_type_support(m, a, ix);
        if (ix.name.empty()) {
          std::vector<std::string> cols;
          for (const auto& c : ix.columns) cols.push_back(c.column);
          ix.name = default_constraint_name(t.name, cols, ix.unique ? "_key" : "_idx");
        }
        t.indexes.push_back(std::move(ix));
      }
    }
  }

  // --- relations -----------------------------------------------------------------------------------------------
  std::string relation_name(const Field& f) {
    const Attribute* r = f.attr("relation");
    if (!r) return "";
    const std::string* s = string_arg(r->first_or("name"), "the relation name");
    return s ? *s : "";
  }

  // The field on the other side of relation field `f` of model `m`.
  const Field* opposite(const Model& m, const Field& f, const Model& target) {
    std::string name = relation_name(f);
    for (const auto& o : target.fields) {
      if (&o == &f || o.type != m.name) continue;
      if (relation_name(o) == name) return &o;
    }
    return nullptr;
  }

  static std::string action(const Expr& e, std::string& out) {
    static const std::map<std::string_view, std::string_view> actions = {{"Cascade", "CASCADE"},
                                                                         {"Restrict", "RESTRICT"},
                                                                         {"NoAction", "NO ACTION"},
                                                                         {"SetNull", "SET NULL"},
                                                                         {"SetDefault", "SET DEFAULT"}};
    auto it = actions.find(e.text);
    if (e.kind != Expr::Kind::Path || it == actions.end()) {
      return "unknown referential action '" + e.text + "': expected Cascade, Restrict, NoAction, SetNull or SetDefault";
    }
    out = std::string(it->second);
    return "";
  }

  std::vector<const Field*> field_list(const Model& m, const Expr* list) {
    std::vector<const Field*> out;
    if (!list) return out;
    for (const auto& item : as_list(*list)) {
      if (item.kind != Expr::Kind::Path) {
        error(item.ref, "expected a field name");
      } else if (const Field* f = scalar_field(m, item)) {
        out.push_back(f);
      }
    }
    return out;
  }

  void foreign_keys_for(const Model& m, Table& t) {
    for (const auto& f : m.fields) {
      const Attribute* r = f.attr("relation");
      if (!r || !is_relation(f)) {
        if (r) error(r->ref, "@relation on a field whose type is not a model");
        continue;
      }
      const Expr* fields = r->arg("fields");
      const Expr* refs = r->arg("references");
      if (!fields && !refs) continue;  // the back side, or an implicit many-to-many
      const Model* target = s_.model(f.type);
      if (!target) continue;  // a relation to a view: no foreign key
      if (!fields || !refs) {
        error(r->ref, "@relation needs both fields: and references:");
        continue;
      }
      auto local = field_list(m, fields);
      auto remote = field_list(*target, refs);
      if (as_list(*fields).size() != as_list(*refs).size()) {
        error(r->ref, "fields: and references: must list the same number of fields");
        continue;
      }
      if (local.empty() || local.size() != remote.size()) continue;  // unknown fields are reported already
      ForeignKey fk;
      fk.origin = r->ref;
      bool any_required = false;
      for (const Field* lf : local) {
        fk.columns.push_back(column_name(*lf));
        any_required = any_required || lf->arity == Arity::Required;
      }
      for (const Field* rf : remote) fk.ref_columns.push_back(column_name(*rf));
      fk.ref_table = qualified(schema_of(target->attributes), mapped(target->attributes, target->name));
      fk.on_delete = any_required ? "RESTRICT" : "SET NULL";
      fk.on_update = "CASCADE";
      for (const auto& [arg, slot] : {std::pair{"onDelete", &fk.on_delete}, std::pair{"onUpdate", &fk.on_update}}) {
        if (const Expr* e = r->arg(arg)) {
          std::string msg = action(*e, *slot);
          if (!msg.empty()) error(e->ref, msg);
        }
      }
      const std::string* map = constraint_name(r->arg("map"));
      fk.name = map ? *map : default_constraint_name(t.name, fk.columns, "_fkey");
      t.fks.push_back(std::move(fk));
    }
  }

  // Implicit many-to-many relations become "_AToB" tables (or "_<relation name>"), created after the models'
  // tables, in the order Prisma meets them: at the field of model A (the model whose name sorts first), or at the
  // first of the two fields of a self-relation.
  void many_to_many() {
    for (const auto& m : s_.models) {
      for (const auto& f : m.fields) {
        if (f.arity != Arity::List) continue;
        const Model* target = s_.model(f.type);
        if (!target) continue;
        const Attribute* r = f.attr("relation");
        if (r && (r->arg("fields") || r->arg("references"))) continue;
        const Field* o = opposite(m, f, *target);
        if (!o || o->arity != Arity::List) continue;
        if (target != &m && !(m.name < target->name)) continue;
        if (target == &m && o < &f) continue;
        const Model& a = m;
        const Model& b = *target;
        std::string name = relation_name(f);
        if (name.empty()) name = a.name + "To" + b.name;
        Table t;
        t.name = "_" + name;
        t.schema = schema_of(a.attributes);
        t.origin = f.ref;
        std::string a_type = id_type(a, f), b_type = id_type(b, f);
        t.columns = {{"A", a_type, a_type, true, ""}, {"B", b_type, b_type, true, ""}};
        t.pk_name = t.name + "_AB_pkey";
        t.pk_columns = {"A", "B"};
        Index ix{t.name + "_B_index", false, "", {{"B", "", false}}, "", f.ref};
        t.indexes.push_back(std::move(ix));
        if (!relation_mode_prisma_) {
          for (const auto& [col, model] : {std::pair{"A", &a}, std::pair{"B", &b}}) {
            const Field* id = single_id(*model, f);
            t.fks.push_back({t.name + "_" + col + "_fkey", {col},
                             qualified(schema_of(model->attributes), mapped(model->attributes, model->name)),
                             {id ? column_name(*id) : ""}, "CASCADE", "CASCADE", f.ref});
          }
        }
        tables_.push_back(std::move(t));
      }
    }
  }

  const Field* single_id(const Model& m, const Field& at) {
    for (const auto& f : m.fields) {
      if (f.attr("id")) return &f;
    }
    error(at.ref, "the implicit many-to-many relation '" + at.name + "' needs a single-field @id on model " + m.name);
    return nullptr;
  }
  std::string id_type(const Model& m, const Field& at) {
    const Field* id = single_id(m, at);
    if (!id) return "";
    const Table& t = tables_[static_cast<std::size_t>(&m - s_.models.data())];
    for (const auto& c : t.columns) {
      if (c.name == column_name(*id)) return c.base_type;
    }
    return "";
  }

  // --- output --------------------------------------------------------------------------------------------------
  // With a `schemas` list, Prisma creates the schemas its tables and enums live in, in byte order of their names
  // (a listed schema nothing uses is not created; measured with its engine); without one, "public".
  std::vector<std::pair<std::string, SourceRef>> created_schemas() const {
    if (!schemas_listed_) return schemas_;
    std::set<std::string> used;
    for (const auto& t : tables_) used.insert(t.schema);
    for (const auto& e : s_.enums) used.insert(schema_of(e.attributes));
    std::vector<std::pair<std::string, SourceRef>> out;
    for (const auto& name : used) {
      auto it = std::find_if(schemas_.begin(), schemas_.end(), [&](const auto& sch) { return sch.first == name; });
      if (it != schemas_.end()) out.push_back(*it);
    }
    return out;
  }

  std::vector<GeneratedDdl> emit() {
    std::vector<GeneratedDdl> out;
    for (const auto& [name, ref] : created_schemas()) {
      out.push_back({"CreateSchema", "CREATE SCHEMA IF NOT EXISTS " + quote_ident(name), ref});
    }
    for (const auto& x : extensions_) {
      std::string sql = "CREATE EXTENSION IF NOT EXISTS " + quote_ident(x.name);
      if (!x.schema.empty()) sql += " WITH SCHEMA " + quote_ident(x.schema);
      if (!x.version.empty()) sql += " VERSION " + quote_ident(x.version);
      out.push_back({"CreateExtension", sql, x.origin});
    }
    for (const auto& e : s_.enums) {
      std::vector<std::string> values;
      for (const auto& v : e.values) values.push_back(quote_literal(mapped(v.attributes, v.name)));
      out.push_back({"CreateEnum", "CREATE TYPE " + enum_sql(e) + " AS ENUM (" + join(values, ", ") + ")", e.ref});
    }
    for (const auto& t : tables_) {
      std::vector<std::string> lines;
      for (const auto& c : t.columns) {
        lines.push_back("    " + quote_ident(c.name) + " " + c.type + (c.not_null ? " NOT NULL" : "") +
                        (c.default_sql.empty() ? "" : " DEFAULT " + c.default_sql));
      }
      std::string body = join(lines, ",\n");
      if (!t.pk_columns.empty()) {
        std::vector<std::string> cols;
        for (const auto& c : t.pk_columns) cols.push_back(quote_ident(c));
        body += ",\n\n    CONSTRAINT " + quote_ident(t.pk_name) + " PRIMARY KEY (" + join(cols, ",") + ")";
      }
      out.push_back({"CreateTable", "CREATE TABLE " + qualified(t.schema, t.name) + " (\n" + body + "\n)", t.origin});
    }
    for (const auto& t : tables_) {
      for (const auto& ix : t.indexes) {
        std::vector<std::string> cols;
        for (const auto& c : ix.columns) {
          cols.push_back(quote_ident(c.column) + (c.opclass.empty() ? "" : " " + c.opclass) +
                         (c.desc ? " DESC" : c.asc ? " ASC" : ""));
        }
        std::string sql = std::string(ix.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + quote_ident(ix.name) +
                          " ON " + qualified(t.schema, t.name) + (ix.method.empty() ? "" : " USING " + ix.method + " ") +
                          "(" + join(cols, ", ") + ")" + (ix.where.empty() ? "" : " WHERE (" + ix.where + ")");
        out.push_back({"CreateIndex", sql, ix.origin});
      }
    }
    for (const auto& t : tables_) {
      for (const auto& fk : t.fks) {
        std::vector<std::string> cols, refs;
        for (const auto& c : fk.columns) cols.push_back(quote_ident(c));
        for (const auto& c : fk.ref_columns) refs.push_back(quote_ident(c));
        out.push_back({"AddForeignKey",
                       "ALTER TABLE " + qualified(t.schema, t.name) + " ADD CONSTRAINT " + quote_ident(fk.name) +
                           " FOREIGN KEY (" + join(cols, ", ") + ") REFERENCES " + fk.ref_table + "(" + join(refs, ", ") +
                           ") ON DELETE " + fk.on_delete + " ON UPDATE " + fk.on_update,
                       fk.origin});
      }
    }
    return out;
  }

  struct Extension {
    std::string name, schema, version;
    SourceRef origin;
  };

  const PrismaSchema& s_;
  std::vector<Diagnostic> diags_;
  std::vector<std::pair<std::string, SourceRef>> schemas_;
  bool schemas_listed_ = false;  // the datasource has `schemas = [...]`
  std::vector<Extension> extensions_;
  std::vector<Table> tables_;  // one per model, in model order, then the implicit many-to-many tables
  bool relation_mode_prisma_ = false;
};

}  // namespace

std::string default_constraint_name(std::string_view table, const std::vector<std::string>& columns,
                                    std::string_view suffix) {
  std::string joined = std::string(table) + "_" + join(columns, "_");
  return std::string(floor_char_boundary(joined, kMaxIdentifier - suffix.size())) + std::string(suffix);
}

std::string default_primary_key_name(std::string_view table) {
  return std::string(floor_char_boundary(table, kMaxIdentifier - 5)) + "_pkey";
}

std::vector<GeneratedDdl> generate_ddl(const PrismaSchema& schema) { return Generator(schema).run(); }

std::vector<ExpectedView> expected_views(const PrismaSchema& schema) {
  std::vector<ExpectedView> out;
  Generator g(schema);
  for (const auto& v : schema.views) {
    out.push_back({g.schema_of(v.attributes), Generator::mapped(v.attributes, v.name), &v, v.ref});
  }
  return out;
}

std::vector<ColumnOrigin> column_origins(const PrismaSchema& schema) {
  std::vector<ColumnOrigin> out;
  Generator g(schema);
  for (const auto& m : schema.models) {
    std::string schema_name = g.schema_of(m.attributes);
    std::string table = Generator::mapped(m.attributes, m.name);
    for (const auto& f : m.fields) {
      const Attribute* d = f.attr("default");
      const Expr* v = d ? d->first_or("value") : nullptr;
      bool any_default = v && v->is_call("dbgenerated") && !v->positional(0);
      out.push_back({schema_name, table, Generator::mapped(f.attributes, f.name), f.ref, any_default});
    }
  }
  return out;
}

std::string render_script(const std::vector<GeneratedDdl>& ddl) {
  std::string out;
  for (const auto& d : ddl) out += (out.empty() ? "" : "\n") + ("-- " + d.step + "\n" + d.sql + ";\n");
  return out;
}

}  // namespace driftguard::prisma
