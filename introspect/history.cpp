#include "introspect/history.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "analyzer/source.hpp"
#include "analyzer/text.hpp"
#include "introspect/sha256.hpp"

namespace fs = std::filesystem;

namespace driftguard::history {

std::string_view to_string(Tracker t) {
  switch (t) {
    case Tracker::prisma:
      return "prisma";
    case Tracker::supabase:
      return "supabase";
    case Tracker::json:
      return "json";
    case Tracker::infer:
      return "infer";
  }
  return "prisma";
}

std::string_view to_string(State s) {
  switch (s) {
    case State::applied:
      return "applied";
    case State::pending:
      return "pending";
    case State::failed:
      return "failed";
    case State::rolled_back:
      return "rolled-back";
    case State::edited:
      return "edited";
    case State::missing:
      return "missing";
    case State::out_of_order:
      return "out-of-order";
    case State::partial:
      return "partially-applied";
  }
  return "applied";
}

std::string_view to_string(Problem p) {
  switch (p) {
    case Problem::pending:
      return "pending";
    case Problem::failed:
      return "failed";
    case Problem::edited:
      return "edited";
    case Problem::missing:
      return "missing";
    case Problem::out_of_order:
      return "out-of-order";
    case Problem::rolled_back:
      return "rolled-back";
    case Problem::partial:
      return "partially-applied";
  }
  return "pending";
}

std::optional<Problem> parse_problem(std::string_view s) {
  for (auto p : {Problem::pending, Problem::failed, Problem::edited, Problem::missing, Problem::out_of_order,
                 Problem::rolled_back, Problem::partial}) {
    if (to_string(p) == s) return p;
  }
  return std::nullopt;
}

std::string_view to_string(EditKind k) {
  switch (k) {
    case EditKind::none:
      return "";
    case EditKind::line_endings:
      return "line-endings";
    case EditKind::whitespace_comments:
      return "whitespace-or-comments";
    case EditKind::real_change:
      return "real-change";
    case EditKind::unknown:
      return "unknown";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the tracker.

std::optional<std::string> locate_tracker(pqxx::transaction_base& tx, Tracker t) {
  std::string sql =
      t == Tracker::prisma
          ? "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = '_prisma_migrations' AND c.relkind IN ('r', 'p', 'v') "
            "ORDER BY n.nspname = current_schema() DESC, n.nspname LIMIT 1"
          : "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'schema_migrations' AND n.nspname = 'supabase_migrations' "
            "AND c.relkind IN ('r', 'p', 'v')";
  auto r = tx.exec(sql);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>() + (t == Tracker::prisma ? "._prisma_migrations" : ".schema_migrations");
}

namespace {

std::string quote_qualified(pqxx::transaction_base& tx, const std::string& table) {
  auto dot = table.find('.');
  return tx.quote_name(table.substr(0, dot)) + "." + tx.quote_name(table.substr(dot + 1));
}

std::optional<std::string> opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace

TrackerData read_tracker(pqxx::transaction_base& tx, Tracker t, const std::string& table) {
  TrackerData d;
  d.tracker = t;
  d.table = table;
  std::string q = quote_qualified(tx, table);
  // Timestamps as UTC ISO 8601 with milliseconds: stable text whatever the session's TimeZone and DateStyle.
  const std::string iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";
  if (t == Tracker::prisma) {
    auto r = tx.exec("SELECT id::text, checksum::text, to_char(finished_at AT TIME ZONE 'UTC', " + iso +
                     "), migration_name::text, logs::text, to_char(rolled_back_at AT TIME ZONE 'UTC', " + iso +
                     "), to_char(started_at AT TIME ZONE 'UTC', " + iso + "), applied_steps_count::int FROM " + q +
                     " ORDER BY started_at, id");
    for (const auto& row : r) {
      PrismaRow p;
      p.id = row[0].as<std::string>();
      p.checksum = row[1].as<std::string>();
      p.finished_at = opt(row[2]);
      p.migration_name = row[3].as<std::string>();
      p.logs = opt(row[4]);
      p.rolled_back_at = opt(row[5]);
      p.started_at = row[6].is_null() ? std::string() : row[6].as<std::string>();
      p.applied_steps_count = row[7].is_null() ? 0 : row[7].as<int>();
      d.prisma.push_back(std::move(p));
    }
  } else {
    // Early Supabase CLI versions created the table with `version` only: read what exists.
    // Appends only, and the quotes added here rather than by tx.quote(): GCC 12 at -O3 warns falsely (-Wrestrict)
    // on `"literal" + std::string&&`, which pqxx's quote() is made of.
    std::string sql = "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = '";
    sql += tx.esc(q);
    sql += "'";
    sql += "::regclass AND attnum > 0 AND NOT attisdropped";
    auto cols = tx.exec(sql);
    std::set<std::string> have;
    for (const auto& c : cols) have.insert(c[0].as<std::string>());
    auto r = tx.exec(std::string("SELECT version::text, ") + (have.count("name") ? "name::text" : "NULL") + ", " +
                     (have.count("statements") ? "to_json(statements)::text" : "NULL") + " FROM " + q +
                     " ORDER BY version");
    for (const auto& row : r) {
      SupabaseRow s;
      s.version = row[0].as<std::string>();
      s.name = opt(row[1]);
      if (!row[2].is_null()) {
        auto j = nlohmann::json::parse(row[2].as<std::string>(), nullptr, false);
        if (j.is_array()) {
          std::vector<std::string> stmts;
          for (const auto& e : j) stmts.push_back(e.is_string() ? e.get<std::string>() : std::string());
          s.statements = std::move(stmts);
        }
      }
      d.supabase.push_back(std::move(s));
    }
  }
  return d;
}

namespace {

// 1-based line and column (in characters) of a byte offset.
std::string line_col(const std::string& text, std::size_t offset) {
  int line = 1;
  int col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace

TrackerData read_json_tracker(const std::string& path, const std::string& text) {
  using nlohmann::json;
  TrackerData d;
  d.tracker = Tracker::json;
  d.table = path;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based: the byte where parsing stopped.
    std::string what = e.what();
    auto colon = what.rfind(": ");
    throw std::runtime_error(path + ":" + line_col(text, e.byte > 0 ? e.byte - 1 : 0) + ": invalid JSON: " +
                             (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  const std::string shapes = "expected a list of migration names, or of objects with \"name\", \"number\" and "
                             "\"applied_at\"";
  if (!doc.is_array()) throw std::runtime_error(path + ": " + shapes + ", got " + doc.type_name());
  for (std::size_t k = 0; k < doc.size(); ++k) {
    const json& e = doc[k];
    std::string at = path + ": [" + std::to_string(k) + "]: ";
    JsonRow row;
    if (e.is_string()) {
      row.name = e.get<std::string>();
    } else if (e.is_object()) {
      for (const auto& [key, value] : e.items()) {
        if (key == "name") {
          if (!value.is_string()) throw std::runtime_error(at + "\"name\" must be a string");
          row.name = value.get<std::string>();
        } else if (key == "number") {
          if (value.is_number_unsigned()) {
            row.number = std::to_string(value.get<std::uint64_t>());
          } else if (std::string digits = value.is_string() ? value.get<std::string>() : std::string();
                     !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c));
                     })) {
            row.number = digits;
          } else {
            throw std::runtime_error(at + "\"number\" must be a non-negative integer or a string of digits");
          }
        } else if (key == "applied_at") {
          if (!value.is_string() && !value.is_null()) throw std::runtime_error(at + "\"applied_at\" must be a string");
          if (value.is_string()) row.applied_at = value.get<std::string>();
        }
        // other keys (checksum, applied_by, ...) are the team's own: kept out of the comparison
      }
      if (row.name.empty() && !row.number) throw std::runtime_error(at + "an entry needs a \"name\" or a \"number\"");
    } else {
      throw std::runtime_error(at + shapes + ", got " + e.type_name());
    }
    d.json.push_back(std::move(row));
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Files.

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return ss.str();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<MigrationFile> migration_files(Tracker t, const std::vector<std::string>& paths,
                                           std::vector<std::string>& ignored) {
  std::vector<MigrationFile> out;
  for (const auto& p : paths) {
    fs::path path(p);
    MigrationFile f;
    f.path = p;
    if (t == Tracker::prisma) {
      if (lower(path.filename().string()) != "migration.sql") {
        ignored.push_back(p);
        continue;
      }
      f.name = path.parent_path().filename().string();
      f.version = f.name;
    } else if (t == Tracker::json) {
      MigrationInfo info = classify(p);
      if (info.direction == Direction::down) {
        ignored.push_back(p);
        continue;
      }
      std::string file = path.filename().string();
      if (info.layout == Layout::prisma) {
        f.name = path.parent_path().filename().string();
      } else {
        std::string l = lower(file);
        std::size_t cut = l.size() >= 7 && l.substr(l.size() - 7) == ".up.sql" ? 7 : l.size() >= 4 && l.substr(l.size() - 4) == ".sql" ? 4 : 0;
        f.name = file.substr(0, file.size() - cut);
      }
      std::size_t digits = 0;
      while (digits < f.name.size() && std::isdigit(static_cast<unsigned char>(f.name[digits]))) ++digits;
      f.version = f.name.substr(0, digits);
    } else {
      // The Supabase CLI's pattern: <digits>_<name>.sql
      std::string file = path.filename().string();
      std::size_t digits = 0;
      while (digits < file.size() && std::isdigit(static_cast<unsigned char>(file[digits]))) ++digits;
      if (digits == 0 || digits >= file.size() || file[digits] != '_' || lower(file).size() < 4 ||
          lower(file).substr(file.size() - 4) != ".sql") {
        ignored.push_back(p);
        continue;
      }
      f.name = file.substr(0, file.size() - 4);
      f.version = file.substr(0, digits);
    }
    f.bytes = read_bytes(p);
    out.push_back(std::move(f));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing contents.

namespace {

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t k = s.find(from, pos);
    if (k == std::string_view::npos) break;
    out.append(s.substr(pos, k - pos));
    out.append(to);
    pos = k + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

std::string lf(std::string_view s) { return replace_all(s, "\r\n", "\n"); }

// Hex without zero padding: the format of checksums written by early Prisma versions (prisma-engines#1887).
std::string old_checksum_format(std::string_view script) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (auto b : sha256(script)) {
    if (b >= 16) s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string collapse_space(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The tokens of SQL text without white space; comments kept as tokens (their white space collapsed) or dropped.
std::vector<std::string> tokens(std::string_view s, bool with_comments) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    if (is_space(s[pos])) {
      ++pos;
      continue;
    }
    std::size_t t = lex::skip_trivia(s, pos);
    if (t > pos) {
      if (with_comments) out.push_back(collapse_space(s.substr(pos, t - pos)));
      pos = t;
      continue;
    }
    std::size_t e = lex::skip_token(s, pos);
    if (e <= pos) e = pos + 1;
    if (e > s.size()) e = s.size();
    out.emplace_back(s.substr(pos, e - pos));
    pos = e;
  }
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::string render_statements(const std::vector<std::string>& stmts) {
  std::string out;
  for (const auto& s : stmts) out += s + ";\n";
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += p;
    out += '\x1f';
  }
  return out;
}

}  // namespace

ChecksumMatch match_checksum(std::string_view script, std::string_view stored_in) {
  std::string stored = lower(std::string(stored_in));
  auto matches = [&](std::string_view s) {
    return stored.size() == 64 ? sha256_hex(s) == stored : old_checksum_format(s) == stored;
  };
  if (matches(script)) return ChecksumMatch::exact;
  if (script.find("\r\n") != std::string_view::npos && matches(lf(script))) return ChecksumMatch::line_endings;
  if (script.find('\n') != std::string_view::npos && matches(replace_all(script, "\n", "\r\n"))) {
    return ChecksumMatch::line_endings;
  }
  return ChecksumMatch::none;
}

EditKind classify_edit(std::string_view applied, std::string_view current) {
  if (applied == current) return EditKind::none;
  std::string a = lf(applied);
  std::string b = lf(current);
  if (a == b) return EditKind::line_endings;
  if (tokens(a, false) == tokens(b, false)) return EditKind::whitespace_comments;
  return EditKind::real_change;
}

std::vector<std::string> supabase_statements(std::string_view text) {
  std::vector<std::string> out;
  auto pieces = lex::split_statements(text);
  std::size_t rest = 0;
  for (const auto& p : pieces) {
    std::string s = trim(text.substr(p.begin, p.end - p.begin));
    if (!s.empty()) out.push_back(std::move(s));
    rest = p.terminated ? p.end + 1 : text.size();
  }
  // What follows the last ';' is a statement of its own for the Supabase CLI, even when it is only comments.
  if (rest < text.size()) {
    std::string s = trim(text.substr(rest));
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Unified diff: common prefix and suffix, then a longest common subsequence of the lines in between.

namespace {

struct Line {
  std::string text;  // without '\n' and '\r'
  bool newline;      // ended by '\n'
  bool operator==(const Line& o) const { return text == o.text && newline == o.newline; }
};

std::vector<Line> split_lines(std::string_view s) {
  std::vector<Line> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    bool has = nl != std::string_view::npos;
    std::size_t end = has ? nl : s.size();
    std::size_t text_end = end;
    if (text_end > pos && s[text_end - 1] == '\r') --text_end;
    out.push_back({std::string(s.substr(pos, text_end - pos)), has});
    pos = has ? nl + 1 : s.size();
  }
  return out;
}

enum class Op { same, del, add };

}  // namespace

std::string unified_diff(std::string_view from, std::string_view to, const std::string& from_label,
                         const std::string& to_label) {
  auto a = split_lines(from);
  auto b = split_lines(to);
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::size_t n = a.size() - pre - suf;
  std::size_t m = b.size() - pre - suf;
  if (n == 0 && m == 0) return "";
  // Edit script over the middle.
  std::vector<std::pair<Op, std::size_t>> ops;  // (op, index in a for same/del, in b for add)
  for (std::size_t i = 0; i < pre; ++i) ops.push_back({Op::same, i});
  if (n * m <= 4'000'000) {
    std::vector<std::vector<std::uint32_t>> L(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        L[i][j] = a[pre + i] == b[pre + j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
      }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        ops.push_back({Op::same, pre + i});
        ++i;
        ++j;
      } else if (j < m && (i == n || L[i][j + 1] > L[i + 1][j])) {
        ops.push_back({Op::add, pre + j});
        ++j;
      } else {
        ops.push_back({Op::del, pre + i});
        ++i;
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) ops.push_back({Op::del, pre + i});
    for (std::size_t j = 0; j < m; ++j) ops.push_back({Op::add, pre + j});
  }
  for (std::size_t k = 0; k < suf; ++k) ops.push_back({Op::same, a.size() - suf + k});

  // Hunks: changed ops with 3 lines of context, merging hunks whose contexts touch.
  constexpr std::size_t ctx = 3;
  std::string out = "--- " + from_label + "\n+++ " + to_label + "\n";
  std::vector<std::size_t> ai(ops.size() + 1);  // line number in a (0-based) before op k
  std::vector<std::size_t> bi(ops.size() + 1);
  for (std::size_t k = 0; k < ops.size(); ++k) {
    ai[k + 1] = ai[k] + (ops[k].first != Op::add ? 1 : 0);
    bi[k + 1] = bi[k] + (ops[k].first != Op::del ? 1 : 0);
  }
  std::size_t k = 0;
  while (k < ops.size()) {
    while (k < ops.size() && ops[k].first == Op::same) ++k;
    if (k == ops.size()) break;
    std::size_t start = k >= ctx ? k - ctx : 0;
    std::size_t end = k;  // one past the last changed op of the hunk
    std::size_t scan = k;
    while (scan < ops.size()) {
      if (ops[scan].first != Op::same) {
        end = scan + 1;
        ++scan;
        continue;
      }
      std::size_t run = scan;
      while (run < ops.size() && ops[run].first == Op::same) ++run;
      if (run < ops.size() && run - scan <= 2 * ctx) {
        scan = run;
        continue;
      }
      break;
    }
    std::size_t stop = std::min(ops.size(), end + ctx);
    std::size_t a_len = ai[stop] - ai[start];
    std::size_t b_len = bi[stop] - bi[start];
    auto range = [](std::size_t first, std::size_t len) {
      std::string s = std::to_string(len == 0 ? first : first + 1);
      if (len != 1) s.append(",").append(std::to_string(len));
      return s;
    };
    out += "@@ -" + range(ai[start], a_len) + " +" + range(bi[start], b_len) + " @@\n";
    for (std::size_t q = start; q < stop; ++q) {
      const Line& l = ops[q].first == Op::add ? b[ops[q].second] : a[ops[q].second];
      out += ops[q].first == Op::same ? ' ' : ops[q].first == Op::del ? '-' : '+';
      out += l.text + "\n";
      if (!l.newline) out += "\\ No newline at end of file\n";
    }
    k = stop;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The audit.

namespace {

bool name_less(Tracker t, const std::string& va, const std::string& na, const std::string& vb, const std::string& nb) {
  if (t == Tracker::prisma) return na < nb;  // Prisma applies folders in plain string order
  if (va != vb) return natural_less(va, vb);
  return na < nb;
}

// The state shown for a set of problems.
State state_of(const Entry& e) {
  const auto& p = e.problems;
  if (p.count(Problem::failed)) return State::failed;
  if (p.count(Problem::missing)) return State::missing;
  if (p.count(Problem::partial)) return State::partial;
  if (p.count(Problem::rolled_back)) return State::rolled_back;
  if (p.count(Problem::edited)) return State::edited;
  if (p.count(Problem::out_of_order)) return State::out_of_order;
  if (p.count(Problem::pending)) return State::pending;
  return State::applied;
}

void audit_prisma(Report& rep, const std::vector<MigrationFile>& files, const TrackerData& data,
                  const OriginalFinder& finder) {
  std::map<std::string, std::vector<const PrismaRow*>> rows;  // name -> rows in started_at order
  for (const auto& r : data.prisma) rows[r.migration_name].push_back(&r);
  std::map<std::string, const MigrationFile*> by_name;
  for (const auto& f : files) by_name.emplace(f.name, &f);
  std::set<std::string> names;
  for (const auto& [n, _] : rows) names.insert(n);
  for (const auto& [n, _] : by_name) names.insert(n);
  for (const auto& name : names) {  // std::set<std::string>: plain string order, as Prisma applies them
    Entry e;
    e.name = name;
    e.version = name;
    auto fi = by_name.find(name);
    const MigrationFile* file = fi == by_name.end() ? nullptr : fi->second;
    if (file) {
      e.path = file->path;
      e.file_checksum = sha256_hex(file->bytes);
    }
    auto ri = rows.find(name);
    if (ri == rows.end()) {
      e.problems.insert(Problem::pending);
      rep.entries.push_back(std::move(e));
      continue;
    }
    const PrismaRow& last = *ri->second.back();
    e.in_database = true;
    e.attempts = static_cast<int>(ri->second.size());
    e.started_at = last.started_at;
    e.finished_at = last.finished_at;
    e.rolled_back_at = last.rolled_back_at;
    e.logs = last.logs;
    e.checksum = last.checksum;
    e.applied_steps_count = last.applied_steps_count;
    if (last.rolled_back_at) {
      e.problems.insert(Problem::rolled_back);
    } else if (!last.finished_at) {
      e.problems.insert(Problem::failed);
      if (!file) e.problems.insert(Problem::missing);
    } else if (!file) {
      e.problems.insert(Problem::missing);
    } else {
      auto m = match_checksum(file->bytes, last.checksum);
      if (m == ChecksumMatch::line_endings) e.line_endings_differ = true;
      if (m == ChecksumMatch::none) {
        e.problems.insert(Problem::edited);
        std::string checksum = last.checksum;
        auto matches = [checksum](std::string_view c) { return match_checksum(c, checksum) != ChecksumMatch::none; };
        OriginalLookup o = finder ? finder(*file, matches) : OriginalLookup{std::nullopt, "", "no lookup"};
        if (o.content) {
          e.original_source = o.source;
          e.edit = classify_edit(*o.content, file->bytes);
          if (e.edit == EditKind::none) e.edit = EditKind::line_endings;
          if (e.edit != EditKind::line_endings) {
            e.diff = unified_diff(*o.content, file->bytes, "applied (" + o.source + ")", file->path);
          }
        } else {
          e.edit = EditKind::unknown;
          e.original_unknown = o.why_not;
        }
      }
    }
    rep.entries.push_back(std::move(e));
  }
}

void audit_supabase(Report& rep, const std::vector<MigrationFile>& files, const TrackerData& data) {
  std::map<std::string, const SupabaseRow*> rows;
  for (const auto& r : data.supabase) rows.emplace(r.version, &r);
  std::map<std::string, const MigrationFile*> by_version;
  for (const auto& f : files) {
    auto [it, fresh] = by_version.emplace(f.version, &f);
    if (!fresh) {
      rep.notes.push_back("version " + f.version + " is used by two files: " + it->second->path + " and " + f.path +
                          " (only the first is compared)");
    }
  }
  std::vector<std::string> versions;
  for (const auto& [v, _] : rows) versions.push_back(v);
  for (const auto& [v, _] : by_version) {
    if (!rows.count(v)) versions.push_back(v);
  }
  for (const auto& v : versions) {
    Entry e;
    e.version = v;
    auto fi = by_version.find(v);
    const MigrationFile* file = fi == by_version.end() ? nullptr : fi->second;
    auto ri = rows.find(v);
    const SupabaseRow* row = ri == rows.end() ? nullptr : ri->second;
    if (file) {
      e.name = file->name;
      e.path = file->path;
    } else {
      e.name = row->name && !row->name->empty() ? v + "_" + *row->name : v;
    }
    if (!row) {
      e.problems.insert(Problem::pending);
    } else {
      e.in_database = true;
      e.attempts = 1;
      if (!file) {
        e.problems.insert(Problem::missing);
      } else if (!row->statements || (row->statements->empty() && !supabase_statements(file->bytes).empty())) {
        // NULL or no statements: recorded by a hand-written deploy script or `supabase migration repair`, not by
        // the CLI applying the file.
        e.unverified = true;
      } else {
        auto current = supabase_statements(file->bytes);
        const auto& applied = *row->statements;
        if (applied != current) {
          std::vector<std::string> a_lf;
          std::vector<std::string> c_lf;
          for (const auto& s : applied) a_lf.push_back(lf(s));
          for (const auto& s : current) c_lf.push_back(lf(s));
          std::string a_text = render_statements(applied);
          std::string c_text = render_statements(current);
          if (a_lf == c_lf) {
            e.line_endings_differ = true;
          } else if (tokens(lf(join(applied)), true) == tokens(lf(join(current)), true)) {
            e.whitespace_differs = true;
          } else {
            e.problems.insert(Problem::edited);
            e.edit = tokens(lf(join(applied)), false) == tokens(lf(join(current)), false) ? EditKind::whitespace_comments
                                                                                          : EditKind::real_change;
            e.original_source = data.table + ".statements";
            e.diff = unified_diff(a_text, c_text, "applied (" + e.original_source + ")", file->path + " (statements)");
          }
        }
      }
    }
    rep.entries.push_back(std::move(e));
  }
  std::stable_sort(rep.entries.begin(), rep.entries.end(), [](const Entry& x, const Entry& y) {
    return name_less(Tracker::supabase, x.version, x.name, y.version, y.name);
  });
}

std::string strip_zeros(const std::string& digits) {
  std::size_t k = digits.find_first_not_of('0');
  return k == std::string::npos ? "0" : digits.substr(k);
}

// A JSON tracker file: a row names a file (its name, or its file name) or, without a name, gives its number
// (compared as a number: 3 is 0003). No content is recorded, so edits cannot be seen.
void audit_json(Report& rep, const std::vector<MigrationFile>& files, const TrackerData& data) {
  std::vector<const JsonRow*> owner(files.size(), nullptr);
  for (const auto& row : data.json) {
    std::optional<std::size_t> match;
    for (std::size_t k = 0; k < files.size() && !match; ++k) {
      const MigrationFile& f = files[k];
      bool hit = !row.name.empty()
                     ? row.name == f.name || row.name == fs::path(f.path).filename().string()
                     : !f.version.empty() && strip_zeros(*row.number) == strip_zeros(f.version);
      if (hit) match = k;
    }
    if (!match) {
      Entry e;
      e.name = row.name.empty() ? *row.number : row.name;
      std::size_t digits = 0;
      while (digits < e.name.size() && std::isdigit(static_cast<unsigned char>(e.name[digits]))) ++digits;
      e.version = row.number ? *row.number : e.name.substr(0, digits);
      e.in_database = true;
      e.attempts = 1;
      e.finished_at = row.applied_at;
      e.problems.insert(Problem::missing);
      rep.entries.push_back(std::move(e));
      continue;
    }
    if (owner[*match]) {
      rep.notes.push_back(files[*match].name + " is listed twice in " + data.table);
      continue;
    }
    owner[*match] = &row;
  }
  for (std::size_t k = 0; k < files.size(); ++k) {
    Entry e;
    e.name = files[k].name;
    e.version = files[k].version;
    e.path = files[k].path;
    if (owner[k]) {
      e.in_database = true;
      e.attempts = 1;
      e.finished_at = owner[k]->applied_at;
    } else {
      e.problems.insert(Problem::pending);
    }
    rep.entries.push_back(std::move(e));
  }
  std::stable_sort(rep.entries.begin(), rep.entries.end(), [](const Entry& x, const Entry& y) {
    return name_less(Tracker::json, x.version, x.name, y.version, y.name);
  });
}

// Pending migrations that sort before an applied one; for Prisma also applied migrations that were started after
// a migration that sorts after them.
void mark_order(Report& rep) {
  auto& es = rep.entries;
  auto counts_as_applied = [](const Entry& e) { return e.in_database && !e.problems.count(Problem::rolled_back); };
  for (std::size_t i = 0; i < es.size(); ++i) {
    if (!es[i].problems.count(Problem::pending)) continue;
    for (std::size_t j = i + 1; j < es.size(); ++j) {
      if (counts_as_applied(es[j])) {
        es[i].problems.insert(Problem::out_of_order);
        es[i].out_of_order_after = es[j].name;
        break;
      }
    }
  }
  if (rep.tracker != Tracker::prisma) return;
  for (std::size_t i = 0; i < es.size(); ++i) {
    if (!counts_as_applied(es[i]) || !es[i].started_at) continue;
    for (std::size_t j = i + 1; j < es.size(); ++j) {
      if (counts_as_applied(es[j]) && es[j].started_at && *es[j].started_at < *es[i].started_at) {
        es[i].problems.insert(Problem::out_of_order);
        es[i].out_of_order_after = es[j].name;
        break;
      }
    }
  }
}

}  // namespace

Report audit(Tracker t, const std::vector<MigrationFile>& files, const TrackerData& data, const OriginalFinder& finder) {
  Report rep;
  rep.tracker = t;
  rep.table = data.table;
  if (t == Tracker::prisma) {
    audit_prisma(rep, files, data, finder);
  } else if (t == Tracker::json) {
    audit_json(rep, files, data);
  } else {
    audit_supabase(rep, files, data);
    auto unverified = std::count_if(rep.entries.begin(), rep.entries.end(), [](const Entry& e) { return e.unverified; });
    if (unverified > 0) {
      rep.notes.push_back(std::to_string(unverified) + " applied migration" + (unverified == 1 ? " has" : "s have") +
                          " no statements in " + data.table +
                          " (recorded by hand or by a deploy script, not by the Supabase CLI): applied, content "
                          "not compared");
    }
  }
  mark_order(rep);
  for (auto& e : rep.entries) e.state = state_of(e);
  return rep;
}

}  // namespace driftguard::history
