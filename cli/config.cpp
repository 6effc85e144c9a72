#include "cli/config.hpp"

#include "rules/transaction/runner.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "analyzer/source.hpp"
#include "cli/model_source.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;

namespace driftguard {

namespace {

std::string where(const std::string& path, const toml::source_region& r) {
  return path + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// Walks the document; every check throws ConfigError at the offending node.
class Loader {
 public:
  Loader(std::string path, const std::vector<std::unique_ptr<Rule>>& rules) : path_(std::move(path)) {
    for (const auto& r : rules) rules_[std::string(r->info().id)] = r.get();
  }

  [[noreturn]] void fail(const toml::source_region& r, const std::string& msg) const {
    throw ConfigError(where(path_, r) + ": " + msg);
  }

  // Calls `fn` for each key of `t`; a key outside `known` is an error.
  void each(const toml::table& t, const std::string& section, std::initializer_list<std::string_view> known,
            const std::function<void(const std::string&, const toml::node&)>& fn) const {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (auto kn : known) ok = ok || kn == k.str();
      if (!ok) {
        std::string list;
        for (auto kn : known) list += (list.empty() ? "" : ", ") + std::string(kn);
        fail(k.source(), "unknown key '" + std::string(k.str()) + "'" + (section.empty() ? "" : " in [" + section + "]") +
                             " (known: " + list + ")");
      }
      fn(std::string(k.str()), v);
    }
  }

  const toml::table& table(const toml::node& n, const std::string& key) const {
    if (!n.is_table()) fail(n.source(), key + " must be a table, got " + type_name(n));
    return *n.as_table();
  }

  std::string string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail(n.source(), key + " must be a string, got " + type_name(n));
    std::string s = n.as_string()->get();
    if (s.empty()) fail(n.source(), key + " must not be empty");
    return s;
  }

  std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
    if (!n.is_array()) fail(n.source(), key + " must be an array of strings, got " + type_name(n));
    std::vector<std::string> out;
    for (const auto& e : *n.as_array()) out.push_back(string(e, key + " entries"));
    return out;
  }

  Severity severity(const toml::node& n, const std::string& key, bool allow_off) const {
    std::string s = n.is_string() ? n.as_string()->get() : "";
    auto level = parse_severity(s);
    if (!level || (!allow_off && *level == Severity::off)) {
      fail(n.source(), key + " must be " + (allow_off ? "\"error\", \"warning\", \"info\" or \"off\"" : "\"error\", \"warning\" or \"info\"") +
                           ", got " + (n.is_string() ? "\"" + s + "\"" : type_name(n)));
    }
    return *level;
  }

  const Rule& rule(const std::string& id, const toml::source_region& r) const {
    auto it = rules_.find(id);
    if (it == rules_.end()) fail(r, "unknown rule '" + id + "' (see `driftguard rules`)");
    return *it->second;
  }

  std::vector<std::string> rule_ids(const toml::node& n, const std::string& key) const {
    auto ids = strings(n, key);
    std::size_t i = 0;
    for (const auto& e : *n.as_array()) rule(ids[i++], e.source());
    return ids;
  }

  OptionValue option(const toml::node& n, const OptionSpec& spec, const std::string& key) const {
    auto bad = [&] { fail(n.source(), key + " must be " + std::string(to_string(spec.type)) + ", got " + type_name(n)); };
    switch (spec.type) {
      case OptionType::boolean:
        if (!n.is_boolean()) bad();
        return n.as_boolean()->get();
      case OptionType::integer:
        if (!n.is_integer()) bad();
        return n.as_integer()->get();
      case OptionType::number:
        if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
        if (!n.is_floating_point()) bad();
        return n.as_floating_point()->get();
      case OptionType::string:
        if (!n.is_string()) bad();
        return n.as_string()->get();
      case OptionType::string_list: {
        if (!n.is_array()) bad();
        std::vector<std::string> out;
        for (const auto& e : *n.as_array()) {
          if (!e.is_string()) fail(e.source(), key + " entries must be strings, got " + type_name(e));
          out.push_back(e.as_string()->get());
        }
        return out;
      }
    }
    fail(n.source(), key + ": unsupported option type");
  }

  void load(const toml::table& doc, Config& c) const {
    each(doc, "", {"pg_version", "runner", "fail_on", "baseline", "platform", "prelude", "rules", "rls", "ignore"},
         [&](const std::string& key, const toml::node& v) {
           if (key == "pg_version") {
             if (!v.is_integer() || v.as_integer()->get() < 9 || v.as_integer()->get() > 18) {
               fail(v.source(), "pg_version must be an integer between 9 and 18, got " +
                                    (v.is_integer() ? std::to_string(v.as_integer()->get()) : type_name(v)));
             }
             c.pg_version = static_cast<int>(v.as_integer()->get());
           } else if (key == "runner") {
             c.runner = string(v, key);
             if (*c.runner != "auto" && !parse_runner(*c.runner)) {
               fail(v.source(), "runner must be one of auto, prisma, supabase, golang-migrate, goose, dbmate, flyway, "
                                "plain, got \"" + *c.runner + "\"");
             }
           } else if (key == "fail_on") {
             c.fail_on = severity(v, key, false);
           } else if (key == "baseline") {
             c.baseline = string(v, key);
           } else if (key == "platform") {
             c.platform = string(v, key);
             if (*c.platform != "supabase" && *c.platform != "none") {
               fail(v.source(), "platform must be one of supabase, none, got \"" + *c.platform + "\"");
             }
           } else if (key == "prelude") {
             c.prelude = string(v, key);
           } else if (key == "rules") {
             load_rules(table(v, key), c);
           } else if (key == "rls") {
             each(table(v, key), "rls", {"exposed_schemas"},
                  [&](const std::string&, const toml::node& s) { c.exposed_schemas = strings(s, "exposed_schemas"); });
           } else if (key == "ignore") {
             each(table(v, key), "ignore", {"files", "drift"}, [&](const std::string& k, const toml::node& s) {
               (k == "files" ? c.ignore_files : c.ignore_drift) = strings(s, k);
             });
           }
         });
  }

  void load_rules(const toml::table& t, Config& c) const {
    each(t, "rules", {"select", "exclude", "severity", "options"}, [&](const std::string& key, const toml::node& v) {
      if (key == "select" || key == "exclude") {
        auto ids = rule_ids(v, key);
        (key == "select" ? c.selection.only : c.selection.exclude).insert(ids.begin(), ids.end());
      } else if (key == "severity") {
        for (auto&& [id, level] : table(v, "rules.severity")) {
          rule(std::string(id.str()), id.source());
          c.selection.severity[std::string(id.str())] = severity(level, std::string(id.str()), true);
        }
      } else {
        for (auto&& [id, opts] : table(v, "rules.options")) {
          std::string rid(id.str());
          const Rule& r = rule(rid, id.source());
          auto specs = r.option_specs();
          auto& out = c.rule_options[rid];
          for (auto&& [name, value] : table(opts, "rules.options." + rid)) {
            const OptionSpec* spec = nullptr;
            for (const auto& s : specs) {
              if (s.name == name.str()) spec = &s;
            }
            if (!spec) {
              std::string known;
              for (const auto& s : specs) known += (known.empty() ? "" : ", ") + std::string(s.name);
              fail(name.source(), "rule " + rid + " has no option '" + std::string(name.str()) + "'" +
                                      (known.empty() ? " (it has no options)" : " (options: " + known + ")"));
            }
            out[std::string(name.str())] = option(value, *spec, std::string(name.str()));
          }
        }
      }
    });
  }

 private:
  std::string path_;
  std::map<std::string, const Rule*> rules_;
};

// A found path shown the way its starting point was given: relative to the working directory (even through
// "..") when that was relative, absolute otherwise.
std::string display_path(const fs::path& abs, bool relative) {
  std::error_code ec;
  fs::path rel = abs.lexically_relative(fs::current_path(ec));
  return relative && !ec && !rel.empty() ? rel.string() : abs.string();
}

fs::path absolute_normal(const std::string& p) {
  std::error_code ec;
  return fs::absolute(p, ec).lexically_normal();
}

}  // namespace

Config parse_config(std::string_view text, const std::string& path, const std::vector<std::unique_ptr<Rule>>& rules) {
  Config c;
  c.path = path;
  c.dir = absolute_normal(path).parent_path().string();
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(where(path, e.source()) + ": " + std::string(e.description()));
  }
  Loader(path, rules).load(doc, c);
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  static const auto rules = make_all_rules();
  return parse_config(ss.str(), path, rules);
}

std::optional<std::string> find_config(const std::string& path) {
  std::error_code ec;
  fs::path dir = absolute_normal(path);
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  while (!dir.empty()) {
    if (fs::is_regular_file(dir / kConfigName, ec)) return display_path(dir / kConfigName, fs::path(path).is_relative());
    if (fs::exists(dir / ".git", ec) || dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

bool Config::ignores_file(const std::string& file) const {
  if (ignore_files.empty()) return false;
  fs::path abs = absolute_normal(file);
  std::string rel = dir.empty() ? file : abs.lexically_relative(dir).generic_string();
  for (const auto& g : ignore_files) {
    if (glob_match(g, rel)) return true;
  }
  return false;
}

std::string Config::resolve(const std::string& relative) const {
  if (dir.empty() || fs::path(relative).is_absolute()) return relative;
  return display_path((fs::path(dir) / relative).lexically_normal(), fs::path(path).is_relative());
}

Effective effective(const Config& c, const Overrides& o) {
  Effective e;
  e.settings.pg_version = c.pg_version.value_or(15);
  if (c.runner && *c.runner != "auto") e.settings.runner = *parse_runner(*c.runner);
  if (c.baseline) e.settings.baseline = *c.baseline;
  apply_settings_flags(o.flags, e.settings);  // the command line wins
  e.settings.rule_options = c.rule_options;
  if (!o.exposed_schemas.empty()) {
    e.settings.exposed_schemas = o.exposed_schemas;
  } else if (!c.exposed_schemas.empty()) {
    e.settings.exposed_schemas = c.exposed_schemas;
  }
  e.selection = c.selection;
  if (!o.select.empty()) e.selection.only = {o.select.begin(), o.select.end()};
  e.selection.exclude.insert(o.exclude.begin(), o.exclude.end());
  for (const auto& [id, s] : o.severity) e.selection.severity[id] = s;
  e.fail_on = o.fail_on.value_or(c.fail_on.value_or(Severity::error));
  if (c.platform == "supabase") enable_supabase_rules(e.selection);
  return e;
}

void enable_supabase_rules(RuleSelection& selection) {
  // rls-not-enabled runs by default on supabase/migrations files only; on a Supabase project every migration
  // (Prisma's too) creates tables that PostgREST exposes. A severity given explicitly wins.
  static const std::string id = "rls-not-enabled";
  if (selection.severity.count(id) || selection.exclude.count(id)) return;
  for (const auto& r : make_all_rules()) {
    if (r->info().id == id) selection.severity[id] = r->info().severity;
  }
}

ConfigSet::ConfigSet(std::optional<std::string> explicit_path, Overrides overrides)
    : explicit_(std::move(explicit_path)), overrides_(std::move(overrides)) {}

const ConfigSet::Profile& ConfigSet::for_path(const std::string& path) {
  std::string cfg;
  if (explicit_) {
    cfg = *explicit_;
  } else {
    std::error_code ec;
    fs::path abs = absolute_normal(path);
    std::string dir = (fs::is_directory(abs, ec) ? abs : abs.parent_path()).string();
    auto it = config_of_dir_.find(dir);
    if (it == config_of_dir_.end()) it = config_of_dir_.emplace(dir, find_config(path).value_or("")).first;
    cfg = it->second;
  }
  // A Prisma migration of a project on Supabase (a supabase/ folder beside prisma/, a directUrl, a Supabase URL,
  // migrations that use auth.*) gets the Supabase rules unless its config says platform = "none".
  bool supabase = false;
  MigrationInfo info = classify(path);
  if (info.layout == Layout::prisma) {
    std::string prisma_dir = fs::path(info.set).parent_path().string();
    auto it = supabase_prisma_.find(prisma_dir);
    if (it == supabase_prisma_.end()) {
      it = supabase_prisma_.emplace(prisma_dir, !supabase_evidence("prisma", prisma_dir.empty() ? "." : prisma_dir).empty())
               .first;
    }
    supabase = it->second;
  }
  auto& slot = profiles_[supabase ? cfg + "\n(prisma on supabase)" : cfg];
  if (!slot) {
    auto p = std::make_unique<Profile>();
    if (!cfg.empty()) p->config = load_config(cfg);
    if (supabase && !p->config.platform) p->config.platform = "supabase";
    p->effective = effective(p->config, overrides_);
    try {
      p->engine = std::make_unique<Engine>(p->effective.settings, p->effective.selection);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    slot = std::move(p);
  }
  return *slot;
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      static const char* hex = "0123456789ABCDEF";
      out += "\\u00";
      out += hex[ch >> 4];
      out += hex[ch & 15];
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

template <class C>
std::string list(const C& items) {
  std::string out = "[";
  for (const auto& s : items) out += (out.size() > 1 ? ", " : "") + quote(s);
  return out + "]";
}

std::string value_text(const OptionValue& v) {
  struct V {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::ostringstream ss;
      ss << d;
      return ss.str();
    }
    std::string operator()(const std::string& s) const { return quote(s); }
    std::string operator()(const std::vector<std::string>& l) const { return list(l); }
  };
  return std::visit(V{}, v);
}

}  // namespace

void print_config(std::ostream& out, const ConfigSet::Profile& p, const std::string& for_path) {
  const Config& c = p.config;
  const Effective& e = p.effective;
  out << "# effective configuration for " << for_path << "\n";
  out << (c.path.empty() ? std::string("# no driftguard.toml found: built-in defaults") : "# from " + c.path) << "\n";
  out << "pg_version = " << e.settings.pg_version << "\n";
  out << (c.runner ? "runner = " + quote(*c.runner) : std::string("# runner: not set")) << "\n";
  out << "fail_on = " << quote(std::string(to_string(e.fail_on))) << "\n";
  out << (c.baseline ? "baseline = " + quote(*c.baseline) : std::string("# baseline: not set")) << "\n";
  out << (c.platform ? "platform = " + quote(*c.platform) : std::string("# platform: not set (detected)")) << "\n";
  out << (c.prelude ? "prelude = " + quote(*c.prelude) : std::string("# prelude: not set")) << "\n";
  out << "\n[rules]\nselect = " << list(e.selection.only) << "\nexclude = " << list(e.selection.exclude) << "\n";
  out << "\n# every rule's effective severity (\"off\" = not run)\n[rules.severity]\n";
  for (const auto& r : make_all_rules()) {
    std::string id(r->info().id);
    out << id << " = " << quote(std::string(to_string(p.engine->severity_of(id)))) << "\n";
  }
  for (const auto& [id, opts] : e.settings.rule_options) {
    out << "\n[rules.options." << id << "]\n";
    for (const auto& [name, v] : opts) out << name << " = " << value_text(v) << "\n";
  }
  out << "\n[rls]\nexposed_schemas = " << list(e.settings.exposed_schemas) << "\n";
  out << "\n[ignore]\nfiles = " << list(c.ignore_files) << "\ndrift = " << list(c.ignore_drift) << "\n";
}

}  // namespace driftguard
