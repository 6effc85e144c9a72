// The git command line (`git -C DIR ...`, no libgit2): what changed since a ref, for `lint --changed-since`, and
// the history findings that only a diff can show (edited-applied-migration, migration-order,
// duplicate-migration-version).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/source.hpp"
#include "rules/engine.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

struct GitResult {
  int code = 0;
  std::string out;
  std::string err;
};

// Runs `git -C dir args...` without a shell. Throws UsageError when git cannot be started.
GitResult run_git(const std::string& dir, const std::vector<std::string>& args);

// The working tree of the repository holding `dir`, compared with the merge base of `ref` and HEAD (what a pull
// request's diff shows). Paths are relative to the repository root.
struct Changes {
  std::string ref;
  std::string base;  // merge-base commit
  std::string root;  // absolute, canonical repository root
  std::set<std::string> added;     // not in the base: committed, staged, modified or untracked (not ignored)
  std::set<std::string> modified;  // in the base and different now
  std::set<std::string> deleted;
  std::set<std::string> base_files;  // every file of the base tree

  // The repository-relative path of a path as found (relative to the working directory or absolute); "" when it
  // is outside the repository.
  std::string relative(const std::string& path) const;
  bool changed(const std::string& path) const;

 private:
  // Each path's answer, resolved once (a std::filesystem resolution per call, several calls per path: 10 M
  // instructions of a cached --changed-since run of 165 migrations); shared by copies, locked: sets are linted on
  // several threads.
  struct Paths {
    std::mutex mu;
    std::map<std::string, std::string> relative;  // by the path as given
  };
  std::shared_ptr<Paths> paths_ = std::make_shared<Paths>();
};

// Throws UsageError when `dir` is not in a git repository or `ref` has no merge base with HEAD; `option` names
// the flag in those messages.
Changes git_changes(const std::string& ref, const std::string& dir, const std::string& option = "--changed-since");

// The content of a repository-relative file at the base commit (`git show BASE:path`). Throws UsageError.
std::string git_show_base(const Changes& ch, const std::string& rel);

// The first line of the working-tree file that the diff against the base touches (1-based).
int first_changed_line(const Changes& ch, const std::string& rel);

// The history findings of one linted file, for Engine::lint as external findings (so that the file's
// driftguard-ignore comments, the configured severity and unused-ignore apply to them as to any other; spans are
// relative to the text, without a BOM): edited-applied-migration when the file existed at the base and changed, at
// its first changed line; for a new file, migration-order when its version sorts before a migration that existed
// at the base, and duplicate-migration-version when another migration of the same folder has the same version.
std::vector<Finding> history_findings(const SourceFile& src, const Changes& ch);

// deleted-applied-migration findings (severity and category still to be set from the path's engine): every up
// migration that existed at the base and is deleted now, in one of `folders` (repository-relative migration sets
// or folders named on the command line), at line 1 of its path relative to the working directory; a rename (git's
// rename detection) names the new path.
std::vector<Finding> deleted_migration_findings(const Changes& ch, const std::set<std::string>& folders);

// What `git commit` would record, for `lint --staged`: the index content (never the working tree) of the SQL files
// the inputs name (files or folders, as pathspecs relative to the working directory), and, as context, the other
// SQL files of their migration folders in the index, so that a hook gives the verdict CI gives on the folder.
// Paths are relative to the working directory; in migration order. Throws UsageError outside a repository or
// when an input matches nothing in the index.
struct IndexFile {
  std::string path;
  std::string text;
  bool named = false;  // named by the inputs (reported); false: context only
};
// `root` (when given) receives the repository's root (absolute), which the context cache must stay out of.
std::vector<IndexFile> index_files(const std::vector<std::string>& inputs, std::string* root = nullptr);

// The marker files runner detection reads (meta/_journal.json, Cargo.toml, go.mod, ...), as the git index of the
// repository holding the working directory has them, for `lint --staged`: the commit records the index, so CI
// detects the runner from it. A file that is only in the working tree (untracked, or a deletion not staged the other
// way round) is not what the commit holds: the index wins. Paths outside the repository are read from the disk (no
// commit changes them). Throws UsageError outside a repository.
std::shared_ptr<const MarkerFiles> index_marker_files();

}  // namespace driftguard
