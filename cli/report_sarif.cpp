// --format sarif: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. The rules that have results are
// described in tool.driver.rules (id, name, short and full description, help URI and text, default level);
// results carry regions with 1-based lines and code-point columns (run.columnKind = unicodeCodePoints).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "cli/json_stream.hpp"
#include "cli/report.hpp"
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

oj region(const Position& start, const Position& end) {
  return oj{{"startLine", start.line}, {"startColumn", start.column}, {"endLine", end.line}, {"endColumn", end.column}};
}

}  // namespace

oj sarif_log(oj rules, oj invocation, oj results) {
  return oj{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs",
             {{{"tool",
                {{"driver",
                  {{"name", "driftguard"},
                   {"version", std::string(kVersion)},
                   {"semanticVersion", std::string(kVersion)},
                   {"informationUri", std::string(kProjectUrl)},
                   {"rules", std::move(rules)}}}}},
               {"invocations", {std::move(invocation)}},
               {"columnKind", "unicodeCodePoints"},
               {"results", std::move(results)}}}}};
}

std::string sarif_uri(const std::string& path) { return uri(path); }

void report_sarif(std::ostream& out, const RunResult& r) {
  std::set<std::string> used;
  for (const auto& f : r.findings) used.insert(f.rule);
  oj rules = oj::array();
  std::map<std::string, int> index;
  for (const auto& rule : make_all_rules()) {
    const auto& i = rule->info();
    std::string id(i.id);
    if (!used.count(id)) continue;
    std::string_view md;
    for (const auto& d : rule_docs()) {
      if (d.id == i.id) md = d.markdown;
    }
    oj conf{{"level", i.severity == Severity::off ? "warning" : level(i.severity)}};
    if (i.severity == Severity::off) conf["enabled"] = false;
    index[id] = static_cast<int>(rules.size());
    rules.push_back(oj{{"id", id},
                       {"name", pascal(i.id)},
                       {"shortDescription", {{"text", std::string(i.summary)}}},
                       {"fullDescription", {{"text", full_description(md)}}},
                       {"helpUri", docs_url(id)},
                       {"help", {{"text", "Run `driftguard explain " + id + "` or see " + docs_url(id)},
                                 {"markdown", std::string(md)}}},
                       {"defaultConfiguration", conf},
                       {"properties", {{"category", std::string(i.category)}, {"tags", {std::string(i.category)}}}}});
  }

  auto write_results = [&](auto emit) {
    auto fps = fingerprints(r);
    for (std::size_t k = 0; k < r.findings.size(); ++k) {
      const auto& f = r.findings[k];
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
            {"physicalLocation", {{"artifactLocation", {{"uri", uri(f.file)}}}, {"region", region(n.start, n.end)}}}});
      }
      oj res{{"ruleId", f.rule},
             {"ruleIndex", index[f.rule]},
             {"level", level(f.severity)},
             {"message", {{"text", text}}},
             {"locations",
              {{{"physicalLocation",
                 {{"artifactLocation", {{"uri", uri(f.file)}}}, {"region", region(f.start, f.end)}}}}}},
             {"partialFingerprints", {{"driftguardFindingHash/v1", fps[k]}}}};
      if (!related.empty()) res["relatedLocations"] = related;
      emit(res);
    }
  };

  oj notifications = oj::array();
  for (const auto& e : r.errors) {
    notifications.push_back(
        oj{{"level", "error"},
           {"message", {{"text", e.message}}},
           {"locations", {{{"physicalLocation", {{"artifactLocation", {{"uri", uri(e.path)}}}}}}}}});
  }
  oj invocation{{"executionSuccessful", r.errors.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;

  oj doc = sarif_log(rules, invocation, streamed_array());
  dump_streaming(out, doc, write_results);
}

}  // namespace driftguard
