#include "cli/config.hpp"

#include "rules/transaction/runner.hpp"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

#include "analyzer/source.hpp"
#include "cli/db_flags.hpp"
#include "cli/model_source.hpp"
#include "cli/presets.hpp"
#include "cli/report.hpp"
#include "cli/suggest.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;

namespace driftguard {

namespace {

// Every rule id and category: what a selection may name (for "did you mean").
std::vector<std::string> rule_and_category_names() {
  std::set<std::string> names;
  for (const auto& r : make_all_rules()) {
    names.insert(std::string(r->info().id));
    names.insert(std::string(r->info().category));
  }
  return {names.begin(), names.end()};
}

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
        std::vector<std::string> names(known.begin(), known.end());
        fail(k.source(), "unknown key '" + std::string(k.str()) + "'" + (section.empty() ? "" : " in [" + section + "]") +
                             did_you_mean(k.str(), names) + " (known: " + list + ")");
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
    if (it == rules_.end()) fail(r, "unknown rule '" + id + "'" + did_you_mean(id, rule_ids()) + " (see `driftguard rules`)");
    return *it->second;
  }

  // The rules a selection name stands for: a rule id or a category.
  std::vector<std::string> rules_or_category(const std::string& name, const toml::source_region& r) const {
    if (rules_.count(name)) return {name};
    std::vector<std::string> ids;
    for (const auto& [id, rule] : rules_) {
      if (rule->info().category == name) ids.push_back(id);
    }
    if (ids.empty()) {
      fail(r, "unknown rule or category '" + name + "'" + did_you_mean(name, rule_and_category_names()) +
                  " (see `driftguard rules`)");
    }
    return ids;
  }

  std::vector<std::string> rule_ids() const {
    std::vector<std::string> ids;
    for (const auto& [id, rule] : rules_) ids.push_back(id);
    return ids;
  }

  std::vector<std::string> rule_ids(const toml::node& n, const std::string& key) const {
    auto names = strings(n, key);
    std::vector<std::string> ids;
    std::size_t i = 0;
    for (const auto& e : *n.as_array()) {
      auto named = rules_or_category(names[i++], e.source());
      ids.insert(ids.end(), named.begin(), named.end());
    }
    return ids;
  }

  // Rules match these with RE2: a pattern RE2 rejects is an error here, at its position.
  void check_regex(const toml::node& n, const std::string& key) const {
    RE2 re(n.as_string()->get(), RE2::Quiet);
    if (!re.ok()) fail(n.source(), key + ": not a valid regular expression: " + re.error());
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
      case OptionType::regex:
        if (!n.is_string()) bad();
        if (spec.type == OptionType::regex) check_regex(n, key);
        return n.as_string()->get();
      case OptionType::string_list:
      case OptionType::regex_list: {
        if (!n.is_array()) bad();
        std::vector<std::string> out;
        for (const auto& e : *n.as_array()) {
          if (!e.is_string()) fail(e.source(), key + " entries must be strings, got " + type_name(e));
          if (spec.type == OptionType::regex_list) check_regex(e, key);
          out.push_back(e.as_string()->get());
        }
        return out;
      }
    }
    fail(n.source(), key + ": unsupported option type");
  }

  void load(const toml::table& doc, Config& c) {
    each(doc, "",
         {"extend", "preset", "pg_version", "runner", "fail_on", "baseline", "platform", "prelude", "docs_url", "rules",
          "rls", "ignore", "verify", "database"},
         [&](const std::string& key, const toml::node& v) {
           if (key == "extend") {
             extend = Located{string(v, key), v.source()};
           } else if (key == "preset") {
             // One name or a list, applied in order.
             std::vector<std::string> names = v.is_array() ? strings(v, key) : std::vector<std::string>{string(v, key)};
             std::size_t i = 0;
             for (const auto& name : names) {
               const toml::node& at = v.is_array() ? *v.as_array()->get(i++) : v;
               if (!find_preset(name)) {
                 std::string known;
                 for (const auto& p : presets()) known += (known.empty() ? "" : ", ") + std::string(p.name);
                 fail(at.source(), "unknown preset \"" + name + "\" (presets: " + known + ")");
               }
               preset_names.push_back(name);
             }
           } else if (key == "pg_version") {
             if (!v.is_integer() || v.as_integer()->get() < 9 || v.as_integer()->get() > 18) {
               fail(v.source(), "pg_version must be an integer between 9 and 18, got " +
                                    (v.is_integer() ? std::to_string(v.as_integer()->get()) : type_name(v)));
             }
             c.pg_version = static_cast<int>(v.as_integer()->get());
           } else if (key == "runner") {
             c.runner = string(v, key);
             if (*c.runner != "auto" && !parse_runner(*c.runner)) {
               fail(v.source(), "runner must be one of auto, prisma, supabase, golang-migrate, goose, dbmate, flyway, "
                                "diesel, sqlx, fider, synapse, temporal, extension, drizzle, plain, got \"" + *c.runner + "\"");
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
           } else if (key == "docs_url") {
             c.docs_url = string(v, key);
           } else if (key == "rules") {
             load_rules(table(v, key), c);
           } else if (key == "rls") {
             each(table(v, key), "rls", {"exposed_schemas"},
                  [&](const std::string&, const toml::node& s) { c.exposed_schemas = strings(s, "exposed_schemas"); });
           } else if (key == "verify") {
             load_verify(table(v, key), c);
           } else if (key == "database") {
             each(table(v, key), "database", {"connect_timeout"}, [&](const std::string& k, const toml::node& t) {
               // "10s", "1min", "0"; or whole seconds as an integer
               std::string text = t.is_integer() ? std::to_string(t.as_integer()->get()) : string(t, k);
               try {
                 c.connect_timeout_s = parse_connect_timeout_s(text, k);
               } catch (const UsageError& e) {
                 fail(t.source(), e.what());
               }
             });
           } else if (key == "ignore") {
             each(table(v, key), "ignore", {"files", "drift"}, [&](const std::string& k, const toml::node& s) {
               (k == "files" ? c.ignore_files : c.ignore_drift) = strings(s, k);
             });
           }
         });
  }

  // [verify]: tables = [...], columns = {TABLE = [...]}, rls = [SCHEMA or TABLE], policies = {TABLE = [...]},
  // extensions = [...]. Each entry remembers where it is written, for the report.
  void load_verify(const toml::table& t, Config& c) const {
    using Kind = Requirement::Kind;
    auto add = [&](Kind kind, const std::string& table_name, std::string name, const toml::node& at) {
      Requirement r;
      r.kind = kind;
      if (kind == Kind::rls && table_name.find('.') == std::string::npos) {
        r.schema = table_name;  // every table of the schema
      } else if (!table_name.empty()) {
        std::tie(r.schema, r.table) = split_table_name(table_name);
      }
      r.name = std::move(name);
      r.where = where(path_, at.source());
      c.verify.push_back(std::move(r));
    };
    each(t, "verify", {"tables", "columns", "rls", "policies", "extensions"},
         [&](const std::string& key, const toml::node& v) {
           if (key == "columns" || key == "policies") {
             for (auto&& [tbl, names] : table(v, key)) {
               std::string tname(tbl.str());
               if (tname.empty()) fail(tbl.source(), key + ": a table name must not be empty");
               if (!names.is_array()) fail(names.source(), key + "." + tname + " must be an array of strings, got " + type_name(names));
               if (key == "policies" && names.as_array()->empty()) add(Kind::policy, tname, "", names);
               for (const auto& n : *names.as_array()) {
                 add(key == "columns" ? Kind::column : Kind::policy, tname, string(n, key + "." + tname + " entries"), n);
               }
               if (key == "columns" && names.as_array()->empty()) {
                 fail(names.source(), "columns." + tname + " lists no column (use tables = [...] for the table alone)");
               }
             }
             return;
           }
           if (!v.is_array()) fail(v.source(), key + " must be an array of strings, got " + type_name(v));
           for (const auto& e : *v.as_array()) {
             std::string s = string(e, key + " entries");
             if (key == "tables") add(Kind::table, s, "", e);
             if (key == "rls") add(Kind::rls, s, "", e);
             if (key == "extensions") add(Kind::extension, "", s, e);
           }
         });
  }

  // [rules]: select, exclude, severity, options, and `RULE-OR-CATEGORY = "level"` (the same as in
  // [rules.severity]). Within one file a rule's own severity wins over its category's, whatever the order.
  void load_rules(const toml::table& t, Config& c) const {
    std::map<std::string, Severity> by_rule;
    std::vector<std::pair<std::vector<std::string>, Severity>> by_category;
    auto set_severity = [&](const std::string& name, const toml::key& k, const toml::node& level) {
      auto ids = rules_or_category(name, k.source());
      Severity s = severity(level, name, true);
      if (rules_.count(name)) {
        by_rule[name] = s;
      } else {
        by_category.emplace_back(std::move(ids), s);
      }
    };
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      if (key == "select" || key == "exclude") {
        auto ids = rule_ids(v, key);
        (key == "select" ? c.selection.only : c.selection.exclude).insert(ids.begin(), ids.end());
      } else if (key == "severity") {
        for (auto&& [id, level] : table(v, "rules.severity")) set_severity(std::string(id.str()), id, level);
      } else if (key == "options") {
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
      } else if (v.is_string() && (rules_.count(key) || is_category(key))) {
        set_severity(key, k, v);
      } else if (rules_.count(key) || is_category(key)) {
        severity(v, key, true);  // throws: not a level
      } else {
        std::vector<std::string> known = rule_and_category_names();
        known.insert(known.end(), {"select", "exclude", "severity", "options"});
        fail(k.source(), "unknown key '" + key + "' in [rules]" + did_you_mean(key, known) +
                             " (known: select, exclude, severity, options, or a rule id or category set "
                             "to a severity)");
      }
    }
    for (const auto& [ids, s] : by_category) {
      for (const auto& id : ids) c.selection.severity[id] = s;
    }
    for (const auto& [id, s] : by_rule) c.selection.severity[id] = s;
  }

  bool is_category(const std::string& name) const {
    for (const auto& [id, rule] : rules_) {
      if (rule->info().category == name) return true;
    }
    return false;
  }

  // What load() found besides the settings: the config this one extends and the presets it applies.
  struct Located {
    std::string value;
    toml::source_region at;
  };
  std::optional<Located> extend;
  std::vector<std::string> preset_names;

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

// A path whose string is its own lexically_normal() form and names no folder twice: a relative one of plain names
// (no empty, "." or ".." component, no '/' at either end), or '/' followed by one (or the root alone).
bool plain_relative(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  for (std::size_t from = 0;;) {
    std::size_t slash = p.find('/', from);
    std::string_view part = p.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    from = slash + 1;
  }
}
bool plain_absolute(std::string_view p) { return p == "/" || (p.size() > 1 && p.front() == '/' && plain_relative(p.substr(1))); }

}  // namespace

namespace {

// Applies one layer over what the layers below it set: a value set in the layer replaces the one below, except
// lists of exclusions and ignores, which add up. Paths a layer from another folder wrote are made absolute, so
// they stay relative to the file that wrote them.
void merge(Config& into, const Config& layer) {
  const bool elsewhere = !layer.dir.empty() && layer.dir != into.dir;
  auto anchored = [&](const std::string& p) {
    return elsewhere && !fs::path(p).is_absolute() ? (fs::path(layer.dir) / p).lexically_normal().generic_string() : p;
  };
  if (layer.pg_version) into.pg_version = layer.pg_version;
  if (layer.runner) into.runner = layer.runner;
  if (layer.fail_on) into.fail_on = layer.fail_on;
  if (layer.baseline) into.baseline = layer.baseline;
  if (layer.platform) into.platform = layer.platform;
  if (layer.prelude) into.prelude = anchored(*layer.prelude);
  if (layer.docs_url) into.docs_url = layer.docs_url;
  if (layer.connect_timeout_s) into.connect_timeout_s = layer.connect_timeout_s;
  if (!layer.exposed_schemas.empty()) into.exposed_schemas = layer.exposed_schemas;
  for (const auto& g : layer.ignore_files) into.ignore_files.push_back(anchored(g));
  into.ignore_drift.insert(into.ignore_drift.end(), layer.ignore_drift.begin(), layer.ignore_drift.end());
  if (!layer.selection.only.empty()) into.selection.only = layer.selection.only;
  into.selection.exclude.insert(layer.selection.exclude.begin(), layer.selection.exclude.end());
  for (const auto& [id, s] : layer.selection.severity) into.selection.severity[id] = s;
  for (const auto& [id, opts] : layer.rule_options) {
    for (const auto& [name, v] : opts) into.rule_options[id][name] = v;
  }
  into.verify.insert(into.verify.end(), layer.verify.begin(), layer.verify.end());
  into.presets.insert(into.presets.end(), layer.presets.begin(), layer.presets.end());
  into.extends.insert(into.extends.end(), layer.extends.begin(), layer.extends.end());
}

// A config with what it extends and its presets applied: the extended config (itself composed), then each
// preset in order, then the file's own settings. `chain` holds the absolute paths being composed (cycles).
Config compose(std::string_view text, const std::string& path, const std::vector<std::unique_ptr<Rule>>& rules,
               std::vector<std::string>& chain) {
  Config own;
  own.path = path;
  own.dir = absolute_normal(path).parent_path().string();
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(where(path, e.source()) + ": " + std::string(e.description()));
  }
  Loader loader(path, rules);
  loader.load(doc, own);

  Config result;
  result.path = own.path;
  result.dir = own.dir;
  if (loader.extend) {
    fs::path base = (fs::path(own.dir) / loader.extend->value).lexically_normal();
    std::string shown = display_path(base, fs::path(path).is_relative());
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (chain[i] != base.string()) continue;
      std::string cycle;
      for (std::size_t k = i; k < chain.size(); ++k) cycle += display_path(chain[k], fs::path(path).is_relative()) + " -> ";
      loader.fail(loader.extend->at, "extend: the configs extend each other: " + cycle + shown);
    }
    std::error_code ec;
    if (fs::is_directory(base, ec)) loader.fail(loader.extend->at, "extend: " + shown + " is a folder; name the driftguard.toml");
    std::ifstream in(base, std::ios::binary);
    if (!in) loader.fail(loader.extend->at, "extend: cannot read " + shown);
    std::stringstream ss;
    ss << in.rdbuf();
    chain.push_back(base.string());
    Config parent = compose(ss.str(), shown, rules, chain);
    chain.pop_back();
    parent.extends.insert(parent.extends.begin(), shown);
    merge(result, parent);
  }
  for (const auto& name : loader.preset_names) {
    std::vector<std::string> none;
    Config preset = compose(find_preset(name)->toml, "preset " + name, rules, none);
    preset.dir.clear();  // a preset names no paths
    preset.presets = {name};
    merge(result, preset);
  }
  merge(result, own);
  return result;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& path, const std::vector<std::unique_ptr<Rule>>& rules) {
  std::vector<std::string> chain{absolute_normal(path).string()};
  return compose(text, path, rules, chain);
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

std::pair<std::string, std::string> split_table_name(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return {"public", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

bool Config::ignores_file(const std::string& file) const {
  if (ignore_files.empty()) return false;
  fs::path abs = absolute_normal(file);
  std::string rel = dir.empty() ? file : abs.lexically_relative(dir).generic_string();
  for (const auto& g : ignore_files) {
    // Globs inherited from a config in another folder are absolute (see merge()).
    if (glob_match(g, fs::path(g).is_absolute() ? abs.generic_string() : rel)) return true;
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
  // A category on the command line stands for its rules; an unknown name is the config's error, with the flag.
  auto expand = [](const std::string& name, const char* flag) {
    auto ids = rules_named(name);
    if (ids.empty()) {
      throw UsageError(std::string(flag) + ": unknown rule or category '" + name + "'" +
                       did_you_mean(name, rule_and_category_names()) + " (see `driftguard rules`)");
    }
    return ids;
  };
  if (!o.select.empty()) {
    e.selection.only.clear();
    for (const auto& name : o.select) {
      for (auto& id : expand(name, "--rule")) e.selection.only.insert(std::move(id));
    }
  }
  for (const auto& name : o.exclude) {
    for (auto& id : expand(name, "--exclude-rule")) e.selection.exclude.insert(std::move(id));
  }
  for (bool categories : {true, false}) {  // a rule's own --severity wins over its category's
    for (const auto& [name, s] : o.severity) {
      bool is_rule = rules_named(name) == std::vector<std::string>{name};
      if (is_rule == categories) continue;
      for (auto& id : expand(name, "--severity")) e.selection.severity[id] = s;
    }
  }
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

std::map<std::string, Severity> severity_flags(const std::vector<std::string>& flags) {
  std::map<std::string, Severity> out;
  for (const auto& s : flags) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw UsageError("--severity expects RULE=LEVEL, got '" + s + "'");
    auto level = parse_severity(s.substr(eq + 1));
    if (!level) throw UsageError("--severity " + s + ": level must be error, warning, info or off");
    out[s.substr(0, eq)] = *level;
  }
  return out;
}

// find_config's walk up from `dir`, remembered for each folder on the way: a history with one folder per migration
// (Prisma's) looked its parents up once per migration (30 % of lint's work before the first file of a Prisma
// corpus).
const std::string& ConfigSet::nearest_config(const std::string& dir) {
  if (auto it = nearest_.find(dir); it != nearest_.end()) return it->second;
  std::string found;
  if (plain_absolute(dir)) {
    // What the std::filesystem code below does, on the string (a Prisma history has one folder per migration: the
    // paths' parse and copies were a quarter of for_path).
    const std::string base = dir == "/" ? dir : dir + "/";
    std::string config = base;
    config.append(kConfigName);
    struct stat st {};
    if (::stat(config.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      found = std::move(config);
    } else if (dir != "/" && ::stat((base + ".git").c_str(), &st) != 0) {
      const std::size_t slash = dir.rfind('/');
      found = nearest_config(slash == 0 ? std::string("/") : dir.substr(0, slash));
    }
    return nearest_.emplace(dir, std::move(found)).first->second;
  }
  std::error_code ec;
  fs::path d(dir);
  if (fs::is_regular_file(d / kConfigName, ec)) {
    found = (d / kConfigName).string();
  } else if (!fs::exists(d / ".git", ec) && d != d.root_path() && !d.parent_path().empty()) {
    found = nearest_config(d.parent_path().string());
  }
  return nearest_.emplace(dir, std::move(found)).first->second;
}

std::string ConfigSet::folder_of(const std::string& path) {
  if (!cwd_read_) {
    std::error_code ec;
    cwd_ = fs::current_path(ec).string();
    if (ec || !plain_absolute(cwd_)) cwd_.clear();
    cwd_read_ = true;
  }
  if (cwd_.empty() || !plain_relative(path)) {
    std::error_code ec;
    fs::path abs = absolute_normal(path);
    return (fs::is_directory(abs, ec) ? abs : abs.parent_path()).string();
  }
  // fs::absolute(path).lexically_normal(): a relative path of plain names is only prefixed by the working folder
  // (getcwd's: absolute, normal).
  std::string abs = cwd_;
  if (abs != "/") abs += '/';
  abs += path;
  struct stat st {};
  if (::stat(abs.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return abs;
  const std::size_t slash = abs.rfind('/');
  return slash == 0 ? std::string("/") : abs.substr(0, slash);
}

const ConfigSet::Profile& ConfigSet::for_path(const std::string& path) {
  std::string cfg;
  if (explicit_) {
    cfg = *explicit_;
  } else {
    std::string dir = folder_of(path);
    auto it = config_of_dir_.find(dir);
    if (it == config_of_dir_.end()) {
      const std::string& found = nearest_config(dir);  // find_config's answer, one walk per folder
      it = config_of_dir_.emplace(dir, found.empty() ? "" : display_path(found, fs::path(path).is_relative())).first;
    }
    cfg = it->second;
  }
  // A Prisma migration of a project on Supabase (a supabase/ folder beside prisma/, a Supabase URL,
  // migrations that use auth.*) gets the Supabase rules unless its config says platform = "none".
  bool supabase = false;
  MigrationInfo info = classify(path);
  if (info.layout == Layout::prisma) {
    std::string prisma_dir = fs::path(info.set).parent_path().string();
    auto it = supabase_prisma_.find(prisma_dir);
    if (it == supabase_prisma_.end()) {
      bool on = !supabase_evidence("prisma", prisma_dir.empty() ? "." : prisma_dir).empty();
      it = supabase_prisma_.emplace(prisma_dir, on).first;
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

// [verify] as it would be written: the requirements of the config and of what it extends, grouped by key.
void print_verify(std::ostream& out, const std::vector<Requirement>& reqs) {
  using Kind = Requirement::Kind;
  std::vector<std::string> tables, rls, extensions;
  std::vector<std::pair<std::string, std::vector<std::string>>> columns, policies;  // table -> names, in order
  auto entry = [](auto& groups, const std::string& table) -> std::vector<std::string>& {
    for (auto& [t, names] : groups) {
      if (t == table) return names;
    }
    return groups.emplace_back(table, std::vector<std::string>{}).second;
  };
  for (const auto& r : reqs) {
    std::string table = r.schema + "." + r.table;
    switch (r.kind) {
      case Kind::table: tables.push_back(table); break;
      case Kind::column: entry(columns, table).push_back(r.name); break;
      case Kind::rls: rls.push_back(r.table.empty() ? r.schema : table); break;
      case Kind::policy: {
        auto& names = entry(policies, table);  // [] = at least one policy
        if (!r.name.empty()) names.push_back(r.name);
        break;
      }
      case Kind::extension: extensions.push_back(r.name); break;
    }
  }
  auto inline_table = [](const auto& groups) {
    std::string text = "{";
    for (const auto& [t, names] : groups) text += (text.size() > 1 ? ", " : " ") + quote(t) + " = " + list(names);
    return text + (groups.empty() ? "}" : " }");
  };
  out << "\n[verify]\ntables = " << list(tables) << "\ncolumns = " << inline_table(columns) << "\nrls = " << list(rls)
      << "\npolicies = " << inline_table(policies) << "\nextensions = " << list(extensions) << "\n";
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
  for (const auto& base : c.extends) out << "# extends " << base << "\n";
  if (!c.presets.empty()) out << "# presets applied: " << list(c.presets) << "\n";
  out << "pg_version = " << e.settings.pg_version << "\n";
  out << (c.runner ? "runner = " + quote(*c.runner) : std::string("# runner: not set")) << "\n";
  out << "fail_on = " << quote(std::string(to_string(e.fail_on))) << "\n";
  out << (c.baseline ? "baseline = " + quote(*c.baseline) : std::string("# baseline: not set")) << "\n";
  out << (c.platform ? "platform = " + quote(*c.platform) : std::string("# platform: not set (detected)")) << "\n";
  out << (c.prelude ? "prelude = " + quote(*c.prelude) : std::string("# prelude: not set")) << "\n";
  out << (c.docs_url ? "docs_url = " + quote(*c.docs_url) : "# docs_url: not set (" + std::string(kDocsBase) + ")") << "\n";
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
  print_verify(out, c.verify);
  out << "\n[database]\n"
      << (c.connect_timeout_s ? "connect_timeout = " + quote(std::to_string(*c.connect_timeout_s) + "s")
                              : std::string("# connect_timeout: not set (10s)"))
      << "\n";
}

}  // namespace driftguard
