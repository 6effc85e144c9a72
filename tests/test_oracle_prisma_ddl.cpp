// Harness 2 — Prisma DDL, generated: for random valid schema.prisma files (tests/prisma_schema_gen.hpp),
// `driftguard prisma-ddl` must print what Prisma's own engine prints (`prisma-engine sql`), byte for byte, and
// both must reject the same schemas. Fragments run in batches (one engine call per batch: a folder of .prisma
// files); a failing batch is split into its fragments, and a failing fragment is shrunk (blocks, then lines,
// removed while it still fails the same way) to a minimal reproducer, printed with both outputs and the drift
// between the models the two DDLs replay to.
//
// CI: a fixed seed, two batches of 20 fragments (plain and multiSchema). Long runs: scripts/fuzz-prisma.sh SECONDS
// (DRIFTGUARD_FUZZ_SECONDS, DRIFTGUARD_FUZZ_SEED).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iomanip>

#include "analyzer/model/replay.hpp"
#include "introspect/diff.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"
#include "tests/prisma_engine.hpp"
#include "tests/prisma_schema_gen.hpp"

using namespace driftguard;
namespace engine = dgtest::prisma_engine;
namespace gen = dgtest::prisma_gen;
namespace fs = std::filesystem;

namespace {

enum class Verdict { same, text_differs, only_prisma_rejects, only_driftguard_rejects };

const char* describe(Verdict v) {
  switch (v) {
    case Verdict::same: return "same";
    case Verdict::text_differs: return "the DDL differs";
    case Verdict::only_prisma_rejects: return "Prisma rejects the schema, driftguard accepts it";
    case Verdict::only_driftguard_rejects: return "driftguard rejects the schema, Prisma accepts it";
  }
  return "";
}

struct Outcome {
  Verdict verdict = Verdict::same;
  std::string prisma;     // Prisma's script, or its error
  std::string driftguard; // driftguard's script, or its errors

  // What a shrunk schema must still show: the verdict and, when one side rejects the schema, that side's first
  // message (without its position), so that shrinking does not wander off to another error.
  std::string signature() const {
    const std::string& err = verdict == Verdict::only_prisma_rejects ? prisma
                             : verdict == Verdict::only_driftguard_rejects ? driftguard
                                                                            : std::string();
    std::string first = err.substr(0, err.find('\n'));
    for (const char* noise : {"prisma-engine: error: ", "Error validating: "}) {
      if (first.rfind(noise, 0) == 0) first = first.substr(std::string(noise).size());
    }
    std::size_t colon = first.find(": ");  // driftguard: "path:line:col: message"
    if (verdict == Verdict::only_driftguard_rejects && colon != std::string::npos) first = first.substr(colon + 2);
    return std::string(describe(verdict)) + "|" + first;
  }
};

// Loads the folder as `driftguard prisma-ddl` does.
bool driftguard_ddl(const fs::path& dir, std::string& out) {
  try {
    out = prisma::render_script(prisma::generate_ddl(prisma::load_prisma(dir)));
    return true;
  } catch (const prisma::PrismaError& e) {
    out = e.what();
    return false;
  }
}

Outcome compare(const std::string& header, const std::vector<std::string>& fragments) {
  engine::TempDir d("oracle_prisma_ddl");
  engine::write_file(d.dir / "0_header.prisma", header);
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    std::ostringstream name;
    name << "f" << std::setw(3) << std::setfill('0') << i << ".prisma";
    engine::write_file(d.dir / name.str(), fragments[i]);
  }
  Outcome o;
  auto r = engine::run({"sql", d.dir.string()});
  bool prisma_ok = r.code == 0;
  o.prisma = prisma_ok ? r.out : r.err;
  if (!prisma_ok) {
    // A schema error names the schema ("Error validating", "error:"); anything else is the oracle failing.
    INFO(r.err);
    REQUIRE((r.err.find("rror validating") != std::string::npos || r.err.find("error:") != std::string::npos ||
             r.err.find("Error parsing") != std::string::npos));
  }
  bool ours_ok = driftguard_ddl(d.dir, o.driftguard);
  if (prisma_ok && ours_ok) {
    o.verdict = o.prisma == o.driftguard ? Verdict::same : Verdict::text_differs;
  } else if (prisma_ok != ours_ok) {
    o.verdict = prisma_ok ? Verdict::only_driftguard_rejects : Verdict::only_prisma_rejects;
  }
  return o;
}

// The drift between the models the two scripts replay to (the meaning of a text difference).
std::string model_drift(const std::string& prisma_sql, const std::string& ours_sql) {
  auto replay = [](const std::string& sql, const std::string& name) {
    model::Replayer r;
    std::vector<Finding> findings;
    r.apply_sql(sql, SourceRef{name, 1, 1}, findings);
    std::string errors;
    for (const auto& f : findings) errors += "  replay error in " + name + ": " + f.message + "\n";
    return std::make_pair(r.take(), errors);
  };
  auto [theirs, e1] = replay(prisma_sql, "prisma-engine");
  auto [ours, e2] = replay(ours_sql, "driftguard");
  std::string out = e1 + e2;
  for (const auto& i : diff::diff(theirs, ours)) {
    out += "  " + i.kind + " " + i.path + ": Prisma " + (i.expected.present ? i.expected.value : "(none)") +
           ", driftguard " + (i.actual.present ? i.actual.value : "(none)") + "\n";
  }
  return out.empty() ? "  (the same schema model: only the text differs)\n" : out;
}

// Removes blocks, then lines, while the fragment still fails the same way; at most `budget` engine calls.
gen::Fragment shrink(const std::string& header, gen::Fragment f, const std::string& signature, int budget) {
  auto still_fails = [&](const gen::Fragment& candidate) {
    if (budget-- <= 0) return false;
    return compare(header, {candidate.text()}).signature() == signature;
  };
  bool progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (std::size_t b = f.blocks.size(); b-- > 0 && budget > 0;) {
      gen::Fragment c = f;
      c.blocks.erase(c.blocks.begin() + static_cast<std::ptrdiff_t>(b));
      if (!c.blocks.empty() && still_fails(c)) {
        f = c;
        progress = true;
      }
    }
    for (std::size_t b = 0; b < f.blocks.size(); ++b) {
      // the first line opens the block (after its comments), the last closes it
      for (std::size_t l = f.blocks[b].lines.size() - 1; l-- > 1 && budget > 0;) {
        gen::Fragment c = f;
        c.blocks[b].lines.erase(c.blocks[b].lines.begin() + static_cast<std::ptrdiff_t>(l));
        if (still_fails(c)) {
          f = c;
          progress = true;
        }
      }
    }
  }
  return f;
}

struct Run {
  int schemas = 0;
  int batches = 0;
  int failures = 0;
};

// One batch of fragments; on a mismatch, each failing fragment alone, shrunk and reported.
void run_batch(unsigned seed, int batch, int size, int shrink_budget, Run& run) {
  bool multi = batch % 2 == 1;
  std::string header = gen::header(multi);
  std::vector<gen::Fragment> fragments;
  std::vector<std::string> texts;
  for (int i = 0; i < size; ++i) {
    gen::Generator g(seed * 7919u + static_cast<unsigned>(batch) * 104729u + static_cast<unsigned>(i), i, multi);
    fragments.push_back(g.fragment());
    texts.push_back(fragments.back().text());
  }
  ++run.batches;
  run.schemas += size;
  Outcome whole = compare(header, texts);
  if (whole.verdict == Verdict::same) return;
  int reported = 0;
  for (int i = 0; i < size && reported < 3; ++i) {
    Outcome one = compare(header, {texts[static_cast<std::size_t>(i)]});
    if (one.verdict == Verdict::same) continue;
    ++reported;
    ++run.failures;
    gen::Fragment minimal = shrink(header, fragments[static_cast<std::size_t>(i)], one.signature(), shrink_budget);
    Outcome m = compare(header, {minimal.text()});
    std::string why = m.verdict == Verdict::text_differs ? model_drift(m.prisma, m.driftguard) : "";
    FAIL_CHECK("seed " << seed << ", batch " << batch << ", fragment " << i << ": " << describe(one.verdict)
                       << "\n--- minimal reproducer (with the batch's header) ---\n" << header << "\n" << minimal.text()
                       << "--- prisma-engine sql ---\n" << m.prisma << "--- driftguard prisma-ddl ---\n"
                       << m.driftguard << "\n--- drift between the two models ---\n" << why);
  }
  if (reported == 0) {
    // Every fragment passes alone: the batch fails only together (names across fragments).
    ++run.failures;
    FAIL_CHECK("seed " << seed << ", batch " << batch << ": " << describe(whole.verdict)
                       << " for the whole batch, but for none of its fragments alone\n--- prisma-engine ---\n"
                       << whole.prisma << "--- driftguard ---\n" << whole.driftguard);
  }
}

}  // namespace

TEST_CASE("prisma oracle: generated schemas give Prisma's DDL byte for byte", "[oracle][prisma][pg]") {
  if (!engine::available()) return;
  auto [seed, seconds] = engine::fuzz_settings();
  Run run;
  int calls_before = engine::calls();
  auto start = std::chrono::steady_clock::now();
  if (seconds <= 0) {
    // CI: 40 schemas in two engine calls (plain, multiSchema) when they agree.
    run_batch(seed, 0, 20, 40, run);
    run_batch(seed, 1, 20, 40, run);
    CHECK(run.schemas == 40);
  } else {
    for (int batch = 0;; ++batch) {
      std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      if (elapsed.count() >= seconds) break;
      run_batch(seed, batch, 25, 400, run);
    }
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  WARN("prisma DDL oracle: seed " << seed << ", " << run.schemas << " generated schemas in " << run.batches
                                  << " batches, " << engine::calls() - calls_before << " engine calls, "
                                  << run.failures << " failing, " << std::fixed << std::setprecision(1)
                                  << elapsed.count() << " s");
}
