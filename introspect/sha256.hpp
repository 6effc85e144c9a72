// SHA-256 (FIPS 180-4), for Prisma's migration checksums: `_prisma_migrations.checksum` is the lowercase hex
// SHA-256 of the exact bytes of migration.sql. Small and self-contained, so no crypto library is needed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace driftguard {

std::array<std::uint8_t, 32> sha256(std::string_view data);
// Lowercase hex, 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace driftguard
