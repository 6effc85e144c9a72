#include "introspect/prisma/parser.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace driftguard::prisma {

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Lexer

enum class Tok { Ident, String, Number, LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Colon, Equals,
                 Question, At, AtAt, Dot, Newline, Doc, End, Bad };

struct Token {
  Tok kind;
  std::string text;  // Ident/Number as written, String unescaped, Doc without "///", Bad: the character
  int line;
  int col;
};

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::Ident: return "'" + t.text + "'";
    case Tok::String: return "a string";
    case Tok::Number: return "'" + t.text + "'";
    case Tok::Newline: return "the end of the line";
    case Tok::End: return "the end of the file";
    case Tok::Doc: return "a /// comment";
    default: return "'" + t.text + "'";
  }
}

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '-'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags)
      : s_(text), file_(file), diags_(diags) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  std::vector<Token> run() {
    std::vector<Token> out;
    // About one token per 6 bytes of a real schema (documenso's 50 KB: 6,098): growing the vector from empty moved
    // every token a dozen times (a sixth of a one-file lint's parse of schema.prisma).
    out.reserve(s_.size() / 4 + 16);
    out_ = &out;
    while (true) {
      skip_blanks();
      if (pos_ >= s_.size()) break;
      int line = line_, col = col_;
      char c = s_[pos_];
      if (c == '\n' || c == '\r') {
        newline();
        out.push_back({Tok::Newline, "\n", line, col});
      } else if (c == '/' && peek(1) == '*') {
        block_comment(line, col);
        continue;
      } else if (c == '/' && peek(1) == '/') {
        bool doc = peek(2) == '/';
        std::size_t start = pos_ + (doc ? 3 : 2);
        while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') advance();
        if (doc) {
          std::string text(s_.substr(start, pos_ - start));
          if (!text.empty() && text[0] == ' ') text.erase(0, 1);
          out.push_back({Tok::Doc, text, line, col});
        }
      } else if (ident_start(c)) {
        std::size_t start = pos_;
        while (pos_ < s_.size() && ident_char(s_[pos_])) advance();
        out.push_back({Tok::Ident, std::string(s_.substr(start, pos_ - start)), line, col});
      } else if (digit(c) || (c == '-' && digit(peek(1)))) {
        out.push_back(number(line, col));
      } else if (c == '"') {
        out.push_back(string(line, col));
      } else if (c == '@') {
        advance();
        if (peek(0) == '@') {
          advance();
          out.push_back({Tok::AtAt, "@@", line, col});
        } else {
          out.push_back({Tok::At, "@", line, col});
        }
      } else {
        static const std::string_view punct = "{}()[],:=?.";
        static const Tok kinds[] = {Tok::LBrace,   Tok::RBrace, Tok::LParen, Tok::RParen,   Tok::LBracket, Tok::RBracket,
                                    Tok::Comma,    Tok::Colon,  Tok::Equals, Tok::Question, Tok::Dot};
        auto k = punct.find(c);
        std::size_t start = pos_;
        advance();
        if (k != std::string_view::npos) {
          out.push_back({kinds[k], std::string(1, c), line, col});
        } else {
          while (pos_ < s_.size() && (static_cast<unsigned char>(s_[pos_]) & 0xC0) == 0x80) advance();
          out.push_back({Tok::Bad, std::string(s_.substr(start, pos_ - start)), line, col});
        }
      }
    }
    out.push_back({Tok::End, "", line_, col_});
    return out;
  }

 private:
  char peek(std::size_t k) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  void advance() {
    // columns count characters: UTF-8 continuation bytes do not start one
    if ((static_cast<unsigned char>(s_[pos_]) & 0xC0) != 0x80) ++col_;
    ++pos_;
  }
  void newline() {
    if (s_[pos_] == '\r' && peek(1) == '\n') ++pos_;
    ++pos_;
    ++line_;
    col_ = 1;
  }
  void skip_blanks() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\f' || s_[pos_] == '\v')) advance();
  }
  void error(int line, int col, std::string msg) { diags_.push_back({{file_, line, col}, std::move(msg)}); }

  // `/* ... */` (and `/** ... */`), possibly over several lines. Prisma's grammar takes one as a comment line (at
  // the start of a line, before anything else on it) or as the trailing comment of a line (nothing but blanks
  // after it); anywhere else in a line its engine rejects the line ("This line is not a valid field or attribute
  // definition"), and so do we.
  void block_comment(int line, int col) {
    bool leading = out_->empty() || out_->back().kind == Tok::Newline || out_->back().line < line;
    advance();
    advance();
    while (pos_ < s_.size() && !(s_[pos_] == '*' && peek(1) == '/')) {
      if (s_[pos_] == '\n' || s_[pos_] == '\r') {
        newline();
      } else {
        advance();
      }
    }
    if (pos_ >= s_.size()) {
      error(line, col, "unterminated comment: '/*' without '*/'");
      return;
    }
    advance();
    advance();
    if (leading) return;
    std::size_t k = pos_;
    while (k < s_.size() && (s_[k] == ' ' || s_[k] == '\t' || s_[k] == '\f' || s_[k] == '\v')) ++k;
    if (k < s_.size() && s_[k] != '\n' && s_[k] != '\r') {
      error(line, col, "a /* */ comment must start its line or end it: Prisma rejects one between the items of a line");
    }
  }

  Token number(int line, int col) {
    std::size_t start = pos_;
    if (s_[pos_] == '-') advance();
    while (digit(peek(0))) advance();
    if (peek(0) == '.' && digit(peek(1))) {
      advance();
      while (digit(peek(0))) advance();
    }
    // No exponent: Prisma's grammar has none (its engine rejects @default(1e3)).
    return {Tok::Number, std::string(s_.substr(start, pos_ - start)), line, col};
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  int hex4(std::size_t at) const {
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      char h = at + i < s_.size() ? s_[at + i] : '\0';
      int d = digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  Token string(int line, int col) {
    advance();  // opening quote
    std::string value;
    while (true) {
      if (pos_ >= s_.size() || s_[pos_] == '\n' || s_[pos_] == '\r') {
        error(line, col, "unterminated string: missing closing '\"'");
        break;
      }
      char c = s_[pos_];
      if (c == '"') {
        advance();
        break;
      }
      if (c != '\\') {
        value += c;
        advance();
        continue;
      }
      int eline = line_, ecol = col_;
      char e = peek(1);
      advance();
      if (pos_ >= s_.size() || e == '\n' || e == '\r') continue;  // reported as unterminated above
      advance();
      switch (e) {
        case '"': value += '"'; break;
        case '\\': value += '\\'; break;
        case '/': value += '/'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'u': {
          int cp = hex4(pos_);
          if (cp < 0) {
            error(eline, ecol, "invalid unicode escape: expected four hexadecimal digits after \\u");
            break;
          }
          for (int i = 0; i < 4; ++i) advance();
          unsigned code = static_cast<unsigned>(cp);
          if (code >= 0xD800 && code <= 0xDBFF && peek(0) == '\\' && peek(1) == 'u') {
            int lo = hex4(pos_ + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              for (int i = 0; i < 6; ++i) advance();
              code = 0x10000 + ((code - 0xD800) << 10) + (static_cast<unsigned>(lo) - 0xDC00);
            }
          }
          append_utf8(value, code);
          break;
        }
        default:
          error(eline, ecol, std::string("unknown escape sequence \\") + e);
          value += e;
      }
    }
    return {Tok::String, value, line, col};
  }

  std::string_view s_;
  const std::string& file_;
  std::vector<Diagnostic>& diags_;
  std::vector<Token>* out_ = nullptr;  // the tokens so far (a block comment's placement depends on them)
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

// ---------------------------------------------------------------------------------------------------------------
// Parser

struct SyntaxFailure {};  // unwinds to the innermost recovery point; the error is already recorded

class Parser {
 public:
  Parser(std::vector<Token> toks, const std::string& file, PrismaSchema& schema, std::vector<Diagnostic>& diags)
      : t_(std::move(toks)), file_(file), file_ref_(file), schema_(schema), diags_(diags) {}

  void file() {
    while (true) {
      std::string doc = docs_and_newlines();
      if (at(Tok::End)) return;
      std::size_t before = i_;
      try {
        block(std::move(doc));
      } catch (const SyntaxFailure&) {
        recover_top_level(before);
      }
    }
  }

 private:
  const Token& cur() const { return t_[i_]; }
  const Token& ahead(std::size_t k) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  bool at(Tok k) const { return cur().kind == k; }
  // The path interned once: every field, attribute, argument and value has a position (interning it for each
  // was a lookup in the process's table per position).
  SourceRef ref(const Token& t) const { return {file_ref_, t.line, t.col}; }
  const Token& next() {
    const Token& t = t_[i_];
    if (t.kind != Tok::End) ++i_;
    return t;
  }

  // Reports an error and unwinds. A second error on a line that already has one is a consequence of the first
  // (an unterminated string leaves its '(' unclosed) and is not reported.
  [[noreturn]] void fail(const Token& t, const std::string& msg) {
    bool seen = std::any_of(diags_.begin(), diags_.end(),
                            [&](const Diagnostic& d) { return d.where.file == file_ && d.where.line == t.line; });
    if (!seen) diags_.push_back({ref(t), msg});
    throw SyntaxFailure{};
  }
  [[noreturn]] void unexpected(const std::string& expected) {
    if (at(Tok::Bad)) fail(cur(), "unexpected character '" + cur().text + "'");
    fail(cur(), "expected " + expected + ", found " + describe(cur()));
  }
  const Token& expect(Tok k, const std::string& what) {
    if (!at(k)) unexpected(what);
    return next();
  }

  // Skips blank lines and ordinary comments; returns the /// lines right before the next item.
  std::string docs_and_newlines() {
    std::string doc;
    while (at(Tok::Newline) || at(Tok::Doc)) {
      if (at(Tok::Doc)) doc += (doc.empty() ? "" : "\n") + cur().text;
      next();
    }
    return doc;
  }
  void skip_newlines() {
    while (at(Tok::Newline) || at(Tok::Doc)) next();
  }

  // After a failed top-level item: skip to the end of the block it opened, or, when its first line opened none, to
  // the next line that starts a block.
  void recover_top_level(std::size_t start) {
    bool opened = false;
    for (std::size_t k = start; t_[k].kind != Tok::Newline && t_[k].kind != Tok::End; ++k) {
      if (t_[k].kind == Tok::LBrace) opened = true;
    }
    i_ = std::max(i_, start + 1);
    for (; !at(Tok::End); next()) {
      if (!line_starts_at(i_)) continue;
      if (opened && at(Tok::RBrace)) {
        next();
        return;
      }
      if (!opened && at(Tok::Ident) && ahead(1).kind == Tok::Ident && ahead(2).kind == Tok::LBrace) return;
    }
  }
  bool line_starts_at(std::size_t k) const { return k == 0 || t_[k - 1].kind == Tok::Newline; }

  void block(std::string doc) {
    const Token& kw = cur();
    if (kw.kind != Tok::Ident) unexpected("a block (model, enum, view, type, datasource or generator)");
    const std::string& k = kw.text;
    if (k != "model" && k != "view" && k != "type" && k != "enum" && k != "datasource" && k != "generator") {
      fail(kw, "unknown block type '" + k + "': expected model, enum, view, type, datasource or generator");
    }
    next();
    if (!at(Tok::Ident)) unexpected("a name for the " + k);
    const Token& name = next();
    if (k == "type" && at(Tok::Equals)) fail(cur(), "type aliases (type X = ...) are not supported by Prisma any more");
    const Token& open = expect(Tok::LBrace, "'{' to open the " + k + " block");
    if (k == "model" || k == "view" || k == "type") {
      Model m;
      m.kind = k == "model" ? Model::Kind::Model : k == "view" ? Model::Kind::View : Model::Kind::Type;
      m.name = name.text;
      m.doc = std::move(doc);
      m.ref = ref(kw);
      model_body(m, open);
      (k == "model" ? schema_.models : k == "view" ? schema_.views : schema_.types).push_back(std::move(m));
    } else if (k == "enum") {
      Enum e;
      e.name = name.text;
      e.doc = std::move(doc);
      e.ref = ref(kw);
      enum_body(e, open);
      schema_.enums.push_back(std::move(e));
    } else {
      ConfigBlock c;
      c.kind = k;
      c.name = name.text;
      c.ref = ref(kw);
      config_body(c, open);
      (k == "datasource" ? schema_.datasources : schema_.generators).push_back(std::move(c));
    }
  }

  void expect_line_end(const std::string& where) {
    if (at(Tok::Newline) || at(Tok::Doc) || at(Tok::End)) return;
    if (at(Tok::Bad)) fail(cur(), "unexpected character '" + cur().text + "'");
    fail(cur(), "unexpected " + describe(cur()) + " " + where + ": expected a new line");
  }

  // Runs `item` for each line of a block until its closing '}'. An error skips the rest of that line only.
  template <class F>
  void block_lines(const Token& open, const std::string& what, F item) {
    while (true) {
      std::string doc = docs_and_newlines();
      if (at(Tok::RBrace)) {
        next();
        return;
      }
      if (at(Tok::End)) {
        fail(cur(), "missing '}' to close the " + what + " opened at line " + std::to_string(open.line));
      }
      try {
        item(std::move(doc));
        if (at(Tok::RBrace)) continue;  // `field Int }` closes the block on the same line
        expect_line_end("after the declaration");
      } catch (const SyntaxFailure&) {
        while (!at(Tok::Newline) && !at(Tok::End) && !(at(Tok::RBrace) && line_starts_at(i_))) next();
      }
    }
  }

  void model_body(Model& m, const Token& open) {
    const std::string what = (m.kind == Model::Kind::Model ? "model " : m.kind == Model::Kind::View ? "view " : "type ") + m.name;
    block_lines(open, what, [&](std::string doc) {
      if (at(Tok::AtAt)) {
        m.attributes.push_back(attribute());
        return;
      }
      if (at(Tok::At)) fail(cur(), "field attributes must follow a field; block attributes start with '@@'");
      if (!at(Tok::Ident)) unexpected("a field name or a block attribute (@@...)");
      Field f;
      f.doc = std::move(doc);
      f.ref = ref(cur());
      f.name = next().text;
      if (at(Tok::Colon)) {
        std::string type = ahead(1).kind == Tok::Ident ? ahead(1).text : "Type";
        fail(cur(), "field declarations do not take a ':' (write '" + f.name + " " + type + "')");
      }
      if (!at(Tok::Ident)) {
        if (at(Tok::Newline) || at(Tok::End) || at(Tok::RBrace) || at(Tok::At)) {
          fail(cur(), "field '" + f.name + "' has no type");
        }
        unexpected("the type of field '" + f.name + "'");
      }
      f.type_ref = ref(cur());
      f.type = next().text;
      if (f.type == "Unsupported") {
        expect(Tok::LParen, "'(' after Unsupported");
        if (!at(Tok::String)) unexpected("a string with the database type, as in Unsupported(\"circle\")");
        f.unsupported = next().text;
        expect(Tok::RParen, "')' to close Unsupported(");
      }
      if (at(Tok::LBracket)) {
        next();
        expect(Tok::RBracket, "']' after '['");
        f.arity = Arity::List;
        if (at(Tok::Question)) fail(cur(), "optional lists are not supported: a list field cannot be optional");
      } else if (at(Tok::Question)) {
        next();
        f.arity = Arity::Optional;
        if (at(Tok::LBracket)) fail(cur(), "optional lists are not supported: write '" + f.type + "[]'");
      }
      while (at(Tok::At)) f.attributes.push_back(attribute());
      if (at(Tok::AtAt)) fail(cur(), "block attributes (@@...) go on their own line");
      m.fields.push_back(std::move(f));
    });
  }

  void enum_body(Enum& e, const Token& open) {
    block_lines(open, "enum " + e.name, [&](std::string doc) {
      if (at(Tok::AtAt)) {
        e.attributes.push_back(attribute());
        return;
      }
      if (!at(Tok::Ident)) unexpected("an enum value or a block attribute (@@...)");
      EnumValue v;
      v.doc = std::move(doc);
      v.ref = ref(cur());
      v.name = next().text;
      while (at(Tok::At)) v.attributes.push_back(attribute());
      if (at(Tok::Ident)) fail(cur(), "enum values go one per line: unexpected " + describe(cur()));
      e.values.push_back(std::move(v));
    });
  }

  void config_body(ConfigBlock& c, const Token& open) {
    block_lines(open, c.kind + " " + c.name, [&](std::string) {
      if (!at(Tok::Ident)) unexpected("a property name (key = value)");
      ConfigBlock::Property p;
      p.ref = ref(cur());
      p.name = next().text;
      expect(Tok::Equals, "'=' after '" + p.name + "'");
      if (at(Tok::Newline) || at(Tok::End) || at(Tok::RBrace)) fail(cur(), "missing value for '" + p.name + "'");
      p.value = expression();
      c.properties.push_back(std::move(p));
    });
  }

  Attribute attribute() {
    Attribute a;
    a.ref = ref(cur());
    bool block_attr = at(Tok::AtAt);
    next();
    if (!at(Tok::Ident)) unexpected(std::string("an attribute name after '") + (block_attr ? "@@" : "@") + "'");
    a.name = next().text;
    while (at(Tok::Dot)) {
      next();
      if (!at(Tok::Ident)) unexpected("a name after '.'");
      a.name += "." + next().text;
    }
    if (at(Tok::LParen)) a.args = arguments();
    return a;
  }

  // Inside ( ) and [ ] line breaks are allowed; a line that starts a new declaration means the bracket was not
  // closed.
  void skip_inner_newlines(const Token& open, const char* closer) {
    if (!at(Tok::Newline) && !at(Tok::Doc)) return;
    skip_newlines();
    bool new_decl = at(Tok::RBrace) || at(Tok::AtAt) || at(Tok::End) ||
                    (at(Tok::Ident) && (ahead(1).kind == Tok::Ident || ahead(1).kind == Tok::Equals ||
                                        ahead(1).kind == Tok::Newline || ahead(1).kind == Tok::End));
    if (new_decl) {
      fail(open, std::string("unclosed '") + open.text + "': missing '" + closer + "'");
    }
  }

  std::vector<Arg> arguments() {
    const Token& open = next();  // '('
    std::vector<Arg> args;
    while (true) {
      skip_inner_newlines(open, ")");
      if (at(Tok::RParen)) {
        next();
        return args;
      }
      Arg a;
      a.ref = ref(cur());
      if (at(Tok::Ident) && ahead(1).kind == Tok::Colon) {
        a.name = next().text;
        next();
        skip_inner_newlines(open, ")");
        if (at(Tok::Comma) || at(Tok::RParen)) fail(cur(), "missing value for argument '" + a.name + "'");
      }
      a.value = expression();
      args.push_back(std::move(a));
      skip_inner_newlines(open, ")");
      if (at(Tok::Comma)) {
        next();
        continue;
      }
      if (!at(Tok::RParen)) {
        if (at(Tok::Newline) || at(Tok::End)) fail(open, "unclosed '(': missing ')'");
        unexpected("',' or ')'");
      }
    }
  }

  Expr expression() {
    Expr e;
    e.ref = ref(cur());
    if (at(Tok::String)) {
      e.kind = Expr::Kind::String;
      e.text = next().text;
    } else if (at(Tok::Number)) {
      e.kind = Expr::Kind::Number;
      e.text = next().text;
    } else if (at(Tok::LBracket)) {
      const Token& open = next();
      e.kind = Expr::Kind::Array;
      while (true) {
        skip_inner_newlines(open, "]");
        if (at(Tok::RBracket)) {
          next();
          break;
        }
        e.items.push_back(expression());
        skip_inner_newlines(open, "]");
        if (at(Tok::Comma)) {
          next();
          continue;
        }
        if (!at(Tok::RBracket)) {
          if (at(Tok::Newline) || at(Tok::End)) fail(open, "unclosed '[': missing ']'");
          unexpected("',' or ']'");
        }
      }
    } else if (at(Tok::Ident)) {
      e.kind = Expr::Kind::Path;
      e.text = next().text;
      while (at(Tok::Dot)) {
        next();
        if (!at(Tok::Ident)) unexpected("a name after '.'");
        e.text += "." + next().text;
      }
      if (at(Tok::LParen)) {
        e.kind = Expr::Kind::Call;
        e.args = arguments();
      }
    } else {
      unexpected("a value (a string, a number, a list, a name or a function call)");
    }
    return e;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  const std::string& file_;
  InternedPath file_ref_;
  PrismaSchema& schema_;
  std::vector<Diagnostic>& diags_;
};

template <class T>
const T* find_named(const std::vector<T>& v, std::string_view name) {
  for (const auto& x : v) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

const Expr* named_arg(const std::vector<Arg>& args, std::string_view name) {
  for (const auto& a : args) {
    if (a.name == name) return &a.value;
  }
  return nullptr;
}

const Expr* positional_arg(const std::vector<Arg>& args, std::size_t i) {
  for (const auto& a : args) {
    if (a.name.empty() && i-- == 0) return &a.value;
  }
  return nullptr;
}

std::string join_messages(const std::vector<Diagnostic>& diags) {
  std::string s;
  for (const auto& d : diags) {  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"\n" + std::string&&`
    if (!s.empty()) s += '\n';
    s += d.str();
  }
  return s;
}

}  // namespace

const Expr* Expr::arg(std::string_view name) const { return named_arg(args, name); }
const Expr* Expr::positional(std::size_t i) const { return positional_arg(args, i); }
const Expr* Attribute::arg(std::string_view arg_name) const { return named_arg(args, arg_name); }
const Expr* Attribute::positional(std::size_t i) const { return positional_arg(args, i); }
const Expr* Attribute::first_or(std::string_view arg_name) const {
  const Expr* p = positional(0);
  return p ? p : arg(arg_name);
}
const Attribute* Field::attr(std::string_view n) const { return find_named(attributes, n); }
const Field* Model::field(std::string_view n) const { return find_named(fields, n); }
const Attribute* Model::attr(std::string_view n) const { return find_named(attributes, n); }
const Attribute* Enum::attr(std::string_view n) const { return find_named(attributes, n); }
const Expr* ConfigBlock::get(std::string_view key) const {
  const Property* p = find_named(properties, key);
  return p && p->value ? &*p->value : nullptr;
}
const Model* PrismaSchema::model(std::string_view n) const { return find_named(models, n); }
const Enum* PrismaSchema::enum_(std::string_view n) const { return find_named(enums, n); }
const Model* PrismaSchema::composite(std::string_view n) const { return find_named(types, n); }

PrismaError::PrismaError(std::vector<Diagnostic> diags)
    : std::runtime_error(join_messages(diags)), diagnostics(std::move(diags)) {}

bool is_scalar_type(std::string_view t) {
  static const std::set<std::string_view> scalars = {"String", "Boolean", "Int",   "BigInt", "Float",
                                                     "Decimal", "DateTime", "Json", "Bytes"};
  return scalars.count(t) > 0;
}

void parse_prisma_into(std::string_view text, const std::string& file, PrismaSchema& schema,
                       std::vector<Diagnostic>& diags) {
  schema.files.push_back(file);
  auto tokens = Lexer(text, file, diags).run();
  Parser(std::move(tokens), file, schema, diags).file();
}

void validate_prisma(const PrismaSchema& schema, std::vector<Diagnostic>& diags) {
  auto err = [&](const SourceRef& at, std::string msg) { diags.push_back({at, std::move(msg)}); };

  // Top-level names share one namespace.
  std::map<std::string_view, SourceRef> top;  // the names live in `schema`
  auto declare = [&](const std::string& kind, const std::string& name, const SourceRef& at) {
    auto [it, fresh] = top.emplace(name, at);
    if (!fresh) err(at, "the " + kind + " '" + name + "' is already defined at " + it->second.str());
    if (is_scalar_type(name) || name == "Unsupported") err(at, "'" + name + "' is a reserved type name");
  };
  for (const auto& m : schema.models) declare("model", m.name, m.ref);
  for (const auto& m : schema.views) declare("view", m.name, m.ref);
  for (const auto& m : schema.types) declare("type", m.name, m.ref);
  for (const auto& e : schema.enums) declare("enum", e.name, e.ref);

  // `where()` names the owner in the message: built only for an error (a string per field was a fifth of this).
  auto known_attrs = [&](const std::vector<Attribute>& attrs, const std::set<std::string_view>& known,
                         const char* prefix, const auto& where, bool allow_db) {
    for (const auto& a : attrs) {
      if (known.count(a.name) || (allow_db && a.name.rfind("db.", 0) == 0)) continue;
      err(a.ref, std::string("unknown attribute ") + prefix + a.name + " on " + where());
    }
  };
  static const std::set<std::string_view> field_attrs = {"id", "default", "unique", "relation", "map", "updatedAt",
                                                         "ignore", "shardKey"};
  static const std::set<std::string_view> block_attrs = {"id", "unique", "index", "fulltext", "map", "schema",
                                                         "ignore", "shardKey"};
  static const std::set<std::string_view> value_attrs = {"map"};
  static const std::set<std::string_view> enum_attrs = {"map", "schema"};
  auto check_block = [&](const Model& m, const char* kind) {
    std::map<std::string_view, SourceRef> names;  // the names live in `schema`
    for (const auto& f : m.fields) {
      auto [it, fresh] = names.emplace(f.name, f.ref);
      if (!fresh) err(f.ref, "field '" + f.name + "' is already defined in " + kind + " " + m.name + " at " + it->second.str());
      bool known = is_scalar_type(f.type) || f.type == "Unsupported" || top.count(f.type);
      if (!known) {
        err(f.type_ref, "type '" + f.type + "' of field '" + f.name +
                            "' is neither a built-in type nor a model, view, composite type or enum");
      }
      known_attrs(f.attributes, field_attrs, "@", [&] { return std::string("field '") + f.name + "'"; }, true);
      // Prisma's engine: "Fields of type `Unsupported` cannot take an `@ignore` attribute."
      if (const Attribute* ignore = f.attr("ignore"); ignore && f.type == "Unsupported") {
        err(ignore->ref, "field '" + f.name + "' of type Unsupported cannot take @ignore: Prisma already ignores "
                         "Unsupported fields in the client (remove @ignore)");
      }
      // Prisma's engine: "Fields on an already ignored Model do not need an `@ignore` annotation." at the field.
      if (const Attribute* ignore = f.attr("ignore"); ignore && m.attr("ignore")) {
        err(f.ref, "field '" + f.name + "' of " + kind + " " + m.name + " cannot take @ignore: the " + kind +
                       " is @@ignore'd already (remove @ignore)");
      }
    }
    known_attrs(m.attributes, block_attrs, "@@", [&] { return std::string(kind) + " " + m.name; }, false);
  };
  for (const auto& m : schema.models) check_block(m, "model");
  for (const auto& m : schema.views) check_block(m, "view");
  for (const auto& m : schema.types) check_block(m, "type");
  for (const auto& e : schema.enums) {
    std::map<std::string_view, SourceRef> names;  // the names live in `schema`
    for (const auto& v : e.values) {
      auto [it, fresh] = names.emplace(v.name, v.ref);
      if (!fresh) err(v.ref, "value '" + v.name + "' is already defined in enum " + e.name + " at " + it->second.str());
      known_attrs(v.attributes, value_attrs, "@", [&] { return "enum value '" + v.name + "'"; }, false);
    }
    known_attrs(e.attributes, enum_attrs, "@@", [&] { return "enum " + e.name; }, false);
  }
  // Prisma's engine: "Each model must have at least one unique criteria that has only required fields" (an @id, an
  // @@id, or an @unique / @@unique over required fields), unless the model is @@ignore'd.
  for (const auto& m : schema.models) {
    if (m.attr("ignore")) continue;
    auto required = [&](const std::string& name) {
      const Field* f = m.field(name);
      return f && f->arity == Arity::Required;
    };
    bool unique = m.attr("id") != nullptr;
    for (const auto& f : m.fields) unique = unique || f.attr("id") || (f.attr("unique") && f.arity == Arity::Required);
    for (const auto& a : m.attributes) {
      if (a.name != "unique") continue;
      const Expr* fields = a.first_or("fields");
      if (!fields || fields->kind != Expr::Kind::Array || fields->items.empty()) continue;
      bool all = true;
      for (const auto& item : fields->items) all = all && required(item.text);
      unique = unique || all;
    }
    if (!unique) {
      err(m.ref, "model " + m.name + " has no unique criteria over required fields: mark a field @id or @unique, or "
                 "add @@id([...]) or @@unique([...])");
    }
  }
  for (const auto& e : schema.enums) {
    if (e.values.empty()) err(e.ref, "enum " + e.name + " has no value: an enum needs at least one");
  }

  // Prisma 7's engine rules for views: a preview feature, and no primary key (a view holds no constraint).
  bool views_enabled = std::any_of(schema.generators.begin(), schema.generators.end(), [](const ConfigBlock& g) {
    const Expr* f = g.get("previewFeatures");
    return f && std::any_of(f->items.begin(), f->items.end(), [](const Expr& x) { return x.is_string() && x.text == "views"; });
  });
  for (const auto& v : schema.views) {
    if (!views_enabled) {
      err(v.ref, "view definitions are only available with the \"views\" preview feature (previewFeatures of the generator)");
    }
    for (const auto& f : v.fields) {
      if (const Attribute* id = f.attr("id")) err(id->ref, "views cannot have primary keys: @id on view " + v.name);
    }
    if (const Attribute* id = v.attr("id")) err(id->ref, "views cannot have primary keys: @@id on view " + v.name);
  }
  if (schema.datasources.size() > 1) {
    err(schema.datasources[1].ref, "only one datasource is allowed (the first is at " +
                                       schema.datasources[0].ref.str() + ")");
  }
}

PrismaSchema parse_prisma(std::string_view text, const std::string& file) {
  PrismaSchema schema;
  std::vector<Diagnostic> diags;
  parse_prisma_into(text, file, schema, diags);
  if (diags.empty()) validate_prisma(schema, diags);
  if (!diags.empty()) throw PrismaError(std::move(diags));
  return schema;
}

PrismaSchema load_prisma(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::vector<Diagnostic> diags;
  auto fail = [&](const std::string& msg) {
    // One diagnostic pushed, not an initializer list (copied from const temporaries, which GCC 12 -O3 reports as
    // maybe-uninitialized).
    std::vector<Diagnostic> one(1);
    one[0].where.file = path.string();
    one[0].message = msg;
    throw PrismaError(std::move(one));
  };
  std::error_code ec;
  std::vector<std::pair<std::string, fs::path>> files;  // (relative name for ordering, path)
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (it->is_directory() && (name == "node_modules" || (!name.empty() && name[0] == '.'))) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().extension() == ".prisma") {
        files.emplace_back(fs::relative(it->path(), path).generic_string(), it->path());
      }
    }
    // appends, not `"literal" + std::string&&` (GCC 12 -O3 reports a false -Wrestrict there)
    if (ec) fail(std::string("cannot read the folder: ").append(ec.message()));
    if (files.empty()) fail("no .prisma file in this folder");
    std::sort(files.begin(), files.end());
  } else if (fs::exists(path, ec)) {
    files.emplace_back(path.filename().string(), path);
  } else {
    fail("no such file or folder");
  }
  PrismaSchema schema;
  for (const auto& [rel, p] : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) fail(std::string("cannot read ").append(p.string()));
    const std::string text = ss.str();
    if (text.find('\0') != std::string::npos) {
      Diagnostic binary;  // filled in, not a braced temporary (GCC 12 -O3: a false -Wmaybe-uninitialized)
      binary.where.file = p.string();
      binary.message = "binary file (NUL bytes), not a Prisma schema";
      diags.push_back(std::move(binary));
      continue;
    }
    parse_prisma_into(text, p.string(), schema, diags);
  }
  if (diags.empty()) validate_prisma(schema, diags);
  if (!diags.empty()) throw PrismaError(std::move(diags));
  return schema;
}

}  // namespace driftguard::prisma
