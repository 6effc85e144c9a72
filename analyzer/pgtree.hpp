// The read-only tree of libpg_query's JSON output (issue 17, "replace the slow tree"): one arena per parse, every
// value a flat `Node` in one array, strings decoded in place in one owned copy of the text. It replaces
// nlohmann::json for parse trees (bench/RESULTS.md, "ninth session: the tree": 10× cheaper to build than
// nlohmann, as fast as simdjson's DOM without a new dependency). Its API is the subset of nlohmann's const API the
// readers use (find, [], iteration, items(), get<T>(), value(), dump()), so readers change only in their type.
// Object members are sorted by key, as nlohmann's std::map kept them: iteration order and dump() are unchanged.
// Trees that the model BUILDS or REWRITES are nlohmann::json (to_nlohmann / from_nlohmann below).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace driftguard::pg {

// A key or a string read from the tree; converts to std::string where one is expected.
class Text : public std::string_view {
 public:
  using std::string_view::string_view;
  constexpr Text(std::string_view s) : std::string_view(s) {}  // NOLINT: implicit on purpose
  operator std::string() const { return std::string(data(), size()); }  // NOLINT
};

class Node {
 public:
  enum class Type : std::uint8_t { null, boolean, integer, real, string, array, object };

  class const_iterator;
  struct Item;
  class Items;

  constexpr Node() = default;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_boolean() const { return type_ == Type::boolean; }
  bool is_number() const { return type_ == Type::integer || type_ == Type::real; }
  bool is_number_integer() const { return type_ == Type::integer; }
  bool is_number_float() const { return type_ == Type::real; }
  bool is_string() const { return type_ == Type::string; }
  bool is_array() const { return type_ == Type::array; }
  bool is_object() const { return type_ == Type::object; }
  bool is_structured() const { return is_array() || is_object(); }
  bool is_primitive() const { return !is_structured(); }

  // Elements of an array or members of an object; 0 for null; 1 for a scalar (as nlohmann counts).
  std::size_t size() const { return is_structured() ? n_ : is_null() ? 0 : 1; }
  bool empty() const { return size() == 0; }

  const_iterator begin() const;
  const_iterator end() const;
  Items items() const;

  // The member with this key, or end().
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const;
  std::size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }
  // A member (a null node when absent or not an object) / an element (a null node when out of range).
  const Node& operator[](std::string_view key) const;
  const Node& operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  const Node& operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  const Node& operator[](std::size_t i) const;
  const Node& operator[](int i) const { return (*this)[static_cast<std::size_t>(i)]; }
  // As nlohmann: throws std::out_of_range when absent.
  const Node& at(std::string_view key) const;
  const Node& at(std::size_t i) const;
  const Node& front() const { return at(std::size_t{0}); }
  const Node& back() const { return at(size() - 1); }

  // The string's text without a copy ("" for a non-string).
  std::string_view string_view() const { return is_string() ? std::string_view(s_, n_) : std::string_view(); }
  // The key of this node as a member of its object ("" for array elements and the root).
  Text key() const { return Text(std::string_view(key_, key_len_)); }

  template <typename T>
  T get() const {
    if constexpr (std::is_same_v<T, std::string>) {
      require(is_string(), "string");
      return std::string(s_, n_);
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      require(is_string(), "string");
      return std::string_view(s_, n_);
    } else if constexpr (std::is_same_v<T, bool>) {
      require(is_boolean(), "boolean");
      return b_;
    } else if constexpr (std::is_floating_point_v<T>) {
      require(is_number(), "number");
      return type_ == Type::integer ? static_cast<T>(i_) : static_cast<T>(d_);
    } else {
      static_assert(std::is_integral_v<T>, "get<T>: string, bool or a number");
      require(is_number(), "number");
      return type_ == Type::integer ? static_cast<T>(i_) : static_cast<T>(d_);
    }
  }

  // nlohmann's value(): the member converted to the default's type, the default when absent (a member of another
  // type throws, as nlohmann does).
  std::string value(std::string_view key, const char* dflt) const;
  std::string value(std::string_view key, const std::string& dflt) const { return value(key, dflt.c_str()); }
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  T value(std::string_view key, T dflt) const;

  // nlohmann's compact serialization, byte for byte (keys sorted, control characters as \u00XX).
  std::string dump() const;
  void dump_to(std::string& out) const;

  // Deep equality (numbers compare by value across integer and real, as nlohmann's).
  friend bool operator==(const Node& a, const Node& b);
  friend bool operator!=(const Node& a, const Node& b) { return !(a == b); }

 private:
  friend class Tree;
  friend class Parser;
  void require(bool ok, const char* what) const {
    if (!ok) throw std::domain_error(std::string("parse tree: value is not a ") + what);
  }
  const Node* first_child() const { return child_; }

  // 32 bytes. Elements and members of a container are contiguous, in blocks that never move (a copy of a Node is
  // a handle as good as the original while its tree lives).
  const char* key_ = nullptr;
  union {
    const Node* child_ = nullptr;
    const char* s_;
    std::int64_t i_;
    double d_;
    bool b_;
  };
  std::uint32_t key_len_ = 0;
  std::uint32_t n_ = 0;  // string length / array elements / object members
  Type type_ = Type::null;
};

// One member of an object or element of an array, as nlohmann's iteration proxies: it.key(), it.value().
class Node::const_iterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = Node;
  using difference_type = std::ptrdiff_t;
  using pointer = const Node*;
  using reference = const Node&;

  const_iterator() = default;
  explicit const_iterator(const Node* p) : p_(p) {}
  const Node& operator*() const { return *p_; }
  const Node* operator->() const { return p_; }
  const Node& value() const { return *p_; }
  Text key() const { return p_->key(); }
  const_iterator& operator++() {
    ++p_;
    return *this;
  }
  const_iterator operator++(int) { return const_iterator(p_++); }
  const_iterator& operator--() {
    --p_;
    return *this;
  }
  const_iterator operator+(difference_type n) const { return const_iterator(p_ + n); }
  const_iterator operator-(difference_type n) const { return const_iterator(p_ - n); }
  difference_type operator-(const_iterator o) const { return p_ - o.p_; }
  bool operator==(const const_iterator& o) const { return p_ == o.p_; }
  bool operator!=(const const_iterator& o) const { return p_ != o.p_; }

 private:
  const Node* p_ = nullptr;
};

// items(): members with key() and value(), and as `[key, value]` (structured bindings), as nlohmann's.
struct Node::Item {
  const Node* p;
  Text key() const { return p->key(); }
  const Node& value() const { return *p; }
  template <std::size_t I>
  decltype(auto) get() const {
    if constexpr (I == 0) {
      return p->key();
    } else {
      return static_cast<const Node&>(*p);
    }
  }
};

class Node::Items {
 public:
  class iterator {
   public:
    explicit iterator(const Node* p) : cur_{p} {}
    const Item& operator*() const { return cur_; }
    const Item* operator->() const { return &cur_; }
    iterator& operator++() {
      ++cur_.p;
      return *this;
    }
    bool operator==(const iterator& o) const { return cur_.p == o.cur_.p; }
    bool operator!=(const iterator& o) const { return cur_.p != o.cur_.p; }

   private:
    Item cur_;
  };
  explicit Items(const Node& n) : n_(n) {}
  iterator begin() const { return iterator(n_.begin().operator->()); }
  iterator end() const { return iterator(n_.end().operator->()); }

 private:
  const Node& n_;
};

inline Node::const_iterator Node::begin() const { return const_iterator(is_structured() ? first_child() : nullptr); }
inline Node::const_iterator Node::end() const { return const_iterator(is_structured() ? first_child() + n_ : nullptr); }
inline Node::Items Node::items() const { return Items(*this); }

template <typename T, typename>
T Node::value(std::string_view key, T dflt) const {
  auto it = find(key);
  return it == end() || it->is_null() ? dflt : it->template get<T>();
}

// A null node with static lifetime (what a missing field reads as).
const Node& null_node();

// Owns one parsed JSON text: the decoded text and the nodes. Movable; nodes keep their addresses.
class Tree {
 public:
  Tree() = default;
  // Parses JSON text (libpg_query's output, or any JSON); throws std::invalid_argument with the byte offset
  // when the text is not JSON. The tree decodes the text in a copy of its own, or in the string it is given.
  static Tree parse(std::string_view json_text);
  static Tree parse(std::string&& json_text);
  // `compact`: give up the text after the parse whatever its size (each run's tree of a file parsed in runs).
  static Tree parse(std::string&& json_text, bool compact);
  static Tree parse(const char* json_text) { return parse(std::string_view(json_text)); }
  const Node& root() const { return root_ ? *root_ : null_node(); }
  std::size_t node_count() const { return count_; }

 private:
  friend class Parser;
  // The JSON text, its strings decoded in place; the nodes' keys and strings point into it. A large text (a long
  // file's tree, kept while the file is linted) is released after the parse: its keys are held once each and its
  // strings copied into `strings_`, a fraction of the text (bench/RESULTS.md, "eleventh session: memory").
  std::unique_ptr<std::string> text_;
  std::vector<std::unique_ptr<char[]>> strings_;
  std::vector<std::unique_ptr<std::byte[]>> chunks_;  // bump-allocated blocks of elements / members (Node is
                                                       // trivially destructible)
  const Node* root_ = nullptr;
  std::size_t count_ = 0;
};

// A statement's node and the tree that owns it: copies share the tree.
class TreeRef {
 public:
  TreeRef() = default;
  TreeRef(std::shared_ptr<const Tree> tree, const Node& node) : tree_(std::move(tree)), node_(&node) {}
  // A tree of its own.
  explicit TreeRef(Tree tree);
  // A node of a tree that outlives this reference (borrowed, not owned).
  explicit TreeRef(const Node& node) : node_(&node) {}
  const Node& get() const { return node_ ? *node_ : null_node(); }
  operator const Node&() const { return get(); }  // NOLINT: a statement's node reads as a node
  const Node* operator->() const { return &get(); }
  const Node& operator*() const { return get(); }
  const std::shared_ptr<const Tree>& tree() const { return tree_; }

 private:
  std::shared_ptr<const Tree> tree_;
  const Node* node_ = nullptr;
};

// JSON text as an owned tree; a null node when the text is not JSON (nlohmann's parse(text, nullptr, false)).
TreeRef read(std::string_view json_text);

// The second tree type, for the sites in the model that build or rewrite trees (expand_stars, view queries
// rewritten after renames, bpchar casts): to nlohmann and back. from_nlohmann serializes and parses.
nlohmann::json to_nlohmann(const Node& n);
TreeRef from_nlohmann(const nlohmann::json& j);

}  // namespace driftguard::pg

template <>
struct std::tuple_size<driftguard::pg::Node::Item> : std::integral_constant<std::size_t, 2> {};
template <>
struct std::tuple_element<0, driftguard::pg::Node::Item> {
  using type = driftguard::pg::Text;
};
template <>
struct std::tuple_element<1, driftguard::pg::Node::Item> {
  using type = const driftguard::pg::Node&;
};
