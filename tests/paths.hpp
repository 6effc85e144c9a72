#pragma once
// Where the tests find driftguard's binary, the checkout and libpg_query's proto file. Defined in a source file the
// build generates (tests/CMakeLists.txt) rather than on the compiler's command line, so that every test object is
// the same in every build directory and worktree, and ccache shares them.
namespace dgtest::paths {
extern const char* const binary;
extern const char* const source_dir;
extern const char* const pg_query_proto;
}  // namespace dgtest::paths

#define DRIFTGUARD_BINARY (::dgtest::paths::binary)
#define DRIFTGUARD_SOURCE_DIR (::dgtest::paths::source_dir)
#define PG_QUERY_PROTO (::dgtest::paths::pg_query_proto)
