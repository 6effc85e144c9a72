// The config parser: a driftguard.toml text against the rule registry. A bad config is a ConfigError (a clear
// message with its position), never anything else.
#include <string>

#include "cli/config.hpp"
#include "fuzz/fuzz_common.hpp"
#include "rules/registry.hpp"

using namespace driftguard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto rules = make_all_rules();
  std::string text = fuzz::text_of(data, size);
  try {
    Config c = parse_config(text, "driftguard.toml", rules);
    (void)c;
  } catch (const ConfigError& e) {
    if (std::string(e.what()).empty()) __builtin_trap();  // an error says what is wrong
  }
  return 0;
}
