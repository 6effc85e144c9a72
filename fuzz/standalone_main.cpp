// The fuzz targets without libFuzzer (fuzz/README.md): a main() for the GCC builds (the ASan+UBSan build of the
// test command in particular) that runs the same LLVMFuzzerTestOneInput on every given input, then on a fixed
// number of mutations of them drawn from a fixed seed. Not coverage-guided: it replays what libFuzzer found
// (regressions) and shakes the seeds deterministically, so a CI run is reproducible and bounded; the guided search
// is scripts/fuzz.sh with clang.
//
// usage: fuzz_TARGET [--regressions DIR] [--ext EXT]... [--mutations N] [--seed S] [--max-len BYTES]
//                    [--timeout SECONDS] PATH...
//   --regressions: every file of DIR (libFuzzer names them crash-SHA1, ...), when DIR exists. PATH: a file, or a
//   folder read recursively (only files ending in one of the EXTs when any is given). A crash, sanitizer report, invariant trap or an
//   input running longer than --timeout writes the input to ./fuzz-crash-TARGET (or $DRIFTGUARD_FUZZ_CRASH_DIR) and
//   the process dies with the report: keep the file in fuzz/regressions/TARGET/ once it is fixed.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string regressions;
  std::vector<std::string> exts;
  std::vector<std::string> paths;
  long mutations = 0;
  std::uint64_t seed = 17;
  std::size_t max_len = 16384;
  unsigned timeout = 25;
};

// The input being run, for the crash handlers (which may only use async-signal-safe calls: open, write, _exit).
const std::string* current = nullptr;
std::string crash_path;

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void save_current() {
  if (current == nullptr) return;
  int fd = ::open(crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  write_all(fd, current->data(), current->size());
  ::close(fd);
  const char msg[] = "\nfuzz: the failing input is in ";
  write_all(2, msg, sizeof msg - 1);
  write_all(2, crash_path.data(), crash_path.size());
  write_all(2, "\n", 1);
  current = nullptr;
}

void on_signal(int sig) {
  if (sig == SIGALRM) {
    const char msg[] = "fuzz: timeout: one input ran longer than --timeout\n";
    write_all(2, msg, sizeof msg - 1);
  }
  save_current();
  signal(sig, SIG_DFL);
  if (sig == SIGALRM) _exit(1);
  raise(sig);
}

bool wanted(const fs::path& p, const Options& o) {
  if (o.exts.empty()) return true;
  std::string name = p.filename().string();
  return std::any_of(o.exts.begin(), o.exts.end(), [&](const std::string& e) {
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  });
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Inputs in a stable order (sorted paths), so that the mutations of a seed are the same on every machine.
std::vector<std::string> load(const Options& o) {
  std::vector<fs::path> files;
  if (!o.regressions.empty() && fs::is_directory(o.regressions)) {
    for (const auto& e : fs::directory_iterator(o.regressions))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  for (const auto& arg : o.paths) {
    fs::path p(arg);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied))
        if (e.is_regular_file() && wanted(e.path(), o)) files.push_back(e.path());
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::cerr << "fuzz: no such file or folder: " << arg << "\n";
      std::exit(2);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> inputs;
  for (const auto& f : files) {
    std::string text = read_file(f);
    if (text.size() <= o.max_len) inputs.push_back(std::move(text));
  }
  return inputs;
}

// Pieces worth inserting: SQL, Prisma and TOML punctuation and keywords, the places parsers tend to get wrong.
constexpr std::array<const char*, 40> kTokens = {
    "(", ")", ";", ",", "'", "\"", "$$", "$a$", "--", "/*", "*/", "\n", "\\", "[", "]", "{", "}", "@", "@@", "=",
    "::", ".", "0", "-1", "99999999999999999999", "NULL", "CREATE TABLE t (a int);", "DROP ", "ALTER TABLE ",
    " CASCADE", "model M {\n id Int @id\n}\n", "enum E {\n A\n}\n", "@relation(", "[rules]\n", "\"\"\"", "\xc3",
    "\xff", "\n-- @@\n", "BEGIN;", "COMMIT;"};

// Deterministic for a seed: only the engine's raw output is used (the distributions are not portable).
class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string mutate(const std::vector<std::string>& inputs, std::size_t max_len) {
    std::string s = inputs[pick(inputs.size())];
    std::size_t steps = 1 + pick(4);
    for (std::size_t i = 0; i < steps; ++i) step(s, inputs);
    if (s.size() > max_len) s.resize(max_len);
    return s;
  }

 private:
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }

  void step(std::string& s, const std::vector<std::string>& inputs) {
    std::size_t at = pick(s.size() + 1);
    switch (pick(6)) {
      case 0:  // flip a byte
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:  // insert a token
        s.insert(at, kTokens[pick(kTokens.size())]);
        break;
      case 2:  // delete a range
        s.erase(at, 1 + pick(32));
        break;
      case 3: {  // duplicate a range
        std::string piece = s.substr(at, 1 + pick(64));
        s.insert(pick(s.size() + 1), piece);
        break;
      }
      case 4: {  // splice a piece of another input
        const std::string& other = inputs[pick(inputs.size())];
        std::size_t from = pick(other.size() + 1);
        s.insert(at, other.substr(from, 1 + pick(256)));
        break;
      }
      default:  // truncate
        s.resize(at);
        break;
    }
  }

  std::mt19937_64 rng_;
};

void run_one(const std::string& input, unsigned timeout) {
  current = &input;
  alarm(timeout);
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  alarm(0);
  current = nullptr;
}

struct Run {
  Options options;
};

void* run(void* p) {
  auto* r = static_cast<Run*>(p);
  const Options& o = r->options;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> inputs = load(o);
  for (const auto& input : inputs) run_one(input, o.timeout);
  Mutator m(o.seed);
  std::vector<std::string> pool = inputs;
  if (pool.empty()) pool.emplace_back();
  for (long i = 0; i < o.mutations; ++i) run_one(m.mutate(pool, o.max_len), o.timeout);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("fuzz: %zu inputs and %ld mutations (seed %llu) in %.1f s: no crash, leak, timeout or trap\n",
              inputs.size(), o.mutations, static_cast<unsigned long long>(o.seed), seconds);
  return nullptr;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "fuzz: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--regressions") o.regressions = value();
    else if (a == "--ext") o.exts.push_back(value());
    else if (a == "--mutations") o.mutations = std::stol(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--max-len") o.max_len = std::stoul(value());
    else if (a == "--timeout") o.timeout = static_cast<unsigned>(std::stoul(value()));
    else o.paths.push_back(a);
  }
  if (o.paths.empty()) {
    std::cerr << "usage: " << argv[0]
              << " [--regressions DIR] [--ext EXT]... [--mutations N] [--seed S] [--max-len BYTES] [--timeout SECONDS] PATH...\n";
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Run r{parse(argc, argv)};
  const char* dir = std::getenv("DRIFTGUARD_FUZZ_CRASH_DIR");
  crash_path = (dir != nullptr ? std::string(dir) + "/" : std::string("./")) + "fuzz-crash-" +
               fs::path(argv[0]).filename().string();
#if defined(__SANITIZE_ADDRESS__)
  // ASan reports a SEGV itself (with the stack): its death callback saves the input.
  __sanitizer_set_death_callback(&save_current);
  for (int sig : {SIGILL, SIGFPE, SIGABRT, SIGALRM}) signal(sig, &on_signal);
#else
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM}) signal(sig, &on_signal);
#endif
  // Deep statements nest deeper than the main thread's 8 MB under the sanitizers: the CLI's 1 GiB stack here too.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t{1} << 30);
  pthread_t thread;
  if (pthread_create(&thread, &attr, &run, &r) != 0) run(&r);
  else pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return 0;
}
