#include <cctype>
#include <set>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard {
namespace {

constexpr std::size_t kMaxBytes = 63;  // NAMEDATALEN - 1

// PostgreSQL's truncation: the longest prefix of at most 63 bytes that ends on a UTF-8 character boundary.
std::string clip(const std::string& s) {
  if (s.size() <= kMaxBytes) return s;
  std::size_t n = kMaxBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// The names a statement creates. libpg_query's scanner has already truncated them, so they are at most 63 bytes.
void created_names(const json& tree, std::set<std::string>& out, int depth = 0) {
  if (depth > 200) return;
  if (tree.is_array()) {
    for (const auto& v : tree) created_names(v, out, depth + 1);
    return;
  }
  if (!tree.is_object()) return;
  for (auto it = tree.begin(); it != tree.end(); ++it) {
    const std::string& k = it.key();
    const json& b = it.value();
    auto add = [&](const std::string& s) {
      if (!s.empty()) out.insert(s);
    };
    if (k == "ColumnDef") add(str(b, "colname"));
    if (k == "Constraint") add(str(b, "conname"));
    if (k == "IndexStmt") add(str(b, "idxname"));
    if (k == "CreateStmt") add(str(field(b, "relation"), "relname"));
    if (k == "CreateTableAsStmt") add(str(field(field(b, "into"), "rel"), "relname"));
    if (k == "ViewStmt") add(str(field(b, "view"), "relname"));
    if (k == "CreateSeqStmt") add(str(field(b, "sequence"), "relname"));
    if (k == "CompositeTypeStmt") add(str(field(b, "typevar"), "relname"));
    if (k == "CreateEnumStmt" || k == "CreateRangeStmt") {
      auto n = strings(field(b, "typeName"));
      if (!n.empty()) add(n.back());
    }
    if (k == "CreateDomainStmt") {
      auto n = strings(field(b, "domainname"));
      if (!n.empty()) add(n.back());
    }
    if (k == "CreateFunctionStmt") {
      auto n = strings(field(b, "funcname"));
      if (!n.empty()) add(n.back());
    }
    if (k == "CreateSchemaStmt") add(str(b, "schemaname"));
    if (k == "CreateTrigStmt") add(str(b, "trigname"));
    if (k == "CreatePolicyStmt") add(str(b, "policy_name"));
    if (k == "RenameStmt") add(str(b, "newname"));
    if (b.is_structured() && k != "SelectStmt") created_names(b, out, depth + 1);
  }
}

// The identifier a token spells (unquoted: ASCII lower-cased; quoted: without quotes), or nullopt.
std::optional<std::string> identifier(std::string_view tok) {
  if (tok.empty()) return std::nullopt;
  if (tok.front() == '"') {
    if (tok.size() < 2 || tok.back() != '"') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < tok.size(); ++i) {
      out += tok[i];
      if (tok[i] == '"') ++i;
    }
    return out;
  }
  unsigned char c = static_cast<unsigned char>(tok.front());
  if (!(std::isalpha(c) || c == '_' || c >= 0x80)) return std::nullopt;
  std::string out(tok);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

class IdentifierTooLong final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"identifier-too-long", "types", Severity::error,
                            "A created name longer than 63 bytes: PostgreSQL silently truncates it, so the schema "
                            "differs from the code"};
    return i;
  }
  // Every statement: the check runs once, on the statement's root node.
  std::vector<std::string_view> node_types() const override {
    return {"CreateStmt",      "AlterTableStmt",   "IndexStmt",         "CreateTableAsStmt", "ViewStmt",
            "CreateSeqStmt",   "CompositeTypeStmt", "CreateEnumStmt",   "CreateRangeStmt",   "CreateDomainStmt",
            "AlterDomainStmt", "CreateFunctionStmt", "CreateSchemaStmt", "CreateTrigStmt",   "CreatePolicyStmt",
            "RenameStmt"};
  }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;  // nested statements (CREATE SCHEMA ... CREATE TABLE) are walked below
    std::set<std::string> names;
    created_names(ctx.statement().node, names);
    bool any_long = false;
    for (const auto& n : names) any_long = any_long || n.size() + 4 > kMaxBytes;  // 4: one UTF-8 character
    if (!any_long) return;
    (void)node;
    // Find the identifiers as written: tokens longer than 63 bytes whose truncation is a created name.
    std::string_view s = ctx.file().text;
    Span st = ctx.statement_span();
    std::set<std::string> reported;
    for (std::size_t p = lex::skip_trivia(s, st.begin); p < st.end; p = lex::skip_trivia(s, p)) {
      std::size_t e = lex::skip_token(s, p);
      if (e <= p) break;
      auto id = identifier(s.substr(p, e - p));
      if (id && id->size() > kMaxBytes) {
        std::string cut = clip(*id);
        if (names.count(cut) && reported.insert(cut).second) {
          ctx.report(Span{p, e},
                     "identifier is " + std::to_string(id->size()) + " bytes: PostgreSQL truncates it to 63",
                     "Use a name of at most 63 bytes (count bytes, not characters: non-ASCII letters take 2-4).");
          ctx.note("PostgreSQL silently truncates names to 63 bytes, so it creates " + quote_ident(cut) +
                   " and the schema no longer matches the name in your code or ORM");
        }
      }
      p = e;
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_identifier_too_long() { return std::make_unique<IdentifierTooLong>(); }
}  // namespace driftguard
