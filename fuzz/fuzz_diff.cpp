// The differ: the input holds two SQL schemas separated by a line "-- @@"; each is replayed into a model and the
// two are compared both ways. A model compared with itself has no drift: that is checked.
#include <string>

#include "fuzz/fuzz_common.hpp"
#include "introspect/diff.hpp"

using namespace driftguard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = fuzz::text_of(data, size);
  std::string sep = "\n-- @@\n";
  std::size_t cut = text.find(sep);
  std::string a = text.substr(0, cut);
  std::string b = cut == std::string::npos ? std::string() : text.substr(cut + sep.size());
  model::Replayer ra;
  model::Replayer rb;
  std::vector<Finding> findings;
  if (!fuzz::replay_file(ra, "a.sql", a, model::FileMode::statements, findings)) return 0;
  if (!fuzz::replay_file(rb, "b.sql", b, model::FileMode::statements, findings)) return 0;
  (void)diff::diff(ra.model(), rb.model());
  (void)diff::diff(rb.model(), ra.model());
  diff::Options prisma_side;
  prisma_side.prisma = diff::Side::expected;
  (void)diff::diff(ra.model(), rb.model(), prisma_side);
  if (!diff::diff(ra.model(), ra.model()).empty()) __builtin_trap();
  return 0;
}
