#include "cli/git.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>

#include "cli/command.hpp"
#include "rules/registry.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace driftguard {

GitResult run_git(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {"git", "-C", dir};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw UsageError(std::string("cannot run git: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw UsageError(std::string("cannot run git: ") + std::strerror(rc));
  }
  GitResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

namespace {

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

GitResult git_ok(const std::string& dir, const std::vector<std::string>& args, const std::string& what) {
  auto r = run_git(dir, args);
  if (r.code != 0) throw UsageError(what + ": " + first_line(r.err.empty() ? r.out : r.err));
  return r;
}

bool same_version(const std::string& a, const std::string& b) { return !natural_less(a, b) && !natural_less(b, a); }

// Byte span of 1-based line `line` of `text` (clamped to the last line), without its line break.
Span line_span(const std::string& text, int line) {
  std::size_t begin = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t nl = text.find_first_of("\r\n", begin);
    if (nl == std::string::npos) break;
    std::size_t next = nl + (text.compare(nl, 2, "\r\n") == 0 ? 2 : 1);
    if (next >= text.size()) break;
    begin = next;
  }
  std::size_t end = text.find_first_of("\r\n", begin);
  return {begin, end == std::string::npos ? text.size() : end};
}

}  // namespace

int first_changed_line(const Changes& ch, const std::string& rel) {
  auto r = git_ok(ch.root, {"diff", "--no-color", "--no-ext-diff", "-U0", ch.base, "--", rel}, "git diff");
  auto at = r.out.find("\n@@ -");
  if (at == std::string::npos) return 1;
  auto plus = r.out.find(" +", at + 5);
  if (plus == std::string::npos) return 1;
  std::size_t pos = plus + 2;
  int start = 0;
  while (pos < r.out.size() && std::isdigit(static_cast<unsigned char>(r.out[pos]))) start = start * 10 + (r.out[pos++] - '0');
  int count = 1;
  if (pos < r.out.size() && r.out[pos] == ',') {
    count = 0;
    ++pos;
    while (pos < r.out.size() && std::isdigit(static_cast<unsigned char>(r.out[pos]))) count = count * 10 + (r.out[pos++] - '0');
  }
  // A pure deletion is reported after the line it follows.
  return std::max(1, count == 0 ? start + 1 : start);
}

std::string git_show_base(const Changes& ch, const std::string& rel) {
  return git_ok(ch.root, {"show", ch.base + ":" + rel}, "git show " + rel).out;
}

namespace {

Finding history_finding(const char* rule, const SourceFile& src, Span span, std::string message, std::string help) {
  Finding f;
  f.rule = rule;
  f.file = src.path;
  f.span = span;
  f.message = std::move(message);
  f.help = std::move(help);
  return f;
}

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace

Changes git_changes(const std::string& ref, const std::string& dir, const std::string& option) {
  Changes ch;
  ch.ref = ref;
  const std::string what = option + " " + ref;
  ch.root = first_line(git_ok(dir, {"rev-parse", "--show-toplevel"}, what).out);
  auto mb = run_git(ch.root, {"merge-base", ref, "HEAD"});
  if (mb.code != 0) {
    std::string why = first_line(mb.err);
    throw UsageError(what + ": no merge base with HEAD" + (why.empty() ? "" : " (" + why + ")") +
                     "; is the ref fetched? In a shallow CI clone, fetch the full history (fetch-depth: 0)");
  }
  ch.base = first_line(mb.out);
  auto diff = git_ok(ch.root, {"-c", "core.quotePath=false", "diff", "--name-status", "-z", "--no-renames", ch.base}, what);
  auto parts = split_nul(diff.out);
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    char status = parts[i].empty() ? '?' : parts[i][0];
    const std::string& path = parts[i + 1];
    if (status == 'A') {
      ch.added.insert(path);
    } else if (status == 'D') {
      ch.deleted.insert(path);
    } else {
      ch.modified.insert(path);  // M, T (type change)
    }
  }
  for (auto& p : split_nul(git_ok(ch.root, {"ls-files", "--others", "--exclude-standard", "-z"}, what).out)) {
    ch.added.insert(p);
  }
  for (auto& p : split_nul(git_ok(ch.root, {"ls-tree", "-r", "-z", "--name-only", ch.base}, what).out)) {
    ch.base_files.insert(p);
  }
  return ch;
}

std::string Changes::relative(const std::string& path) const {
  {
    std::lock_guard<std::mutex> lock(paths_->mu);
    if (auto it = paths_->relative.find(path); it != paths_->relative.end()) return it->second;
  }
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path rel = abs.lexically_relative(root);
  std::string out = rel.empty() || *rel.begin() == ".." ? "" : rel.generic_string();
  std::lock_guard<std::mutex> lock(paths_->mu);
  return paths_->relative.emplace(path, std::move(out)).first->second;
}

bool Changes::changed(const std::string& path) const {
  std::string rel = relative(path);
  return !rel.empty() && (added.count(rel) || modified.count(rel));
}

namespace {

std::vector<Finding> history_candidates(const SourceFile& src, const Changes& ch) {
  std::vector<Finding> out;
  std::string rel = ch.relative(src.path);
  if (rel.empty()) return out;
  if (ch.modified.count(rel)) {
    int line = first_changed_line(ch, rel);
    out.push_back(history_finding(
        "edited-applied-migration", src, line_span(src.text, line),
        "edits migration " + fs::path(rel).generic_string() + ", which already existed",
        "Revert the edit and make the change in a new migration."));
    out.back().notes.push_back(Note{"it existed at " + short_sha(ch.base) + " (merge base with " + ch.ref +
                                        "): databases that applied it will not run it again, so they drift from "
                                        "databases created from the edited history",
                                    std::nullopt, {}, {}});
    return out;
  }
  if (!ch.added.count(rel) || src.info.direction != Direction::up || src.info.version.empty()) return out;

  // The other migrations of the same history: the base tree minus deletions, plus what was added.
  // Each path classified once (classify matches the name with RE2: three calls per base file were a fifth of a
  // --changed-since run whose context came from the cache).
  struct Other {
    std::string path;
    bool existed;  // at the base
    std::string version;
    bool operator<(const Other& o) const { return path != o.path ? path < o.path : existed < o.existed; }
  };
  std::vector<Other> others;
  const std::string set = classify(rel).set;
  auto consider = [&](const std::string& p, bool existed) {
    if (p == rel || p.size() < 4 || p.compare(p.size() - 4, 4, ".sql") != 0) return;
    auto info = classify(p);
    if (info.set == set && info.direction == Direction::up && !info.version.empty()) {
      others.push_back({p, existed, std::move(info.version)});
    }
  };
  for (const auto& p : ch.base_files) {
    if (!ch.deleted.count(p)) consider(p, true);
  }
  for (const auto& p : ch.added) consider(p, false);
  std::sort(others.begin(), others.end());

  Span first = line_span(src.text, 1);
  std::optional<std::pair<std::string, std::string>> latest;  // version, path of the latest existing migration
  for (const auto& [p, existed, v] : others) {
    if (existed && (!latest || natural_less(latest->first, v))) latest = {v, p};
    if (same_version(v, src.info.version)) {
      out.push_back(history_finding(
          "duplicate-migration-version", src, first,
          "migration version " + src.info.version + " is also used by " + p,
          "Give this migration a version of its own (a new timestamp) that sorts after every existing one."));
      out.back().notes.push_back(Note{std::string(existed ? "" : "that migration is new too; ") +
                                          "tools that key applied migrations by version apply only one of them, or fail",
                                      std::nullopt, {}, {}});
    }
  }
  if (latest && natural_less(src.info.version, latest->first)) {
    out.push_back(history_finding(
        "migration-order", src, first,
        "new migration version " + src.info.version + " sorts before " + latest->second,
        "Rename the migration so that its version sorts after every existing one (regenerate its timestamp)."));
    out.back().notes.push_back(Note{latest->second + " already existed at " + short_sha(ch.base) +
                                        ": databases that already applied the later migration run this one after it "
                                        "(or skip it), fresh databases run it before, so they can end up different",
                                    std::nullopt, {}, {}});
  }
  return out;
}

}  // namespace

std::vector<Finding> history_findings(const SourceFile& src, const Changes& ch) { return history_candidates(src, ch); }

std::vector<Finding> deleted_migration_findings(const Changes& ch, const std::set<std::string>& folders) {
  auto in_folders = [&](const std::string& rel) {
    if (folders.count(classify(rel).set)) return true;
    for (const auto& f : folders) {
      if (f == "." || (rel.size() > f.size() && rel.compare(0, f.size(), f) == 0 && rel[f.size()] == '/')) return true;
    }
    return false;
  };
  std::vector<std::string> deleted;
  for (const auto& rel : ch.deleted) {
    auto info = classify(rel);
    bool sql = rel.size() >= 4 && rel.compare(rel.size() - 4, 4, ".sql") == 0;
    if (sql && info.direction == Direction::up && ch.base_files.count(rel) && in_folders(rel)) deleted.push_back(rel);
  }
  std::vector<Finding> out;
  if (deleted.empty()) return out;
  // Renames, as git detects them (similar content), for the message only.
  std::map<std::string, std::string> renamed;
  auto diff = git_ok(ch.root, {"-c", "core.quotePath=false", "diff", "--name-status", "-z", "-M", ch.base}, "git diff");
  auto parts = split_nul(diff.out);
  for (std::size_t i = 0; i < parts.size();) {
    bool rename = !parts[i].empty() && (parts[i][0] == 'R' || parts[i][0] == 'C');
    if (rename && i + 2 < parts.size()) renamed[parts[i + 1]] = parts[i + 2];
    i += rename ? 3 : 2;
  }
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  auto shown = [&](const std::string& rel) { return (fs::path(ch.root) / rel).lexically_relative(cwd).generic_string(); };
  for (const auto& rel : deleted) {
    Finding f;
    f.rule = "deleted-applied-migration";
    f.file = shown(rel);
    f.start = f.end = Position{1, 1};
    auto to = renamed.find(rel);
    bool gone = to == renamed.end();
    f.message = gone ? "deletes migration " : "renames migration ";
    f.message += rel;
    if (!gone) {
      f.message += " to ";
      f.message += shown(to->second);
    }
    f.message += ", which already existed";
    // The first line states the change; the base it is measured against and what follows are a note.
    std::string why = "it existed at ";
    why += short_sha(ch.base);
    why += " (merge base with ";
    why += ch.ref;
    why += "): databases that applied it keep what it did, databases created from the new history ";
    why += gone ? "never run it" : "run it again under the new name";
    f.notes.push_back(Note{std::move(why), std::nullopt, {}, {}});
    f.help = "Restore the migration as it was; undo what it did in a new migration.";
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

bool is_sql(const std::string& path) { return is_sql_migration_file(path); }

// A temporary folder removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "driftguard-index-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw UsageError(std::string("cannot create a temporary folder: ") + std::strerror(errno));
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

std::vector<IndexFile> index_files(const std::vector<std::string>& inputs, std::string* root_out) {
  const std::string what = "--staged";
  std::string root = first_line(git_ok(".", {"rev-parse", "--show-toplevel"}, what).out);
  if (root_out != nullptr) *root_out = root;
  std::string prefix = first_line(git_ok(".", {"rev-parse", "--show-prefix"}, what).out);

  // The named files: index entries matching the inputs (--error-unmatch: an input that is not staged is an error,
  // not a silent pass).
  std::vector<std::string> args = {"-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--full-name", "--error-unmatch", "--"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  auto listed = run_git(".", args);
  if (listed.code != 0) throw UsageError(what + ": " + first_line(listed.err) + " (not in the git index: git add it first)");
  std::set<std::string> named;
  for (auto& p : split_nul(listed.out)) {
    if (is_sql(p)) named.insert(p);
  }

  // The context: the other SQL files of the same migration sets, from the index too.
  std::set<std::string> sets;
  for (const auto& p : named) sets.insert(classify(p).set);
  std::set<std::string> all = named;
  std::vector<std::string> folders = {"-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--"};
  for (const auto& s : sets) folders.push_back(s.empty() ? "." : s);
  if (!sets.empty()) {
    for (auto& p : split_nul(git_ok(root, folders, what).out)) {
      if (is_sql(p) && sets.count(classify(p).set) != 0) all.insert(p);
    }
  }
  if (all.empty()) return {};

  // One git process writes the staged content of every file under a temporary folder.
  TempDir tmp;
  std::vector<std::string> checkout = {"checkout-index", "--prefix=" + tmp.path().string() + "/", "--"};
  checkout.insert(checkout.end(), all.begin(), all.end());
  git_ok(root, checkout, what + ": git checkout-index");

  std::vector<std::string> shown;  // relative to the working directory, as a user names them
  std::map<std::string, std::string> by_shown;
  for (const auto& p : all) {
    std::string rel = prefix.empty() ? p : fs::path(p).lexically_relative(prefix).string();
    shown.push_back(rel);
    by_shown[rel] = p;
  }
  sort_migrations(shown);
  std::vector<IndexFile> out;
  for (const auto& rel : shown) {
    const std::string& p = by_shown[rel];
    std::ifstream in(tmp.path() / p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw UsageError(what + ": cannot read the staged content of " + p);
    out.push_back({rel, std::move(text), named.count(p) != 0});
  }
  return out;
}

namespace {

class IndexMarkerFiles : public MarkerFiles {
 public:
  explicit IndexMarkerFiles(std::string root) : root_(std::move(root)) {
    for (auto& p : split_nul(git_ok(root_, {"-c", "core.quotePath=false", "ls-files", "-z", "--cached"}, "--staged").out)) {
      entries_.insert(std::move(p));
    }
  }

  std::optional<std::string> read(const fs::path& p) const override {
    auto rel = in_repository(p);
    if (!rel) return disk_marker_files().read(p);
    if (!entries_.count(*rel)) return std::nullopt;
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, fresh] = read_.try_emplace(*rel);
    if (fresh) {
      // `:path` is the index's stage-0 entry; a file with a merge conflict has none, and holds nothing to commit.
      auto r = run_git(root_, {"cat-file", "blob", ":" + *rel});
      if (r.code == 0) it->second = std::move(r.out);
    }
    return it->second;
  }

  bool is_directory(const fs::path& p) const override {
    auto rel = in_repository(p);
    if (!rel) return disk_marker_files().is_directory(p);
    if (rel->empty()) return true;
    auto it = entries_.lower_bound(*rel + "/");
    return it != entries_.end() && it->compare(0, rel->size() + 1, *rel + "/") == 0;
  }

 private:
  // The path relative to the repository root ("" for the root), or nullopt outside the repository.
  std::optional<std::string> in_repository(const fs::path& p) const {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(p, ec), ec);
    fs::path rel = abs.lexically_relative(root_);
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    std::string s = rel.generic_string();
    return s == "." ? std::string() : s;
  }


  std::string root_;
  std::set<std::string> entries_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::optional<std::string>> read_;
};

}  // namespace

std::shared_ptr<const MarkerFiles> index_marker_files() {
  std::string root = first_line(git_ok(".", {"rev-parse", "--show-toplevel"}, "--staged").out);
  std::error_code ec;
  return std::make_shared<IndexMarkerFiles>(fs::weakly_canonical(root, ec).string());
}

}  // namespace driftguard
