#include "rules/state_codec.hpp"

#include <cstdint>
#include <set>
#include <vector>

#include "analyzer/model/snapshot.hpp"

namespace driftguard {

namespace {

// Format: the magic, then a version bumped whenever anything below changes. Integers are fixed-width little
// endian, strings and lists carry their length first.
constexpr std::string_view kMagic = "driftguard-run-state";
constexpr std::uint32_t kFormat = 1;

struct Out {
  std::string bytes;
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void num(int v) { u32(static_cast<std::uint32_t>(v)); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes.append(s);
  }
};

struct In {
  std::string_view bytes;
  std::size_t pos = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw model::snapshot::Malformed("malformed run state at byte " + std::to_string(pos) + ": " + what);
  }
  std::string_view take(std::size_t n) {
    if (n > bytes.size() - pos) fail("truncated (" + std::to_string(n) + " bytes wanted, " +
                                     std::to_string(bytes.size() - pos) + " left)");
    std::string_view v = bytes.substr(pos, n);
    pos += n;
    return v;
  }
  std::uint32_t u32() {
    std::string_view v = take(4);
    std::uint32_t x = 0;
    for (int i = 0; i < 4; ++i) x |= static_cast<std::uint32_t>(static_cast<unsigned char>(v[i])) << (8 * i);
    return x;
  }
  int num() { return static_cast<int>(u32()); }
  bool flag() {
    std::uint32_t v = u32();
    if (v > 1) {
      pos -= 4;
      fail("a flag of " + std::to_string(v));
    }
    return v == 1;
  }
  std::string str() { return std::string(take(u32())); }
  // A list's length, each element at least `each` bytes: a corrupt length fails here, not in an allocation.
  std::uint32_t count(std::size_t each) {
    std::uint32_t n = u32();
    if (static_cast<std::uint64_t>(n) * each > bytes.size() - pos) {
      pos -= 4;
      fail("a list of " + std::to_string(n) + " elements in " + std::to_string(bytes.size() - pos - 4) + " bytes");
    }
    return n;
  }
};

}  // namespace

std::string StateCodec::encode(const RunState& run) {
  const model::Replayer& r = run.replay_;
  Out o;
  o.bytes.append(kMagic);
  o.u32(kFormat);
  o.str(model::snapshot::encode(r.model_, {}));
  o.num(r.applied_);
  o.num(r.order_);
  o.u32(r.unmodeled_ ? 1 : 0);
  o.u32(r.isolate_failures_ ? 1 : 0);
  o.u32(static_cast<std::uint32_t>(r.search_path_.size()));
  for (const auto& s : r.search_path_) o.str(s);
  o.u32(static_cast<std::uint32_t>(r.own_schemas_.size()));
  for (const auto& s : r.own_schemas_) o.str(s);
  o.u32(static_cast<std::uint32_t>(r.skipped_.size()));
  for (const auto& s : r.skipped_) {
    o.str(s.where.file);
    o.num(s.where.line);
    o.num(s.where.column);
    o.str(s.what);
    o.u32(s.no_effect ? 1 : 0);
  }
  o.u32(static_cast<std::uint32_t>(run.new_files_.size()));
  for (const auto& f : run.new_files_) o.str(f);
  return std::move(o.bytes);
}

void StateCodec::decode(std::string_view bytes, RunState& run) {
  In in{bytes};
  if (bytes.substr(0, kMagic.size()) != kMagic) in.fail("not a driftguard run state");
  in.pos = kMagic.size();
  if (std::uint32_t format = in.u32(); format != kFormat) {
    in.pos -= 4;
    in.fail("format " + std::to_string(format) + ", this driftguard reads " + std::to_string(kFormat));
  }
  // Everything is read into locals first: `run` changes only once the whole state has been read.
  model::SchemaModel m;
  {
    std::size_t length = in.u32();
    std::size_t start = in.pos;
    std::string_view snapshot = in.take(length);
    std::vector<Finding> findings;
    try {
      model::snapshot::decode(snapshot, m, findings);
    } catch (const model::snapshot::Malformed& e) {
      in.pos = start;
      in.fail(std::string("its model (the snapshot starting here): ") + e.what());
    }
    if (!findings.empty()) {
      in.pos = start;
      in.fail("its model's snapshot holds findings");
    }
  }
  int applied = in.num();
  int order = in.num();
  bool unmodeled = in.flag();
  bool isolate = in.flag();
  std::vector<std::string> search_path(in.count(4));
  for (auto& s : search_path) s = in.str();
  std::set<std::string> own_schemas;
  for (std::uint32_t n = in.count(4); n > 0; --n) own_schemas.insert(in.str());
  std::vector<model::Skipped> skipped;
  for (std::uint32_t n = in.count(20); n > 0; --n) {
    model::Skipped s;
    s.where.file = in.str();
    s.where.line = in.num();
    s.where.column = in.num();
    s.what = in.str();
    s.no_effect = in.flag();
    skipped.push_back(std::move(s));
  }
  std::set<std::string> new_files;
  for (std::uint32_t n = in.count(4); n > 0; --n) new_files.insert(in.str());
  if (in.pos != bytes.size()) in.fail("bytes after the end");

  model::Replayer& r = run.replay_;
  r.model() = std::move(m);  // the non-const access drops the replica and the index of names: rebuilt when needed
  r.skipped_ = std::move(skipped);
  r.applied_ = applied;
  r.order_ = order;
  r.unmodeled_ = unmodeled;
  r.isolate_failures_ = isolate;
  r.search_path_ = std::move(search_path);
  r.own_schemas_ = std::move(own_schemas);
  run.new_files_ = std::move(new_files);
}

}  // namespace driftguard
