// "Did you mean": the closest known word to a mistyped one (subcommands, flags, rule ids, config keys).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard {

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a typo (at most 1 edit for words up to 4
// characters, 2 up to 8, 3 beyond); the first of equally close ones. nullopt when none is.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'X'?" for the closest candidate, or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace driftguard
