#include "analyzer/source.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "analyzer/migration_name.hpp"
#include "analyzer/supabase_layout.hpp"
#include "analyzer/text.hpp"

namespace fs = std::filesystem;

namespace driftguard {

std::string_view to_string(Layout l) {
  switch (l) {
    case Layout::prisma:
      return "prisma";
    case Layout::supabase:
      return "supabase";
    case Layout::up_down:
      return "up-down";
    case Layout::plain:
      return "plain";
  }
  return "plain";
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

// classify calls this once per path, and a run classifies each path several times (discovery, the config lookup,
// loading, the history's bookkeeping): RE2's match with two captures was a fifth of a warm `--changed-since` run's
// instructions (bench/RESULTS.md, fourteenth session), and compiling it a tenth of a one-file lint's start-up.
std::pair<std::string, std::string> split_version(const std::string& stem) {
  auto digit = [&](std::size_t i) { return i < stem.size() && stem[i] >= '0' && stem[i] <= '9'; };
  // RE2's `.` does not match a line break; how it reads bytes that are not ASCII is RE2's to say: those names go
  // to the expression itself (a test compares both on generated names).
  for (char c : stem) {
    if (c == '\n' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) {
      static const RE2 re(kVersionPattern);
      std::string version;
      std::string rest;
      if (RE2::FullMatch(stem, re, &version, &rest)) return {version, rest};
      return {"", stem};
    }
  }
  std::size_t i = (!stem.empty() && (stem[0] == 'V' || stem[0] == 'v')) ? 1 : 0;
  if (!digit(i)) return {"", stem};
  // The greedy version's end, and the end of the group before its last `[._]\d+` (if any): the expression backs
  // off to it when no separator follows the longest version (a shorter `\d+` would leave a digit next: no
  // separator matches one).
  std::size_t end = i;
  while (digit(end)) ++end;
  std::size_t shorter = std::string::npos;
  while (end < stem.size() && (stem[end] == '.' || stem[end] == '_') && digit(end + 1)) {
    shorter = end;
    end += 1;
    while (digit(end)) ++end;
  }
  auto separated = [&](std::size_t at) -> std::pair<std::string, std::string> {
    std::size_t from = at;  // `__?|-|\.|$`, tried in that order
    if (at < stem.size()) from = at + ((stem[at] == '_' && at + 1 < stem.size() && stem[at + 1] == '_') ? 2 : 1);
    return {stem.substr(0, at), stem.substr(from)};
  };
  if (end == stem.size() || stem[end] == '_' || stem[end] == '-' || stem[end] == '.') return separated(end);
  if (shorter != std::string::npos) return separated(shorter);  // a `.` or `_` follows it
  return {"", stem};
}

PathParts path_parts(const std::string& path) {
  PathParts parts;
  if (path.empty() || path.back() == '/' || path.find("//") != std::string::npos) {
    fs::path p(path);
    parts.file = p.filename().string();
    parts.dir = p.parent_path().string();
    parts.parent = p.parent_path().filename().string();
    fs::path grand = p.parent_path().parent_path();
    parts.grand = grand.string();
    parts.grand_name = grand.filename().string();
    return parts;
  }
  // Without empty components: the parent is what precedes the last '/' ("/" for a name at the root, whose parent is
  // itself), the file name what follows it (none for the root).
  auto parent_of = [](std::string_view s) -> std::string_view {
    std::size_t slash = s.rfind('/');
    if (slash == std::string_view::npos) return {};
    return slash == 0 ? s.substr(0, 1) : s.substr(0, slash);
  };
  auto name_of = [](std::string_view s) -> std::string_view {
    std::size_t slash = s.rfind('/');
    return slash == std::string_view::npos ? s : s.substr(slash + 1);
  };
  std::string_view dir = parent_of(path);
  std::string_view grand = parent_of(dir);
  parts.file = name_of(path);
  parts.dir = dir;
  parts.parent = name_of(dir);
  parts.grand = grand;
  parts.grand_name = name_of(grand);
  return parts;
}

MigrationInfo classify(const std::string& path) {
  MigrationInfo info;
  const PathParts parts = path_parts(path);
  const std::string& file = parts.file;
  const std::string& parent = parts.parent;
  std::string lfile = lower(file);

  if (lfile == "migration.sql" && lower(parts.grand_name) == "migrations") {
    info.layout = Layout::prisma;
    info.set = parts.grand;
    auto [v, rest] = split_version(parent);
    info.version = v;
    info.name = rest.empty() ? parent : rest;
    return info;
  }
  if (ends_with(lfile, ".sql") && lower(parent) == "migrations" &&
      lower(parts.grand_name) == "supabase") {
    info.layout = Layout::supabase;
    info.set = parts.dir;
    auto [v, rest] = split_version(file.substr(0, file.size() - 4));
    info.version = v;
    info.name = rest;
    return info;
  }
  std::string stem = file;
  if (ends_with(lfile, ".up.sql") || ends_with(lfile, ".down.sql")) {
    bool down = ends_with(lfile, ".down.sql");
    info.layout = Layout::up_down;
    info.direction = down ? Direction::down : Direction::up;
    stem = file.substr(0, file.size() - (down ? 9 : 7));
    // diesel / golang-migrate folder-per-migration: <version>_<name>/up.sql
  } else if (lfile == "up.sql" || lfile == "down.sql") {
    info.layout = Layout::up_down;
    info.direction = lfile == "down.sql" ? Direction::down : Direction::up;
    info.set = parts.grand;
    auto [v, rest] = split_version(parent);
    info.version = v;
    info.name = rest.empty() ? parent : rest;
    return info;
  } else if ((lower(parent) == "up" || lower(parent) == "down") && ends_with(lfile, ".sql")) {
    info.layout = Layout::up_down;
    info.direction = lower(parent) == "down" ? Direction::down : Direction::up;
    info.set = parts.grand;
    stem = file.substr(0, file.size() - 4);
    auto [v, rest] = split_version(stem);
    info.version = v;
    info.name = rest;
    return info;
  } else if (ends_with(lfile, ".sql")) {
    stem = file.substr(0, file.size() - 4);
  } else if (ends_with(lfile, ".sql.postgres")) {  // Synapse's PostgreSQL-only schema files
    stem = file.substr(0, file.size() - 13);
  }
  info.set = parts.dir;
  auto [v, rest] = split_version(stem);
  info.version = v;
  info.name = rest.empty() ? stem : rest;
  return info;
}

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i;
      std::size_t je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::size_t is = i;
      std::size_t js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      int c = a.compare(is, ie - is, b, js, je - js);
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

void sort_migrations(std::vector<std::string>& paths) {
  struct Key {
    std::string set;
    std::string version;
    std::string path;
    Layout layout;
  };
  std::vector<Key> keys;
  keys.reserve(paths.size());
  for (auto& p : paths) {
    auto info = classify(p);
    keys.push_back({info.set, info.version, p, info.layout});
  }
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.set != b.set) return natural_less(a.set, b.set);
    // Prisma applies its migration folders in plain string order (a 12-digit version sorts by its characters).
    if (a.layout == Layout::prisma && b.layout == Layout::prisma) return a.path < b.path;
    if (a.version != b.version) {
      if (a.version.empty() != b.version.empty()) return b.version.empty();
      return natural_less(a.version, b.version);
    }
    return natural_less(a.path, b.path);
  });
  for (std::size_t i = 0; i < keys.size(); ++i) paths[i] = std::move(keys[i].path);
}

namespace {

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::string glob_to_regex(const std::string& g) {
  std::string out;
  for (std::size_t i = 0; i < g.size(); ++i) {
    char c = g[i];
    if (c == '*') {
      if (i + 1 < g.size() && g[i + 1] == '*') {
        // "**/" matches any number of folders, "**" at the end anything.
        if (i + 2 < g.size() && g[i + 2] == '/') {
          out += "(?:.*/)?";
          i += 2;
        } else {
          out += ".*";
          i += 1;
        }
      } else {
        out += "[^/]*";
      }
    } else if (c == '?') {
      out += "[^/]";
    } else if (c == '[') {
      auto close = g.find(']', i + 1);
      if (close == std::string::npos) {
        out += "\\[";
      } else {
        std::string cls = g.substr(i + 1, close - i - 1);
        if (!cls.empty() && cls[0] == '!') cls[0] = '^';
        out += "[" + cls + "]";
        i = close;
      }
    } else {
      out += RE2::QuoteMeta(std::string(1, c));
    }
  }
  return out;
}

bool skipped_dir(const fs::path& p) {
  std::string name = p.filename().string();
  return name == "node_modules" || (name.size() > 1 && name[0] == '.' && name != "..");
}

void walk_sql(const fs::path& dir, std::vector<std::string>& out, std::vector<InputError>& errors,
              std::vector<InputError>& skipped) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    errors.push_back({dir.string(), "cannot read directory: " + ec.message()});
    return;
  }
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) {
      errors.push_back({dir.string(), "cannot read directory: " + ec.message()});
      break;
    }
    const auto& e = *it;
    std::error_code ec2;
    if (e.is_directory(ec2)) {
      if (skipped_dir(e.path())) it.disable_recursion_pending();
      continue;
    }
    if (is_sql_migration_file(e.path().generic_string()) && e.is_regular_file(ec2)) {
      std::string path = e.path().lexically_normal().string();
      std::string why = supabase_skip_reason(path);
      // A Prisma migration is its folder's migration.sql: Prisma applies nothing else there (a hand-kept
      // rollback.sql, notes.sql). down.sql stays: it is that migration's down file (classify).
      std::string lfile = lower(e.path().filename().string());
      if (why.empty() && lfile != "migration.sql" && lfile != "down.sql" &&
          fs::is_regular_file(e.path().parent_path() / "migration.sql", ec2)) {
        why = "next to a Prisma migration.sql: Prisma applies only migration.sql";
      }
      if (why.empty()) {
        out.push_back(path);
      } else {
        skipped.push_back({path, why});
      }
    }
  }
}

}  // namespace

bool is_synapse_schema_file(const std::string& path) {
  static const RE2 synapse(R"((?:^|/)storage/schema/[^/]+/(?:delta|full_schemas)/\d+/[^/]+\.sql(?:\.postgres)?$)");
  return RE2::PartialMatch(path, synapse);
}

bool is_sql_migration_file(const std::string& path) {
  std::string l = lower(path);
  return ends_with(l, ".sql") || (ends_with(l, ".sql.postgres") && is_synapse_schema_file(path));
}

std::string supabase_skip_reason(const std::string& path) {
  // The Supabase CLI's own pattern (pkg/migration: ^([0-9]+)_(.*)\.sql$), for files directly in the folder.
  static const RE2 migration_name(R"(^[0-9]+_.*\.sql$)");
  std::vector<std::string> parts;
  for (const auto& part : fs::path(path).lexically_normal()) parts.push_back(part.string());
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (lower(parts[i]) != "supabase") continue;
    std::size_t rest = parts.size() - i - 1;  // components after "supabase"
    if (rest == 1 && lower(parts.back()) == "seed.sql") return "supabase/seed.sql is seed data, not a migration";
    if (lower(parts[i + 1]) != "migrations") continue;
    if (rest > 2) {
      return "in a subfolder of supabase/migrations (" + parts[i + 2] +
             "/): the Supabase CLI applies only the files directly in supabase/migrations";
    }
    if (rest == 2 && !RE2::FullMatch(parts.back(), migration_name)) {
      return "not named <digits>_<name>.sql: the Supabase CLI does not apply it";
    }
    return "";
  }
  return "";
}

bool glob_match(const std::string& pattern, const std::string& path) {
  RE2 re(glob_to_regex(pattern));
  return re.ok() && RE2::FullMatch(path, re);
}

Discovery discover(const std::vector<std::string>& inputs) {
  std::vector<InputError> skipped;
  return discover_with_notes(inputs, skipped);
}

Discovery discover_with_notes(const std::vector<std::string>& inputs, std::vector<InputError>& skipped) {
  Discovery d;
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (!has_glob(in) || fs::exists(in, ec)) {
      fs::path p(in);
      if (!fs::exists(p, ec)) {
        d.errors.push_back({in, "no such file or directory"});
      } else if (fs::is_directory(p, ec)) {
        std::vector<std::string> found;
        std::size_t notes = skipped.size();
        walk_sql(p, found, d.errors, skipped);
        if (found.empty() && skipped.size() == notes) d.errors.push_back({in, "directory contains no .sql files"});
        files.insert(files.end(), found.begin(), found.end());
      } else {
        files.push_back(in);
      }
      continue;
    }
    // Glob: walk from the longest folder prefix without wildcards.
    std::string prefix;
    std::size_t first = in.find_first_of("*?[");
    std::size_t slash = in.rfind('/', first);
    if (slash != std::string::npos) prefix = in.substr(0, slash);
    fs::path root = prefix.empty() ? fs::path(".") : fs::path(prefix);
    RE2 re(glob_to_regex(in));
    std::vector<std::string> matched;
    if (fs::is_directory(root, ec)) {
      fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
      for (auto end = fs::recursive_directory_iterator(); !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        if (it->is_directory(ec2)) {
          if (skipped_dir(it->path())) it.disable_recursion_pending();
          continue;
        }
        std::string rel = it->path().string();
        if (prefix.empty() && rel.rfind("./", 0) == 0) rel = rel.substr(2);
        if (RE2::FullMatch(rel, re) && it->is_regular_file(ec2)) matched.push_back(rel);
      }
    }
    if (matched.empty()) d.errors.push_back({in, "pattern matches no files"});
    files.insert(files.end(), matched.begin(), matched.end());
  }
  std::set<std::string> seen;
  for (auto& f : files) {
    if (seen.insert(fs::path(f).lexically_normal().string()).second) d.files.push_back(f);
  }
  sort_migrations(d.files);
  std::sort(skipped.begin(), skipped.end(), [](const InputError& a, const InputError& b) { return a.path < b.path; });
  return d;
}

SourceFile make_source(std::string path, std::string content) {
  SourceFile f;
  f.info = classify(path);
  f.path = std::move(path);
  if (content.size() >= 3 && static_cast<unsigned char>(content[0]) == 0xEF &&
      static_cast<unsigned char>(content[1]) == 0xBB && static_cast<unsigned char>(content[2]) == 0xBF) {
    f.bom = 3;
    content.erase(0, 3);
  }
  if (auto nul = find_nul(content)) {
    throw InputFailure{"binary file (NUL byte at offset " + std::to_string(*nul + f.bom) + "), not SQL text"};
  }
  f.text = std::move(content);
  return f;
}

SourceFile load_file(const std::string& path) {
  constexpr std::uintmax_t kMaxBytes = 256ull * 1024 * 1024;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputFailure{"is a directory"};
  auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxBytes) throw InputFailure{"file is larger than 256 MiB"};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputFailure{std::string("cannot open: ") + std::strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputFailure{"read error"};
  return make_source(path, ss.str());
}

}  // namespace driftguard
