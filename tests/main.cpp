#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "analyzer/model/relation_names.hpp"
#include "analyzer/pgquery.hpp"

int main(int argc, char* argv[]) {
  // Every replay lookup by name is checked against a walk of the model (relation_names.hpp), here and in the
  // driftguard processes the tests start.
  driftguard::model::set_check_relation_names(true);
  setenv("DRIFTGUARD_CHECK_NAME_INDEX", "1", 1);
  int result = Catch::Session().run(argc, argv);
  driftguard::pg::shutdown();
  return result;
}
