#include "analyzer/parse.hpp"
#include "analyzer/parse_drizzle.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/marker_lines.hpp"
#include "analyzer/names.hpp"
#include "analyzer/plpgsql_eval.hpp"
#include "analyzer/text.hpp"

namespace driftguard {
namespace {

using json = pg::Node;

// libpg_query's JSON as a tree statements share; null when the text is not JSON. The tree takes the text (a long
// file's JSON is several times its SQL: no copy of it is kept beside the tree).
// `compact`: the tree gives up the text (the trees of a file parsed in runs are kept together while it is analysed).
std::shared_ptr<const pg::Tree> read_tree(std::string&& text, bool compact = false) {
  try {
    return std::make_shared<const pg::Tree>(pg::Tree::parse(std::move(text), compact));
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
}

bool icontains(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

// Puts `name` in place of the placeholder s[at, at + len), padded to its length so that every offset stays the
// file's: with '_' when the placeholder is part of a longer name ("{{ .Prefix }}_users"), else with blanks; a quoted
// identifier that is the placeholder alone ("{{ ... }}") becomes "name" followed by blanks.
void put_name(std::string& s, std::size_t at, std::size_t len, const std::string& name) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (at > 0 && s[at - 1] == '"' && at + len < s.size() && s[at + len] == '"') {
    s.replace(at - 1, len + 2, "\"" + name + "\"" + std::string(len - name.size(), ' '));
    return;
  }
  const bool joined = (at > 0 && ident(s[at - 1])) || (at + len < s.size() && ident(s[at + len]));
  s.replace(at, len, name + std::string(len - name.size(), joined ? '_' : ' '));
}

// Go templates (gobuffalo/pop migrations, as Supabase Auth keeps them): the runner renders actions such as
// {{ index .Options "Namespace" }} before it sends the SQL. An action naming an exported field (".Options") is
// rendered as the name it stands for, lower-cased ("namespace": its last quoted word, else its last field), padded
// to the action's length so that every offset stays the file's: with '_' when the action is part of a longer name
// ("{{ .Prefix }}_users"), else with blanks. docs/rules/syntax-error.md, "Templates".
void render_go_templates(std::string& s) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = s.find("{{"); at != std::string::npos; at = s.find("{{", at + 2)) {
    std::size_t end = s.find("}}", at + 2);
    if (end == std::string::npos) return;
    std::string_view inside(s.data() + at + 2, end - at - 2);
    if (inside.find('\n') != std::string_view::npos) continue;
    std::string name;
    bool field = false;
    for (std::size_t i = 0; i + 1 < inside.size(); ++i) {
      if (inside[i] == '.' && std::isupper(static_cast<unsigned char>(inside[i + 1]))) {
        field = true;
        std::size_t j = i + 1;
        while (j < inside.size() && ident(inside[j])) ++j;
        name = std::string(inside.substr(i + 1, j - i - 1));
      }
    }
    if (!field) continue;
    if (auto q2 = inside.rfind('"'); q2 != std::string_view::npos && q2 > 0) {
      if (auto q1 = inside.rfind('"', q2 - 1); q1 != std::string_view::npos && q2 > q1 + 1) {
        name = std::string(inside.substr(q1 + 1, q2 - q1 - 1));
      }
    }
    for (auto& c : name) c = ident(c) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
    const std::size_t len = end + 2 - at;
    if (name.empty() || name.size() > len || std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    put_name(s, at, len, name);
  }
}

// Placeholders that CREATE/ALTER EXTENSION substitutes in an extension script before running it: @extschema@
// (the target schema, quoted as an identifier), @extowner@ (PostgreSQL 13+), @extschema:name@ (16+). Rendered as
// the name they stand for, everywhere in the text as PostgreSQL does; Synapse's $%AUTO_INCREMENT_PRIMARY_KEY%$
// (replaced by BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY) as the key's type and constraint.
// docs/rules/syntax-error.md, "Templates".
void render_extension_placeholders(std::string& s) {
  static constexpr std::string_view kKey = "$%AUTO_INCREMENT_PRIMARY_KEY%$";
  for (std::size_t at = s.find(kKey); at != std::string::npos; at = s.find(kKey, at + kKey.size())) {
    s.replace(at, kKey.size(), "bigint primary key" + std::string(kKey.size() - 18, ' '));
  }
  for (std::size_t at = s.find('@'); at != std::string::npos; at = s.find('@', at + 1)) {
    std::size_t end = s.find('@', at + 1);
    if (end == std::string::npos) return;
    std::string_view inside(s.data() + at + 1, end - at - 1);
    std::string name;
    if (inside == "extschema" || inside.rfind("extschema:", 0) == 0) name = "extschema";
    if (inside == "extowner") name = "extowner";
    if (name.empty()) continue;
    put_name(s, at, end + 1 - at, name);
    at = end;
  }
}

// Blanks psql meta-commands (lines starting with a backslash) and COPY ... FROM stdin data, keeping every byte
// offset and line break, so the text that remains is plain SQL.
bool blank_psql(std::string& s, ParsedFile& pf) {
  bool changed = false;
  bool copy_data = false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t eol = pos;
    while (eol < s.size() && s[eol] != '\n' && s[eol] != '\r') ++eol;
    std::string_view line(s.data() + pos, eol - pos);
    std::size_t first = line.find_first_not_of(" \t");
    bool blank = false;
    if (copy_data) {
      blank = true;
      if (line == "\\.") copy_data = false;
    } else if (first != std::string_view::npos && line[first] == '\\') {
      blank = true;
      ++pf.meta_commands;
    } else if (first != std::string_view::npos && lex::keyword_at(line, first, "copy") &&
               icontains(line, "stdin") && line.find(';') != std::string_view::npos) {
      // COPY t FROM stdin; the rows follow up to a line "\."
      std::string_view rest = line.substr(line.find(';') + 1);
      if (lex::skip_trivia(rest, 0) == rest.size()) {
        copy_data = true;
        ++pf.copy_data_blocks;
      }
    }
    if (blank) {
      // \g, \gset, \gexec, \gx send the query buffer: they end the statement before them.
      bool sends = !copy_data && first != std::string_view::npos && line.size() > first + 1 && line[first] == '\\' &&
                   line[first + 1] == 'g';
      for (std::size_t i = pos; i < eol; ++i) s[i] = ' ';
      if (sends) s[pos + first] = ';';
      changed = true;
    }
    pos = eol;
    if (pos < s.size() && s[pos] == '\r') ++pos;
    if (pos < s.size() && s[pos] == '\n') ++pos;
  }
  // A backslash outside quotes and comments later in a line also starts a meta-command that runs to the end of the
  // line (`SELECT oid AS datoid FROM pg_database \gset`, `begin\;`). No SQL token contains a bare backslash.
  pos = 0;
  while (pos < s.size()) {
    pos = lex::skip_trivia(s, pos);
    if (pos >= s.size()) break;
    if (s[pos] != '\\') {
      pos = lex::skip_token(s, pos);
      continue;
    }
    std::size_t eol = pos;
    while (eol < s.size() && s[eol] != '\n' && s[eol] != '\r') ++eol;
    // \; is a semicolon psql keeps in the query buffer: it still separates statements. \g, \gset, \gexec, \gx send
    // the buffer: they end the statement before them. Any other meta-command runs to the end of the line.
    bool escaped_semicolon = pos + 1 < s.size() && s[pos + 1] == ';';
    bool sends = pos + 1 < s.size() && s[pos + 1] == 'g';
    std::size_t end = escaped_semicolon ? pos + 2 : eol;
    for (std::size_t i = pos; i < end; ++i) s[i] = ' ';
    if (escaped_semicolon || sends) s[escaped_semicolon ? pos + 1 : pos] = ';';
    if (!escaped_semicolon) ++pf.meta_commands;
    changed = true;
    pos = end;
  }
  return changed;
}

// libpg_query's PL/pgSQL parser has no catalog: it cannot tell that a variable declared `name CURSOR ... FOR` is a
// refcursor, so it reads the cursor FOR loop `FOR r IN name [(args)] LOOP` as a query loop and reports a syntax
// error PostgreSQL does not raise. For the parser only, such a loop over a cursor declared in the text is
// rewritten to the query loop `FOR r IN EXECUTE '' LOOP` (same grammar position and line breaks; the arguments are
// dropped).
std::string neutralize_cursor_loops(const std::string& code) {
  auto is_ident = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || static_cast<unsigned char>(ch) >= 0x80;
  };
  std::string low = code;
  for (auto& ch : low) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // Words in order, with their offsets.
  std::vector<std::pair<std::size_t, std::string>> words;
  for (std::size_t i = 0; i < low.size();) {
    if (is_ident(low[i])) {
      std::size_t j = i;
      while (j < low.size() && is_ident(low[j])) ++j;
      words.emplace_back(i, low.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  // Declared cursors: <name> [[NO] SCROLL] CURSOR.
  std::vector<std::string> cursors;
  for (std::size_t w = 1; w < words.size(); ++w) {
    if (words[w].second != "cursor") continue;
    std::size_t n = w - 1;
    if (words[n].second == "scroll" && n > 0) --n;
    if (words[n].second == "no" && n > 0) --n;
    cursors.push_back(words[n].second);
  }
  if (cursors.empty()) return code;
  std::string out = code;
  // FOR <var> IN <cursor> [(...)] LOOP, replaced from the end so that offsets stay valid.
  for (std::size_t w = words.size(); w-- > 3;) {
    if (words[w - 3].second != "for" || words[w - 1].second != "in") continue;
    const auto& [at, name] = words[w];
    if (std::find(cursors.begin(), cursors.end(), name) == cursors.end()) continue;
    std::size_t end = at + name.size();
    std::size_t k = end;
    while (k < low.size() && std::isspace(static_cast<unsigned char>(low[k]))) ++k;
    if (k < low.size() && low[k] == '(') {
      int depth = 0;
      for (; k < low.size(); ++k) {
        if (low[k] == '(') ++depth;
        if (low[k] == ')' && --depth == 0) {
          ++k;
          break;
        }
      }
      end = k;
      while (k < low.size() && std::isspace(static_cast<unsigned char>(low[k]))) ++k;
    }
    if (low.compare(k, 4, "loop") != 0 || (k + 4 < low.size() && is_ident(low[k + 4]))) continue;
    // Keep the line breaks of what is replaced: statements after it are located by line number.
    std::string replacement = "EXECUTE ''";
    for (std::size_t i = at; i < end; ++i) {
      if (code[i] == '\n') replacement += '\n';
    }
    out.replace(at, end - at, replacement);
  }
  return out;
}

// libpg_query's PL/pgSQL parser has no catalog: errors that need one (types, collations, cursor variables) are
// not errors PostgreSQL would raise, so only grammar errors are reported.
bool plpgsql_grammar_error(const std::string& message) {
  return message.rfind("syntax error", 0) == 0 || message.rfind("missing expression", 0) == 0 ||
         message.rfind("unterminated", 0) == 0 || message.rfind("mismatched", 0) == 0;
}

// A hint for syntax errors caused by text that is not SQL at all (template placeholders, psql variables).
std::string not_sql_hint(std::string_view text, std::size_t at) {
  if (at >= text.size()) return {};
  if (text[at] == ':' && at + 1 < text.size() &&
      (std::isalpha(static_cast<unsigned char>(text[at + 1])) || text[at + 1] == '_' || text[at + 1] == '\'' ||
       text[at + 1] == '"')) {
    return " (a psql variable: driftguard does not substitute psql variables; lint the SQL psql would send)";
  }
  if (text.substr(at, 2) == "{{" || (at > 0 && text.substr(at - 1, 2) == "{{")) {
    return " (a template placeholder: lint the rendered SQL)";
  }
  if (text[at] == '@' && at + 1 < text.size() && std::isalpha(static_cast<unsigned char>(text[at + 1]))) {
    auto close = text.find('@', at + 1);
    if (close != std::string_view::npos && close - at < 40) return " (a template placeholder: lint the rendered SQL)";
  }
  return {};
}

// psql replaces :name, :'name' and :"name" before sending a statement. In a file that uses psql meta-commands,
// blanking the colon leaves an identifier, a string literal or a quoted identifier of the same length in its place,
// which parses the way the substituted statement would. Returns whether anything changed.
bool blank_psql_variables(std::string& sql) {
  bool changed = false;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t t = lex::skip_trivia(sql, pos);
    if (t >= sql.size()) break;
    if (sql[t] == ':' && t + 1 < sql.size() && (t == 0 || sql[t - 1] != ':') && sql[t + 1] != ':' &&
        (std::isalpha(static_cast<unsigned char>(sql[t + 1])) || sql[t + 1] == '_' || sql[t + 1] == '\'' ||
         sql[t + 1] == '"')) {
      sql[t] = ' ';
      changed = true;
    }
    pos = lex::skip_token(sql, t);
  }
  return changed;
}

// goose sends each `-- +goose StatementBegin ... StatementEnd` block as one statement, so the block's last
// statement needs no `;`. The marker line becomes a `;` (padded with spaces: offsets stay the same), which ends the
// block's statement where goose ends it; an extra `;` after one that has it is an empty statement.
bool end_goose_blocks(std::string& sql) {
  bool changed = false;
  for (const auto& m : marker_lines(sql)) {
    if (m.text.rfind("+goose statementend", 0) != 0) continue;
    sql[m.dashes] = ';';
    for (std::size_t k = m.dashes + 1; k < m.end; ++k) {
      if (sql[k] != '\r') sql[k] = ' ';
    }
    changed = true;
  }
  return changed;
}

// drizzle-kit's migrator splits a migration at every "--> statement-breakpoint" and sends each piece as a query
// of its own (drizzle-orm migrator.ts, readMigrationFiles: query.split('--> statement-breakpoint')), so a statement
// before a breakpoint needs no `;`. To PostgreSQL the marker is a line comment; where it starts a comment, its first
// byte becomes a `;` (the rest blanked, offsets kept), which ends the statement where drizzle ends it; after a
// statement that has its `;` it is an empty statement.
bool end_drizzle_breakpoints(std::string& sql) {
  static constexpr std::string_view kMarker = "--> statement-breakpoint";
  bool changed = false;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t t = lex::skip_trivia(sql, pos);
    // The trivia [pos, t) holds whitespace and comments only: a marker in it is a comment of its own or a part of one.
    for (std::size_t at = sql.find(kMarker, pos); at != std::string::npos && at < t; at = sql.find(kMarker, at + 1)) {
      sql[at] = ';';
      for (std::size_t k = at + 1; k < at + kMarker.size(); ++k) sql[k] = ' ';
      changed = true;
    }
    if (t >= sql.size()) break;
    pos = lex::skip_token(sql, t);
  }
  return changed;
}

std::string first_key(const json& node) {
  if (node.is_object() && !node.empty()) return node.begin().key();
  return {};
}

class Parser {
 public:
  Parser(std::string_view text, ParsedFile& out, bool want_comments)
      : text_(text), out_(out), want_comments_(want_comments) {}

  void add_statement(pg::TreeRef node, std::size_t start, std::size_t end, std::size_t base, int do_depth,
                     const std::string& guard, bool approximate) {
    Statement st;
    st.span.begin = lex::skip_trivia(text_, std::min(start, text_.size()));
    st.span.end = lex::trim_end(text_, st.span.begin, std::min(end, text_.size()));
    if (st.span.end < st.span.begin) st.span.end = st.span.begin;
    st.base = base;
    st.kind = first_key(node);
    st.node = std::move(node);
    st.do_depth = do_depth;
    st.guarded = !guard.empty();
    st.guard = guard;
    st.approximate = approximate;
    out_.statements.push_back(std::move(st));
    // Expand after pushing: the DO statement comes first, its inner statements after it.
    const Statement& added = out_.statements.back();
    if (added.kind == "DoStmt") {
      expand_do(out_.statements.size() - 1);
    } else if (added.kind == "CreateFunctionStmt") {
      check_function_body(out_.statements.size() - 1);
    }
  }

  // Adds every statement of a parse tree whose locations are relative to `base` in the file text.
  void add_tree(const std::shared_ptr<const pg::Tree>& tree, std::size_t base, std::size_t limit, int do_depth,
                const std::string& guard, bool approximate) {
    auto it = tree->root().find("stmts");
    if (it == tree->root().end()) return;
    for (const auto& raw : *it) {
      auto sit = raw.find("stmt");
      if (sit == raw.end()) continue;
      std::size_t loc = raw.value("stmt_location", 0);
      std::size_t len = raw.value("stmt_len", 0);
      std::size_t start = base + loc;
      std::size_t end = len == 0 ? limit : base + loc + len;
      add_statement(pg::TreeRef(tree, *sit), start, end, base, do_depth, guard, approximate);
    }
  }

  void syntax_error(std::size_t begin, std::size_t end, std::string message) {
    out_.errors.push_back(SyntaxError{Span{begin, std::max(begin, end)}, std::move(message)});
  }

 private:
  struct Guard {
    std::string why;
  };

  void expand_do(std::size_t index) {
    const Statement& st = out_.statements[index];
    const json& body = st.node->begin().value();
    std::string code;
    std::string language = "plpgsql";
    std::size_t body_loc = std::string::npos;
    if (auto args = body.find("args"); args != body.end()) {
      for (const auto& a : *args) {
        auto d = a.find("DefElem");
        if (d == a.end()) continue;
        std::string name = d->value("defname", "");
        auto arg = d->find("arg");
        if (arg == d->end()) continue;
        std::string sval;
        if (auto str = arg->find("String"); str != arg->end()) sval = str->value("sval", "");
        if (name == "as") {
          code = sval;
          if (d->contains("location")) body_loc = st.base + d->value("location", 0);
        } else if (name == "language") {
          language = sval;
        }
      }
    }
    if (language != "plpgsql") return;
    std::size_t body_begin = st.span.begin;
    bool approximate = true;
    if (body_loc != std::string::npos && !st.approximate) {
      // DefElem's location points at "LANGUAGE" or at the string; find the string from there.
      std::size_t p = body_loc;
      for (int guard = 0; guard < 4 && p < st.span.end; ++guard) {
        p = lex::skip_trivia(text_, p);
        if (auto b = lex::string_body(text_, p)) {
          if (b->dollar && text_.substr(b->begin, b->end - b->begin) == code) {
            body_begin = b->begin;
            approximate = false;
          } else {
            body_begin = b->begin;
          }
          break;
        }
        p = lex::skip_token(text_, p);
      }
    }
    if (want_comments_ && !approximate) {
      // Comments inside the body are one string token to the outer scan: scan the body too (suppressions there).
      auto sc = pg::scan_comments(code);
      for (const auto& c : sc.comments) out_.comments.push_back(pg::Comment{body_begin + c.begin, body_begin + c.end});
    }
    process_plpgsql_body(code, body_begin, approximate, st.do_depth + 1, st.guard, "DO block");
  }

  void check_function_body(std::size_t index) {
    const Statement& st = out_.statements[index];
    const json& body = st.node->begin().value();
    bool plpgsql = false;
    bool string_body = false;
    if (auto opts = body.find("options"); opts != body.end()) {
      for (const auto& o : *opts) {
        auto d = o.find("DefElem");
        if (d == o.end()) continue;
        auto arg = d->find("arg");
        if (arg == d->end()) continue;
        std::string name = d->value("defname", "");
        if (name == "language") {
          if (auto str = arg->find("String"); str != arg->end()) plpgsql = str->value("sval", "") == "plpgsql";
        } else if (name == "as") {
          string_body = true;
        }
      }
    }
    // Without an AS string (no body at all, or a BEGIN ATOMIC/RETURN body) there is nothing to compile, and
    // libpg_query's PL/pgSQL compiler asserts it has a body (the process aborts): PostgreSQL refuses such a
    // function when it runs it ("no function body specified", or that an inline body is only valid for SQL).
    if (!plpgsql || !string_body || st.approximate) return;
    std::string sql(text_.substr(st.span.begin, st.span.end - st.span.begin));
    auto res = pg::parse_plpgsql(neutralize_cursor_loops(sql));
    // Function bodies: only plain grammar errors. libpg_query compiles the body without the function's resolved
    // signature, so its "missing expression" for RETURN; in a RETURNS TABLE function is not PostgreSQL's verdict
    // (seen in Supabase storage's search functions, which PostgreSQL accepts).
    if (res.error && plpgsql_grammar_error(res.error->message) && res.error->message.rfind("missing expression", 0) != 0) {
      syntax_error(st.span.begin, st.span.end, "in the PL/pgSQL body of this function: " + res.error->message);
    }
  }

  void process_plpgsql_body(const std::string& code, std::size_t body_begin, bool approximate, int depth,
                            const std::string& outer_guard, const char* what) {
    if (depth > 8) return;
    // A dollar-quote tag the body does not hold: a body that closed the wrapper could append statements to it (a
    // body-less PL/pgSQL function there aborts libpg_query, see check_function_body).
    std::string tag = "$driftguard_do$";
    while ((code + tag).find(tag) != code.size()) {
      // "_" before the closing "$", appended (an insert draws GCC 12's false -O3 -Wrestrict)
      tag.back() = '_';
      tag += '$';
    }
    std::string wrapper = "CREATE FUNCTION driftguard_do() RETURNS void LANGUAGE plpgsql AS " + tag + code + tag;
    auto res = pg::parse_plpgsql(neutralize_cursor_loops(wrapper));
    if (res.error) {
      if (!plpgsql_grammar_error(res.error->message)) return;
      // The PL/pgSQL parser gives no position; when the token it names ("at or near "x"") occurs exactly once
      // in the body, point at it, else at the body.
      std::size_t at = body_begin;
      std::size_t end = body_begin + (approximate ? 0 : code.size());
      const std::string& m = res.error->message;
      auto q1 = m.find("at or near \"");
      auto q2 = q1 == std::string::npos ? std::string::npos : m.rfind('"');
      if (!approximate && q1 != std::string::npos && q2 > q1 + 12) {
        std::string token = m.substr(q1 + 12, q2 - q1 - 12);
        auto first = code.find(token);
        if (first != std::string::npos && code.find(token, first + 1) == std::string::npos) {
          at = body_begin + first;
          end = at + token.size();
        }
      }
      syntax_error(at, end, std::string("in ") + what + ": " + res.error->message + not_sql_hint(text_, at));
      return;
    }
    auto funcs = read_tree(std::move(res.json));
    if (!funcs) return;
    Ctx c{code, body_begin, approximate, depth, 0, funcs, {}, {}, 0, false, 0, {}};
    walk_plpgsql(funcs->root(), c, outer_guard);
  }

  struct Ctx {
    const std::string& code;
    std::size_t body_begin;
    bool approximate;
    int depth;
    std::size_t cursor;  // search position in code, so repeated statements map to successive places
    std::shared_ptr<const pg::Tree> tree;  // the body's PL/pgSQL tree (a statement not read points into it)
    // The block's variables with the constant values they hold at this point of the walk (plpgsql_eval.hpp), and
    // the variable names by PL/pgSQL varno.
    plpgsql::Env env;
    std::vector<std::string> names;
    std::size_t generated;  // statements run from computed EXECUTE texts so far (bounded)
    // In a second or later iteration of an unrolled loop: only computed texts are read again (a statement written
    // in the body is the same statement each time: it is linted and replayed once).
    bool repeating = false;
    std::size_t iterations = 0;  // loop iterations unrolled so far in this body (bounded: nested loops multiply)
    std::set<const json*> unread;  // EXECUTEs already listed as not read (once each, whichever iteration missed)
  };

  static bool is_check_condition(const std::string& cond) {
    return icontains(cond, "exists") || icontains(cond, "pg_") || icontains(cond, "information_schema") ||
           icontains(cond, "to_reg");
  }

  static bool is_guarding_condition(const std::string& name) {
    return name.rfind("duplicate_", 0) == 0 || name.rfind("undefined_", 0) == 0 || name == "others" ||
           name == "unique_violation" || name == "invalid_table_definition" || name == "feature_not_supported";
  }

  std::size_t line_offset(const std::string& code, int lineno) const {
    std::size_t pos = 0;
    for (int l = 1; l < lineno && pos < code.size(); ++l) {
      while (pos < code.size() && code[pos] != '\n' && code[pos] != '\r') ++pos;
      if (pos < code.size() && code[pos] == '\r') ++pos;
      if (pos < code.size() && code[pos] == '\n') ++pos;
    }
    return pos;
  }

  void emit_sql(const std::string& query, int lineno, Ctx& c, const std::string& guard, bool literal) {
    std::size_t off = line_offset(c.code, lineno);
    std::size_t found = c.code.find(query, std::min(std::max(off, c.cursor), c.code.size()));
    if (found == std::string::npos) found = c.code.find(query, off);
    bool approximate = c.approximate || literal;
    if (found == std::string::npos) {
      found = off;
      approximate = true;
    } else {
      c.cursor = found + query.size();
    }
    std::size_t base = c.body_begin + (c.approximate ? 0 : found);
    std::string sql = query;
    if (literal) {
      // EXECUTE 'literal': unquote it.
      std::string unq;
      for (std::size_t i = 1; i + 1 < sql.size(); ++i) {
        unq += sql[i];
        if (sql[i] == '\'' && i + 1 < sql.size() - 1 && sql[i + 1] == '\'') ++i;
      }
      sql = unq;
      base += 1;
    }
    auto res = pg::parse(sql);
    if (res.error) {
      std::size_t at = base;
      if (!approximate) at = base + char_index_to_offset(sql, res.error->cursorpos);
      syntax_error(at, at, "in DO block: " + res.error->message);
      return;
    }
    auto tree = read_tree(std::move(res.json));
    if (!tree) return;
    add_tree(tree, base, base + sql.size(), c.depth, guard, approximate);
  }

  // Where an expression of the body is, from its line number (the next occurrence after the last one found).
  std::size_t locate(const std::string& text, int lineno, Ctx& c, bool& exact) const {
    std::size_t off = line_offset(c.code, lineno);
    std::size_t found = c.code.find(text, std::min(std::max(off, c.cursor), c.code.size()));
    if (found == std::string::npos) found = c.code.find(text, off);
    exact = found != std::string::npos;
    return exact ? found : off;
  }

  // EXECUTE of a text the block computes (format(), ||, a loop's variable): the statements of its value, located
  // at the EXECUTE's expression. Their trees are the value's, not the file's, so they are approximate.
  void emit_computed(const std::string& sql, const std::string& expr, int lineno, Ctx& c, const std::string& guard) {
    bool exact = false;
    std::size_t at = locate(expr, lineno, c, exact);
    std::size_t base = c.body_begin + (c.approximate ? 0 : at);
    auto res = pg::parse(sql);
    if (res.error) {
      syntax_error(base, base, "in DO block: EXECUTE of " + sql + ": " + res.error->message);
      return;
    }
    auto tree = read_tree(std::move(res.json));
    if (!tree) return;
    auto it = tree->root().find("stmts");
    if (it == tree->root().end()) return;
    for (const auto& raw : *it) {
      auto sit = raw.find("stmt");
      if (sit != raw.end()) add_statement(pg::TreeRef(tree, *sit), base, base + expr.size(), base, c.depth, guard, true);
    }
  }

  // An EXECUTE whose text is not a constant of the block: listed as a statement of its own PL/pgSQL kind
  // ("PLpgSQL_stmt_dynexecute"), which no rule reads and the replay reports as not modeled, so that what it
  // creates is known to be missing rather than silently absent.
  void emit_unread(const json& stmt_node, const std::string& expr, int lineno, Ctx& c, const std::string& guard) {
    bool exact = false;
    std::size_t at = locate(expr, lineno, c, exact);
    std::size_t base = c.body_begin + (c.approximate ? 0 : at);
    add_statement(pg::TreeRef(c.tree, stmt_node), base, base + (c.approximate ? 0 : expr.size()), base, c.depth, guard,
                  true);
  }

  static std::string expr_text(const json& holder, const char* key) {
    auto q = holder.find(key);
    if (q == holder.end()) return {};
    auto e = q->find("PLpgSQL_expr");
    return e == q->end() ? std::string() : e->value("query", "");
  }

  // The variables a statement (or anything under it) assigns: loop variables, assignment and INTO targets.
  void assigned_names(const json& node, const Ctx& c, std::vector<std::string>& out) const {
    if (node.is_array()) {
      for (const auto& n : node) assigned_names(n, c, out);
      return;
    }
    if (!node.is_object()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it.key();
      const json& v = it.value();
      if ((key == "varno" || key == "target") && v.is_number_integer()) {
        auto n = static_cast<std::size_t>(v.get<long>());
        if (n < c.names.size()) out.push_back(c.names[n]);
      } else if (key == "PLpgSQL_var") {
        out.push_back(v.value("refname", ""));
      } else if (key == "fields" && v.is_array()) {
        for (const auto& f : v) out.push_back(f.value("name", ""));
      }
      if (v.is_structured()) assigned_names(v, c, out);
    }
  }

  void forget(const json& node, Ctx& c) const {
    std::vector<std::string> names;
    assigned_names(node, c, names);
    for (const auto& n : names) {
      if (auto e = c.env.find(n); e != c.env.end()) e->second.reset();
    }
  }

  static bool has_exit(const json& node) {
    if (node.is_array()) {
      for (const auto& n : node) {
        if (has_exit(n)) return true;
      }
      return false;
    }
    if (!node.is_object()) return false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "PLpgSQL_stmt_exit" || it.key() == "PLpgSQL_stmt_return") return true;
      if (it.value().is_structured() && has_exit(it.value())) return true;
    }
    return false;
  }

  // The block's variables: names by varno, and their DECLARE defaults where those are constants (a variable
  // declared without one is NULL). A name declared twice (nested blocks) is not followed.
  void declare(const json& datums, Ctx& c) {
    std::map<std::string, int> seen;
    for (const auto& d : datums) {
      std::string name;
      if (auto var = d.find("PLpgSQL_var"); var != d.end()) name = var->value("refname", "");
      c.names.push_back(name);
      if (!name.empty() && name != "found") ++seen[name];
    }
    for (const auto& d : datums) {
      auto var = d.find("PLpgSQL_var");
      if (var == d.end()) continue;
      std::string name = var->value("refname", "");
      if (name.empty() || name == "found") continue;
      if (seen[name] > 1) {
        c.env[name] = std::nullopt;
        continue;
      }
      std::string def = expr_text(*var, "default_val");
      auto value = def.empty() ? std::optional(plpgsql::Value::null()) : plpgsql::evaluate(def, c.env);
      // an array variable's default is read as an array literal ('{a,b}' declared text[])
      std::string type = field(field(*var, "datatype"), "PLpgSQL_type").value("typname", "");
      while (!type.empty() && type.back() == ' ') type.pop_back();
      bool array = type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0;
      if (value && array && value->kind == plpgsql::Value::Kind::text) {
        auto items = plpgsql::parse_array_literal(value->text);
        value.reset();
        if (items) {
          value.emplace();
          value->kind = plpgsql::Value::Kind::array;
          value->items = std::move(*items);
        }
      } else if (value && !array && value->kind == plpgsql::Value::Kind::array) {
        value.reset();
      }
      c.env[name] = value;
    }
  }

  // Runs a loop's body once per value of its variable, when every value is a constant and the body cannot leave
  // the loop early; else walks it once with the variables it assigns unknown.
  void loop(const json& body, const std::string& var, const std::optional<std::vector<std::optional<std::string>>>& values,
            Ctx& c, const std::string& guard) {
    constexpr std::size_t kMostIterations = 1000;        // of one loop
    constexpr std::size_t kMostBodyIterations = 10000;   // of all loops of one body, nested ones counted each time
    if (values && !var.empty() && values->size() <= kMostIterations &&
        c.iterations + values->size() <= kMostBodyIterations && !has_exit(body) && c.env.count(var)) {
      c.iterations += values->size();
      bool outer = c.repeating;
      for (std::size_t i = 0; i < values->size(); ++i) {
        const auto& v = (*values)[i];
        c.env[var] = v ? plpgsql::Value::of(*v) : plpgsql::Value::null();
        c.repeating = outer || i > 0;
        walk_plpgsql(body, c, guard);
      }
      c.repeating = outer;
      if (values->empty()) walk_plpgsql(body, c, guard);  // an empty loop still has statements to lint, never run
      return;
    }
    forget(body, c);
    if (!var.empty()) c.env[var] = std::nullopt;
    walk_plpgsql(body, c, guard);
    forget(body, c);
  }

  void walk_plpgsql(const json& node, Ctx& c, const std::string& guard) {
    if (node.is_array()) {
      for (const auto& n : node) walk_plpgsql(n, c, guard);
      return;
    }
    if (!node.is_object()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it.key();
      const json& v = it.value();
      int lineno = v.is_object() ? static_cast<int>(v.value("lineno", 1)) : 1;
      if (key == "PLpgSQL_function") {
        if (auto d = v.find("datums"); d != v.end()) declare(*d, c);
        if (auto a = v.find("action"); a != v.end()) walk_plpgsql(*a, c, guard);
      } else if (key == "PLpgSQL_stmt_execsql") {
        auto q = v.find("sqlstmt");
        if (q != v.end()) {
          auto e = q->find("PLpgSQL_expr");
          if (e != q->end() && !c.repeating) emit_sql(e->value("query", ""), lineno, c, guard, false);
        }
        forget(v, c);  // SELECT ... INTO
      } else if (key == "PLpgSQL_stmt_dynexecute") {
        std::string text = expr_text(v, "query");
        if (is_string_literal(text)) {
          if (!c.repeating) emit_sql(text, lineno, c, guard, true);
        } else if (auto value = plpgsql::evaluate(text, c.env);
                   value && value->kind == plpgsql::Value::Kind::text && c.generated < kMostGenerated) {
          ++c.generated;
          emit_computed(value->text, text, lineno, c, guard);
        } else if (c.unread.insert(&v).second) {
          emit_unread(node, text, lineno, c, guard);
        }
        forget(v, c);  // EXECUTE ... INTO
      } else if (key == "PLpgSQL_stmt_assign") {
        // "name := expr" (or "name = expr"); a target with a subscript or a field is only forgotten
        std::string text = expr_text(v, "expr");
        auto n = static_cast<std::size_t>(v.value("varno", -1L));
        std::string name = n < c.names.size() ? c.names[n] : "";
        std::size_t op = text.find(":=");
        std::size_t skip = 2;
        if (op == std::string::npos) {
          op = text.find('=');
          skip = 1;
        }
        std::string target;
        for (std::size_t i = 0; op != std::string::npos && i < op; ++i) {
          if (!std::isspace(static_cast<unsigned char>(text[i]))) target += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        }
        if (!name.empty() && c.env.count(name)) {
          c.env[name] = target == name ? plpgsql::evaluate(text.substr(op + skip), c.env) : std::nullopt;
        }
      } else if (key == "PLpgSQL_stmt_foreach_a") {
        auto n = static_cast<std::size_t>(v.value("varno", -1L));
        std::string var = n < c.names.size() ? c.names[n] : "";
        std::optional<std::vector<std::optional<std::string>>> values;
        if (auto a = plpgsql::evaluate(expr_text(v, "expr"), c.env);
            a && a->kind == plpgsql::Value::Kind::array && v.value("slice", 0L) == 0) {
          values = a->items;
        }
        loop(v.contains("body") ? v["body"] : pg::null_node(), var, values, c, guard);
      } else if (key == "PLpgSQL_stmt_fors") {
        // FOR v IN SELECT unnest(ARRAY[...]) LOOP: one variable, one constant array
        std::string var;
        if (auto row = field(v, "var").find("PLpgSQL_row"); row != field(v, "var").end() && (*row)["fields"].size() == 1) {
          var = (*row)["fields"][0].value("name", "");
        }
        std::optional<std::vector<std::optional<std::string>>> values;
        if (auto a = plpgsql::unnest_query(expr_text(v, "query"), c.env); a && !var.empty()) values = a->items;
        if (var.empty()) forget(field(v, "var"), c);
        loop(v.contains("body") ? v["body"] : pg::null_node(), var, values, c, guard);
      } else if (key == "PLpgSQL_stmt_fori") {
        // FOR i IN lower..upper [BY step] [REVERSE]: the variable exists in the loop only
        std::string var = field(field(v, "var"), "PLpgSQL_var").value("refname", "");
        std::optional<std::vector<std::optional<std::string>>> values;
        if (auto r = plpgsql::integer_range(expr_text(v, "lower"), expr_text(v, "upper"), expr_text(v, "step"),
                                            flag(v, "reverse"), c.env, 1001)) {
          values.emplace();
          for (long long i : *r) values->push_back(std::to_string(i));
        }
        auto outer = c.env.find(var);
        std::optional<std::optional<plpgsql::Value>> saved;
        if (outer != c.env.end()) saved = outer->second;
        c.env[var] = std::nullopt;
        loop(v.contains("body") ? v["body"] : pg::null_node(), var, values, c, guard);
        if (saved) c.env[var] = *saved;
        else c.env.erase(var);
      } else if (key == "PLpgSQL_stmt_if") {
        std::string cond = expr_text(v, "cond");
        std::string g = guard;
        if (g.empty() && is_check_condition(cond)) g = "IF " + cond;
        // Every branch is walked (which one runs is not known here); a variable keeps its value after the IF only
        // where no branch changes it.
        forget(v, c);
        for (auto sub = v.begin(); sub != v.end(); ++sub) {
          if (sub.key() != "cond") walk_plpgsql(sub.value(), c, g);
        }
        forget(v, c);
      } else if (key == "PLpgSQL_stmt_block") {
        std::string g = guard;
        if (auto ex = v.find("exceptions"); ex != v.end() && g.empty()) {
          if (auto blk = ex->find("PLpgSQL_exception_block"); blk != ex->end()) {
            for (const auto& exc : (*blk)["exc_list"]) {
              auto e = exc.find("PLpgSQL_exception");
              if (e == exc.end()) continue;
              for (const auto& cond : (*e)["conditions"]) {
                auto pc = cond.find("PLpgSQL_condition");
                if (pc == cond.end()) continue;
                std::string name = pc->value("condname", "");
                if (is_guarding_condition(name) && g.empty()) g = "EXCEPTION WHEN " + name;
              }
            }
          }
        }
        if (auto b = v.find("body"); b != v.end()) walk_plpgsql(*b, c, g);
        if (auto ex = v.find("exceptions"); ex != v.end()) {
          forget(*ex, c);  // a handler runs after any statement of the body, or not at all
          walk_plpgsql(*ex, c, guard);
          forget(*ex, c);
        }
      } else if (key == "PLpgSQL_stmt_loop" || key == "PLpgSQL_stmt_while" || key == "PLpgSQL_stmt_dynfors" ||
                 key == "PLpgSQL_stmt_forc" || key == "PLpgSQL_stmt_case") {
        // Loops that run a number of times not known here, and CASE (which branch runs is not known)
        forget(v, c);
        walk_plpgsql(v, c, guard);
        forget(v, c);
      } else {
        forget(v, c);  // GET DIAGNOSTICS, FETCH, ... targets
        walk_plpgsql(v, c, guard);
      }
    }
  }

  static bool is_string_literal(const std::string& text) {
    bool literal = text.size() >= 2 && text.front() == '\'' && text.back() == '\'';
    for (std::size_t i = 1; literal && i + 1 < text.size(); ++i) {
      if (text[i] == '\'') {
        if (text[i + 1] == '\'' && i + 2 < text.size()) {
          ++i;
        } else {
          literal = false;
        }
      }
    }
    return literal;
  }

  static constexpr std::size_t kMostGenerated = 10000;  // statements one DO body may run from computed texts

  std::string_view text_;
  ParsedFile& out_;
  bool want_comments_;
};

}  // namespace

namespace {

// drizzle's migrator sends the pieces between markers one by one, so a marker inside a string or dollar quote cuts
// it (PostgreSQL then refuses both halves). Each piece is parsed alone, at its place in the file (the rest blanked,
// line breaks kept, so offsets and lines are the file's).
ParsedFile parse_drizzle_pieces(std::string_view input, const ParseOptions& opts) {
  static constexpr std::string_view kMarker = "--> statement-breakpoint";
  ParsedFile out;
  for (std::size_t begin = 0; begin <= input.size();) {
    std::size_t at = input.find(kMarker, begin);
    std::size_t end = at == std::string_view::npos ? input.size() : at;
    std::string piece(input);
    for (std::size_t i = 0; i < piece.size(); ++i) {
      if ((i < begin || i >= end) && piece[i] != '\n') piece[i] = ' ';
    }
    ParsedFile pf = parse_sql(piece, opts);
    for (auto& st : pf.statements) out.statements.push_back(std::move(st));
    for (auto& e : pf.errors) {
      static constexpr std::string_view kToEnd = " (it runs to the end of the file)";
      if (e.message.size() >= kToEnd.size() && e.message.compare(e.message.size() - kToEnd.size(), kToEnd.size(), kToEnd) == 0) {
        e.message.resize(e.message.size() - kToEnd.size());
        e.message += " (drizzle's migrator cuts the file at every --> statement-breakpoint, inside strings too)";
      }
      out.errors.push_back(std::move(e));
    }
    for (auto& c : pf.comments) out.comments.push_back(c);
    out.meta_commands += pf.meta_commands;
    out.copy_data_blocks += pf.copy_data_blocks;
    out.psql_variables += pf.psql_variables;
    if (at == std::string_view::npos) break;
    begin = at + kMarker.size();
  }
  return out;
}

}  // namespace

namespace {

// parse_sql, and with `each` parse_sql_runs: `each` takes the statements and errors after every run.
ParsedFile parse_text(std::string_view input, const ParseOptions& opts, const std::function<void(ParsedFile&)>* each) {
  ParsedFile pf;
  std::string text(input);
  if (text.find('\\') != std::string::npos) blank_psql(text, pf);
  if (contains_nocase(text, "+goose", 0)) end_goose_blocks(text);
  if (text.find("--> statement-breakpoint") != std::string::npos) end_drizzle_breakpoints(text);
  if (text.find("{{") != std::string::npos) render_go_templates(text);
  if (text.find("@ext") != std::string::npos || text.find("$%AUTO") != std::string::npos) {
    render_extension_placeholders(text);
  }
  // Bytes that are not UTF-8 (reported separately) would make the parser's JSON unreadable.
  sanitize_utf8(text);
  Parser parser(text, pf, opts.want_comments);

  const bool in_runs = text.size() >= opts.runs_from_bytes;
  pg::ParseOutcome whole;
  if (!in_runs) whole = pg::parse(text);
  if (!in_runs && !whole.error) {
    auto tree = read_tree(std::move(whole.json));
    if (!tree) {
      parser.syntax_error(0, 0, "internal error: the parser's output could not be read");
    } else {
      parser.add_tree(tree, 0, text.size(), 0, "", false);
    }
  } else {
    // A large text, or one with errors: split on our own and parse runs of statements together (one call per run
    // keeps libpg_query's per-call cost off the common case); a run that fails is parsed up to the failing
    // statement, which is then parsed alone to report its error, and parsing resumes after it.
    auto pieces = lex::split_statements(text);
    // Returns the offset of the syntax error it reported, if any.
    auto parse_one = [&](const lex::Piece& piece) -> std::optional<std::size_t> {
      std::size_t start = lex::skip_trivia(text, piece.begin);
      if (piece.error) {
        std::size_t at = *piece.error;
        std::string what = "unterminated ";
        char c = text[at];
        what += c == '\'' ? "quoted string" : c == '"' ? "quoted identifier" : c == '$' ? "dollar-quoted string"
                                                                                         : "/* comment";
        parser.syntax_error(at, std::min(text.size(), at + 1), what + " (it runs to the end of the file)");
        return at;
      }
      if (start >= piece.end) return std::nullopt;
      std::string sql = text.substr(piece.begin, piece.end - piece.begin);
      auto res = pg::parse(sql);
      if (res.error && pf.meta_commands > 0) {
        std::string substituted = sql;
        if (blank_psql_variables(substituted)) {
          auto again = pg::parse(substituted);
          if (!again.error) {
            ++pf.psql_variables;
            res = std::move(again);
          }
        }
      }
      if (res.error) {
        std::size_t at = piece.begin + char_index_to_offset(sql, res.error->cursorpos);
        if (res.error->cursorpos <= 0) at = start;
        std::size_t end = at < text.size() ? lex::name_end(text, at) : at;
        if (end > piece.end) end = piece.end;
        parser.syntax_error(at, end, res.error->message + not_sql_hint(text, at));
        return at;
      }
      auto tree = read_tree(std::move(res.json), in_runs);
      if (!tree) {
        parser.syntax_error(start, start, "internal error: the parser's output could not be read");
      } else {
        parser.add_tree(tree, piece.begin, piece.end, 0, "", false);
      }
      return std::nullopt;
    };
    // A piece that runs to the end of the file without its ';' holds an unbalanced "(" (the splitter keeps ';'
    // inside parentheses, for CREATE RULE ... (a; b)). When it fails, resume after the first ';' at or after the
    // error: the statements that follow are analysed instead of being swallowed by the broken one.
    auto resume_after = [&](std::size_t bad, std::optional<std::size_t> at) {
      if (!at || bad + 1 != pieces.size() || pieces[bad].terminated || pieces[bad].error) return;
      std::size_t pos = *at;
      while (pos < pieces[bad].end && text[pos] != ';') pos = lex::skip_token(text, lex::skip_trivia(text, pos));
      if (pos >= pieces[bad].end || text[pos] != ';') return;
      std::size_t from = pos + 1;
      for (auto p : lex::split_statements(std::string_view(text).substr(from))) {
        p.begin += from;
        p.end += from;
        if (p.error) *p.error += from;
        pieces.push_back(p);
      }
    };
    // Parses pieces [i, j) as one text; returns the index of the piece that failed, or j.
    auto parse_run = [&](std::size_t i, std::size_t j) -> std::size_t {
      if (i >= j) return j;
      std::size_t from = pieces[i].begin;
      std::size_t to = pieces[j - 1].end;
      auto res = pg::parse(text.substr(from, to - from));
      if (!res.error) {
        auto tree = read_tree(std::move(res.json), in_runs);
        if (!tree) return i;
        parser.add_tree(tree, from, to, 0, "", false);
        return j;
      }
      std::size_t at = from + char_index_to_offset(std::string_view(text).substr(from, to - from), res.error->cursorpos);
      std::size_t k = i;
      while (k + 1 < j && pieces[k + 1].begin <= at) ++k;
      return k;
    };
    // parse_sql_runs: what the runs so far parsed, in file order, to the caller, which may move it out.
    auto hand_over = [&] {
      std::sort(pf.errors.begin(), pf.errors.end(),
                [](const SyntaxError& a, const SyntaxError& b) { return a.span.begin < b.span.begin; });
      (*each)(pf);
      pf.statements.clear();
      pf.errors.clear();
    };
    const std::size_t run_statements = std::max<std::size_t>(1, opts.run_statements);
    std::size_t i = 0;
    while (i < pieces.size()) {
      std::size_t j = i;
      while (j < pieces.size() && j - i < run_statements && !pieces[j].error) {
        ++j;
        if (pieces[j - 1].end - pieces[i].begin >= opts.run_bytes) break;
      }
      if (j == i) {  // an unterminated quote or comment: report it on its own
        parse_one(pieces[i++]);
        if (each && in_runs) hand_over();
        continue;
      }
      std::size_t bad = parse_run(i, j);
      if (bad == j) {
        i = j;
        if (each && in_runs) hand_over();
        continue;
      }
      // Everything before the failing piece parses together (or, if not, one by one); the failing one alone.
      if (bad > i && parse_run(i, bad) != bad) {
        for (std::size_t k = i; k < bad; ++k) parse_one(pieces[k]);
      }
      resume_after(bad, parse_one(pieces[bad]));
      i = bad + 1;
      if (each && in_runs) hand_over();
    }
  }
  std::sort(pf.errors.begin(), pf.errors.end(),
            [](const SyntaxError& a, const SyntaxError& b) { return a.span.begin < b.span.begin; });

  if (opts.want_comments) {
    auto sc = pg::scan_comments(text);
    if (!sc.error) {
      pf.comments.insert(pf.comments.end(), sc.comments.begin(), sc.comments.end());
    } else {
      // The scanner stops at a lexical error (already reported as a syntax error); find comments ourselves.
      std::size_t pos = 0;
      while (pos < text.size()) {
        std::size_t t = lex::skip_trivia(text, pos);
        for (std::size_t i = pos; i < t; ++i) {
          if ((text[i] == '-' && i + 1 < t && text[i + 1] == '-') || (text[i] == '/' && i + 1 < t && text[i + 1] == '*')) {
            std::size_t e = lex::skip_trivia(text, i);
            // skip_trivia may run over several comments; cut at the first one's end.
            std::size_t ce = i + 2;
            if (text[i] == '-') {
              while (ce < text.size() && text[ce] != '\n' && text[ce] != '\r') ++ce;
            } else {
              auto close = text.find("*/", i + 2);
              ce = close == std::string::npos ? e : close + 2;
            }
            pf.comments.push_back(pg::Comment{i, ce});
            i = ce - 1;
          }
        }
        if (t >= text.size()) break;
        pos = lex::skip_token(text, t);
      }
    }
  }
  std::sort(pf.comments.begin(), pf.comments.end(),
            [](const pg::Comment& a, const pg::Comment& b) { return a.begin < b.begin; });
  return pf;
}

}  // namespace

ParsedFile parse_sql(std::string_view input, const ParseOptions& opts) { return parse_text(input, opts, nullptr); }

void parse_sql_runs(std::string_view input, const ParseOptions& opts, const std::function<void(ParsedFile&)>& each) {
  ParsedFile rest = parse_text(input, opts, &each);
  each(rest);
}

ParsedFile parse_drizzle_sql(std::string_view input, const ParseOptions& opts) {
  static constexpr std::string_view kMarker = "--> statement-breakpoint";
  if (input.find(kMarker) == std::string_view::npos) return parse_sql(input, opts);
  std::string text(input);
  end_drizzle_breakpoints(text);
  // A marker left is inside a token (a string, a dollar quote, a quoted name): psql reads it whole, drizzle cuts.
  if (text.find(kMarker) == std::string::npos) return parse_sql(input, opts);
  return parse_drizzle_pieces(input, opts);
}

}  // namespace driftguard
