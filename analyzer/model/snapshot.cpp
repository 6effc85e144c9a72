#include "analyzer/model/snapshot.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace driftguard::model::snapshot {

namespace {

// Format: the magic, then a version bumped whenever the encoding of anything changes.
constexpr std::string_view kMagic = "driftguard-model-snapshot";
constexpr std::uint32_t kVersion = 2;

// Every field of each struct, in declaration order. The sizes are those of x86-64 libstdc++ (GCC and clang): a
// field added, removed or retyped changes the size, and the build stops here until the list says it.
template <class T>
struct Fields;

// How many fields aggregate initialization takes (a field added where padding was leaves the size as it was).
struct AnyField {
  // Only named in unevaluated requires-expressions; defined because clang counts that as a use.
  template <class U>
  operator U() const noexcept {  // NOLINT: converts to any field's type
    std::abort();
  }
};
template <class T, std::size_t... I>
constexpr bool init_with(std::index_sequence<I...>) {
  return requires { T{((void)I, AnyField{})...}; };
}
template <class T, std::size_t N = 0>
constexpr std::size_t field_count() {
  if constexpr (!init_with<T>(std::make_index_sequence<N + 1>{})) {
    return N;
  } else {
    return field_count<T, N + 1>();
  }
}

#define DG_SNAPSHOT_SIZE(T, N) \
  static_assert(sizeof(T) == (N), "a field of " #T " was added or changed: list it in Fields<" #T "> (snapshot.cpp)")
// `count`: how many fields each() lists (field_bytes checks it, the round-trip test calls it on every struct).
#define DG_SNAPSHOT_SHAPE(T, N, FIELDS)                                                                       \
  DG_SNAPSHOT_SIZE(T, N);                                                                                      \
  static constexpr std::size_t count = FIELDS;                                                                 \
  static_assert(field_count<T>() == (FIELDS), "a field of " #T " was added or removed: list it in Fields<" #T \
                                              "> (snapshot.cpp)")

template <>
struct Fields<SourceRef> {
  DG_SNAPSHOT_SHAPE(SourceRef, 16, 3);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.file), f(x.line), f(x.column);
  }
};

template <>
struct Fields<Comment> {
  DG_SNAPSHOT_SHAPE(Comment, 48, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.text), f(x.src);
  }
};

template <>
struct Fields<Column> {
  DG_SNAPSHOT_SIZE(Column, 96);  // not an aggregate (its rare part is private): the size only
  static constexpr std::size_t count = 11;
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.type), f(x.not_null), f(x.local), f(x.storage), f(x.default_expr), f(x.identity), f(x.collation),
        f(x.src), f(x.spelling), f(x.rare_part());
  }
};

template <>
struct Fields<Column::Rare> {
  DG_SNAPSHOT_SHAPE(Column::Rare, 144, 4);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.generated), f(x.not_null_src), f(x.comment), f(x.grants);
  }
};

template <>
struct Fields<Constraint> {
  DG_SNAPSHOT_SHAPE(Constraint, 312, 18);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.kind), f(x.columns), f(x.include), f(x.nulls_not_distinct), f(x.expression), f(x.ref_schema),
        f(x.ref_table), f(x.ref_columns), f(x.on_delete), f(x.on_update), f(x.match), f(x.deferrable),
        f(x.initially_deferred), f(x.not_valid), f(x.index_columns), f(x.comment), f(x.src);
  }
};

template <>
struct Fields<IndexKey> {
  DG_SNAPSHOT_SHAPE(IndexKey, 64, 6);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.expr), f(x.is_expression), f(x.desc), f(x.opclass), f(x.collation), f(x.nulls);
  }
};

template <>
struct Fields<Index> {
  DG_SNAPSHOT_SIZE(Index, 128);  // not an aggregate (its rare part is private): the size only
  static constexpr std::size_t count = 8;
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.unique), f(x.nulls_not_distinct), f(x.method), f(x.keys), f(x.include), f(x.src), f(x.rare_part());
  }
};

template <>
struct Fields<Index::Rare> {
  DG_SNAPSHOT_SHAPE(Index::Rare, 152, 4);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.predicate), f(x.options), f(x.comment), f(x.column_names);
  }
};

template <>
struct Fields<Trigger> {
  DG_SNAPSHOT_SHAPE(Trigger, 232, 11);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.timing), f(x.events), f(x.for_each_row), f(x.function), f(x.when), f(x.constraint),
        f(x.deferrable), f(x.initially_deferred), f(x.comment), f(x.src);
  }
};

template <>
struct Fields<Policy> {
  DG_SNAPSHOT_SHAPE(Policy, 224, 8);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.command), f(x.permissive), f(x.roles), f(x.using_expr), f(x.check_expr), f(x.comment), f(x.src);
  }
};

template <>
struct Fields<Table> {
  DG_SNAPSHOT_SHAPE(Table, 528, 21);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schema), f(x.name), f(x.columns), f(x.constraints), f(x.indexes), f(x.triggers), f(x.policies),
        f(x.rls_enabled), f(x.rls_forced), f(x.rls_src), f(x.opaque), f(x.platform_shell), f(x.options),
        f(x.partition_by), f(x.parent_schema), f(x.parent_table), f(x.partition_bound), f(x.inherits), f(x.comment),
        f(x.grants), f(x.src);
  }
};

template <>
struct Fields<Type::DomainParts> {
  DG_SNAPSHOT_SHAPE(Type::DomainParts, 128, 5);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.base_type), f(x.collation), f(x.default_expr), f(x.not_null), f(x.checks);
  }
};

template <>
struct Fields<Type> {
  DG_SNAPSHOT_SHAPE(Type, 344, 8);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schema), f(x.name), f(x.kind), f(x.values), f(x.definition), f(x.domain), f(x.comment), f(x.src);
  }
};

template <>
struct Fields<Sequence> {
  DG_SNAPSHOT_SHAPE(Sequence, 240, 7);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schema), f(x.name), f(x.type), f(x.owned_by), f(x.comment), f(x.grants), f(x.src);
  }
};

template <>
struct Fields<View::Query> {
  DG_SNAPSHOT_SHAPE(View::Query, 48, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.tree), f(x.text);
  }
};

template <>
struct Fields<View> {
  DG_SNAPSHOT_SHAPE(View, 352, 14);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schema), f(x.name), f(x.materialized), f(x.definition), f(x.resolved), f(x.loose), f(x.columns),
        f(x.indexes), f(x.reads), f(x.query), f(x.order), f(x.comment), f(x.grants), f(x.src);
  }
};

template <>
struct Fields<Function> {
  DG_SNAPSHOT_SHAPE(Function, 408, 14);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schema), f(x.name), f(x.identity_args), f(x.arguments), f(x.returns), f(x.language), f(x.procedure),
        f(x.body), f(x.sql_text), f(x.options), f(x.order), f(x.comment), f(x.grants), f(x.src);
  }
};

template <>
struct Fields<Extension> {
  DG_SNAPSHOT_SHAPE(Extension, 80, 3);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.schema), f(x.src);
  }
};

template <>
struct Fields<Schema> {
  DG_SNAPSHOT_SHAPE(Schema, 432, 9);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.name), f(x.tables), f(x.types), f(x.sequences), f(x.views), f(x.functions), f(x.comment), f(x.grants),
        f(x.src);
  }
};

template <>
struct Fields<DefaultGrantsKey> {
  DG_SNAPSHOT_SHAPE(DefaultGrantsKey, 72, 3);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.role), f(x.kind), f(x.schema);
  }
};

template <>
struct Fields<SchemaModel> {
  DG_SNAPSHOT_SIZE(SchemaModel, 272);  // not an aggregate (its constructor adds public): the size only
  static constexpr std::size_t count = 6;
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.schemas), f(x.extensions), f(x.role), f(x.default_grants), f(x.grant_sources), f(x.default_grant_sources);
  }
};

template <>
struct Fields<Span> {
  DG_SNAPSHOT_SHAPE(Span, 16, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.begin), f(x.end);
  }
};

template <>
struct Fields<Position> {
  DG_SNAPSHOT_SHAPE(Position, 8, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.line), f(x.column);
  }
};

template <>
struct Fields<Note> {
  DG_SNAPSHOT_SHAPE(Note, 72, 4);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.message), f(x.span), f(x.start), f(x.end);
  }
};

template <>
struct Fields<Edit> {
  DG_SNAPSHOT_SHAPE(Edit, 48, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.span), f(x.replacement);
  }
};

template <>
struct Fields<Fix> {
  DG_SNAPSHOT_SHAPE(Fix, 56, 2);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.title), f(x.edits);
  }
};

template <>
struct Fields<Finding> {
  DG_SNAPSHOT_SHAPE(Finding, 288, 11);
  template <class S, class F>
  static void each(S& x, F&& f) {
    f(x.rule), f(x.category), f(x.severity), f(x.file), f(x.span), f(x.start), f(x.end), f(x.message), f(x.help),
        f(x.notes), f(x.fix);
  }
};

#undef DG_SNAPSHOT_SHAPE
#undef DG_SNAPSHOT_SIZE

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class K, class V, class C, class A>
struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class V>
struct is_map<ObjectMap<V>> : std::true_type {};
template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_shared : std::false_type {};
template <class T>
struct is_shared<std::shared_ptr<const T>> : std::true_type {};
// A model object's rare part (model::Shared): written only when made, read back through edit().
template <class T>
struct is_rare_part : std::false_type {};
template <class T>
struct is_rare_part<Shared<T>> : std::true_type {};

// JSON value tags (nlohmann's value_t kept exactly: an integer stays signed or unsigned).
enum class JsonTag : std::uint8_t { null, object, array, string, boolean, integer, unsigned_integer, floating };

class Writer {
 public:
  std::string out;

  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void bytes(std::string_view s) {
    varint(s.size());
    out.append(s);
  }

  template <class T>
  void put(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      bytes(v);
    } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, char>) {
      out.push_back(static_cast<char>(v));
    } else if constexpr (std::is_enum_v<T>) {
      varint(static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      auto s = static_cast<std::int64_t>(v);
      varint((static_cast<std::uint64_t>(s) << 1) ^ static_cast<std::uint64_t>(s >> 63));  // zigzag
    } else if constexpr (std::is_integral_v<T>) {
      varint(v);
    } else if constexpr (std::is_same_v<T, InternedPath>) {
      // Each path once: its index, and its text the first time.
      auto [it, added] = paths_.emplace(&v.str(), paths_.size());
      varint(it->second);
      if (added) bytes(v.str());
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      json(v);
    } else if constexpr (is_vector<T>::value) {
      varint(v.size());
      for (const auto& x : v) put(x);
    } else if constexpr (is_map<T>::value) {
      varint(v.size());
      for (const auto& [k, x] : v) put(k), put(x);
    } else if constexpr (is_pair<T>::value) {
      put(v.first), put(v.second);
    } else if constexpr (is_optional<T>::value || is_shared<T>::value) {
      put(static_cast<bool>(v));
      if (v) put(*v);
    } else if constexpr (is_rare_part<T>::value) {
      put(v.set());
      if (v.set()) put(v.get());
    } else {
      Fields<T>::each(v, [this](const auto& x) { this->put(x); });
    }
  }

 private:
  std::unordered_map<const std::string*, std::size_t> paths_;

  void json(const nlohmann::json& j) {
    using V = nlohmann::json::value_t;
    switch (j.type()) {
      case V::null:
      case V::discarded:
        put(JsonTag::null);
        return;
      case V::object:
        put(JsonTag::object);
        varint(j.size());
        for (auto it = j.begin(); it != j.end(); ++it) bytes(it.key()), json(it.value());
        return;
      case V::array:
        put(JsonTag::array);
        varint(j.size());
        for (const auto& x : j) json(x);
        return;
      case V::string:
        put(JsonTag::string);
        bytes(j.get_ref<const std::string&>());
        return;
      case V::boolean:
        put(JsonTag::boolean);
        put(j.get<bool>());
        return;
      case V::number_integer:
        put(JsonTag::integer);
        put(j.get<std::int64_t>());
        return;
      case V::number_unsigned:
        put(JsonTag::unsigned_integer);
        varint(j.get<std::uint64_t>());
        return;
      case V::number_float: {
        put(JsonTag::floating);
        double d = j.get<double>();
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        varint(bits);
        return;
      }
      case V::binary:
        break;
    }
    throw std::logic_error("snapshot: a binary JSON value in a model (none is ever built)");
  }
};

class Reader {
 public:
  // Reads `in` from `at` (positions in messages count from the start of `in`).
  Reader(std::string_view in, std::size_t at) : in_(in), pos_(at) {}

  bool at_end() const { return pos_ == in_.size(); }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = static_cast<unsigned char>(byte());
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail("a number longer than 64 bits");
  }
  std::string_view bytes() {
    std::uint64_t n = varint();
    if (n > in_.size() - pos_) fail("a string longer than what is left");
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw Malformed("malformed model snapshot at byte " + std::to_string(pos_) + ": " + what);
  }

  template <class T>
  void get(T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      v = bytes();
    } else if constexpr (std::is_same_v<T, bool>) {
      char b = byte();
      if (b != 0 && b != 1) fail("a boolean that is neither 0 nor 1");
      v = b == 1;
    } else if constexpr (std::is_same_v<T, char>) {
      v = byte();
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(varint());
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      std::uint64_t z = varint();
      auto s = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
      v = static_cast<T>(s);
      if (static_cast<std::int64_t>(v) != s) fail("a number out of its field's range");
    } else if constexpr (std::is_integral_v<T>) {
      std::uint64_t u = varint();
      v = static_cast<T>(u);
      if (static_cast<std::uint64_t>(v) != u) fail("a number out of its field's range");
    } else if constexpr (std::is_same_v<T, InternedPath>) {
      std::uint64_t i = varint();
      if (i == paths_.size()) paths_.emplace_back(bytes());
      if (i >= paths_.size()) fail("a path index out of range");
      v = paths_[i];
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      json(v, 0);
    } else if constexpr (is_vector<T>::value) {
      std::uint64_t n = count();
      v.clear();
      v.resize(n);
      for (auto& x : v) get(x);
    } else if constexpr (is_map<T>::value) {
      std::uint64_t n = count();
      v.clear();
      for (std::uint64_t i = 0; i < n; ++i) {
        typename T::key_type k;
        typename T::mapped_type x;
        get(k);
        get(x);
        v.emplace_hint(v.end(), std::move(k), std::move(x));
      }
      if (v.size() != n) fail("a repeated key");
    } else if constexpr (is_pair<T>::value) {
      get(v.first), get(v.second);
    } else if constexpr (is_optional<T>::value) {
      bool has = false;
      get(has);
      v.reset();
      if (has) get(v.emplace());
    } else if constexpr (is_rare_part<T>::value) {
      bool has = false;
      get(has);
      if (has) get(v.edit());
    } else if constexpr (is_shared<T>::value) {
      bool has = false;
      get(has);
      v.reset();
      if (has) {
        auto x = std::make_shared<std::remove_const_t<typename T::element_type>>();
        get(*x);
        v = std::move(x);
      }
    } else {
      Fields<T>::each(v, [this](auto& x) { this->get(x); });
    }
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  std::vector<InternedPath> paths_;

  char byte() {
    if (pos_ >= in_.size()) fail("the bytes end inside a value");
    return in_[pos_++];
  }
  // An element count: each element takes at least one byte, so a count beyond what is left is malformed (and never
  // allocates).
  std::uint64_t count() {
    std::uint64_t n = varint();
    if (n > in_.size() - pos_) fail("a count larger than what is left");
    return n;
  }

  void json(nlohmann::json& j, int depth) {
    // Views' trees are PostgreSQL's, which refuses deeper ones (analyzer/pgquery.cpp): deeper is malformed.
    if (depth > 20000) fail("a JSON value nested too deep");
    auto tag = static_cast<JsonTag>(byte());
    switch (tag) {
      case JsonTag::null:
        j = nullptr;
        return;
      case JsonTag::object: {
        std::uint64_t n = count();
        j = nlohmann::json::object();
        auto& o = j.get_ref<nlohmann::json::object_t&>();
        for (std::uint64_t i = 0; i < n; ++i) {
          std::string k(bytes());
          json(o.emplace_hint(o.end(), std::move(k), nullptr)->second, depth + 1);
        }
        if (o.size() != n) fail("a repeated JSON key");
        return;
      }
      case JsonTag::array: {
        std::uint64_t n = count();
        j = nlohmann::json::array();
        auto& a = j.get_ref<nlohmann::json::array_t&>();
        a.resize(n);
        for (auto& x : a) json(x, depth + 1);
        return;
      }
      case JsonTag::string:
        j = std::string(bytes());
        return;
      case JsonTag::boolean: {
        bool b = false;
        get(b);
        j = b;
        return;
      }
      case JsonTag::integer: {
        std::int64_t i = 0;
        get(i);
        j = i;
        return;
      }
      case JsonTag::unsigned_integer:
        j = varint();
        return;
      case JsonTag::floating: {
        std::uint64_t bits = varint();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        j = d;
        return;
      }
    }
    fail("an unknown JSON tag");
  }
};

}  // namespace

std::string encode(const SchemaModel& m, const std::vector<Finding>& findings) {
  Writer w;
  w.out.append(kMagic);
  w.put(kVersion);
  w.put(m);
  w.put(findings);
  return std::move(w.out);
}

void decode(std::string_view bytes, SchemaModel& m, std::vector<Finding>& findings) {
  if (bytes.substr(0, kMagic.size()) != kMagic) throw Malformed("not a driftguard model snapshot");
  Reader r(bytes, kMagic.size());
  std::uint32_t version = 0;
  r.get(version);
  if (version != kVersion) {
    r.fail("format " + std::to_string(version) + ", this driftguard reads " + std::to_string(kVersion));
  }
  r.get(m);
  r.get(findings);
  if (!r.at_end()) r.fail("bytes after the end");
}

template <class T>
std::vector<std::string> field_bytes(const T& x) {
  std::vector<std::string> out;
  Fields<T>::each(x, [&out](const auto& v) {
    Writer w;
    w.put(v);
    out.push_back(std::move(w.out));
  });
  if (out.size() != Fields<T>::count) throw std::logic_error("snapshot: Fields<T>::each and count disagree");
  return out;
}

template std::vector<std::string> field_bytes(const Comment&);
template std::vector<std::string> field_bytes(const Column&);
template std::vector<std::string> field_bytes(const Column::Rare&);
template std::vector<std::string> field_bytes(const Index::Rare&);
template std::vector<std::string> field_bytes(const Constraint&);
template std::vector<std::string> field_bytes(const IndexKey&);
template std::vector<std::string> field_bytes(const Index&);
template std::vector<std::string> field_bytes(const Trigger&);
template std::vector<std::string> field_bytes(const Policy&);
template std::vector<std::string> field_bytes(const Table&);
template std::vector<std::string> field_bytes(const Type&);
template std::vector<std::string> field_bytes(const Type::DomainParts&);
template std::vector<std::string> field_bytes(const Sequence&);
template std::vector<std::string> field_bytes(const View&);
template std::vector<std::string> field_bytes(const View::Query&);
template std::vector<std::string> field_bytes(const Function&);
template std::vector<std::string> field_bytes(const Extension&);
template std::vector<std::string> field_bytes(const Schema&);
template std::vector<std::string> field_bytes(const DefaultGrantsKey&);
template std::vector<std::string> field_bytes(const SchemaModel&);
template std::vector<std::string> field_bytes(const SourceRef&);
template std::vector<std::string> field_bytes(const Finding&);
template std::vector<std::string> field_bytes(const Note&);
template std::vector<std::string> field_bytes(const Fix&);
template std::vector<std::string> field_bytes(const Edit&);
template std::vector<std::string> field_bytes(const Span&);
template std::vector<std::string> field_bytes(const Position&);

}  // namespace driftguard::model::snapshot
