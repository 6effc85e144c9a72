#include "analyzer/pgtree.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace driftguard::pg {

namespace {
constexpr Node kNull{};

// Keys compare as nlohmann's std::map<std::string, ...> ordered them: bytewise, then by length.
inline int compare_keys(const char* a, std::size_t an, const char* b, std::size_t bn) {
  if (an && bn && *a != *b) return static_cast<unsigned char>(*a) < static_cast<unsigned char>(*b) ? -1 : 1;
  int c = std::memcmp(a, b, std::min(an, bn));
  if (c != 0) return c;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

// Bytes that end a run of plain string text.
constexpr auto kStop = [] {
  std::array<bool, 256> t{};
  t['"'] = t['\\'] = t[0] = true;
  return t;
}();

void put_utf8(char*& w, std::uint32_t cp) {
  if (cp < 0x80) {
    *w++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *w++ = static_cast<char>(0xC0 | (cp >> 6));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (cp >> 12));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (cp >> 18));
    *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void dump_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c <= 0x1F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}
}  // namespace

const Node& null_node() { return kNull; }

// Iterative (no recursion: trees are up to 10,000 levels deep before parse.cpp refuses them). Children of a
// container are collected on a scratch stack and moved to the node array as one block when it closes, so every
// container's elements are contiguous; their positions become pointers once the array stops growing.
class Parser {
 public:
  Parser(Tree& t, std::string&& text, bool compact)
      : t_(t),
        size_(text.size()),
        compact_(compact || text.size() >= kCompactBytes),
        shared_keys_(compact),
        // a small text's strings (about a sixth of it) in one block of about their size
        string_block_(std::clamp<std::size_t>(size_ / 4, 256, kStringBlock)) {
    // Held through a pointer: moving the tree moves no string, and a short one's characters (in the string
    // object itself) stay where the nodes point.
    t_.text_ = std::make_unique<std::string>(std::move(text));
    p_ = t_.text_->data();  // NUL-terminated: std::string's data()[size()]
    chunk_size_ = size_ / 12 + 16;  // libpg_query's JSON: about 14 bytes per value
    scratch_.clear();
    frames_.clear();
  }

  // JSON texts from this size on (~190 KB of SQL: libpg_query's JSON of a generated history is 5.4 times its SQL)
  // give up their text after the parse: the distinct keys and the strings are a sixth of it (4.5 of 28 MB for a
  // 5 MB file; the rest is punctuation, numbers and the keys' repetitions). Smaller trees, most files, keep their
  // text and skip the lookup per key.
  static constexpr std::size_t kCompactBytes = 1 << 20;

  void run() {
    const char* key = nullptr;
    std::uint32_t klen = 0;
    skip();
    for (;;) {
      char c = *p_;
      if (c == '{' || c == '[') {
        frames_.push_back(Frame{scratch_.size(), c == '{' ? Node::Type::object : Node::Type::array, key, klen});
        ++p_;
        skip();
        if (*p_ == (c == '{' ? '}' : ']')) {
          ++p_;
          close();
        } else {
          if (c == '{') read_key(key, klen);
          else key = nullptr, klen = 0;
          continue;
        }
      } else {
        Node n;
        n.key_ = key;
        n.key_len_ = klen;
        scalar(n);
        scratch_.push_back(n);
      }
      // After a value: a separator, the end of containers, or the end of the text.
      for (;;) {
        skip();
        if (frames_.empty()) {
          if (*p_ != '\0' || static_cast<std::size_t>(p_ - t_.text_->data()) != size_) fail("text after the value");
          finish();
          return;
        }
        const Frame& f = frames_.back();
        if (*p_ == ',') {
          ++p_;
          skip();
          if (f.type == Node::Type::object) read_key(key, klen);
          else key = nullptr, klen = 0;
          break;
        }
        if (*p_ != (f.type == Node::Type::object ? '}' : ']')) fail("',' or the end of a container expected");
        ++p_;
        close();
      }
    }
  }

 private:
  struct Frame {
    std::size_t start;
    Node::Type type;
    const char* key;
    std::uint32_t key_len;
  };

  [[noreturn]] void fail(const char* what) const {
    throw std::invalid_argument("invalid JSON at byte " + std::to_string(p_ - t_.text_->data()) + ": " + what);
  }

  void skip() {
    while (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r') ++p_;
  }

  void read_key(const char*& key, std::uint32_t& klen) {
    if (*p_ != '"') fail("a key expected");
    read_string(key, klen);
    if (compact_) key = own_key(std::string_view(key, klen));
    skip();
    if (*p_ != ':') fail("':' expected");
    ++p_;
    skip();
  }

  // Decodes the string at p_ in place (the decoded text is never longer than the escaped one).
  void read_string(const char*& s, std::uint32_t& len) {
    char* start = ++p_;
    char* w = nullptr;  // where decoded text goes once an escape has shifted it
    for (;;) {
      char* q = p_;
      while (!kStop[static_cast<unsigned char>(*q)]) ++q;
      if (w) {
        std::memmove(w, p_, static_cast<std::size_t>(q - p_));
        w += q - p_;
      }
      p_ = q;
      char c = *p_;
      if (c == '"') break;
      if (c == '\0') fail("unterminated string");
      if (!w) w = p_;
      char e = p_[1];
      p_ += 2;
      switch (e) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (p_[0] != '\\' || p_[1] != 'u') fail("a lone surrogate");
            p_ += 2;
            std::uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("a lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("a lone surrogate");
          }
          put_utf8(w, cp);
          break;
        }
        default:
          fail("an invalid escape");
      }
    }
    s = start;
    len = static_cast<std::uint32_t>((w ? w : p_) - start);
    ++p_;
  }

  std::uint32_t hex4() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      char c = *p_;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else fail("a \\u escape needs four hex digits");
    }
    return v;
  }

  void scalar(Node& n) {
    char c = *p_;
    if (c == '"') {
      n.type_ = Node::Type::string;
      read_string(n.s_, n.n_);
      if (compact_) n.s_ = own(n.s_, n.n_);
    } else if (c == 't' && std::strncmp(p_, "true", 4) == 0) {
      n.type_ = Node::Type::boolean;
      n.b_ = true;
      p_ += 4;
    } else if (c == 'f' && std::strncmp(p_, "false", 5) == 0) {
      n.type_ = Node::Type::boolean;
      p_ += 5;
    } else if (c == 'n' && std::strncmp(p_, "null", 4) == 0) {
      p_ += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number(n);
    } else {
      fail("a value expected");
    }
  }

  void number(Node& n) {
    const char* start = p_;
    bool neg = *p_ == '-';
    if (neg) ++p_;
    if (*p_ < '0' || *p_ > '9') fail("a digit expected");
    std::uint64_t v = 0;
    bool fits = true;
    while (*p_ >= '0' && *p_ <= '9') {
      auto d = static_cast<std::uint64_t>(*p_ - '0');
      if (v > (UINT64_MAX - d) / 10) fits = false;
      v = v * 10 + d;
      ++p_;
    }
    bool real = false;
    if (*p_ == '.') {
      real = true;
      ++p_;
      if (*p_ < '0' || *p_ > '9') fail("a digit expected");
      while (*p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (*p_ == 'e' || *p_ == 'E') {
      real = true;
      ++p_;
      if (*p_ == '+' || *p_ == '-') ++p_;
      if (*p_ < '0' || *p_ > '9') fail("a digit expected");
      while (*p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (!real && fits && v <= (neg ? std::uint64_t{1} << 63 : static_cast<std::uint64_t>(INT64_MAX))) {
      n.type_ = Node::Type::integer;
      n.i_ = neg ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
      return;
    }
    n.type_ = Node::Type::real;
    n.d_ = std::strtod(start, nullptr);
  }

  void close() {
    Frame f = frames_.back();
    frames_.pop_back();
    Node* first = scratch_.data() + f.start;
    std::size_t n = scratch_.size() - f.start;
    if (f.type == Node::Type::object) {
      // Insertion sort: libpg_query's objects have a few members, mostly in order already.
      for (std::size_t i = 1; i < n; ++i) {
        Node x = first[i];
        std::size_t j = i;
        while (j > 0 && compare_keys(first[j - 1].key_, first[j - 1].key_len_, x.key_, x.key_len_) > 0) {
          first[j] = first[j - 1];
          --j;
        }
        first[j] = x;
      }
    }
    Node* out = allocate(n);
    std::uninitialized_copy(first, first + n, out);
    t_.count_ += n;
    Node c;
    c.type_ = f.type;
    c.key_ = f.key;
    c.key_len_ = f.key_len;
    c.n_ = static_cast<std::uint32_t>(n);
    c.child_ = out;
    scratch_.resize(f.start);
    scratch_.push_back(c);
  }

  // Room for n contiguous nodes that never move.
  Node* allocate(std::size_t n) {
    if (t_.chunks_.empty() || used_ + n > avail_) {
      avail_ = std::max(chunk_size_, n);
      t_.chunks_.emplace_back(new std::byte[avail_ * sizeof(Node)]);  // uninitialized: nodes are copied in
      used_ = 0;
    }
    Node* p = reinterpret_cast<Node*>(t_.chunks_.back().get()) + used_;
    used_ += n;
    return p;
  }

  void finish() {
    Node* root = allocate(1);
    std::uninitialized_copy_n(&scratch_.back(), 1, root);
    ++t_.count_;
    t_.root_ = root;
    if (compact_) t_.text_.reset();  // nothing points into it any more
  }

  // A copy of a decoded string in the tree's string blocks (compact_ only).
  const char* own(const char* s, std::size_t n) {
    if (n == 0) return "";
    if (n > left_) {
      std::size_t size = std::max<std::size_t>(string_block_, n);
      t_.strings_.emplace_back(new char[size]);  // not make_unique: it would zero the block first
      next_ = t_.strings_.back().get();
      left_ = size;
    }
    char* at = next_;
    std::memcpy(at, s, n);
    next_ += n;
    left_ -= n;
    return at;
  }
  // A key held once per tree (libpg_query's keys are a few hundred names, repeated on every node).
  const char* own_key(std::string_view key) {
    auto it = keys_.find(key);
    if (it != keys_.end()) return it->second;
    const char* at = shared_keys_ ? shared_key(key) : own(key.data(), key.size());
    keys_.emplace(std::string_view(at, key.size()), at);
    return at;
  }
  // The trees of a file parsed in runs (libpg_query's output: a fixed vocabulary of a few hundred node and field
  // names) hold their keys in one process-wide table instead of a copy per tree (6.9 MB of a 5 MB file's runs).
  static const char* shared_key(std::string_view key) {
    static std::mutex mutex;
    static auto* keys = new std::unordered_set<std::string>;  // never freed: trees point into it until exit
    std::lock_guard<std::mutex> lock(mutex);
    return keys->emplace(key).first->c_str();  // a node's string never moves
  }
  static constexpr std::size_t kStringBlock = 64 * 1024;

  Tree& t_;
  std::size_t size_;
  bool compact_;
  bool shared_keys_;
  std::size_t string_block_;
  char* next_ = nullptr;  // own(): the free room of the last string block
  std::size_t left_ = 0;
  std::unordered_map<std::string_view, const char*> keys_;
  char* p_ = nullptr;
  std::size_t chunk_size_ = 0;
  std::size_t used_ = 0;
  std::size_t avail_ = 0;
  // Reused across parses on a thread (their capacity is the most pending content seen); referenced once here,
  // as each access to a thread_local with a constructor goes through its init check.
  std::vector<Node>& scratch_ = tls_scratch();
  std::vector<Frame>& frames_ = tls_frames();
  static std::vector<Node>& tls_scratch() {
    static thread_local std::vector<Node> v;
    return v;
  }
  static std::vector<Frame>& tls_frames() {
    static thread_local std::vector<Frame> v;
    return v;
  }
};

Tree Tree::parse(std::string&& json_text) { return parse(std::move(json_text), false); }

Tree Tree::parse(std::string&& json_text, bool compact) {
  Tree t;
  Parser(t, std::move(json_text), compact).run();
  return t;
}

Tree Tree::parse(std::string_view json_text) { return parse(std::string(json_text)); }

TreeRef::TreeRef(Tree tree) {
  auto owned = std::make_shared<const Tree>(std::move(tree));
  node_ = &owned->root();
  tree_ = std::move(owned);
}

Node::const_iterator Node::find(std::string_view key) const {
  if (!is_object()) return end();
  const Node* lo = first_child();
  const Node* hi = lo + n_;
  // Binary search over the sorted members; linear below a handful.
  while (hi - lo > 6) {
    const Node* mid = lo + (hi - lo) / 2;
    int c = compare_keys(mid->key_, mid->key_len_, key.data(), key.size());
    if (c == 0) return const_iterator(mid);
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  for (; lo != hi; ++lo) {
    if (lo->key_len_ == key.size() && std::memcmp(lo->key_, key.data(), key.size()) == 0) return const_iterator(lo);
  }
  return end();
}

bool Node::contains(std::string_view key) const { return find(key) != end(); }

const Node& Node::operator[](std::string_view key) const {
  auto it = find(key);
  return it == end() ? kNull : *it;
}

const Node& Node::operator[](std::size_t i) const { return is_structured() && i < n_ ? first_child()[i] : kNull; }

const Node& Node::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) throw std::out_of_range("parse tree: key '" + std::string(key) + "' not found");
  return *it;
}

const Node& Node::at(std::size_t i) const {
  if (!is_structured() || i >= n_) throw std::out_of_range("parse tree: index out of range");
  return first_child()[i];
}

std::string Node::value(std::string_view key, const char* dflt) const {
  auto it = find(key);
  return it == end() || it->is_null() ? std::string(dflt) : it->get<std::string>();
}

std::string Node::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void Node::dump_to(std::string& out) const {
  switch (type_) {
    case Type::null: out += "null"; break;
    case Type::boolean: out += b_ ? "true" : "false"; break;
    case Type::integer: out += std::to_string(i_); break;
    case Type::real: out += nlohmann::json(d_).dump(); break;
    case Type::string: dump_string(out, string_view()); break;
    case Type::array:
      out += '[';
      for (std::uint32_t i = 0; i < n_; ++i) {
        if (i) out += ',';
        first_child()[i].dump_to(out);
      }
      out += ']';
      break;
    case Type::object:
      out += '{';
      for (std::uint32_t i = 0; i < n_; ++i) {
        if (i) out += ',';
        dump_string(out, first_child()[i].key());
        out += ':';
        first_child()[i].dump_to(out);
      }
      out += '}';
      break;
  }
}

bool operator==(const Node& a, const Node& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) return a.i_ == b.i_;
    return a.get<double>() == b.get<double>();
  }
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Node::Type::null: return true;
    case Node::Type::boolean: return a.b_ == b.b_;
    case Node::Type::string: return a.string_view() == b.string_view();
    case Node::Type::array:
    case Node::Type::object:
      if (a.n_ != b.n_) return false;
      for (std::uint32_t i = 0; i < a.n_; ++i) {
        if (a.is_object() && a.first_child()[i].key() != b.first_child()[i].key()) return false;
        if (!(a.first_child()[i] == b.first_child()[i])) return false;
      }
      return true;
    default: return false;
  }
}

nlohmann::json to_nlohmann(const Node& n) {
  switch (n.type()) {
    case Node::Type::null: return nullptr;
    case Node::Type::boolean: return n.get<bool>();
    case Node::Type::integer: {
      auto v = n.get<std::int64_t>();
      // nlohmann's parser reads a non-negative integer as unsigned
      if (v >= 0) return static_cast<std::uint64_t>(v);
      return v;
    }
    case Node::Type::real: return n.get<double>();
    case Node::Type::string: return n.get<std::string>();
    case Node::Type::array: {
      nlohmann::json a = nlohmann::json::array();
      for (const Node& e : n) a.push_back(to_nlohmann(e));
      return a;
    }
    case Node::Type::object: {
      nlohmann::json o = nlohmann::json::object();
      for (const Node& m : n) o.emplace(std::string(m.key()), to_nlohmann(m));
      return o;
    }
  }
  return nullptr;
}

TreeRef read(std::string_view json_text) {
  try {
    return TreeRef(Tree::parse(json_text));
  } catch (const std::invalid_argument&) {
    return {};
  }
}

TreeRef from_nlohmann(const nlohmann::json& j) { return TreeRef(Tree::parse(j.dump())); }

}  // namespace driftguard::pg
