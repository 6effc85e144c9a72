// --format sarif: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, written as lint runs (results
// first). The rules that have results are described in tool.driver.rules (id, name, short and full description, help URI and text, default level,
// precision, security-severity for security rules); results carry regions with 1-based lines and code-point
// columns (run.columnKind = unicodeCodePoints), paths relative to the repository root (%SRCROOT%), and the
// primaryLocationLineHash GitHub matches alerts by across commits.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>

#include "cli/json_stream.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"
#include "cli/text_hash.hpp"
#include "rules/docs.hpp"
#include "rules/registry.hpp"

namespace driftguard {

namespace {

using oj = nlohmann::ordered_json;

const char* level(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "note";
    default:
      return "none";
  }
}

// ban-drop-column -> BanDropColumn
std::string pascal(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    if (c == '-') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return out;
}

// The first paragraph after the "**Category:**" line of a rule page, joined into one line.
std::string full_description(std::string_view md) {
  auto cat = md.find("**Category:**");
  if (cat == std::string_view::npos) return "";
  auto start = md.find("\n\n", cat);
  if (start == std::string_view::npos) return "";
  start += 2;
  auto end = md.find("\n\n", start);
  std::string para(md.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  for (auto& c : para) {
    if (c == '\n') c = ' ';
  }
  return para;
}

// A path as a URI reference (RFC 3986): '/' separators; everything outside unreserved, sub-delims and '@'
// percent-encoded (also ':', which would make "a:b.sql" look like a scheme); absolute paths become file:// URIs.
std::string uri(const std::string& path) {
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  std::string s = p.generic_string();
  std::string out = p.is_absolute() ? "file://" : "";
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::string_view("-._~!$&'()*+,;=@/").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

namespace fs = std::filesystem;

// The folder results are placed from: the nearest folder above the working directory holding .git (a file in a
// worktree or submodule), else the working directory. Found by walking up, without running git.
fs::path source_root(const fs::path& cwd) {
  std::error_code ec;
  for (fs::path d = cwd; !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / ".git", ec)) return d;
    if (d == d.root_path()) break;
  }
  return cwd;
}

struct Places {
  fs::path cwd;
  fs::path root;
};

const Places& places() {
  static const Places p = [] {
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    return Places{cwd, source_root(cwd)};
  }();
  return p;
}

// A folder as a base URI: absolute, ending with '/' (RFC 3986 resolution keeps the last segment only then).
std::string folder_uri(const fs::path& dir) {
  std::string u = uri(dir.string());
  if (u.empty() || u.back() != '/') u += '/';
  return u;
}

// Line `line` (1-based) of `text`, whitespace collapsed, so that re-indenting a statement keeps its alerts.
std::string collapsed_line(const std::string& text, int line) {
  std::size_t begin = 0;
  for (int l = 1; l < line && begin != std::string::npos; ++l) {
    begin = text.find('\n', begin);
    if (begin != std::string::npos) ++begin;
  }
  if (begin == std::string::npos) return "";
  std::size_t end = text.find('\n', begin);
  return collapse_whitespace(std::string_view(text).substr(begin, end == std::string::npos ? std::string::npos : end - begin));
}

// partialFingerprints.primaryLocationLineHash, as GitHub computes it when a tool gives none: a hash of the
// primary location's line text and ":N", N counting the lines of the file with the same text up to this one
// (a finding moved by an edit above it keeps its alert; two identical statements stay apart).
std::vector<std::string> line_hashes(const RunResult& r) {
  std::vector<std::string> out;
  std::map<std::pair<std::string, std::string>, std::vector<int>> lines;  // (file, hash) -> lines seen, in order
  for (const auto& f : r.findings) {
    auto t = r.texts.find(f.file);
    std::string h = fnv1a_hex(t == r.texts.end() ? std::string() : collapsed_line(t->second, f.start.line));
    auto& seen = lines[{f.file, h}];
    auto at = std::find(seen.begin(), seen.end(), f.start.line);
    if (at == seen.end()) at = seen.insert(seen.end(), f.start.line);
    out.push_back(h + ":" + std::to_string(at - seen.begin() + 1));
  }
  return out;
}

// How often a rule's finding is a real problem, for code scanning's filters: "very-high" where the finding only
// restates what the statement does (it drops, renames, changes a type, is misspelt); "high" where the verdict also
// depends on what a linter cannot see (table size and traffic, the runner's transaction, what the live role may do).
const char* precision(std::string_view id, std::string_view category) {
  if (id == "syntax-error" || id == "unused-ignore") return "very-high";
  for (std::string_view c : {"destructive", "breaking", "types", "convention"}) {
    if (category == c) return "very-high";
  }
  return "high";
}

// GitHub's security-severity (0.0-10.0) of a security rule, from its default severity: error "high", warning
// "medium", info "low".
const char* security_severity(Severity s) {
  return s == Severity::error ? "8.0" : s == Severity::warning ? "5.0" : "3.0";
}

oj region(const Position& start, const Position& end) {
  return oj{{"startLine", start.line}, {"startColumn", start.column}, {"endLine", end.line}, {"endColumn", end.column}};
}

}  // namespace

oj sarif_log(oj rules, oj invocation, oj results) {
  invocation["workingDirectory"] = oj{{"uri", folder_uri(places().cwd)}};
  // The results come first, so that lint can write them as it goes (cli/report_stream.hpp): the rules and the
  // invocation depend on every finding and input error, and SARIF gives the keys of an object no order.
  return oj{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs",
             {{{"results", std::move(results)},
               {"tool",
                {{"driver",
                  {{"name", "driftguard"},
                   {"version", std::string(kVersion)},
                   {"semanticVersion", std::string(kVersion)},
                   {"informationUri", std::string(kProjectUrl)},
                   {"rules", std::move(rules)}}}}},
               {"invocations", {std::move(invocation)}},
               {"originalUriBaseIds",
                {{"%SRCROOT%",
                  {{"uri", folder_uri(places().root)},
                   {"description", {{"text", "The repository root (the working directory outside a repository)"}}}}}}},
               {"columnKind", "unicodeCodePoints"}}}}};
}

oj sarif_artifact(const std::string& path) {
  const auto& [cwd, root] = places();
  fs::path p(path);
  fs::path abs = (p.is_absolute() ? p : cwd / p).lexically_normal();
  fs::path rel = abs.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return oj{{"uri", uri(abs.string())}};
  return oj{{"uri", uri(rel.string())}, {"uriBaseId", "%SRCROOT%"}};
}

namespace {

// The description of a rule in tool.driver.rules.
oj sarif_rule(const RuleInfo& i, const std::string& docs_base) {
  std::string id(i.id);
  std::string_view md;
  for (const auto& d : rule_docs()) {
    if (d.id == i.id) md = d.markdown;
  }
  oj conf{{"level", i.severity == Severity::off ? "warning" : level(i.severity)}};
  std::string help_uri = docs_url(id, docs_base);
  oj props{{"category", std::string(i.category)}, {"tags", {std::string(i.category)}}, {"precision", precision(i.id, i.category)}};
  if (i.category == "security") props["security-severity"] = security_severity(i.severity);
  if (i.severity == Severity::off) conf["enabled"] = false;
  return oj{{"id", id},
            {"name", pascal(i.id)},
            {"shortDescription", {{"text", std::string(i.summary)}}},
            {"fullDescription", {{"text", full_description(md)}}},
            {"helpUri", help_uri},
            {"help", {{"text", "Run `driftguard explain " + id + "` or see " + help_uri}, {"markdown", std::string(md)}}},
            {"defaultConfiguration", conf},
            {"properties", props}};
}

// Results are written as parts of the run arrive (whole files, in report order: their fingerprints and line hashes
// are the whole run's); the rules that have results are listed after them, in the order of their first result
// (ruleIndex is known when a result is written), then the invocation with the run's input errors.
class SarifStream : public ReportStream {
 public:
  explicit SarifStream(std::ostream& out) : array_(out, sarif_log(oj::array(), oj::object(), streamed_array())) {}
  void whole(const RunResult& r) { end(r); }

 protected:
  void findings(const RunResult& part) override {
    auto fps = fingerprints(part);
    auto lines = line_hashes(part);
    for (std::size_t k = 0; k < part.findings.size(); ++k) {
      const auto& f = part.findings[k];
      std::string text = f.message + "\nHelp: " + f.help;
      oj related = oj::array();
      for (const auto& n : f.notes) {
        if (!n.span) {
          text += "\nNote: " + n.message;
          continue;
        }
        related.push_back(oj{
            {"id", related.size() + 1},
            {"message", {{"text", n.message}}},
            {"physicalLocation", {{"artifactLocation", sarif_artifact(f.file)}, {"region", region(n.start, n.end)}}}});
      }
      auto [at, added] = index_.try_emplace(f.rule, static_cast<int>(used_.size()));
      if (added) used_.push_back(f.rule);
      oj res{{"ruleId", f.rule},
             {"ruleIndex", at->second},
             {"level", level(f.severity)},
             {"message", {{"text", text}}},
             {"locations",
              {{{"physicalLocation",
                 {{"artifactLocation", sarif_artifact(f.file)}, {"region", region(f.start, f.end)}}}}}},
             {"partialFingerprints", {{"primaryLocationLineHash", lines[k]}, {"driftguardFindingHash/v1", fps[k]}}}};
      if (!related.empty()) res["relatedLocations"] = related;
      array_.add(res);
    }
  }
  void end(const RunResult& r) override {
    findings(r);
    std::vector<oj> described(used_.size());
    for (const auto& rule : make_all_rules()) {
      auto at = index_.find(std::string(rule->info().id));
      if (at != index_.end()) described[static_cast<std::size_t>(at->second)] = sarif_rule(rule->info(), r.docs_base);
    }
    oj rules = oj::array();
    for (auto& d : described) rules.push_back(std::move(d));
    oj notifications = oj::array();
    for (const auto& e : r.errors) {
      notifications.push_back(
          oj{{"level", "error"},
             {"message", {{"text", e.message}}},
             {"locations", {{{"physicalLocation", {{"artifactLocation", sarif_artifact(e.path)}}}}}}});
    }
    oj invocation{{"executionSuccessful", r.errors.empty()}};
    if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
    array_.finish(sarif_log(std::move(rules), std::move(invocation), streamed_array()));
  }

 private:
  StreamedArray array_;
  std::map<std::string, int> index_;  // rule -> ruleIndex
  std::vector<std::string> used_;     // the rules with results, by first result
};

}  // namespace

std::unique_ptr<ReportStream> sarif_stream(std::ostream& out) { return std::make_unique<SarifStream>(out); }

void report_sarif(std::ostream& out, const RunResult& r) { SarifStream(out).whole(r); }

}  // namespace driftguard
