#include "rules/locking/lock_trace.hpp"

#include "analyzer/marker_lines.hpp"
#include "analyzer/text.hpp"
#include "rules/names.hpp"

namespace driftguard {

FileTrace trace_locks(const SourceFile& file, RunState& run, const Settings& settings) {
  FileTrace t;
  t.path = file.path;
  ParsedFile pf = parse_sql(file.text);
  t.runner = file_transaction(settings.runner, settings.assume_in_transaction, file, pf.statements,
                              settings.pg_version);
  t.errors = pf.errors;
  LineMap lines(file.text);
  for (const auto& e : pf.errors) t.error_positions.push_back(lines.position(e.span.begin));
  if (file.info.direction != Direction::up) return t;
  FileState state(&run, t.runner);
  run.begin_file(file, settings.baseline);
  // The replay's statements are the up part of the file (goose/dbmate down sections are not run).
  std::vector<const Statement*> up;
  const auto down = down_sections(file.text);
  for (const auto& st : pf.statements) {
    if (!in_sections(down, st.span.begin)) up.push_back(&st);
  }
  auto trace = [&](std::size_t i) {
    const Statement& st = *up.at(i);
    TracedStatement ts;
    ts.span = st.span;
    ts.start = lines.position(st.span.begin);
    std::string_view text = std::string_view(file.text).substr(st.span.begin, st.span.end - st.span.begin);
    ts.text = std::string(text.substr(0, text.find_first_of("\r\n")));
    if (ts.text.size() > 72) ts.text = ts.text.substr(0, 69) + "...";
    ts.transaction = st.do_depth > 0                    ? "do-block"
                     : state.in_explicit_transaction() ? "explicit"
                     : state.in_transaction()          ? "runner"
                                                       : "none";
    for (auto& l : locks_of(st.node)) {
      std::string origin = !state.is_new_relation(l.relation)         ? "existing"
                           : run.relation_created_in_file(l.relation) ? "created in this file"
                                                                      : "created after the baseline";
      ts.locks.push_back({std::move(l), origin});
    }
    t.statements.push_back(std::move(ts));
    state.apply(st);
  };
  run.replay_file(file, pf, t.runner.mode, trace);
  run.end_file();
  return t;
}

}  // namespace driftguard
