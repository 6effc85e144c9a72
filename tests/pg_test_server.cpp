// Starts a throwaway PostgreSQL cluster for the test suite (scripts/test.sh), writes its superuser conninfo to
// the file given as argument, and keeps it running until stdin closes or a signal arrives; the cluster is removed
// either way (TempCluster's watchdog covers the signal).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "introspect/db/cluster.hpp"

int main(int argc, char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: pg_test_server CONNINFO_FILE\n";
    return 2;
  }
  try {
    auto cluster = driftguard::db::TempCluster::start();
    {
      std::ofstream out(std::string(argv[1]) + ".tmp");
      out << cluster->conninfo("") << "\n";
    }
    std::rename((std::string(argv[1]) + ".tmp").c_str(), argv[1]);
    char buf[256];
    while (::read(0, buf, sizeof buf) > 0) {
    }
    cluster->stop();
  } catch (const std::exception& e) {
    std::cerr << "pg_test_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
