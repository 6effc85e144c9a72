// lint --changed-since's context cache: the state a migration set's unchanged leading files leave in the lint run
// (rules/state_codec.hpp), kept between runs under a key that hashes everything deciding it, so that a pre-commit or
// pull-request lint replays only the files it lints (docs/cli.md, "The context cache").
//
// Where: $DRIFTGUARD_CACHE_DIR, else $XDG_CACHE_HOME/driftguard, else ~/.cache/driftguard; never inside the
// repository being linted (the cache is then off). One file per key, written to a temporary file and renamed into
// place, so a reader never sees half an entry; each holds its key and a SHA-256 of its payload, so a corrupt entry
// is found, said under --verbose and replaced. The folder is kept under a size bound by removing the entries least
// recently used first.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace driftguard {

// A SHA-256 (introspect/sha256: the CPU's SHA instructions where it has them) of a sequence of parts, each with its
// length, so that parts cannot run into each other.
class CacheKey {
 public:
  CacheKey();
  ~CacheKey();
  CacheKey(const CacheKey&) = delete;
  CacheKey& operator=(const CacheKey&) = delete;
  CacheKey& add(std::string_view part);
  CacheKey& add(std::int64_t n);
  // Ends the hash (the key can take no more parts).
  std::array<std::uint8_t, 32> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string to_hex(const std::array<std::uint8_t, 32>& digest);

class ContextCache {
 public:
  // Off with --no-cache, when no folder can be named (no HOME), or when the folder is inside `repository` (the
  // repository's absolute root; "" for none). `off_reason()` says why, for --verbose.
  ContextCache(bool no_cache, const std::string& repository);
  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  const std::string& off_reason() const { return off_reason_; }

  // The payload stored under `key`; nullopt when there is none. A corrupt entry (truncated, another key, a wrong
  // checksum) is removed and `note` says what was wrong with it. Marks the entry as just used.
  std::optional<std::string> load(const std::array<std::uint8_t, 32>& key, std::string& note) const;
  // Stores `payload` under `key` (atomically), then removes the least recently used entries while the folder holds
  // more than the bound ($DRIFTGUARD_CACHE_MAX_BYTES, default 256 MiB). A failure to write is not an error of the
  // run: `note` says it.
  void store(const std::array<std::uint8_t, 32>& key, std::string_view payload, std::string& note) const;
  // Removes the entry of `key` (its payload did not decode).
  void remove(const std::array<std::uint8_t, 32>& key) const;
  std::string path_of(const std::array<std::uint8_t, 32>& key) const;

  // A value of the running binary that changes with every build (its size, modification time and inode), for keys.
  static std::string build_identity();

 private:
  std::string dir_;
  std::string off_reason_;
  std::uint64_t max_bytes_ = 256ull << 20;
};

}  // namespace driftguard
