#include "rules/engine.hpp"
#include "rules/context_replay.hpp"
#include "rules/release_trees.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "analyzer/marker_lines.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/parse_drizzle.hpp"
#include "analyzer/suppress.hpp"
#include "analyzer/text.hpp"
#include "rules/finding.hpp"
#include "rules/registry.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

namespace {
constexpr int kMaxDepth = 1500;  // libpg_query rejects deeper nesting itself (stack depth limit)
}

Engine::Engine(const Settings& settings, const RuleSelection& selection) : settings_(settings) {
  rules_ = make_all_rules();
  std::set<std::string> known;
  for (const auto& r : rules_) known.insert(std::string(r->info().id));
  auto check_known = [&](const std::string& id, const char* flag) {
    if (!known.count(id)) throw std::invalid_argument(std::string(flag) + ": unknown rule '" + id + "' (see `driftguard rules`)");
  };
  for (const auto& id : selection.only) check_known(id, "--rule");
  for (const auto& id : selection.exclude) check_known(id, "--exclude-rule");
  for (const auto& [id, sev] : selection.severity) check_known(id, "--severity");

  chosen_ = selection.only;
  for (const auto& [id, sev] : selection.severity) chosen_.insert(id);
  for (const auto& r : rules_) {
    std::string id(r->info().id);
    category_[id] = std::string(r->info().category);
    Severity s = r->info().severity;
    if (auto it = selection.severity.find(id); it != selection.severity.end()) s = it->second;
    // --rule enables a rule even when it is off by default (opt-in rules), at its default or given severity.
    if (!selection.only.empty()) {
      if (!selection.only.count(id)) {
        s = Severity::off;
      } else if (s == Severity::off && !selection.severity.count(id)) {
        s = Severity::warning;
      }
    }
    if (selection.exclude.count(id)) s = Severity::off;
    if (r->info().default_layout && !selection.only.count(id) && !selection.severity.count(id)) {
      layout_gated_[id] = *r->info().default_layout;
    }
    severity_[id] = s;
    if (s == Severity::off) continue;
    active_.push_back(r.get());
    for (auto t : r->node_types()) dispatch_[std::string(t)].push_back(r.get());
  }
}

bool Engine::enabled_for(const std::string& rule, const SourceFile& file) const {
  auto g = layout_gated_.find(rule);
  return enabled(rule) && (g == layout_gated_.end() || g->second == file.info.layout);
}

Severity Engine::severity_of(const std::string& rule) const {
  auto it = severity_.find(rule);
  return it == severity_.end() ? Severity::off : it->second;
}

void Engine::walk(const json& node, RuleContext& ctx, int depth) const {
  if (depth > kMaxDepth) return;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it.key();
      const json& value = it.value();
      bool typed = !key.empty() && key[0] >= 'A' && key[0] <= 'Z' && value.is_object();
      if (typed) {
        if (auto d = dispatch_.find(key); d != dispatch_.end()) {
          for (const Rule* r : d->second) {
            if (r->info().default_layout && !enabled_for(std::string(r->info().id), ctx.file())) continue;
            ctx.set_rule(r);
            r->check(key, value, ctx);
          }
        }
        ctx.mutable_ancestors().push_back({key, &value});
        walk(value, ctx, depth + 1);
        ctx.mutable_ancestors().pop_back();
      } else if (value.is_structured()) {
        walk(value, ctx, depth + 1);
      }
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      if (v.is_structured()) walk(v, ctx, depth + 1);
    }
  }
}

namespace {

// The statements of the up part: all of them (no copy: a statement's tree is large) unless the file has down
// sections, whose statements are left out of `storage`.
const std::vector<Statement>& up_statements(const SourceFile& file, const ParsedFile& pf,
                                            std::vector<Statement>& storage) {
  const auto down = down_sections(file.text);
  if (down.empty()) return pf.statements;
  for (const auto& st : pf.statements) {
    if (!in_sections(down, st.span.begin)) storage.push_back(st);
  }
  return storage;
}

}  // namespace

void release_trees(ParsedFile& pf) {
  for (auto& st : pf.statements) st.node = pg::TreeRef();
}

namespace {

const char* kSyntaxHelp =
    "Fix the statement so that PostgreSQL accepts it. driftguard parses with the PostgreSQL 15 grammar: syntax "
    "added in PostgreSQL 16 or later is reported here too.";

}  // namespace

ParsedFile Engine::parse(const SourceFile& file) {
  ParseOptions popts;
  popts.want_comments = may_contain_directives(file.text);
  // Only a file drizzle's migrator runs is cut at a marker inside a string (psql reads the string whole).
  if (file.text.find("--> statement-breakpoint") != std::string::npos && detect_runner(file) == Runner::drizzle) {
    return parse_drizzle_sql(file.text, popts);
  }
  return parse_sql(file.text, popts);
}

FileReport Engine::lint(const SourceFile& file, RunState& run, std::vector<Finding> external) const {
  return lint(file, parse(file), run, std::move(external));
}

FileReport Engine::lint(const SourceFile& file, ParsedFile pf, RunState& run, std::vector<Finding> external) const {
  FileReport report;
  report.statements = static_cast<int>(pf.statements.size());
  // The down sections are parsed (their syntax errors are reported) but never linted as part of the up migration.
  std::vector<Statement> up_only;
  const std::vector<Statement>& up = up_statements(file, pf, up_only);
  report.meta_commands = pf.meta_commands;

  std::vector<Finding> raw;
  if (auto bad = find_invalid_utf8(file.text)) {
    raw.push_back(make_finding("syntax-error", file.path, Span{*bad, *bad + 1},
                               "invalid UTF-8 byte 0x" +
                                   [&] {
                                     static const char* hex = "0123456789ABCDEF";
                                     unsigned char c = static_cast<unsigned char>(file.text[*bad]);
                                     return std::string{hex[c >> 4], hex[c & 15]};
                                   }(),
                               "Convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`)."));
    raw.back().notes.push_back(
        Note{"the file is not UTF-8 encoded, and PostgreSQL rejects it in a UTF8 database", std::nullopt, {}, {}});
  }
  for (const auto& e : pf.errors) {
    // PostgreSQL's message is the first line; driftguard's explanation of text that is not SQL (parse.cpp's
    // not_sql_hint: " (a psql variable: ...)", " (a template placeholder: ...)") is a note.
    std::string message = e.message;
    std::string hint;
    for (const char* h : {" (a psql variable", " (a template placeholder"}) {
      std::size_t at = message.rfind(h);
      if (at == std::string::npos || message.back() != ')') continue;
      hint = message.substr(at + 2, message.size() - at - 3);
      message.resize(at);
      break;
    }
    raw.push_back(make_finding("syntax-error", file.path, e.span, std::move(message), kSyntaxHelp));
    if (!hint.empty()) raw.back().notes.push_back(Note{std::move(hint), std::nullopt, {}, {}});
  }

  FileState state(&run, file_transaction(settings_.runner, settings_.assume_in_transaction, file, up,
                                         settings_.pg_version));
  RuleContext ctx(file, settings_, state, run);
  ctx.set_rule_enabled([this, &file](std::string_view id) { return enabled_for(std::string(id), file); });
  ctx.set_rule_chosen([this](std::string_view id) { return chosen_.count(std::string(id)) > 0; });
  if (file.info.direction == Direction::up) {
    run.begin_file(file, settings_.baseline);
    ctx.set_statements(&up);
    // The replay advances the run's schema model statement by statement; each statement is checked just before
    // it is applied, so rules see the schema it runs on (ctx.run().model()).
    std::size_t next = 0;
    auto check_statement = [&](std::size_t i) {
      for (; next <= i && next < up.size(); ++next) {
        const auto& st = up[next];
        ctx.set_statement(&st);
        ctx.set_statement_index(next);
        ctx.mutable_ancestors().clear();
        walk(st.node, ctx, 0);
        state.apply(st);
      }
    };
    run.replay_file(file, pf, state.runner_transaction().mode, check_statement);
    if (!up.empty()) check_statement(up.size() - 1);  // the replay visits every statement; this is a safeguard
    for (const Rule* r : active_) {
      if (!enabled_for(std::string(r->info().id), file)) continue;
      ctx.set_rule(r);
      r->finish_file(ctx);
    }
    run.end_file();
  }
  // Nothing reads the statements' trees after the walk and the replay (suppressions read spans): a large file's
  // trees (~14 bytes per byte of SQL) are released before its findings are handed over from one vector to the next,
  // the moment that was lint's peak on one large file (bench/RESULTS.md, fourteenth session).
  release_trees(pf);
  std::vector<Statement>().swap(up_only);
#if defined(__GLIBC__)
  // Freed, the trees' blocks stay in the process (glibc keeps freed heap pages): give them back, for a file large
  // enough to be parsed in runs (one call per such file; bench/RESULTS.md, fourteenth session).
  if (file.text.size() >= ParseOptions{}.runs_from_bytes) malloc_trim(0);
#endif
  // Findings at another file's place (a schema.prisma field) are located already, once per run; suppressions
  // in this file do not reach them.
  std::vector<Finding> elsewhere;
  raw.reserve(raw.size() + ctx.findings().size() + external.size());
  for (auto& f : ctx.findings()) {
    if (f.file == file.path) {
      raw.push_back(std::move(f));
    } else if (run.first_report_at(f)) {
      elsewhere.push_back(std::move(f));
    }
  }
  std::vector<Finding>().swap(ctx.findings());  // the moved-from findings

  for (auto& f : external) raw.push_back(std::move(f));
  // Moved through both, filtered in place: a large file's findings are never held twice.
  report.findings = finish(file, apply_ignores(file, pf, std::move(raw), true));
  // Byte offsets are reported relative to the file on disk (after a BOM).
  for (auto& f : report.findings) {
    f.span.begin += file.bom;
    f.span.end += file.bom;
    if (f.fix) {
      for (auto& e : f.fix->edits) {
        e.span.begin += file.bom;
        e.span.end += file.bom;
      }
    }
  }
  if (!elsewhere.empty()) {
    for (auto& f : elsewhere) {
      Severity s = severity_of(f.rule);
      if (s == Severity::off) continue;
      f.severity = s;
      if (auto c = category_.find(f.rule); c != category_.end()) f.category = c->second;
      report.findings.push_back(std::move(f));
    }
    sort_findings(report.findings);
  }
  return report;
}

// The file's driftguard-ignore comments applied to `raw`: what they suppress is dropped; with `report_unused`, a
// comment (or a rule named in it) that suppresses nothing is an unused-ignore finding.
std::vector<Finding> Engine::apply_ignores(const SourceFile& file, const ParsedFile& pf,
                                           std::vector<Finding> findings, bool report_unused) const {
  std::vector<Directive> directives;
  if (may_contain_directives(file.text)) directives = parse_directives(file.text, pf.comments);
  struct Target {
    Span span;
    std::vector<bool> used;
    bool any_used = false;
  };
  std::vector<Target> targets;
  // The statements' and errors' starts, sorted (in file order where equal), so that each directive finds the next
  // one by a binary search, not by a scan of the file's statements per directive.
  struct Start {
    std::size_t begin;
    std::size_t end;
    bool error;
  };
  std::vector<Start> starts;
  std::vector<std::size_t> statement_begins;
  if (!directives.empty()) {
    for (const auto& st : pf.statements) {
      starts.push_back({st.span.begin, st.span.end, false});
      statement_begins.push_back(st.span.begin);
    }
    for (const auto& e : pf.errors) starts.push_back({e.span.begin, 0, true});
    // Statements before errors at one offset: an error is chosen only before the first statement's start.
    std::stable_sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) {
      return a.begin != b.begin ? a.begin < b.begin : !a.error && b.error;
    });
    std::sort(statement_begins.begin(), statement_begins.end());
  }
  for (const auto& d : directives) {
    Target t;
    t.used.assign(d.rules.size(), false);
    if (d.scope == Directive::Scope::file) {
      t.span = Span{0, file.text.size()};
    } else {
      // The first statement or error starting after the comment: a statement, its span; an error, up to the next
      // statement's start (or the end of the text).
      auto next = std::lower_bound(starts.begin(), starts.end(), d.comment.end,
                                   [](const Start& s, std::size_t at) { return s.begin < at; });
      if (next == starts.end()) {
        t.span = Span{d.comment.end, d.comment.end};
      } else if (!next->error) {
        t.span = Span{next->begin, next->end};
      } else {
        auto after = std::upper_bound(statement_begins.begin(), statement_begins.end(), next->begin);
        t.span = Span{next->begin, after == statement_begins.end() ? file.text.size() : *after};
      }
    }
    targets.push_back(std::move(t));
  }
  // Which comments cover a finding: those of the whole file, and the statement-scoped ones whose target starts at
  // or before it, found from the last such target backwards while one of them can still reach it (`reach`: the
  // furthest end among the targets up to there) — not every comment for every finding.
  std::vector<std::size_t> whole_file;
  std::vector<std::size_t> by_start;
  for (std::size_t i = 0; i < directives.size(); ++i) {
    (directives[i].scope == Directive::Scope::file ? whole_file : by_start).push_back(i);
  }
  std::stable_sort(by_start.begin(), by_start.end(),
                   [&](std::size_t a, std::size_t b) { return targets[a].span.begin < targets[b].span.begin; });
  std::vector<std::size_t> reach(by_start.size());
  for (std::size_t k = 0; k < by_start.size(); ++k) {
    reach[k] = std::max(k ? reach[k - 1] : 0, targets[by_start[k]].span.end);
  }
  std::erase_if(findings, [&](const Finding& f) {
    bool suppressed = false;
    auto apply = [&](std::size_t i) {
      const auto& d = directives[i];
      auto& t = targets[i];
      if (f.span.begin < t.span.begin || f.span.begin > t.span.end) return;
      if (d.rules.empty()) {
        t.any_used = true;
        suppressed = true;
        return;
      }
      for (std::size_t k = 0; k < d.rules.size(); ++k) {
        if (d.rules[k] == f.rule) {
          t.used[k] = true;
          t.any_used = true;
          suppressed = true;
        }
      }
    };
    for (std::size_t i : whole_file) apply(i);
    auto after = std::upper_bound(by_start.begin(), by_start.end(), f.span.begin,
                                  [&](std::size_t at, std::size_t i) { return at < targets[i].span.begin; });
    for (std::size_t k = static_cast<std::size_t>(after - by_start.begin()); k > 0 && reach[k - 1] >= f.span.begin; --k) {
      apply(by_start[k - 1]);
    }
    return suppressed;
  });
  if (!report_unused) return findings;
  for (std::size_t i = 0; i < directives.size(); ++i) {
    const auto& d = directives[i];
    const auto& t = targets[i];
    const char* what = d.scope == Directive::Scope::file ? "driftguard-ignore-file" : "driftguard-ignore";
    if (d.rules.empty()) {
      if (!t.any_used) {
        findings.push_back(make_finding("unused-ignore", file.path, d.comment,
                                    std::string(what) + " suppresses nothing: no finding " +
                                        (d.scope == Directive::Scope::file ? "in this file" : "on the next statement"),
                                    "Remove the comment."));
      }
      continue;
    }
    for (std::size_t k = 0; k < d.rules.size(); ++k) {
      const std::string& id = d.rules[k];
      if (!severity_.count(id)) {
        findings.push_back(make_finding("unused-ignore", file.path, d.rule_spans[k],
                                    std::string(what) + " names an unknown rule '" + id + "'",
                                    "Use a rule id from `driftguard rules`, or remove it."));
      } else if (!t.used[k] && enabled_for(id, file)) {
        findings.push_back(make_finding("unused-ignore", file.path, d.rule_spans[k],
                                    std::string(what) + " for " + id + " suppresses nothing",
                                    "Remove " + id + " from the comment."));
        findings.back().notes.push_back(Note{id + " reports nothing " + (d.scope == Directive::Scope::file
                                                                          ? "in this file"
                                                                          : "on the next statement"),
                                         std::nullopt, {}, {}});
      }
    }
  }
  return findings;
}

// Severity and category from this engine's configuration (findings of disabled rules dropped), spans clamped to
// the text, line/column filled in, sorted.
std::vector<Finding> Engine::finish(const SourceFile& file, std::vector<Finding> findings) const {
  std::erase_if(findings, [this](const Finding& f) { return severity_of(f.rule) == Severity::off; });
  for (auto& f : findings) {
    f.severity = severity_of(f.rule);
    auto c = category_.find(f.rule);
    if (c != category_.end()) f.category = c->second;
    f.span.begin = std::min(f.span.begin, file.text.size());
    f.span.end = std::clamp(f.span.end, f.span.begin, file.text.size());
  }
  locate(findings, file.text);
  sort_findings(findings);
  return findings;
}

std::vector<Finding> Engine::suppress(const SourceFile& file, std::vector<Finding> findings) const {
  ParsedFile pf = parse(file);
  return finish(file, apply_ignores(file, pf, std::move(findings), false));
}

namespace {

// A file's up statements replayed into the run's model as its runner runs them, without the rules.
void replay_up_statements(const Settings& settings, const SourceFile& file, const ParsedFile& pf, RunState& run) {
  std::vector<Statement> up_only;
  const std::vector<Statement>& up = up_statements(file, pf, up_only);
  TxMode mode = file_transaction(settings.runner, settings.assume_in_transaction, file, up, settings.pg_version).mode;
  run.replay_file(file, pf, mode, {});
}

}  // namespace

void Engine::replay_up(const SourceFile& file, RunState& run) const {
  if (file.info.direction == Direction::up) replay_up_statements(settings_, file, parse_sql(file.text), run);
}

std::shared_ptr<const model::SchemaModel> Engine::history_end(const std::vector<SourceFile>& files,
                                                              RunState run) const {
  for (const auto& file : files) replay_up(file, run);
  return std::make_shared<const model::SchemaModel>(run.take_model());
}

std::optional<model::SchemaModel> Engine::history_end(const std::vector<std::string>& paths, RunState run) const {
  return history_end(paths, std::move(run), {});
}

std::optional<model::SchemaModel> Engine::history_end(const std::vector<std::string>& paths, RunState run,
                                                      const std::function<void(SourceFile&, ParsedFile&)>& keep) const {
  bool any = false;
  for (const auto& path : paths) {
    std::optional<SourceFile> file;
    try {
      file = load_file(path);
    } catch (const InputFailure&) {
      continue;  // reported when the file is linted
    }
    any = true;
    // parse(file)'s statements are parse_sql's (its comments aside) unless it cuts the text at drizzle's markers.
    if (!keep || file->info.direction != Direction::up ||
        file->text.find("--> statement-breakpoint") != std::string::npos) {
      replay_up(*file, run);
      continue;
    }
    ParsedFile parsed = parse(*file);
    replay_up_statements(settings_, *file, parsed, run);
    keep(*file, parsed);
  }
  if (!any) return std::nullopt;
  return run.take_model();
}

void replay_context(const Settings& settings, const SourceFile& file, const ParsedFile& parsed, RunState& run) {
  if (file.info.direction != Direction::up) return;
  run.begin_file(file, settings.baseline);
  replay_up_statements(settings, file, parsed, run);
  run.end_file();
}

void locate(std::vector<Finding>& findings, const std::string& text) {
  if (findings.empty()) return;
  LineMap map(text);
  for (auto& f : findings) {
    f.start = map.position(f.span.begin);
    f.end = map.position(f.span.end);
    for (auto& n : f.notes) {
      if (n.span) {
        n.start = map.position(n.span->begin);
        n.end = map.position(n.span->end);
      }
    }
  }
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return a.rule < b.rule;
  });
}

}  // namespace driftguard
