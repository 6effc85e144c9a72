// The long run of harness 1 (scripts/fuzz-model.sh): generated histories, one seed after another, for a number of
// seconds, each applied to PostgreSQL and replayed by driftguard; each new disagreement class is shrunk once and
// its minimal reproducer written to the output folder. Exit 1 when any disagreement was found.
//
//   driftguard_fuzz_model SECONDS [SEED] [--features SPEC] [--out DIR]
//   driftguard_fuzz_model show SEED [--features SPEC]      one seed's history and outcome
//   driftguard_fuzz_model check FILE                       a history written by hand (-- file: N lines)
//   driftguard_fuzz_model calls SECONDS [SEED] [--out DIR]  the same with histories of built-in calls
//                                                          (tests/oracle/calls.hpp) instead of DDL histories
//
// SPEC is "all" (the default: open classes included), "ci", and ",+name" / ",-name" changes (docs/testing.md).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "analyzer/model/relation_names.hpp"
#include "tests/oracle/calls.hpp"
#include "tests/oracle/generator.hpp"
#include "tests/oracle/harness.hpp"
#include "tests/pg_server.hpp"

int main(int argc, char** argv) {
  driftguard::model::set_check_relation_names(true);  // every replay lookup by name checked (relation_names.hpp)
  double seconds = -1;
  std::uint64_t seed = 1;
  std::string spec = "all";
  std::string out_dir = "oracle-findings";
  int positional = 0;
  // "calls": histories of built-in function calls (tests/oracle/calls.hpp) instead of DDL histories
  bool calls = argc > 1 && std::string(argv[1]) == "calls";
  if (calls) {
    --argc;
    ++argv;
  }
  bool show = argc > 1 && std::string(argv[1]) == "show";
  if (argc == 3 && std::string(argv[1]) == "check") {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) {
      std::cerr << "driftguard_fuzz_model: cannot read " << argv[2] << "\n";
      return 2;
    }
    oracle::History h = oracle::History::parse(std::string(std::istreambuf_iterator<char>(in), {}));
    oracle::Outcome o = oracle::run(h, dgtest::pg::server());
    std::cout << oracle::reproducer(h, o);
    return o.agree() ? 0 : 1;
  }
  for (int i = show ? 2 : 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--features" && i + 1 < argc) {
      spec = argv[++i];
    } else if (a == "--out" && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (show && positional == 0) {
      seed = std::strtoull(argv[i], nullptr, 10);
      seconds = 1;
      ++positional;
    } else if (positional == 0) {
      seconds = std::atof(a.c_str());
      ++positional;
    } else if (positional == 1) {
      seed = std::strtoull(a.c_str(), nullptr, 10);
      ++positional;
    } else {
      seconds = -1;
      break;
    }
  }
  if (seconds <= 0) {
    std::cerr << "usage: driftguard_fuzz_model SECONDS [SEED] [--features SPEC] [--out DIR]\n"
                 "       driftguard_fuzz_model show SEED [--features SPEC]\n"
                 "       driftguard_fuzz_model check FILE\n"
                 "       driftguard_fuzz_model calls SECONDS [SEED] [--out DIR]\n";
    return 2;
  }
  oracle::Features features;
  try {
    features = oracle::Features::parse(spec);
  } catch (const std::exception& e) {
    std::cerr << "driftguard_fuzz_model: " << e.what() << "\n";
    return 2;
  }
  const std::string& server = dgtest::pg::server();
  auto generate = [&](std::uint64_t s) {
    return calls ? oracle::generate_calls(s, server) : oracle::generate(s, features);
  };
  if (show) {
    oracle::History h = generate(seed);
    std::cout << oracle::reproducer(h, oracle::run(h, server));
    return 0;
  }
  std::filesystem::create_directories(out_dir);
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  long histories = 0, statements = 0, refused = 0, disagreeing = 0, errors = 0;
  std::map<std::string, long> classes;
  std::map<std::string, long> refusals;  // PostgreSQL's messages, the variable parts cut: what the generator hits
  for (std::uint64_t s = seed; elapsed() < seconds; ++s) {
    oracle::History h;
    oracle::Outcome o;
    try {
      h = generate(s);
      o = oracle::run(h, server);
    } catch (const std::exception& e) {
      ++errors;
      std::cout << "seed " << s << ": the harness failed: " << e.what() << "\n" << h.text() << std::flush;
      continue;
    }
    ++histories;
    statements += o.statements_applied;
    if (o.refused.file >= 0) {
      ++refused;
      refusals[o.pg_error.substr(0, o.pg_error.find('"'))]++;
    }
    if (o.agree()) continue;
    ++disagreeing;
    for (const auto& c : o.classes()) {
      if (classes[c]++ > 0) continue;
      int checks = 0;
      oracle::History small = oracle::shrink(h, server, c, &checks);
      std::string text = "-- class: " + c + " (seed " + std::to_string(s) + (calls ? ", calls" : ", features " + spec) + ")\n" +
                         oracle::reproducer(small, oracle::run(small, server));
      std::string file = c;
      for (auto& ch : file) {
        if (ch == ':' || ch == '/' || ch == ' ') ch = '-';
      }
      std::ofstream(std::filesystem::path(out_dir) / (file + ".sql")) << text;
      std::cout << "new class " << c << " (seed " << s << ", shrunk in " << checks << " runs):\n" << text << std::flush;
    }
  }
  std::cout << "histories: " << histories << ", statements applied: " << statements << ", ended by a refusal: "
            << refused << ", disagreeing: " << disagreeing << ", harness failures: " << errors << ", seeds " << seed
            << ".." << (seed + static_cast<std::uint64_t>(histories + errors) - 1) << ", " << elapsed() << " s\n";
  for (const auto& [c, n] : classes) std::cout << "  class " << c << ": " << n << " histories\n";
  for (const auto& [m, n] : refusals) std::cout << "  refused: " << m << ": " << n << "\n";
  return disagreeing > 0 || errors > 0 ? 1 : 0;
}
