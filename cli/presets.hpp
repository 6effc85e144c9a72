// Presets: named driftguard.toml fragments shipped with driftguard (`preset = "additive-only"` in a config). They
// are data: each is TOML read by the same loader as a project's config, listed by `driftguard rules --presets`
// and documented in docs/policies.md.
#pragma once

#include <string_view>
#include <vector>

namespace driftguard {

struct Preset {
  std::string_view name;
  std::string_view summary;  // one line
  std::string_view toml;     // a driftguard.toml fragment (no extend, no preset)
};

// Every preset, in name order.
const std::vector<Preset>& presets();
// The preset of that name, or nullptr.
const Preset* find_preset(std::string_view name);

}  // namespace driftguard
