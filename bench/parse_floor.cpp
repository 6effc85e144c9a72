// The parse floor: what any analyzer built on libpg_query pays before it looks at a single node — read each
// file, pg_query_parse it, and materialize the tree (JSON text -> pg::Tree, the tree driftguard reads; it was
// nlohmann::json until the ninth session). Files that do not parse as a whole still cost their parse attempt.
// usage: driftguard_parse_floor FILE...  (or a list of files on stdin)
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/pgquery.hpp"
#include "analyzer/pgtree.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    for (std::string line; std::getline(std::cin, line);) files.push_back(line);
  }
  std::size_t bytes = 0;
  std::size_t parsed = 0;
  std::size_t nodes = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    bytes += text.size();
    auto r = driftguard::pg::parse(text);
    if (r.error) continue;
    auto tree = driftguard::pg::read(r.json);
    if (!tree->is_null()) {
      ++parsed;
      nodes += tree->size();
    }
  }
  std::cout << files.size() << " files, " << bytes << " bytes, " << parsed << " parsed whole\n";
  driftguard::pg::shutdown();
  return nodes == static_cast<std::size_t>(-1) ? 1 : 0;
}
