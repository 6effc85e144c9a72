#include "cli/check_down.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <tuple>
#include <utility>

#include "analyzer/marker_lines.hpp"
#include "analyzer/parse.hpp"
#include "cli/rollback.hpp"
#include "introspect/shadow.hpp"
#include "rules/engine.hpp"
#include "rules/finding.hpp"

namespace driftguard {

namespace fs = std::filesystem;

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_tool_marker(const MarkerLine& m) { return starts_with(m.text, "+goose") || starts_with(m.text, "migrate:"); }
bool is_down_marker(const MarkerLine& m) { return starts_with(m.text, "+goose down") || starts_with(m.text, "migrate:down"); }

}  // namespace

SourceFile DownHistory::load(const std::string& path) const {
  auto it = texts.find(fs::path(path).lexically_normal().string());
  return it == texts.end() ? load_file(path) : make_source(path, it->second);
}

DownHistory down_history(const std::vector<std::string>& files, std::map<std::string, std::string> texts) {
  DownHistory h;
  h.texts = std::move(texts);
  std::vector<std::string> ups;
  for (const auto& f : files) {
    if (classify(f).direction == Direction::up) ups.push_back(f);
  }
  // A Flyway undo file (U1__x.sql) is classified as an up migration by its name: it is the down of V1__x.sql.
  std::vector<RollbackTarget> targets;
  std::set<std::string> down_files;
  for (const auto& up : ups) {
    targets.push_back(rollback_target({up}));
    if (!targets.back().path.empty()) down_files.insert(fs::path(targets.back().path).lexically_normal().string());
  }
  for (std::size_t i = 0; i < ups.size(); ++i) {
    if (down_files.count(fs::path(ups[i]).lexically_normal().string())) continue;
    DownPair p;
    p.up_index = h.ups.size();
    p.up = ups[i];
    h.ups.push_back(ups[i]);
    std::error_code ec;
    if (!targets[i].path.empty()) {
      bool elsewhere = h.texts.count(fs::path(targets[i].path).lexically_normal().string()) > 0;
      if (!elsewhere && !fs::is_regular_file(targets[i].path, ec)) continue;
      p.down = targets[i].path;
    } else {
      SourceFile file;
      try {
        file = h.load(ups[i]);
      } catch (const InputFailure&) {
        continue;  // reported when the history is replayed
      }
      if (down_sections(file.text).empty()) continue;
      p.down = ups[i];
      p.section = true;
    }
    h.pairs.push_back(p);
  }
  return h;
}

SourceFile down_source(const DownPair& pair, const DownHistory& history) { return down_source(pair, history.load(pair.down)); }

SourceFile down_source(const DownPair& pair, SourceFile file) {
  file.info.direction = Direction::up;  // it runs here: the replay and the shadow skip down migrations
  if (!pair.section) return file;
  std::string text = file.text;
  std::vector<bool> keep(text.size(), false);
  for (const auto& s : down_sections(file.text)) std::fill(keep.begin() + s.begin, keep.begin() + s.end, true);
  for (const auto& m : marker_lines(file.text)) {
    if (!is_tool_marker(m)) continue;
    // The tool's markers stay: they tell the runner (goose, dbmate) and its transaction options.
    std::fill(keep.begin() + m.line_begin, keep.begin() + m.end, true);
    if (is_down_marker(m)) {
      std::size_t at = m.dashes;
      auto is_down_word = [&](std::size_t k) {
        return std::tolower(static_cast<unsigned char>(text[k])) == 'd' && std::tolower(static_cast<unsigned char>(text[k + 1])) == 'o' &&
               std::tolower(static_cast<unsigned char>(text[k + 2])) == 'w' && std::tolower(static_cast<unsigned char>(text[k + 3])) == 'n';
      };
      while (at + 4 <= m.end && !is_down_word(at)) ++at;
      if (at + 4 <= m.end) text.replace(at, 4, "up  ");
    }
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!keep[i] && text[i] != '\n' && text[i] != '\r') text[i] = ' ';
  }
  file.text = std::move(text);
  return file;
}

namespace {

std::string item_message(const diff::DriftItem& i) {
  auto what = [&](std::size_t prefix) {
    std::string w = i.kind.substr(prefix);
    for (auto& c : w) c = c == '-' ? ' ' : c;
    return w;
  };
  if (starts_with(i.kind, "missing-")) {
    return "the down migration does not restore " + what(8) + " " + i.path + " (it existed before the up migration)";
  }
  if (starts_with(i.kind, "extra-")) {
    return "the down migration leaves " + what(6) + " " + i.path + ", which did not exist before the up migration";
  }
  std::string m = "after the down migration, " + i.message;
  // Messages such as "has a different default" do not carry the two values.
  if (i.message.find(i.expected.value) == std::string::npos) {
    m += " (before the up migration: " + i.expected.value + "; after the down: " + i.actual.value + ")";
  }
  return m;
}

// Severity and category are the configuration's: the caller passes the findings through Engine::suppress or
// Engine::lint, which also apply the down file's driftguard-ignore comments.
Finding down_finding(const std::string& file, Span span, std::string message, std::string help) {
  return make_finding(kIncompleteDown, file, span, std::move(message), std::move(help));
}

// Where the down's findings point: its first statement (`parsed`: the down as replayed); an empty down file at its
// start, an empty Down section at its marker.
Span down_position(const ParsedFile& parsed, const SourceFile& original, const DownPair& pair) {
  if (!parsed.statements.empty()) return parsed.statements.front().span;
  if (pair.section) {
    auto sections = down_sections(original.text);
    if (!sections.empty()) return Span{sections.front().begin, sections.front().begin};
  }
  return Span{0, 0};
}

// Where the SQL that completes the down is appended: the end of the down file, or of the last Down section.
std::size_t append_at(const SourceFile& original, const DownPair& pair) {
  if (!pair.section) return original.text.size();
  auto sections = down_sections(original.text);
  return sections.empty() ? original.text.size() : sections.back().end;
}

// Compares the schema before the up with the schema after the down, and says what the down does not restore.
// `at`: where the findings point (down_position).
void judge(DownCheck& c, const SourceFile& down, const SourceFile& original, Span at, const std::vector<Finding>& down_errors,
           const model::SchemaModel& before, const model::SchemaModel& after) {
  for (const auto& e : down_errors) {
    // PostgreSQL's error in the first line when it is short ("table "post" does not exist"), else in a note.
    std::string head = "the down migration fails: ";
    head += e.message;
    const bool short_error = head.size() <= 80;
    if (!short_error) head = "the down migration fails at this statement";
    c.findings.push_back(down_finding(down.path, e.span, head,
                                      "Fix the statement: the migration tool stops at it and the rollback fails."));
    if (!short_error) c.findings.back().notes.push_back(Note{"it does not apply: " + e.message, std::nullopt, {}, {}});
  }
  c.items = diff::diff(before, after);
  if (c.items.empty()) return;
  model::ScriptOptions opts = rollback_target({c.pair.up}).options;
  opts.lock_timeout = "";
  opts.reason = "down migration";
  model::Script script = model::script_between(after, before, opts);
  c.completion = script.text(opts, {"Completes the down migration (driftguard check-down): restores the schema before " +
                                    c.pair.up + "."});
  // One finding per down, at one place: the first line counts what it leaves unrestored, each difference is a note.
  std::filesystem::path up(c.pair.up);
  std::string up_name = up.filename().string();
  if ((up_name == "up.sql" || up_name == "migration.sql") && up.has_parent_path()) {
    up_name = up.parent_path().filename().string();
  }
  const std::size_t n = c.items.size();
  c.findings.push_back(down_finding(down.path, at,
                                    "the down migration leaves " + std::to_string(n) +
                                        (n == 1 ? " difference" : " differences") + " from the schema before " +
                                        up_name,
                                    "Make the down migration restore the schema before the up migration (the fix "
                                    "appends the SQL driftguard writes for it)."));
  for (const auto& i : c.items) c.findings.back().notes.push_back(Note{item_message(i), std::nullopt, {}, {}});
  // One fix per down: the findings of one down share the insertion point, and overlapping fixes are skipped.
  std::size_t end = append_at(original, c.pair);
  bool newline = end == 0 || original.text[end - 1] == '\n';
  Fix fix{"append the SQL that restores the schema before the up migration",
          {Edit{Span{end, end}, (newline ? "\n" : "\n\n") + c.completion}}};
  c.findings[down_errors.size()].fix = std::move(fix);
}

// The shadow: PostgreSQL builds the schema before the up, and the schema after the up and the down, each in a
// throwaway cluster; the catalogs are compared.
void shadow_check(DownCheck& c, const std::vector<shadow::File>& history, const shadow::File& down,
                  const SourceFile& original, Span at, const LoadContext& ctx) {
  catalog::Options opts = ctx.catalog;
  if (opts.schemas.empty()) opts.include_platform = true;  // the platform's schemas are the same on both sides
  std::vector<SourceFile> baseline = ctx.platform ? ctx.platform->files : std::vector<SourceFile>{};
  std::size_t up = c.pair.up_index;
  std::vector<shadow::File> files(history.begin(), history.begin() + static_cast<std::ptrdiff_t>(up));
  shadow::Result before = shadow::replay(files, opts, ctx.log, baseline);
  if (!before.findings.empty()) {
    c.cannot_check = "the history before " + c.pair.up + " does not apply: " + before.findings.front().file + ":" +
                     std::to_string(before.findings.front().start.line) + ": " + before.findings.front().message;
    return;
  }
  files.push_back(history[up]);
  files.push_back(down);
  shadow::Result after = shadow::replay(files, opts, ctx.log, baseline);
  if (after.files < static_cast<int>(up) + 1) {
    c.cannot_check = "the up migration " + c.pair.up + " does not apply: " + after.findings.front().file + ":" +
                     std::to_string(after.findings.front().start.line) + ": " + after.findings.front().message;
    return;
  }
  judge(c, down.source, original, at, after.findings, before.model, after.model);
}

}  // namespace

CheckDownResult check_down(const DownHistory& history, const LoadContext& ctx) {
  CheckDownResult out;
  model::Replayer replayer = start_replay(ctx);
  std::vector<Finding> history_findings;  // the history's own replay errors: lint and drift report them
  std::vector<shadow::File> loaded;       // the ups as the shadow runs them
  // The check, the down, its file, where its findings point.
  std::vector<std::tuple<DownCheck, shadow::File, SourceFile, Span>> shadow_todo;
  auto pair = history.pairs.begin();
  for (std::size_t i = 0; i < history.ups.size(); ++i) {
    SourceFile up;
    try {
      up = history.load(history.ups[i]);
    } catch (const InputFailure& e) {
      out.errors.push_back({history.ups[i], e.message});
      return out;  // a history with a hole cannot be replayed
    }
    // Nothing after the last pair's up is compared: those files are read (an unreadable one is still reported, as
    // above) but not replayed.
    if (pair == history.pairs.end()) continue;
    bool has_down = pair != history.pairs.end() && pair->up_index == i;
    // The const model(): the other one tells the replayer its model may change, which drops its name index and
    // replica (rebuilt and copied again for each pair).
    model::SchemaModel before = has_down ? std::as_const(replayer).model() : model::SchemaModel{};
    std::size_t known = history_findings.size();
    // `before` is the model as the up starts: a rollback of the up restores it, so no replica replays the up again.
    if (has_down) replayer.set_file_start(&before);
    model::FileMode mode = apply_source(replayer, up, ctx, history_findings);
    if (ctx.shadow) loaded.push_back({up, mode});  // only the shadow runs the ups again: no text kept without it
    if (!has_down) continue;
    DownCheck c;
    c.pair = *pair++;
    // An up the replay cannot apply leaves a schema no down can be compared with (the history is incomplete, or
    // the up is wrong: lint and drift report that).
    auto up_error = std::find_if(history_findings.begin() + static_cast<std::ptrdiff_t>(known), history_findings.end(),
                                 [&](const Finding& f) { return f.file == up.path; });
    if (up_error != history_findings.end() && !ctx.shadow) {
      c.cannot_check = "the up migration does not apply: " + up_error->file + ":" + std::to_string(up_error->start.line) +
                       ": " + up_error->message;
      out.checks.push_back(std::move(c));
      continue;
    }
    // Each file is read once: a goose/dbmate Down section is in the up file just read.
    SourceFile original;
    try {
      original = c.pair.section && c.pair.down == up.path ? up : history.load(c.pair.down);
    } catch (const InputFailure& e) {
      out.errors.push_back({c.pair.down, e.message});
      continue;
    }
    SourceFile down = down_source(c.pair, original);
    out.texts[c.pair.down] = original.text;
    model::Replayer undone = replayer;
    undone.set_file_start(&std::as_const(replayer).model());  // a rollback of the down restores the model after the up
    std::vector<Finding> down_errors;
    // Parsed once: replayed, and its first statement is where the findings point.
    ParsedFile parsed = parse_sql(down.text);
    model::FileMode down_mode = apply_source(undone, down, parsed, ctx, down_errors);
    std::erase_if(down_errors, [&](const Finding& f) { return f.file != down.path; });
    Span at = down_position(parsed, original, c.pair);
    if (ctx.shadow) {
      shadow_todo.emplace_back(std::move(c), shadow::File{down, down_mode}, std::move(original), at);
      continue;
    }
    judge(c, down, original, at, down_errors, before, undone.model());
    out.checks.push_back(std::move(c));
  }
  for (auto& [c, down, original, at] : shadow_todo) {
    shadow_check(c, loaded, down, original, at, ctx);
    out.checks.push_back(std::move(c));
  }
  for (auto& c : out.checks) locate(c.findings, out.texts[c.pair.down]);
  return out;
}

}  // namespace driftguard
