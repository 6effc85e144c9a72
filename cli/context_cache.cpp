#include "cli/context_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "cli/report.hpp"
#include "introspect/sha256.hpp"

namespace fs = std::filesystem;

namespace driftguard {

struct CacheKey::State {
  Sha256 sha;
};

CacheKey::CacheKey() : state_(std::make_unique<State>()) {}
CacheKey::~CacheKey() = default;

CacheKey& CacheKey::add(std::int64_t n) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  state_->sha.update(std::string_view(b, sizeof b));
  return *this;
}

CacheKey& CacheKey::add(std::string_view part) {
  add(static_cast<std::int64_t>(part.size()));
  state_->sha.update(part);
  return *this;
}

std::array<std::uint8_t, 32> CacheKey::finish() { return state_->sha.finish(); }

std::string to_hex(const std::array<std::uint8_t, 32>& digest) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (auto b : digest) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

namespace {

// An entry: the magic, the key (32 bytes), the payload's length (8 bytes, little endian), the payload's SHA-256,
// then the payload.
constexpr std::string_view kMagic = "driftguard-context-cache\n";
constexpr std::size_t kHeader = kMagic.size() + 32 + 8 + 32;
constexpr std::string_view kSuffix = ".ctx";

std::optional<std::string> read_all(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) out.resize(out.size() + 4096);
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

// `dir` is `root` or below it (both absolute and normal).
bool inside(const fs::path& dir, const fs::path& root) {
  fs::path rel = dir.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::string ContextCache::build_identity() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return "";
  std::string id(kVersion);
  for (long long v : {static_cast<long long>(st.st_dev), static_cast<long long>(st.st_ino),
                      static_cast<long long>(st.st_size), static_cast<long long>(st.st_mtim.tv_sec),
                      static_cast<long long>(st.st_mtim.tv_nsec)}) {
    id += ' ';
    id += std::to_string(v);
  }
  return id;
}

ContextCache::ContextCache(bool no_cache, const std::string& repository) {
  if (no_cache) {
    off_reason_ = "--no-cache";
    return;
  }
  const char* over = std::getenv("DRIFTGUARD_CACHE_DIR");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path dir;
  if (over != nullptr && *over != '\0') {
    dir = over;
  } else if (xdg != nullptr && *xdg == '/') {  // the XDG spec: a relative XDG_CACHE_HOME is to be ignored
    dir = fs::path(xdg) / "driftguard";
  } else if (home != nullptr && *home != '\0') {
    dir = fs::path(home) / ".cache" / "driftguard";
  } else {
    off_reason_ = "no folder for it (set DRIFTGUARD_CACHE_DIR, XDG_CACHE_HOME or HOME)";
    return;
  }
  std::error_code ec;
  dir = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) {
    off_reason_ = "cannot resolve its folder: " + ec.message();
    return;
  }
  if (!repository.empty() && inside(dir, fs::path(repository))) {
    off_reason_ = dir.string() + " is inside the repository " + repository + " (the cache never writes there)";
    return;
  }
  if (build_identity().empty()) {
    off_reason_ = "cannot identify the running binary (/proc/self/exe) for its keys";
    return;
  }
  if (const char* max = std::getenv("DRIFTGUARD_CACHE_MAX_BYTES"); max != nullptr && *max != '\0') {
    char* end = nullptr;
    unsigned long long v = std::strtoull(max, &end, 10);
    if (end != nullptr && *end == '\0') max_bytes_ = v;
  }
  dir_ = dir.string();
}

std::string ContextCache::path_of(const std::array<std::uint8_t, 32>& key) const {
  std::string p = dir_;
  p += '/';
  p += to_hex(key);
  p += kSuffix;
  return p;
}

std::optional<std::string> ContextCache::load(const std::array<std::uint8_t, 32>& key, std::string& note) const {
  const std::string path = path_of(key);
  auto bytes = read_all(path);
  if (!bytes) return std::nullopt;
  auto corrupt = [&](std::size_t at, const std::string& what) -> std::optional<std::string> {
    note = "corrupt entry " + path + " at byte " + std::to_string(at) + ": " + what;
    ::unlink(path.c_str());
    return std::nullopt;
  };
  std::string_view b = *bytes;
  if (b.size() < kHeader) return corrupt(b.size(), "truncated header");
  if (b.substr(0, kMagic.size()) != kMagic) return corrupt(0, "not a driftguard cache entry");
  if (std::memcmp(b.data() + kMagic.size(), key.data(), key.size()) != 0) {
    return corrupt(kMagic.size(), "the entry of another key");
  }
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) {
    length |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[kMagic.size() + 32 + i])) << (8 * i);
  }
  if (length != b.size() - kHeader) {
    return corrupt(kMagic.size() + 32, "a payload of " + std::to_string(length) + " bytes, " +
                                           std::to_string(b.size() - kHeader) + " present");
  }
  std::string_view payload = b.substr(kHeader);
  if (std::memcmp(sha256(payload).data(), b.data() + kMagic.size() + 40, 32) != 0) {
    return corrupt(kHeader, "the payload does not match its SHA-256");
  }
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // used now: evicted last
  return std::string(payload);
}

void ContextCache::remove(const std::array<std::uint8_t, 32>& key) const { ::unlink(path_of(key).c_str()); }

void ContextCache::store(const std::array<std::uint8_t, 32>& key, std::string_view payload, std::string& note) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  std::string entry(kMagic);
  entry.append(reinterpret_cast<const char*>(key.data()), key.size());
  for (int i = 0; i < 8; ++i) entry += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xFF);
  auto digest = sha256(payload);
  entry.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  entry.append(payload);
  // A temporary name no reader looks for, then rename(2): an entry is whole or absent.
  std::string tmpl = dir_ + "/.tmp-" + to_hex(key) + "-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) {
    note = "cannot write to " + dir_ + ": " + std::strerror(errno);
    return;
  }
  std::size_t written = 0;
  while (written < entry.size()) {
    ssize_t n = ::write(fd, entry.data() + written, entry.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const std::string path = path_of(key);
  if (::close(fd) != 0 || written != entry.size() || ::rename(name.data(), path.c_str()) != 0) {
    note = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(name.data());
    return;
  }
  // The bound: the least recently used entries go first (load() touches what it reads), never the one just written.
  struct Entry {
    std::string path;
    std::uint64_t size;
    std::int64_t used;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string p = e.path().string();
    if (p.size() < kSuffix.size() || p.compare(p.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) continue;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    total += static_cast<std::uint64_t>(st.st_size);
    if (p != path) {
      entries.push_back({p, static_cast<std::uint64_t>(st.st_size),
                         static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used != b.used ? a.used < b.used : a.path < b.path;
  });
  for (const auto& e : entries) {
    if (total <= max_bytes_) break;
    if (::unlink(e.path.c_str()) == 0) total -= e.size;
  }
}

}  // namespace driftguard
