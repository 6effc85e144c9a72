// driftguard.toml: every key, errors with file:line:col, typed rule options, discovery, command-line overrides.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "cli/config.hpp"
#include "config_text.hpp"
#include "helpers.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

// A rule with options, to test what the loader does with them (no registered rule has options yet).
class OptionsRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"with-options", "convention", Severity::warning, "test rule"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  std::vector<OptionSpec> option_specs() const override {
    return {{"max-rows", OptionType::integer, "rows"},
            {"strict", OptionType::boolean, "strict"},
            {"ratio", OptionType::number, "ratio"},
            {"schema", OptionType::string, "schema"},
            {"tables", OptionType::string_list, "tables"}};
  }
};

const std::vector<std::unique_ptr<Rule>>& rules() {
  static const auto r = [] {
    auto all = make_all_rules();
    all.push_back(std::make_unique<OptionsRule>());
    return all;
  }();
  return r;
}

// With the test rule above among the known ones.
Config parse(const std::string& text) { return dgtest::config_from(text, rules()); }
std::string error_of(const std::string& text) { return dgtest::config_error(text, rules()); }

}  // namespace

TEST_CASE("config: every key is read", "[config]") {
  auto c = parse(R"(
pg_version = 13
runner = "prisma"
fail_on = "warning"
baseline = "driftguard-baseline.json"

[rules]
select = ["ban-drop-table", "with-options"]
exclude = ["require-if-exists"]

[rules.severity]
ban-drop-table = "warning"
unused-ignore = "off"

[rules.options.with-options]
max-rows = 1000
strict = true
ratio = 2
schema = "app"
tables = ["a", "b"]

[rls]
exposed_schemas = ["public", "api"]

[ignore]
files = ["legacy/**"]
drift = ["public._prisma_migrations", "audit.*"]
)");
  CHECK(c.pg_version == 13);
  CHECK(c.runner == "prisma");
  CHECK(c.fail_on == Severity::warning);
  CHECK(c.baseline == "driftguard-baseline.json");
  CHECK(c.selection.only == std::set<std::string>{"ban-drop-table", "with-options"});
  CHECK(c.selection.exclude == std::set<std::string>{"require-if-exists"});
  CHECK(c.selection.severity == std::map<std::string, Severity>{{"ban-drop-table", Severity::warning},
                                                                 {"unused-ignore", Severity::off}});
  const auto& o = c.rule_options.at("with-options");
  CHECK(std::get<std::int64_t>(o.at("max-rows")) == 1000);
  CHECK(std::get<bool>(o.at("strict")) == true);
  CHECK(std::get<double>(o.at("ratio")) == 2.0);
  CHECK(std::get<std::string>(o.at("schema")) == "app");
  CHECK(std::get<std::vector<std::string>>(o.at("tables")) == std::vector<std::string>{"a", "b"});
  CHECK(c.exposed_schemas == std::vector<std::string>{"public", "api"});
  CHECK(c.ignore_files == std::vector<std::string>{"legacy/**"});
  CHECK(c.ignore_drift == std::vector<std::string>{"public._prisma_migrations", "audit.*"});
  CHECK(c.dir == fs::absolute("cfg").lexically_normal().string());
  CHECK(c.resolve(*c.baseline) == "cfg/driftguard-baseline.json");
}

TEST_CASE("config: unknown keys and bad values are errors at file:line:col", "[config]") {
  CHECK(error_of("pg_versoin = 15\n") ==
        "cfg/driftguard.toml:1:1: unknown key 'pg_versoin'; did you mean 'pg_version'? (known: extend, preset, "
        "pg_version, runner, fail_on, baseline, platform, prelude, docs_url, rules, rls, ignore, verify, database)");
  CHECK(error_of("\npg_version = \"15\"\n") ==
        "cfg/driftguard.toml:2:14: pg_version must be an integer between 9 and 18, got a string");
  CHECK(error_of("pg_version = 19\n") == "cfg/driftguard.toml:1:14: pg_version must be an integer between 9 and 18, got 19");
  CHECK(error_of("fail_on = \"off\"\n") ==
        "cfg/driftguard.toml:1:11: fail_on must be \"error\", \"warning\" or \"info\", got \"off\"");
  CHECK(error_of("runner = 3\n") == "cfg/driftguard.toml:1:10: runner must be a string, got an integer");
  CHECK(error_of("[rules]\nselect = [\"ban-drop-table\", \"ban-drop-tabel\"]\n") ==
        "cfg/driftguard.toml:2:29: unknown rule or category 'ban-drop-tabel'; did you mean 'ban-drop-table'? (see "
        "`driftguard rules`)");
  CHECK(error_of("[rules]\nexclude = \"ban-drop-table\"\n") ==
        "cfg/driftguard.toml:2:11: exclude must be an array of strings, got a string");
  CHECK(error_of("[rules.severity]\nban-drop-table = \"fatal\"\n") ==
        "cfg/driftguard.toml:2:18: ban-drop-table must be \"error\", \"warning\", \"info\" or \"off\", got \"fatal\"");
  CHECK(error_of("[rules.severity]\nno-such-rule = \"off\"\n") ==
        "cfg/driftguard.toml:2:1: unknown rule or category 'no-such-rule' (see `driftguard rules`)");
  CHECK(error_of("[rules.options.ban-drop-table]\nmax = 1\n") ==
        "cfg/driftguard.toml:2:1: rule ban-drop-table has no option 'max' (it has no options)");
  CHECK(error_of("[rules.options.with-options]\nmax_rows = 1\n") ==
        "cfg/driftguard.toml:2:1: rule with-options has no option 'max_rows' (options: max-rows, strict, ratio, "
        "schema, tables)");
  CHECK(error_of("[rules.options.with-options]\nmax-rows = \"many\"\n") ==
        "cfg/driftguard.toml:2:12: max-rows must be integer, got a string");
  CHECK(error_of("[rules.options.with-options]\ntables = [\"a\", 1]\n") ==
        "cfg/driftguard.toml:2:16: tables entries must be strings, got an integer");
  CHECK(error_of("[rls]\nexposed = []\n") ==
        "cfg/driftguard.toml:2:1: unknown key 'exposed' in [rls] (known: exposed_schemas)");
  CHECK(error_of("[ignore]\nfiles = [\"\"]\n") == "cfg/driftguard.toml:2:10: files entries must not be empty");
  CHECK(error_of("rules = 1\n") == "cfg/driftguard.toml:1:9: rules must be a table, got an integer");
  CHECK(error_of("pg_version = 15\npg_version = 16\n") ==
        "cfg/driftguard.toml:2:14: Error while parsing key-value pair: cannot redefine existing integer 'pg_version'");
  CHECK(error_of("[rules\n").rfind("cfg/driftguard.toml:1:", 0) == 0);
}

TEST_CASE("config: rules read their typed options through the context", "[config]") {
  auto c = parse("[rules.options.with-options]\nmax-rows = 7\ntables = [\"x\"]\n");
  Settings s;
  s.rule_options = c.rule_options;
  auto src = make_source("x.sql", "SELECT 1;");
  FileState fs_;
  RunState run;
  RuleContext ctx(src, s, fs_, run);
  OptionsRule rule;
  ctx.set_rule(&rule);
  CHECK(ctx.option<std::int64_t>("max-rows", 5) == 7);
  CHECK(ctx.option<bool>("strict", false) == false);  // not set: the rule's default
  CHECK(ctx.option<std::vector<std::string>>("tables", {}) == std::vector<std::string>{"x"});
}

TEST_CASE("config: command-line values override the config", "[config]") {
  auto c = parse("pg_version = 13\nfail_on = \"info\"\n[rules]\nselect = [\"ban-drop-table\"]\nexclude = [\"ban-truncate\"]\n"
                 "[rules.severity]\nban-drop-table = \"warning\"\nban-drop-column = \"info\"\n");
  auto none = effective(c, {});
  CHECK(none.settings.pg_version == 13);
  CHECK(none.fail_on == Severity::info);
  CHECK(none.selection.only == std::set<std::string>{"ban-drop-table"});
  Overrides o;
  o.flags.pg_version = 16;
  o.fail_on = Severity::error;
  o.select = {"ban-drop-column"};
  o.exclude = {"ban-drop-view"};
  o.severity = {{"ban-drop-table", Severity::error}};
  auto e = effective(c, o);
  CHECK(e.settings.pg_version == 16);
  CHECK(e.fail_on == Severity::error);
  CHECK(e.selection.only == std::set<std::string>{"ban-drop-column"});                      // replaced
  CHECK(e.selection.exclude == std::set<std::string>{"ban-drop-view", "ban-truncate"});     // added
  CHECK(e.selection.severity.at("ban-drop-table") == Severity::error);                      // per rule
  CHECK(e.selection.severity.at("ban-drop-column") == Severity::info);
  auto defaults = effective(Config{}, {});
  CHECK(defaults.settings.pg_version == 15);
  CHECK(defaults.fail_on == Severity::error);
}

TEST_CASE("config: discovery walks up to the repository root and ignore patterns are relative to the config",
          "[config]") {
  std::string tmpl = (fs::temp_directory_path() / "driftguard_cfg_XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  fs::path root = tmpl;
  fs::create_directories(root / "repo/.git");
  fs::create_directories(root / "repo/svc/db/migrations/old");
  std::ofstream(root / "driftguard.toml") << "pg_version = 12\n";  // above the repository: never used
  CHECK_FALSE(find_config((root / "repo/svc/db/migrations/0001.sql").string()));
  std::ofstream(root / "repo/svc/driftguard.toml") << "[ignore]\nfiles = [\"db/migrations/old/*.sql\"]\n";
  auto found = find_config((root / "repo/svc/db/migrations/0001.sql").string());
  REQUIRE(found);
  CHECK(fs::path(*found) == root / "repo/svc/driftguard.toml");
  CHECK(find_config((root / "repo/svc/db").string()) == found);  // a folder starts from itself
  auto c = load_config(*found);
  CHECK(c.ignores_file((root / "repo/svc/db/migrations/old/0001.sql").string()));
  CHECK_FALSE(c.ignores_file((root / "repo/svc/db/migrations/0002.sql").string()));
  fs::remove_all(root);
}

TEST_CASE("config --show prints rule options as TOML", "[config]") {
  ConfigSet::Profile p;
  p.config = parse("runner = \"supabase\"\n[rules.options.with-options]\nmax-rows = 7\nratio = 0.5\nstrict = false\n"
                   "tables = [\"a\\\"b\"]\n");
  p.effective = effective(p.config, {});
  p.engine = std::make_unique<Engine>(p.effective.settings, p.effective.selection);
  std::ostringstream out;
  print_config(out, p, "x");
  std::string s = out.str();
  CHECK(s.rfind("# effective configuration for x\n# from cfg/driftguard.toml\npg_version = 15\nrunner = \"supabase\"\n", 0) == 0);
  CHECK(s.find("\n[rules.options.with-options]\nmax-rows = 7\nratio = 0.5\nstrict = false\ntables = [\"a\\\"b\"]\n") !=
        std::string::npos);
}

// ConfigSet::for_path joins plain relative paths to the working folder and walks up on strings; find_config (the
// std::filesystem walk) is the oracle, on every path of up to three names below a tree with configs at several
// depths, one that is a folder, a symbolic link to a folder, and the repository's .git: relative (plain, with "."
// and "..") and absolute, with and without a trailing '/', files, folders and paths that do not exist.
TEST_CASE("config: for_path finds the config find_config finds, on generated paths", "[config]") {
  std::string tmpl = (fs::temp_directory_path() / "driftguard_cfgpaths_XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  const fs::path root = tmpl;
  fs::create_directories(root / "repo/.git");
  fs::create_directories(root / "repo/a/b/c");
  fs::create_directories(root / "repo/a/b/driftguard.toml");  // a folder of that name is no config
  fs::create_directories(root / "repo/d/e");
  fs::create_directory_symlink("../d", root / "repo/a/link");
  std::ofstream(root / "driftguard.toml") << "pg_version = 12\n";  // above the repository: never used
  std::ofstream(root / "repo/a/driftguard.toml") << "pg_version = 13\n";
  std::ofstream(root / "repo/d/e/driftguard.toml") << "pg_version = 14\n";
  std::ofstream(root / "repo/a/b/c/x.sql") << "select 1;\n";
  std::ofstream(root / "repo/d/y.sql") << "select 1;\n";

  const fs::path cwd = fs::current_path();
  fs::current_path(root / "repo/a/b");
  const std::vector<std::string> names = {".", "..", "c", "x.sql", "link", "e", "y.sql", "d", "none"};
  std::vector<std::string> paths;
  std::function<void(const std::string&, int)> each = [&](const std::string& path, int left) {
    if (!path.empty()) {
      for (const std::string& p : {path, path + "/", (root / "repo/a/b").string() + "/" + path}) paths.push_back(p);
    }
    if (left == 0) return;
    for (const auto& n : names) each(path.empty() ? n : path + "/" + n, left - 1);
  };
  each("", 3);
  // Sets whose folder memos answer every later path; one for relative and one for absolute paths, since a folder's
  // config is shown the way the first path that asked for it was given (relative or absolute), as on main.
  ConfigSet shared_relative(std::nullopt, {});
  ConfigSet shared_absolute(std::nullopt, {});
  std::size_t with_config = 0;
  for (const auto& p : paths) {
    INFO("path \"" << p << "\"");
    const std::string expected = find_config(p).value_or("");
    with_config += expected.empty() ? 0 : 1;
    ConfigSet& shared = fs::path(p).is_relative() ? shared_relative : shared_absolute;
    CHECK(shared.for_path(p).config.path == expected);
    ConfigSet fresh(std::nullopt, {});
    CHECK(fresh.for_path(p).config.path == expected);
  }
  fs::current_path(cwd);
  CHECK(paths.size() == 3 * (9 + 81 + 729));
  CHECK(with_config > paths.size() / 3);  // both the configs and their absence are reached
  CHECK(with_config < paths.size());
  fs::remove_all(root);
}
