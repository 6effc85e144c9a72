// driftguard lint: lint migration files.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <condition_variable>
#include <exception>
#include <mutex>

#include "analyzer/fix.hpp"
#include "analyzer/model/snapshot.hpp"
#include "analyzer/source.hpp"
#include "analyzer/text.hpp"
#include "analyzer/supabase_layout.hpp"
#include "cli/check_down.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/context_cache.hpp"
#include "cli/db_flags.hpp"
#include "cli/git.hpp"
#include "cli/escape.hpp"
#include "cli/model_source.hpp"
#include "cli/parse_ahead.hpp"
#include "cli/prisma_fields.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"
#include "cli/terminal.hpp"
#include "cli/settings_flags.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"
#include "rules/context_replay.hpp"
#include "rules/engine.hpp"
#include "rules/registry.hpp"
#include "rules/state_codec.hpp"
#include "rules/transaction/runner.hpp"

namespace fs = std::filesystem;

namespace driftguard {
namespace {

struct LintOptions {
  std::vector<std::string> paths;
  std::string stdin_filename;
  std::string format = "text";
  std::vector<std::string> rules;
  std::vector<std::string> exclude;
  std::vector<std::string> severities;
  std::string fail_on;  // "" = the config's (default error)
  std::string color = "auto";
  SettingsFlags settings;  // --pg-version, --runner, --assume-in-transaction, --baseline (over the config's)
  bool verbose = false;
  std::string config;         // --config: one config for every file instead of discovery
  std::string changed_since;  // --changed-since REF
  std::string docs_url;       // --docs-url: the base of the rule pages in sarif, markdown, junit and gitlab output
  bool staged = false;        // --staged: the index content, the folder's other staged migrations as context
  std::vector<std::string> exposed_schemas;
  bool fix = false;
  PlatformFlags platform;  // --platform, --prelude: the schema the first migration of a set runs on
  unsigned jobs = 0;       // --jobs: threads, the lint's included (0: one per core)
  bool no_cache = false;   // --no-cache: --changed-since replays the unchanged files (cli/context_cache.hpp)
};

// The command-line values that override the config (docs/config.md).
Overrides lint_overrides(const LintOptions& o) {
  Overrides ov;
  ov.select = o.rules;
  ov.exclude = o.exclude;
  ov.severity = severity_flags(o.severities);
  if (!o.fail_on.empty()) ov.fail_on = parse_severity(o.fail_on);
  ov.flags = o.settings;
  ov.exposed_schemas = o.exposed_schemas;
  return ov;
}

// "driftguard: 12/340 files" on stderr, rewritten in place, for runs of 10 files or more on a terminal.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), on_(total >= 10 && isatty(STDERR_FILENO) != 0) {}
  void step() {
    if (on_) std::cerr << "\rdriftguard: " << ++done_ << "/" << total_ << " files" << std::flush;
  }
  ~Progress() {
    if (on_) std::cerr << "\r\x1b[K" << std::flush;
  }

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  bool on_;
};

// Where the lint of a migration set starts: the platform baseline drift and `schema` replay the same history on
// (--platform/--prelude, else the config's `platform`/`prelude`, else Supabase for the Supabase CLI's layout), so
// that auth.users or storage.objects exist, typed and populated, for the rules. Lint does not look for Supabase in
// the files' text (drift's "migrations that call auth.*"): it would read every file of a folder a second time.
LoadContext lint_start(const LintOptions& o, const SourceFile& file, const ConfigSet::Profile& prof) {
  std::vector<std::pair<std::string, std::string>> sides;
  if (file.info.layout == Layout::supabase) sides.emplace_back("sql", file.path);
  std::optional<std::string> config;
  if (!prof.config.path.empty()) config = prof.config.path;
  LoadContext ctx;
  ctx.platform = choose_platform(o.platform.platform, o.platform.prelude, config, sides).baseline;
  return ctx;
}

// The context cache's key (cli/context_cache.hpp) for the state that `files` (a migration set's leading unchanged
// files, in migration order, each with its profile) leave in a run started on `platform`: everything that decides
// that state — the binary, the platform baseline, each file's path and bytes in order, and what its replay reads of
// the settings (runner, transaction, PostgreSQL version, baseline; the runner detection's answer, which reads files
// beside the migration), plus each config's own bytes, so that an edit of the config misses too.
std::array<std::uint8_t, 32> context_key(const platform::Baseline* platform,
                                         const std::vector<std::pair<SourceFile, const ConfigSet::Profile*>>& files) {
  CacheKey k;
  k.add("driftguard lint --changed-since context 1").add(ContextCache::build_identity());
  if (platform == nullptr) {
    k.add("no platform");
  } else {
    k.add(platform->name).add(static_cast<std::int64_t>(platform->files.size()));
    for (std::size_t i = 0; i < platform->files.size(); ++i) {
      const SourceFile& f = platform->files[i];
      // The embedded Supabase baseline is the binary's (its identity is in the key); a prelude is the user's file.
      k.add(f.path).add(i == 0 && platform->name == "supabase" ? std::string_view("embedded") : std::string_view(f.text));
    }
  }
  k.add(std::getenv("DRIFTGUARD_BASELINE_FROM_SQL") != nullptr ? "baseline from SQL" : "");
  std::set<std::string> configs;
  k.add(static_cast<std::int64_t>(files.size()));
  for (const auto& [file, prof] : files) {
    const Settings& s = prof->effective.settings;
    k.add(file.path).add(file.bom ? 1 : 0).add(file.text);
    k.add(s.pg_version).add(to_string(s.runner)).add(s.assume_in_transaction ? 1 : 0).add(s.baseline);
    k.add(s.runner == Runner::auto_detect ? to_string(detect_runner(file)) : std::string_view());
    k.add(prof->config.path);
    configs.insert(prof->config.path);
  }
  for (const auto& c : configs) {
    if (c.empty()) continue;
    try {
      k.add(load_file(c).text);
    } catch (const InputFailure& e) {
      k.add(e.message);
    }
  }
  return k.finish();
}

// incomplete-down-migration (cli/check_down): for each migration folder with a linted down migration the rule is
// on for, the whole folder's history is replayed with the ups and downs. The findings, by down file (normalized
// path), go to Engine::lint of that file: its driftguard-ignore comments and the configured severity apply.
// `texts`: contents that are not on the disk (the git index, stdin), by normalized path; `index`: with --staged,
// the files of the index (the folders' histories are made of them, not of the working tree). `linted`: each file
// with its configuration (ConfigSet::for_path, looked up once per file by the caller). Each folder is checked on the
// baseline `check-down` uses for it (--platform/--prelude, the config, the signs of a Supabase project in the
// folder), so that a down migration may drop what it created on auth.users or grant to `authenticated`.
using ProfiledFiles = std::vector<std::pair<std::string, const ConfigSet::Profile*>>;
using DownFindings = std::map<std::string, std::vector<Finding>>;  // by down file (normalized path)
// A migration set's linted down files the rule is on for, and the config of the first of them.
struct DownSet {
  std::set<std::string> downs;
  std::string config;
};
std::map<std::string, DownSet> down_sets(const ProfiledFiles& linted, ConfigSet& configs,
                                         const std::optional<Changes>& changes) {
  std::map<std::string, DownSet> wanted;
  for (const auto& [path, prof] : linted) {
    if (changes && !changes->changed(path)) continue;  // (before classifying the path: most are unchanged)
    SourceFile named = make_source(path, "");
    if (!prof->engine->enabled_for(kIncompleteDown, named)) continue;
    wanted[named.info.set].downs.insert(fs::path(path).lexically_normal().string());
  }
  for (auto& entry : wanted) entry.second.config = configs.for_path(*entry.second.downs.begin()).config.path;
  return wanted;
}

// One set's check: its findings added to `out`, its input errors to `errors`. Touches nothing else (lint runs it on
// the set's worker).
void check_down_set(const LintOptions& o, const std::string& set, const DownSet& wanted, DownFindings& out,
                    std::vector<InputError>& errors, const std::map<std::string, std::string>& texts = {},
                    const std::vector<std::string>* index = nullptr) {
  std::vector<std::string> files;
  if (index) {
    for (const auto& f : *index) {
      if (classify(f).set == set) files.push_back(f);
    }
  } else {
    files = discover({set.empty() ? "." : set}).files;
  }
  DownHistory history = down_history(files, texts);
  std::erase_if(history.pairs, [&](const DownPair& p) {
    return !wanted.downs.count(fs::path(p.down).lexically_normal().string());
  });
  if (history.pairs.empty()) return;
  const std::string dir = set.empty() ? "." : set;
  LoadContext start;
  start.platform = choose_platform(o.platform.platform, o.platform.prelude,
                                   wanted.config.empty() ? std::nullopt : std::optional<std::string>(wanted.config),
                                   {{"migrations", dir}})
                       .baseline;
  CheckDownResult checked = check_down(history, start);
  errors.insert(errors.end(), checked.errors.begin(), checked.errors.end());
  for (auto& c : checked.checks) {
    for (auto& f : c.findings) out[fs::path(f.file).lexically_normal().string()].push_back(std::move(f));
  }
}

DownFindings down_findings(const LintOptions& o, const ProfiledFiles& linted, ConfigSet& configs,
                           const std::optional<Changes>& changes, RunResult& result,
                           const std::map<std::string, std::string>& texts = {},
                           const std::vector<std::string>* index = nullptr) {
  DownFindings out;
  for (const auto& [set, wanted] : down_sets(linted, configs, changes)) {
    check_down_set(o, set, wanted, out, result.errors, texts, index);
  }
  return out;
}

int run_lint(const LintOptions& o) {
  ConfigSet configs(o.config.empty() ? std::nullopt : std::optional<std::string>(o.config), lint_overrides(o));
  if (!o.config.empty()) configs.for_path(".");  // a bad --config is an error even when no file is linted

  RunResult result;
  // The links of a run have one base: --docs-url, else docs_url of the config of the first path (--config's).
  result.docs_base = o.docs_url;
  if (result.docs_base.empty() && !o.paths.empty()) {
    std::string first = o.paths[0] == "-" ? (o.stdin_filename.empty() ? "." : o.stdin_filename) : o.paths[0];
    result.docs_base = configs.for_path(first).config.docs_url.value_or("");
  }
  std::vector<std::string> inputs;
  bool want_stdin = false;
  for (const auto& p : o.paths) {
    if (p == "-") {
      want_stdin = true;
    } else {
      inputs.push_back(p);
    }
  }
  if (!o.stdin_filename.empty() && !want_stdin) {
    throw UsageError("--stdin-filename names the SQL read from stdin, but no - is among the paths (driftguard lint - "
                     "--stdin-filename " + o.stdin_filename + " < FILE)");
  }
  if (o.staged && (want_stdin || o.fix || !o.changed_since.empty())) {
    throw UsageError("--staged lints the git index: it cannot be used with - (stdin), --fix or --changed-since");
  }
  std::optional<Changes> changes;
  if (!o.changed_since.empty()) {
    if (want_stdin) throw UsageError("--changed-since cannot be used with - (stdin)");
    fs::path dir = inputs.front();
    std::error_code ec;
    while (!dir.empty() && !fs::is_directory(dir, ec)) dir = dir.parent_path();
    changes = git_changes(o.changed_since, dir.empty() ? "." : dir.string());
  }
  // The state of each migration set's unchanged leading files, kept between runs (--changed-since only).
  const ContextCache cache(o.no_cache || !changes, changes ? changes->root : "");
  if (changes && o.verbose && !cache.enabled()) std::cerr << "driftguard: context cache off: " << cache.off_reason() << "\n";

  std::map<std::string, Severity> fail_on;  // file -> its config's threshold
  std::map<std::string, RunState> runs;     // the runs of stdin's and the staged files' migration sets
  std::map<std::string, std::string> schema_texts;  // the schema.prisma files findings point at
  std::map<std::string, std::set<std::string>> schema_sets;  // each of them -> the migration sets reporting there
  // A migration set's run, started on its platform baseline by `file` (the set's first); a Prisma migration's
  // type findings are reported at the schema.prisma field that generated the column.
  auto start_run = [&](const SourceFile& file, const ConfigSet::Profile& prof) {
    RunState run(start_replay(lint_start(o, file, prof)));
    if (file.info.layout == Layout::prisma) {
      FieldsCacheUse use{o.no_cache, changes ? changes->root : "", nullptr};
      std::string notes;
      if (o.verbose) use.notes = &notes;
      auto fields = prisma_fields(file.info.set, schema_texts, use);
      std::cerr << notes;  // (a Prisma folder's run is started on this thread, before the sets' workers)
      const std::string* last = nullptr;  // a lookup where the file changes (one per file for one schema.prisma)
      for (const auto& [column, field] : fields) {
        if (last == nullptr || *last != field.file) schema_sets[field.file].insert(file.info.set);
        last = &field.file;
      }
      run.set_schema_fields(std::make_shared<const std::map<std::string, SchemaField>>(std::move(fields)));
    }
    return run;
  };
  auto run_of = [&](const SourceFile& file, const ConfigSet::Profile& prof) -> RunState& {
    auto it = runs.find(file.info.set);
    if (it == runs.end()) it = runs.emplace(file.info.set, start_run(file, prof)).first;
    return it->second;
  };
  // The state after a migration set's leading context files (`lead`, in order; not linted) in `r`, the set's run
  // just started by `starts`: restored from the context cache, or replayed and stored there. Returns --verbose's
  // notes.
  using ContextFiles = std::vector<std::pair<SourceFile, const ConfigSet::Profile*>>;
  auto restore_context = [&](const ContextCache& store, const ContextFiles& lead, RunState& r, const SourceFile& starts,
                             const ConfigSet::Profile& prof, const std::string& set) {
    std::string notes;
    const auto key = context_key(lint_start(o, starts, prof).platform.get(), lead);
    std::string note;
    bool hit = false;
    if (auto bytes = store.load(key, note)) {
      try {
        StateCodec::decode(*bytes, r);
        hit = true;
      } catch (const model::snapshot::Malformed& e) {
        note = "corrupt entry " + store.path_of(key) + ": " + e.what();
        store.remove(key);
      }
    }
    if (o.verbose && !note.empty()) notes += "driftguard: context cache: " + note + " (replayed again)\n";
    std::string stored;
    if (!hit) {
      for (const auto& entry : lead) replay_context(entry.second->effective.settings, entry.first, Engine::parse(entry.first), r);
      store.store(key, StateCodec::encode(r), stored);
    }
    if (o.verbose) {
      notes += "driftguard: context cache: " + std::string(hit ? "restored" : "replayed and stored") +
               " the state after the " + std::to_string(lead.size()) + " unchanged file(s) of " +
               (set.empty() ? std::string(".") : set) + " (" + store.path_of(key) + ")\n";
      if (!stored.empty()) notes += "driftguard: context cache: " + stored + "\n";
    }
    return notes;
  };
  // Files that are not reported (unchanged, with --changed-since; the other staged files, with --staged) are only
  // replayed, in migration order, for what they declare (column types) that later files depend on: no rule runs on
  // them. (When their rules ran, a finding of theirs at a schema.prisma field, reported once per run, took the
  // place of a reported file's finding there, which was then lost: RunState::first_report_at.)
  DownFindings downs;  // incomplete-down-migration findings of stdin's and the staged files, by down file
  // Streaming (cli/report_stream.hpp): the report is sorted by path (sort_findings) and files are linted in
  // migration order, which mostly agree; a linted file's findings wait in `ready` until every path that sorts
  // before it has been linted, then are written and dropped with the file's text. Findings at a schema.prisma
  // field wait until the last file of the migration sets that report there is linted, and so do the files sorting
  // after that schema. Findings of one path are kept by the migration set (its index in the run) that reported
  // them: sets linted in parallel report at a shared schema.prisma in any order, written in the sets' order.
  std::unique_ptr<ReportStream> stream;
  std::map<std::string, std::map<std::size_t, std::vector<Finding>>> ready;
  std::set<std::string> unlinted;                     // the files still to lint
  std::map<std::string, std::size_t> set_unlinted;    // by migration set
  std::map<std::string, std::set<std::string>> held;  // schema_sets, less the sets linted to the end
  bool failed = false;                                // a written finding reached its file's fail_on
  auto write_ready = [&] {
    std::optional<std::string> gate;
    if (!unlinted.empty()) gate = *unlinted.begin();
    if (!held.empty() && (!gate || held.begin()->first < *gate)) gate = held.begin()->first;
    while (!ready.empty() && (!gate || ready.begin()->first < *gate)) {
      auto node = ready.extract(ready.begin());
      RunResult part;
      part.docs_base = result.docs_base;
      for (auto& [set, found] : node.mapped()) {
        for (auto& f : found) part.findings.push_back(std::move(f));
      }
      sort_findings(part.findings);
      if (stream->every_file()) part.paths.push_back(node.key());
      if (auto t = result.texts.find(node.key()); t != result.texts.end()) {
        part.texts.insert(result.texts.extract(t));
      }
      if (auto b = result.boms.find(node.key()); b != result.boms.end()) part.boms.insert(result.boms.extract(b));
      for (const auto& f : part.findings) failed = failed || f.severity >= fail_on[f.file];
      stream->write(part);
    }
  };
  // What a set linted on a worker reports besides findings, kept to be added to the run in the sets' order.
  struct SetOutput {
    std::vector<Finding> findings;  // when the report is not streamed
    std::vector<std::string> paths;
    std::vector<InputError> errors;
    std::vector<InputError> down_errors;  // the down check's, before every set's `errors`
    std::string notes;  // --verbose's, for stderr
  };
  // One file linted (the rules run on it, and it is replayed into `run`), with --fix fixed and linted again: the
  // file as it ends (its text, for the excerpts) and its report. Touches nothing shared but `downs`' entry of
  // this file, so that migration sets are linted on several threads at once.
  struct Linted {
    SourceFile src;
    FileReport rep;
  };
  auto lint_file = [&](SourceFile first, const ConfigSet::Profile& prof, RunState& run,
                       std::optional<ParsedFile> parsed, DownFindings& set_downs) {
    RunState before = o.fix ? run : RunState{};
    std::vector<Finding> external;
    if (auto d = set_downs.find(fs::path(first.path).lexically_normal().string()); d != set_downs.end()) {
      external = std::move(d->second);
      for (auto& f : external) f.file = first.path;
    }
    bool completes_down = std::any_of(external.begin(), external.end(), [](const Finding& f) { return f.fix.has_value(); });
    // History findings go through the engine too, so that a driftguard-ignore comment reaches them.
    auto with_history = [&](const SourceFile& src, std::vector<Finding> found) {
      if (changes) {
        for (auto& f : history_findings(src, *changes)) found.push_back(std::move(f));
      }
      return found;
    };
    Linted out;
    out.rep = parsed ? prof.engine->lint(first, std::move(*parsed), run, with_history(first, external))
                     : prof.engine->lint(first, run, with_history(first, external));
    if (o.fix) {
      std::vector<const Fix*> fixes;
      for (const auto& f : out.rep.findings) {
        if (f.fix) fixes.push_back(&*f.fix);
      }
      if (!fixes.empty()) {
        std::string on_disk = (first.bom ? std::string("\xEF\xBB\xBF") : std::string()) + first.text;
        auto outcome = apply_fixes(on_disk, fixes);
        if (outcome.applied > 0) {
          write_file_atomically(first.path, outcome.text);
          std::cerr << first.path << ": applied " << outcome.applied << " fix" << (outcome.applied == 1 ? "" : "es");
          if (outcome.skipped > 0) std::cerr << " (" << outcome.skipped << " overlapping, run again)";
          std::cerr << "\n";
          run = before;
          SourceFile fixed = make_source(first.path, outcome.text);
          // The fix of a down's first incomplete-down-migration finding appends what completes it: its findings are
          // resolved once it is applied (a fix skipped as overlapping says "run again").
          out.rep = prof.engine->lint(fixed, run, with_history(fixed, completes_down ? std::vector<Finding>{} : external));
          out.src = std::move(fixed);
          return out;
        }
      }
    }
    out.src = std::move(first);
    return out;
  };
  // A linted file added to the run (under the lock of the sets' workers): counted, its findings written when their
  // turn comes (streamed) or kept, by `task` (the set's index), in `out` (a worker's set) or `result`.
  auto publish = [&](Linted& l, const ConfigSet::Profile& prof, std::size_t task, SetOutput* out) {
    const SourceFile& src = l.src;
    auto& rep = l.rep;
    ++result.files;
    // A streamed report needs neither every path (junit and --changed-since do; they have no stream) nor the
    // threshold of a file without findings: held for every file, they grew with the history.
    if (!stream) (out ? out->paths : result.paths).push_back(src.path);
    if (!rep.findings.empty()) fail_on[src.path] = prof.effective.fail_on;
    if (o.verbose && rep.meta_commands > 0) {
      std::string note = src.path + ": skipped " + std::to_string(rep.meta_commands) + " psql meta-command line(s)\n";
      if (out) {
        out->notes += note;
      } else {
        std::cerr << note;
      }
    }
    if (!rep.findings.empty()) {
      result.texts[src.path] = std::move(l.src.text);
      result.boms[src.path] = src.bom;
    }
    for (const auto& f : rep.findings) {
      if (f.file == src.path) continue;  // a schema.prisma field (RuleContext::report_elsewhere)
      result.texts[f.file] = schema_texts[f.file];
      fail_on[f.file] = prof.effective.fail_on;
    }
    if (stream && stream->every_file()) ready[src.path];  // its suite, findings or not (junit)
    for (auto& f : rep.findings) {
      if (stream) {
        ready[f.file][task].push_back(std::move(f));
      } else {
        (out ? out->findings : result.findings).push_back(std::move(f));
      }
    }
  };
  // stdin's file and the staged files, one at a time.
  auto lint_one = [&](SourceFile first, const ConfigSet::Profile& prof, bool reported) {
    auto& run = run_of(first, prof);
    if (!reported) {
      replay_context(prof.effective.settings, first, Engine::parse(first), run);
      return;
    }
    Linted l = lint_file(std::move(first), prof, run, std::nullopt, downs);
    publish(l, prof, 0, nullptr);
  };
  if (want_stdin && o.fix) throw UsageError("--fix rewrites files: it cannot be used with - (stdin)");
  if (want_stdin) {
    std::string content((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string name = o.stdin_filename.empty() ? "<stdin>" : o.stdin_filename;
    const auto& prof = configs.for_path(o.stdin_filename.empty() ? "." : o.stdin_filename);
    // Named as a down file of a folder on disk: the folder's history with this content as the down.
    if (!o.stdin_filename.empty()) {
      downs = down_findings(o, {{name, &prof}}, configs, changes, result,
                            {{fs::path(name).lexically_normal().string(), content}});
    }
    try {
      lint_one(make_source(name, std::move(content)), prof, true);
    } catch (const InputFailure& e) {
      result.errors.push_back({name, e.message});
    }
  }
  if (o.staged) {
    std::string root;
    auto staged = index_files(inputs, &root);
    // Runner markers (meta/_journal.json, Cargo.toml, go.mod, ...) from the index too: the commit holds them.
    MarkerFilesScope markers(index_marker_files());
    std::vector<const ConfigSet::Profile*> profiles;  // of each staged file
    {
      std::vector<std::string> index;
      ProfiledFiles linted;
      std::map<std::string, std::string> texts;
      for (const auto& file : staged) {
        index.push_back(file.path);
        texts[fs::path(file.path).lexically_normal().string()] = file.text;
        profiles.push_back(&configs.for_path(file.path));
        if (file.named && !profiles.back()->config.ignores_file(file.path)) linted.emplace_back(file.path, profiles.back());
      }
      downs = down_findings(o, linted, configs, changes, result, texts, &index);
    }
    // The context cache, as with --changed-since: a migration set's leading context files (the staged files before
    // its first named one, up to the first that cannot be read as SQL) restored, or replayed and stored — a hook
    // replayed the whole folder on every commit. Their bytes are the index's, read above (git checkout-index).
    const ContextCache staged_cache(o.no_cache, root);
    if (o.verbose && !staged_cache.enabled()) std::cerr << "driftguard: context cache off: " << staged_cache.off_reason() << "\n";
    std::vector<char> restored(staged.size(), 0);
    std::set<std::string> sets_seen;
    for (std::size_t i = 0; staged_cache.enabled() && i < staged.size();) {
      const std::string set = classify(staged[i].path).set;
      std::size_t end = i + 1;
      while (end < staged.size() && classify(staged[end].path).set == set) ++end;
      ContextFiles lead;
      std::vector<std::size_t> at;
      // The files lint_one would replay first, in its order (an ignored file is not replayed).
      const bool first_block = sets_seen.insert(set).second;  // (sort_migrations keeps a set's files together)
      for (std::size_t j = i; first_block && j < end && !staged[j].named; ++j) {
        if (profiles[j]->config.ignores_file(staged[j].path)) continue;
        try {
          lead.emplace_back(make_source(staged[j].path, staged[j].text), profiles[j]);
        } catch (const InputFailure&) {
          break;  // lint_one skips it; the context ends before it
        }
        at.push_back(j);
      }
      if (!lead.empty()) {
        const auto& [starts, prof] = lead.front();
        std::cerr << restore_context(staged_cache, lead, run_of(starts, *prof), starts, *prof, set);
        for (std::size_t j : at) restored[j] = 1;
      }
      i = end;
    }
    for (std::size_t i = 0; i < staged.size(); ++i) {
      auto& file = staged[i];
      const auto& prof = *profiles[i];
      if (restored[i] || prof.config.ignores_file(file.path)) continue;
      try {
        lint_one(make_source(file.path, std::move(file.text)), prof, file.named);
      } catch (const InputFailure& e) {
        if (file.named) result.errors.push_back({file.path, e.message});
      }
    }
  } else if (!inputs.empty()) {
    std::vector<InputError> skipped;  // in a Supabase project, files the CLI would not apply (archive/, other names)
    auto d = discover_with_notes(inputs, skipped);
    for (const auto& n : skipped) {
      std::cerr << "driftguard: note: skipped " << n.path << ": " << n.message << " (name the file to lint it)\n";
    }
    result.errors.insert(result.errors.end(), d.errors.begin(), d.errors.end());
    ProfiledFiles files;
    for (const auto& path : d.files) {
      const auto& prof = configs.for_path(path);
      if (!prof.config.ignores_file(path)) files.emplace_back(path, &prof);
    }
    // Rules that judge a file by the end of its history (foreign-key-without-index: a later migration may add the
    // index) get the schema after the whole migration set, replayed once per set before its first file is linted.
    // So do the type rules on a Prisma folder: a finding belongs to its schema.prisma field only while the field
    // still generates the declared type (rules/types/type_rule.cpp).
    auto wants_history_end = [](const SourceFile& f, const ConfigSet::Profile& prof) {
      return prof.engine->enabled("foreign-key-without-index") || f.info.layout == Layout::prisma;
    };
    // A migration set's files are consecutive in migration order (sort_migrations), and nothing a set's lint
    // reads or changes belongs to another set: its run (model, history end, schema.prisma fields) is its own. So
    // each set is one task, linted by itself on one thread, sets on `jobs` threads at once.
    struct SetTask {
      std::string set;
      std::size_t begin = 0;  // files[begin, end)
      std::size_t end = 0;
      std::size_t start = 0;  // the file that starts the set's run: the first that wants the history end, else begin
      std::optional<RunState> run;  // started upfront for stdin's file's set and for a Prisma folder
    };
    std::vector<SetTask> tasks;
    std::vector<char> wants(files.size(), 0);  // the file wants its set's history end
    for (std::size_t i = 0; i < files.size(); ++i) {
      SourceFile named = make_source(files[i].first, "");
      wants[i] = wants_history_end(named, *files[i].second);
      if (tasks.empty() || named.info.set != tasks.back().set) {
        tasks.emplace_back();
        tasks.back().set = named.info.set;
        tasks.back().begin = tasks.back().start = i;
      }
      SetTask& task = tasks.back();
      if (task.start == task.begin && !wants[task.start] && wants[i]) task.start = i;
      task.end = i + 1;
    }
    // Every schema.prisma a finding can point at is known before the first finding is written (held): a Prisma
    // folder's run is started here (its schema read) and handed to the set's task.
    for (auto& task : tasks) {
      if (auto r = runs.find(task.set); r != runs.end()) {
        task.run = std::move(r->second);  // stdin's file was of this set
        runs.erase(r);
        continue;
      }
      SourceFile starts = make_source(files[task.start].first, "");
      if (starts.info.layout == Layout::prisma) task.run = start_run(starts, *files[task.start].second);
    }
    // incomplete-down-migration: the folders to check are chosen here (their configs looked up); each is checked
    // (its whole history replayed with the downs) by its set's task, before the set's first file is linted.
    const std::map<std::string, DownSet> checked_downs = down_sets(files, configs, changes);
    if (!changes && !want_stdin) {
      stream = ReportStream::open(std::cout, o.format, use_color(o.color), output_width());
      for (const auto& task : tasks) {
        for (std::size_t i = task.begin; i < task.end; ++i) unlinted.insert(files[i].first);
        set_unlinted[task.set] = task.end - task.begin;
      }
      held = schema_sets;
    }
    Progress progress(files.size());
    const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    // One set (or one job, or --fix, which rewrites files and says so as it goes) is linted on this thread while
    // the other jobs parse its files ahead; several sets are linted on `jobs` threads, each parsing its own.
    const std::size_t workers = o.fix ? 1 : std::min<std::size_t>(jobs, tasks.size());
    const unsigned parse_workers = workers <= 1 ? jobs - 1 : 0;
    std::vector<SetOutput> outputs(tasks.size());
    std::mutex mu;  // result, fail_on, ready, unlinted, set_unlinted, held, failed, the stream and the progress
    auto lint_set = [&](std::size_t t) {
      SetTask& task = tasks[t];
      SetOutput& out = outputs[t];
      DownFindings set_downs;
      if (auto down = checked_downs.find(task.set); down != checked_downs.end()) {
        check_down_set(o, task.set, down->second, set_downs, out.down_errors);
      }
      auto run = [&]() -> RunState& {
        if (!task.run) task.run = start_run(make_source(files[task.start].first, ""), *files[task.start].second);
        return *task.run;
      };
      // The history end: the paths of the files that want it. With --changed-since, the unchanged ones before the
      // set's first changed file are replayed for context here, once, and the history's end is replayed from there
      // (not again from the start); they are not linted. Only the paths are held: history_end reads each file as it
      // replays it, and each is read again when it is linted. Of the end model, the run keeps what the type rules
      // read (RunState::set_history_end), and the model itself only for foreign-key-without-index.
      // The context cache: the set's leading unchanged files (up to the first that cannot be read), when every
      // file of the set is replayed the same way — all want the history end (these files are then the first of
      // `prefix` below) or none does (the loop at the end replays them, in this order, with nothing in between) —
      // restored from the cache, or replayed here and stored.
      std::set<std::string> replayed;
      std::size_t cached = 0;
      if (cache.enabled()) {
        bool uniform = std::all_of(wants.begin() + static_cast<std::ptrdiff_t>(task.begin),
                                   wants.begin() + static_cast<std::ptrdiff_t>(task.end),
                                   [&](char w) { return w == wants[task.begin]; });
        std::vector<std::pair<SourceFile, const ConfigSet::Profile*>> lead;
        for (std::size_t i = task.begin; uniform && i < task.end && !changes->changed(files[i].first); ++i) {
          try {
            lead.emplace_back(load_file(files[i].first), files[i].second);
          } catch (const InputFailure&) {
            break;  // reported when the file is linted; the context ends before it
          }
        }
        if (!lead.empty()) {
          out.notes += restore_context(cache, lead, run(), make_source(files[task.start].first, ""),
                                       *files[task.start].second, task.set);
          for (const auto& entry : lead) replayed.insert(entry.first.path);
          cached = lead.size();
        }
      }
      // The files the history end read and parsed, handed to the lint below (a Prisma folder was parsed twice: a
      // tenth of the Prisma + Supabase subset's CPU), as long as their texts stay under kKeptBytes together (the
      // trees are ~20 times the text; the largest Prisma folder of the corpus holds 257 KB of SQL).
      constexpr std::size_t kKeptBytes = 512 * 1024;
      std::map<std::string, ParseAhead::Item> kept;
      std::size_t kept_bytes = 0;
      auto keep = [&](SourceFile& file, ParsedFile& parsed) {
        if (kept_bytes + file.text.size() > kKeptBytes) return;
        kept_bytes += file.text.size();
        ParseAhead::Item item;
        item.parsed = std::move(parsed);
        item.file = std::move(file);
        std::string path = item.file->path;
        kept.emplace(std::move(path), std::move(item));
      };
      std::vector<std::string> end_paths;
      std::vector<const ConfigSet::Profile*> prefix;
      bool prefix_closed = !changes;
      for (std::size_t i = task.begin; i < task.end; ++i) {
        const auto& [path, prof] = files[i];
        bool in_prefix = !prefix_closed && !changes->changed(path);
        if (!in_prefix || !wants[i]) prefix_closed = true;
        if (!wants[i]) continue;
        end_paths.push_back(path);
        if (in_prefix) prefix.push_back(prof);
      }
      if (!end_paths.empty()) {
        const ConfigSet::Profile& prof = *files[task.start].second;
        const bool keep_model = prof.engine->enabled("foreign-key-without-index");
        std::size_t done = std::min(cached, prefix.size());  // the cache's files are the prefix's first
        for (; done < prefix.size(); ++done) {
          std::optional<SourceFile> f;
          try {
            f = load_file(end_paths[done]);
          } catch (const InputFailure&) {
            break;  // reported when the file is linted; the context ends before it
          }
          replay_context(prefix[done]->effective.settings, *f, Engine::parse(*f), run());
          replayed.insert(f->path);
        }
        end_paths.erase(end_paths.begin(), end_paths.begin() + static_cast<std::ptrdiff_t>(done));
        if (end_paths.empty()) {
          run().set_history_end(run().model(), keep_model);  // every file was context: the end is where the run is
        } else if (auto end = prof.engine->history_end(end_paths, run(), keep)) {
          run().set_history_end(*end, keep_model);
        }
      }
      std::vector<std::string> paths;
      for (std::size_t i = task.begin; i < task.end; ++i) {
        if (!replayed.count(files[i].first) && !kept.count(files[i].first)) paths.push_back(files[i].first);
      }
      // Files are parsed ahead by the other jobs, at most two per worker (a parsed file's tree is ~20 times its
      // text: with 8 per worker, peak RSS on the corpus went from 76 MB at --jobs 1 to 130 MB at --jobs 4).
      ParseAhead ahead(std::move(paths), parse_workers, 2 * static_cast<std::size_t>(parse_workers));
      std::size_t index = 0;
      for (std::size_t i = task.begin; i < task.end; ++i) {
        const auto& [path, prof] = files[i];
        std::optional<Linted> linted;
        if (!replayed.count(path)) {
          try {
            ParseAhead::Item item;
            if (auto k = kept.find(path); k != kept.end()) {
              item = std::move(k->second);
              kept.erase(k);
            } else {
              item = ahead.take(index++);
            }
            if (!item.file) throw InputFailure{item.error};
            if (!changes || changes->changed(path)) {
              linted = lint_file(std::move(*item.file), *prof, run(), std::move(item.parsed), set_downs);
            } else {
              replay_context(prof->effective.settings, *item.file, std::move(item.parsed), run());
            }
          } catch (const InputFailure& e) {
            out.errors.push_back({path, e.message});
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        if (linted) publish(*linted, *prof, t, &out);
        if (stream) {
          unlinted.erase(path);
          if (--set_unlinted[task.set] == 0) {
            for (auto h = held.begin(); h != held.end();) {
              h->second.erase(task.set);
              h = h->second.empty() ? held.erase(h) : std::next(h);
            }
          }
          write_ready();
        }
        progress.step();
      }
      task.run.reset();  // the set's model is not needed any more
    };
    if (workers <= 1) {
      for (std::size_t t = 0; t < tasks.size(); ++t) lint_set(t);
    } else {
      // Sets are taken in order, at most kSetsAhead * workers past the first unfinished one: a set that finishes
      // before the sets sorting ahead of it holds its findings (and their files' texts) until they are written,
      // so that bound is what a streamed report holds beyond the sets being linted.
      constexpr std::size_t kSetsAhead = 2;
      const std::size_t window = kSetsAhead * workers;
      std::condition_variable changed;
      std::size_t next = 0;
      std::size_t unfinished = 0;  // the first set not finished
      std::vector<char> finished(tasks.size(), 0);
      std::exception_ptr failure;
      auto work = [&] {
        for (;;) {
          std::size_t t = 0;
          {
            std::unique_lock<std::mutex> lock(mu);
            changed.wait(lock, [&] { return failure || next >= tasks.size() || next < unfinished + window; });
            if (failure || next >= tasks.size()) return;
            t = next++;
          }
          try {
            lint_set(t);
          } catch (...) {
            std::lock_guard<std::mutex> lock(mu);
            if (!failure) failure = std::current_exception();
            changed.notify_all();
            return;
          }
          {
            std::lock_guard<std::mutex> lock(mu);
            finished[t] = 1;
            while (unfinished < tasks.size() && finished[unfinished]) ++unfinished;
          }
          changed.notify_all();
        }
      };
      std::vector<std::thread> threads;
      for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work);
      work();
      for (auto& th : threads) th.join();
      if (failure) std::rethrow_exception(failure);
    }
    // What the sets report besides a stream, in the sets' order (the order one thread lints them in); the down
    // check's errors first, in the order of the sets' names (down_findings' order).
    std::map<std::string, std::vector<InputError>> down_errors;
    for (std::size_t t = 0; t < tasks.size(); ++t) down_errors[tasks[t].set] = std::move(outputs[t].down_errors);
    for (auto& [set, errors] : down_errors) {
      for (auto& e : errors) result.errors.push_back(std::move(e));
    }
    for (auto& out : outputs) {
      for (auto& f : out.findings) result.findings.push_back(std::move(f));
      for (auto& p : out.paths) result.paths.push_back(std::move(p));
      for (auto& e : out.errors) result.errors.push_back(std::move(e));
      std::cerr << out.notes;
    }
    for (auto& [path, by_set] : ready) {
      for (auto& [t, found] : by_set) {
        for (auto& f : found) result.findings.push_back(std::move(f));
      }
    }
  }
  if (changes) {
    // Applied migrations that the change deleted or renamed, in the folders linted (named, or holding a linted file).
    std::set<std::string> folders;
    for (const auto& path : result.paths) folders.insert(classify(changes->relative(path)).set);
    std::error_code ec;
    for (const auto& in : inputs) {
      if (!fs::is_directory(in, ec)) continue;
      std::string rel = changes->relative(in);  // "." for the repository root, "" outside it
      if (!rel.empty()) folders.insert(rel);
    }
    static const auto rules = make_all_rules();
    for (auto& f : deleted_migration_findings(*changes, folders)) {
      const auto& prof = configs.for_path(f.file);
      f.severity = prof.engine->severity_of(f.rule);
      if (f.severity == Severity::off) continue;
      for (const auto& r : rules) {
        if (r->info().id == f.rule) f.category = std::string(r->info().category);
      }
      fail_on[f.file] = prof.effective.fail_on;
      result.findings.push_back(std::move(f));
    }
  }
  sort_findings(result.findings);

  // Input errors always go to stderr too (JSON also lists them in the document).
  for (const auto& e : result.errors) std::cerr << "driftguard: " << visible(e.path) << ": " << visible(e.message) << "\n";
  if (stream) {
    stream->finish(result);
  } else {
    report(std::cout, o.format, result, use_color(o.color), output_width());
  }
  if (!result.errors.empty()) return 2;
  if (failed) return 1;
  for (const auto& f : result.findings) {
    if (f.severity >= fail_on[f.file]) return 1;
  }
  return 0;
}

}  // namespace

void add_lint_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto lo = std::make_shared<LintOptions>();
  auto* lint = app.add_subcommand("lint", "Lint migration files for destructive, non-idempotent and unsafe statements");
  lint->add_option("paths", lo->paths, "Files, directories (recursive), glob patterns, or - for stdin")->required();
  lint->add_option("--stdin-filename", lo->stdin_filename, "Name (and layout) to use for the SQL read from stdin");
  lint->add_option("--format", lo->format, "Output format")->check(CLI::IsMember(report_formats()));
  lint->add_option("--rule", lo->rules, "Run only these rules or categories (repeatable; enables opt-in rules)");
  lint->add_option("--exclude-rule", lo->exclude, "Do not run these rules or categories (repeatable)");
  lint->add_option("--severity", lo->severities, "Override the severity of a rule or category: RULE=error|warning|info|off (repeatable; a rule wins over its category)");
  lint->add_option("--fail-on", lo->fail_on, "Exit 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  add_settings_flags(lint, lo->settings);
  lint->add_option("--color", lo->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  lint->add_flag("--verbose", lo->verbose, "Also say what was skipped (psql meta-commands)");
  lint->add_flag("--fix", lo->fix, "Apply the machine fixes of the findings to the files (atomically), then report what remains");
  lint->add_option("--exposed-schema", lo->exposed_schemas,
                   "A schema whose tables clients reach directly, for rls-not-enabled (repeatable; default public)");
  add_platform_flags(lint, lo->platform);
  lint->add_option("--jobs,-j", lo->jobs,
                   "Threads: migration sets are linted on that many at once; a lone set's files are parsed ahead on jobs - 1 while one lints them in migration order (default: one per core; the output is the same for any number)");
  lint->add_option("--config", lo->config, "Use this driftguard.toml for every file (default: the nearest one above each file)");
  lint->add_option("--changed-since", lo->changed_since,
                   "Lint only migrations added or modified since the merge base of REF and HEAD, and check the history");
  std::string docs_help = "Where the rule pages are published (RULE's page: URL/docs/rules/RULE.md), for the links of "
                          "sarif, markdown, junit and gitlab output (default ";
  docs_help += kDocsBase;
  docs_help += ")";
  lint->add_option("--docs-url", lo->docs_url, docs_help)->type_name("URL");
  lint->add_flag("--no-cache", lo->no_cache,
                 "With --changed-since: replay the unchanged migrations instead of restoring their state from the context cache");
  lint->add_flag("--staged", lo->staged,
                 "Lint what is staged for commit (the git index, not the working tree), with the other staged migrations of each folder as context");
  out.push_back({lint, [lo] { return run_lint(*lo); }});
}

}  // namespace driftguard
