#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "analyzer/pgquery.hpp"

int main(int argc, char* argv[]) {
  int result = Catch::Session().run(argc, argv);
  driftguard::pg::shutdown();
  return result;
}
