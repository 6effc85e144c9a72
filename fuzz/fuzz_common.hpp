// Shared by the libFuzzer targets (fuzz/README.md): the input as text, and the replay of SQL into a model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"

namespace driftguard::fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Replays `sql` as one migration file of a Prisma-layout history, as its tool would run it (`mode`); a NUL byte
// makes it a binary file, which the CLI refuses before replaying: so does this.
inline bool replay_file(model::Replayer& r, const std::string& path, const std::string& sql, model::FileMode mode,
                        std::vector<Finding>& findings) {
  SourceFile f;
  try {
    f = make_source(path, sql);
  } catch (const InputFailure&) {
    return false;
  }
  r.apply_file(f, parse_sql(f.text), findings, mode);
  return true;
}

inline model::FileMode mode_of(std::uint8_t b) {
  switch (b % 3) {
    case 0: return model::FileMode::statements;
    case 1: return model::FileMode::transaction;
    default: return model::FileMode::request;
  }
}

}  // namespace driftguard::fuzz
