// The replay into the model: the input is a migration file, replayed as its tool would run it (the first byte
// chooses statement by statement, one transaction, or one request as Prisma sends it), then replayed again on the
// model it built (objects that exist now), then printed as DDL and JSON.
#include "fuzz/fuzz_common.hpp"

using namespace driftguard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  model::FileMode mode = fuzz::mode_of(data[0]);
  std::string sql = fuzz::text_of(data + 1, size - 1);
  model::Replayer r;
  std::vector<Finding> findings;
  if (!fuzz::replay_file(r, "migrations/1_a/migration.sql", sql, mode, findings)) return 0;
  fuzz::replay_file(r, "migrations/2_b/migration.sql", sql, mode, findings);
  (void)model::to_sql(r.model());
  (void)model::to_json(r.model()).dump();
  return 0;
}
