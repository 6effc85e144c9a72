// lint --changed-since's context cache (cli/context_cache.hpp, rules/state_codec.hpp) on real git repositories: a
// cached run writes what an uncached one writes, in every format, cold and warm; an edit of an unchanged file, a
// config change and a corrupt entry are misses that say so under --verbose; the folder stays outside the repository
// and under its size bound. And the run state's encoding on its own: round trip, malformed bytes refused with their
// offset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analyzer/model/snapshot.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "git_repo.hpp"
#include "introspect/sha256.hpp"
#include "rules/context_replay.hpp"
#include "rules/state_codec.hpp"

namespace fs = std::filesystem;

using dgtest::Repo;
using dgtest::Run;

namespace {

const std::string kSupa = "supabase/migrations/";
const std::string kPrisma = "prisma/migrations/";

// A Supabase folder and a Prisma project whose new migrations' findings depend on what the committed ones built:
// column types (changing-column-type, the Prisma type rules at schema.prisma), tables created earlier (lock rules),
// a schema of the history's own, a skipped INSERT, a transaction block.
void write_history(const Repo& repo) {
  repo.write(kSupa + "20240101000000_init.sql",
             "create table public.profiles (id uuid primary key, name varchar(20), bio text);\n"
             "create schema app;\ncreate table app.items (id int primary key, label varchar(40));\n");
  repo.write(kSupa + "20240201000000_more.sql",
             "begin;\ncreate index profiles_name on public.profiles (name);\n"
             "insert into app.items values (1, 'one');\ncommit;\n");
  repo.write(kSupa + "20240301000000_policy.sql",
             "alter table public.profiles enable row level security;\n"
             "create policy own on public.profiles for select using (auth.uid() = id);\n");
  repo.write("prisma/schema.prisma",
             "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id\n"
             "  name  String @db.VarChar(10)\n  born  DateTime\n}\n");
  repo.write(kPrisma + "20240101000000_init/migration.sql",
             "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL, \"name\" VARCHAR(20), CONSTRAINT \"User_pkey\" PRIMARY "
             "KEY (\"id\"));\n");
  repo.write(kPrisma + "migration_lock.toml", "provider = \"postgresql\"\n");
}

void write_new_migrations(const Repo& repo) {
  repo.write(kSupa + "20240401000000_new.sql",
             "alter table public.profiles alter column name type varchar(10);\n"
             "create index profiles_bio on public.profiles (bio);\n"
             "alter table app.items add column qty int not null default 0;\n");
  repo.write(kPrisma + "20240201000000_born/migration.sql",
             "ALTER TABLE \"User\" ALTER COLUMN \"name\" SET DATA TYPE VARCHAR(10);\n"
             "ALTER TABLE \"User\" ADD COLUMN \"born\" TIMESTAMP(3) NOT NULL;\n");
}

const std::vector<std::string> kFormats = {"text", "json", "gcc", "sarif", "github", "junit", "gitlab", "markdown"};

struct Cached {
  Repo repo;
  fs::path cache;
  Cached() {
    cache = repo.dir().parent_path() / (repo.dir().filename().string() + "-cache");
    write_history(repo);
    repo.commit("history");
    write_new_migrations(repo);  // untracked: the change
  }
  ~Cached() {
    std::error_code ec;
    fs::remove_all(cache, ec);
  }
  Run lint(const std::string& args) const {
    return repo.driftguard("lint supabase/migrations prisma/migrations --changed-since HEAD --verbose " + args);
  }
  Run lint_cached(const std::string& args, const std::string& env = "") const {
    return repo.run(env + " DRIFTGUARD_CACHE_DIR='" + cache.string() + "' '" + DRIFTGUARD_BINARY +
                    "' lint supabase/migrations prisma/migrations --changed-since HEAD --verbose " + args);
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache, ec)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("context cache: a cached --changed-since run writes what an uncached one writes, in every format", "[git][cache]") {
  Cached c;
  // The unchanged files decide the findings: without them the new migrations lint differently, so a state restored
  // wrongly would show.
  auto alone = c.repo.driftguard("lint " + kSupa + "20240401000000_new.sql " + kPrisma +
                                 "20240201000000_born/migration.sql --format gcc");
  auto reference = c.lint("--no-cache --format gcc");
  INFO(reference.err);
  REQUIRE(reference.code == 1);
  CHECK(alone.out != reference.out);
  CHECK(reference.out.find("from varchar(20) to varchar(10)") == std::string::npos);  // gcc shows no notes
  CHECK(reference.out.find("[changing-column-type]") != std::string::npos);
  CHECK(reference.out.find("prisma/schema.prisma:") != std::string::npos);  // a type finding at the schema's field
  CHECK(reference.err.find("context cache off: --no-cache") != std::string::npos);

  for (const auto& format : kFormats) {
    INFO(format);
    auto uncached = c.lint("--no-cache --format " + format);
    auto cold = c.lint_cached("--format " + format);
    auto warm = c.lint_cached("--format " + format);
    INFO(cold.err << warm.err);
    CHECK(cold.out == uncached.out);
    CHECK(warm.out == uncached.out);
    CHECK(cold.code == uncached.code);
    CHECK(warm.code == uncached.code);
    if (format == kFormats.front()) {
      // The first run of all stores both sets' states, every later one restores them.
      CHECK(count(cold.err, "replayed and stored the state after the 3 unchanged file(s) of supabase/migrations") == 1);
      CHECK(count(cold.err, "replayed and stored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
    }
    CHECK(count(warm.err, "context cache: restored the state after the 3 unchanged file(s) of supabase/migrations (" +
                              c.cache.string() + "/") == 1);
    CHECK(count(warm.err, "context cache: restored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
  }
  CHECK(c.entries().size() == 3);  // the two sets' states, and schema.prisma's fields
  // Never inside the repository: the default folder under HOME (the repository itself in these tests) is refused.
  auto inside = c.repo.driftguard("lint supabase/migrations --changed-since HEAD --verbose --format gcc");
  CHECK(inside.err.find("driftguard: context cache off: " + fs::canonical(c.repo.dir()).string() +
                        "/.cache/driftguard is inside the repository") != std::string::npos);
  CHECK_FALSE(fs::exists(c.repo.dir() / ".cache"));
}

TEST_CASE("context cache: an edit of an unchanged file and a config change miss, and the runs stay exact", "[git][cache]") {
  Cached c;
  auto first = c.lint_cached("--format json");
  REQUIRE(c.entries().size() == 3);  // the two sets' states, and schema.prisma's fields

  SECTION("an earlier file edited and committed") {
    c.repo.write(kSupa + "20240101000000_init.sql",
                 "create table public.profiles (id uuid primary key, name text, bio text);\n"
                 "create schema app;\ncreate table app.items (id int primary key, label varchar(40));\n");
    c.repo.sh("git add " + kSupa + "20240101000000_init.sql && git commit -q -m 'name is text'");  // the new files stay new
    auto uncached = c.lint("--no-cache --format json");
    auto edited = c.lint_cached("--format json");
    INFO(edited.err);
    CHECK(uncached.out != first.out);  // the edit changes the findings (text -> varchar(10))
    CHECK(edited.out == uncached.out);
    CHECK(count(edited.err, "replayed and stored the state after the 3 unchanged file(s) of supabase/migrations") == 1);
    CHECK(count(edited.err, "restored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
    CHECK(c.entries().size() == 4);
  }
  SECTION("a config added above the folders") {
    c.repo.write("driftguard.toml", "fail_on = \"warning\"\n");
    auto uncached = c.lint("--no-cache --format json");
    auto configured = c.lint_cached("--format json");
    INFO(configured.err);
    CHECK(configured.out == uncached.out);
    CHECK(count(configured.err, "replayed and stored") == 2);
    auto again = c.lint_cached("--format json");
    CHECK(again.out == uncached.out);
    CHECK(count(again.err, "restored the state") == 2);
  }
  SECTION("a different runner for the files") {
    auto uncached = c.lint("--no-cache --format json --runner plain");
    auto plain = c.lint_cached("--format json --runner plain");
    CHECK(plain.out == uncached.out);
    CHECK(count(plain.err, "replayed and stored") == 2);
  }
}

// lint --staged (the pre-commit hooks) restores each folder's staged context as --changed-since does: what a run
// restores is what a run without the cache replays, and the index decides (an edit only in the working tree is not
// the commit's and hits; the same edit staged misses), as do the configs.
TEST_CASE("context cache: lint --staged writes what an uncached run writes, and a staged edit misses", "[git][cache]") {
  Cached c;
  c.repo.sh("git add -A");  // the new migrations staged: the commit being made
  const std::string named = kSupa + "20240401000000_new.sql " + kPrisma + "20240201000000_born/migration.sql";
  auto lint = [&](const std::string& args) { return c.repo.driftguard("lint --staged " + named + " --verbose --no-cache " + args); };
  auto lint_cached = [&](const std::string& args) {
    return c.repo.run("DRIFTGUARD_CACHE_DIR='" + c.cache.string() + "' '" + DRIFTGUARD_BINARY + "' lint --staged " +
                      named + " --verbose " + args);
  };
  auto alone = c.repo.driftguard("lint " + named + " --format gcc");
  auto reference = lint("--format gcc");
  INFO(reference.err);
  REQUIRE(reference.code == 1);
  CHECK(alone.out != reference.out);  // the context decides the findings
  CHECK(reference.out.find("[changing-column-type]") != std::string::npos);
  for (const auto& format : kFormats) {
    INFO(format);
    auto uncached = lint("--format " + format);
    auto cold = lint_cached("--format " + format);
    auto warm = lint_cached("--format " + format);
    INFO(cold.err << warm.err);
    CHECK(cold.out == uncached.out);
    CHECK(warm.out == uncached.out);
    CHECK(cold.code == uncached.code);
    CHECK(warm.code == uncached.code);
    if (format == kFormats.front()) {
      CHECK(count(cold.err, "replayed and stored the state after the 3 unchanged file(s) of supabase/migrations") == 1);
      CHECK(count(cold.err, "replayed and stored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
    }
    CHECK(count(warm.err, "context cache: restored the state after the 3 unchanged file(s) of supabase/migrations (" +
                              c.cache.string() + "/") == 1);
    CHECK(count(warm.err, "context cache: restored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
  }
  const auto before = lint_cached("--format json");
  // An earlier migration edited in the working tree only: not what the commit records, the index's state is restored.
  c.repo.write(kSupa + "20240101000000_init.sql",
               "create table public.profiles (id uuid primary key, name text, bio text);\n"
               "create schema app;\ncreate table app.items (id int primary key, label varchar(40));\n");
  auto unstaged = lint_cached("--format json");
  CHECK(unstaged.out == before.out);
  CHECK(count(unstaged.err, "restored the state") == 2);
  // Staged, it is the commit's: a miss, and the findings change with it.
  c.repo.sh("git add " + kSupa + "20240101000000_init.sql");
  auto uncached = lint("--format json");
  auto edited = lint_cached("--format json");
  INFO(edited.err);
  CHECK(uncached.out != before.out);
  CHECK(edited.out == uncached.out);
  CHECK(count(edited.err, "replayed and stored the state after the 3 unchanged file(s) of supabase/migrations") == 1);
  CHECK(count(edited.err, "restored the state after the 1 unchanged file(s) of prisma/migrations") == 1);
  // A config: every set's key changes.
  c.repo.write("driftguard.toml", "fail_on = \"warning\"\n");
  auto configured = lint_cached("--format json");
  CHECK(configured.out == lint("--format json").out);
  CHECK(count(configured.err, "replayed and stored") == 2);
  // Never inside the repository (HOME is the repository in these tests).
  auto inside = c.repo.driftguard("lint --staged " + named + " --verbose --format gcc");
  CHECK(inside.err.find("driftguard: context cache off: " + fs::canonical(c.repo.dir()).string() +
                        "/.cache/driftguard is inside the repository") != std::string::npos);
  CHECK_FALSE(fs::exists(c.repo.dir() / ".cache/driftguard"));
}

TEST_CASE("context cache: a corrupt entry is found, said under --verbose, and replaced", "[git][cache]") {
  Cached c;
  auto reference = c.lint("--no-cache --format sarif");
  c.lint_cached("--format sarif");
  std::vector<fs::path> entries = c.entries();
  REQUIRE(entries.size() == 3);
  // Which entry is the Supabase folder's: the largest (the platform's baseline is in its model).
  fs::path entry = *std::max_element(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) < fs::file_size(b);
  });
  std::string bytes = dgtest::read_file(entry);
  const std::size_t header = std::string("driftguard-context-cache\n").size() + 32 + 8 + 32;
  REQUIRE(bytes.size() > header + 100);
  auto write = [&](const std::string& b) { std::ofstream(entry, std::ios::binary | std::ios::trunc) << b; };
  auto check_replaced = [&](const std::string& said) {
    auto r = c.lint_cached("--format sarif");
    INFO(r.err);
    CHECK(r.out == reference.out);
    CHECK(r.err.find("driftguard: context cache: corrupt entry " + entry.string() + said) != std::string::npos);
    CHECK(count(r.err, "replayed and stored the state after the 3 unchanged file(s) of supabase/migrations") == 1);
    auto next = c.lint_cached("--format sarif");
    CHECK(next.out == reference.out);
    CHECK(count(next.err, "restored the state") == 2);
    CHECK(next.err.find("corrupt") == std::string::npos);
  };

  SECTION("a byte of the payload changed: its checksum") {
    std::string b = bytes;
    b[header + 50] = static_cast<char>(b[header + 50] ^ 0x20);
    write(b);
    check_replaced(" at byte " + std::to_string(header) + ": the payload does not match its SHA-256 (replayed again)");
  }
  SECTION("truncated") {
    write(bytes.substr(0, bytes.size() - 7));
    check_replaced(" at byte " + std::to_string(header - 40) + ": a payload of " +
                   std::to_string(bytes.size() - header) + " bytes, " + std::to_string(bytes.size() - header - 7) +
                   " present (replayed again)");
  }
  SECTION("a payload the run state's decoder refuses, with a valid checksum") {
    std::string payload = bytes.substr(header);
    payload[0] = 'X';  // not the run state's magic
    auto digest = driftguard::sha256(payload);
    std::string b = bytes.substr(0, header - 32);
    b.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    b += payload;
    write(b);
    check_replaced(": malformed run state at byte 0: not a driftguard run state (replayed again)");
  }
}

TEST_CASE("context cache: bounded in size, the least recently used entries removed first", "[git][cache]") {
  Cached c;
  auto supabase = [&](const std::string& env, const std::string& flags = "") {
    return c.repo.run(env + " DRIFTGUARD_CACHE_DIR='" + c.cache.string() + "' '" + DRIFTGUARD_BINARY +
                      "' lint supabase/migrations --changed-since HEAD --verbose --format gcc " + flags);
  };
  supabase("");
  auto one = c.entries();
  REQUIRE(one.size() == 1);
  // Room for one entry: the next key's entry evicts the older one.
  std::string bound = "DRIFTGUARD_CACHE_MAX_BYTES=" + std::to_string(fs::file_size(one[0]) + 10);
  c.repo.write(kSupa + "20240301000000_policy.sql", "alter table public.profiles enable row level security;\n");
  c.repo.sh("git add " + kSupa + "20240301000000_policy.sql && git commit -q -m 'no policy'");
  auto r = supabase(bound);
  INFO(r.err);
  CHECK(r.out == supabase("", "--no-cache").out);
  CHECK(count(r.err, "replayed and stored") == 1);
  auto left = c.entries();
  REQUIRE(left.size() == 1);
  CHECK(left[0] != one[0]);  // the new entry is the one kept
  // --no-cache writes nothing.
  fs::remove_all(c.cache);
  supabase("", "--no-cache");
  CHECK_FALSE(fs::exists(c.cache));
}

TEST_CASE("run state codec: a replayed run round-trips, and malformed bytes are refused with their offset", "[cache]") {
  using namespace driftguard;
  std::vector<SourceFile> files = {
      make_source("supabase/migrations/20240101000000_a.sql",
                  "create schema app;\ncreate table app.t (id int primary key, v varchar(20));\n"
                  "insert into app.t values (1, 'x');\nset search_path = app;\n"),
      make_source("supabase/migrations/20240201000000_b.sql",
                  "begin;\ncreate index t_v on app.t (v);\ncomment on table app.t is 'T';\ncommit;\n"),
  };
  Settings settings;
  settings.baseline = "20240101000000";
  RunState run;
  for (const auto& f : files) replay_context(settings, f, parse_sql(f.text), run);
  std::string bytes = StateCodec::encode(run);

  RunState restored;
  StateCodec::decode(bytes, restored);
  CHECK(StateCodec::encode(restored) == bytes);
  CHECK(model::to_json(restored.model()).dump() == model::to_json(run.model()).dump());
  // The baseline's newer file is known as new after the restore too.
  CHECK(restored.relation_is_new({"app", "t_v"}) == run.relation_is_new({"app", "t_v"}));
  CHECK(restored.relation_is_new({"app", "t_v"}));
  CHECK_FALSE(restored.relation_is_new({"app", "t"}));

  // Replaying on after the restore builds what replaying on after the original builds.
  SourceFile next = make_source("supabase/migrations/20240301000000_c.sql",
                                "alter table app.t alter column v type text;\ncreate table app.u (id int);\n");
  replay_context(settings, next, parse_sql(next.text), run);
  replay_context(settings, next, parse_sql(next.text), restored);
  CHECK(StateCodec::encode(restored) == StateCodec::encode(run));

  auto refused = [&](const std::string& b) -> std::string {
    RunState target;
    std::string before = StateCodec::encode(target);
    try {
      StateCodec::decode(b, target);
    } catch (const model::snapshot::Malformed& e) {
      CHECK(StateCodec::encode(target) == before);  // unchanged when refused
      return e.what();
    }
    return "accepted";
  };
  CHECK(refused("") == "malformed run state at byte 0: not a driftguard run state");
  CHECK(refused(bytes.substr(0, 22)) == "malformed run state at byte 20: truncated (4 bytes wanted, 2 left)");
  std::string wrong_format = bytes;
  wrong_format[20] = 9;
  CHECK(refused(wrong_format) == "malformed run state at byte 20: format 9, this driftguard reads 1");
  CHECK(refused(bytes + "x") == "malformed run state at byte " + std::to_string(bytes.size()) + ": bytes after the end");
  std::string bad_model = bytes;
  bad_model[28] = 'X';  // inside the model's snapshot magic (after the 20-byte magic, the format, the length)
  CHECK(refused(bad_model) ==
        "malformed run state at byte 28: its model (the snapshot starting here): not a driftguard model snapshot");
  CHECK(refused(bytes.substr(0, bytes.size() - 1)).rfind("malformed run state at byte ", 0) == 0);
}

TEST_CASE("context cache: a one-file lint of a Prisma migration keeps schema.prisma's fields, exactly", "[git][cache]") {
  Cached c;
  const std::string file = kPrisma + "20240201000000_born/migration.sql";
  auto lint = [&](const std::string& args) {
    return c.repo.run("DRIFTGUARD_CACHE_DIR='" + c.cache.string() + "' '" + DRIFTGUARD_BINARY + "' lint " + file +
                      " --verbose " + args);
  };
  const std::string parsed = "driftguard: context cache: parsed prisma/schema.prisma and stored its fields (" +
                             c.cache.string() + "/";
  const std::string restored = "driftguard: context cache: restored the fields of prisma/schema.prisma (" +
                               c.cache.string() + "/";
  auto reference = lint("--no-cache --format gcc");
  INFO(reference.err);
  // The type finding is at schema.prisma's field (its line and column there), which only the fields put there.
  CHECK(reference.out.find("prisma/schema.prisma:8:3: warning: field born of model User generates timestamp(3) "
                           "(without time zone) [prefer-timestamptz]\n") != std::string::npos);
  CHECK(reference.err.find("context cache") == std::string::npos);
  CHECK_FALSE(fs::exists(c.cache));
  for (const auto& format : kFormats) {
    INFO(format);
    auto uncached = lint("--no-cache --format " + format);
    auto cached = lint("--format " + format);
    INFO(cached.err);
    CHECK(cached.out == uncached.out);
    CHECK(cached.code == uncached.code);
    CHECK(count(cached.err, format == kFormats.front() ? parsed : restored) == 1);
  }
  REQUIRE(c.entries().size() == 1);
  auto schema = [&](const std::string& fields) {
    c.repo.write("prisma/schema.prisma",
                 "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id    Int    @id\n" + fields + "}\n");
  };

  SECTION("an edit of schema.prisma misses") {
    schema("  name  String @db.VarChar(10)\n  // born moves a line down\n  born  DateTime\n");
    auto uncached = lint("--no-cache --format json");
    auto edited = lint("--format json");
    INFO(edited.err);
    CHECK(uncached.out != reference.out);
    CHECK(lint("--format gcc").out.find("prisma/schema.prisma:9:3: warning: field born") != std::string::npos);
    CHECK(edited.out == uncached.out);
    CHECK(count(edited.err, parsed) == 1);
    CHECK(c.entries().size() == 2);
  }
  SECTION("an invalid schema.prisma is parsed every time and never stored: the findings stay on the SQL") {
    schema("  name  Strin @db.VarChar(10)\n  born  DateTime\n");
    auto uncached = lint("--no-cache --format gcc");
    CHECK(uncached.out.find("prisma/schema.prisma:") == std::string::npos);
    CHECK(uncached.out.find(file + ":1:") != std::string::npos);
    for (int i = 0; i < 2; ++i) {
      auto invalid = lint("--format gcc");
      INFO(invalid.err);
      CHECK(invalid.out == uncached.out);
      CHECK(invalid.err.find("context cache") == std::string::npos);
    }
    CHECK(c.entries().size() == 1);
  }
  SECTION("an entry that does not decode is replaced") {
    fs::path entry = c.entries().front();
    std::string bytes = dgtest::read_file(entry);
    const std::size_t header = std::string("driftguard-context-cache\n").size() + 32 + 8 + 32;
    std::string payload = bytes.substr(header, bytes.size() - header - 1);  // one byte short, with a valid checksum
    std::string b = bytes.substr(0, header - 40);
    for (int i = 0; i < 8; ++i) b += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
    auto digest = driftguard::sha256(payload);
    b.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    b += payload;
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << b;
    auto r = lint("--format gcc");
    INFO(r.err);
    CHECK(r.out == reference.out);
    CHECK(count(r.err, "driftguard: context cache: corrupt entry " + entry.string() +
                           ": its fields do not decode (parsed again)\n") == 1);
    CHECK(count(r.err, parsed) == 1);
    CHECK(count(lint("--format gcc").err, restored) == 1);
  }
}

TEST_CASE("SHA-256 with the CPU's SHA extensions equals the portable code and the FIPS 180-4 vectors", "[cache]") {
  // The context cache's keys and entry checksums and Prisma's migration checksums (the server's own sha256()
  // agrees in test_status.cpp): the accelerated compression, every length across the block and padding edges, fed
  // whole and in parts of every split, against the portable code.
  if (!driftguard::Sha256::accelerated()) WARN("this CPU has no SHA extensions: the portable code only");
  const std::pair<std::string, std::string> vectors[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}};
  for (bool portable : {false, true}) {
    driftguard::Sha256::force_portable(portable);
    for (const auto& [text, digest] : vectors) CHECK(driftguard::sha256_hex(text) == digest);
  }
  // An empty view without storage (a null data pointer): nothing to hash, no memcpy from null (UBSan found one).
  CHECK(driftguard::Sha256().update(std::string_view()).update("abc").update(std::string_view()).finish() ==
        driftguard::sha256("abc"));
  std::string data;
  for (int i = 0; i < 300; ++i) data += static_cast<char>((i * 131 + 7) & 0xFF);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    INFO("length " << n);
    std::string_view part(data.data(), n);
    driftguard::Sha256::force_portable(true);
    const auto expected = driftguard::sha256(part);
    driftguard::Sha256::force_portable(false);
    CHECK(driftguard::sha256(part) == expected);
    for (std::size_t split : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65}, n / 2}) {
      if (split > n) continue;
      CHECK(driftguard::Sha256().update(part.substr(0, split)).update(part.substr(split)).finish() == expected);
    }
  }
}
