// SHA-256 (FIPS 180-4), for Prisma's migration checksums (`_prisma_migrations.checksum` is the lowercase hex SHA-256
// of the exact bytes of migration.sql) and lint's context cache keys (cli/context_cache). Self-contained, so no crypto
// library is needed: with the CPU's SHA extensions where it has them (as libcrypto does; opening libcrypto cost a
// cached pre-commit run 0.5 ms), else in portable code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace driftguard {

std::array<std::uint8_t, 32> sha256(std::string_view data);

// The same hash, fed in parts.
class Sha256 {
 public:
  Sha256& update(std::string_view data);
  // Ends the hash (feed nothing after it).
  std::array<std::uint8_t, 32> finish();
  // Whether the CPU's SHA extensions are used (false: the portable code; `portable` forces it, for tests).
  static bool accelerated();
  static void force_portable(bool portable);

 private:
  std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char buf_[64] = {};
  std::size_t held_ = 0;      // bytes in buf_
  std::uint64_t total_ = 0;  // bytes fed
};
// Lowercase hex, 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace driftguard
