// driftguard verify: the objects a live database must have — tables, columns, row level security, policies,
// extensions — from [verify] in driftguard.toml or flags, checked in one READ ONLY transaction against pg_catalog.
// Exit 0: every requirement holds; 1: one does not (only then); 2: usage, config or database error.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <tuple>
#include <memory>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/report.hpp"
#include "cli/report_records.hpp"
#include "introspect/db/connection.hpp"

#include <nlohmann/json.hpp>

namespace driftguard {
namespace {

using Kind = Requirement::Kind;

struct VerifyOptions {
  DbFlags db;
  std::string config;
  std::string format = "text";
  std::vector<std::string> tables, columns, rls, policies, extensions;
};

std::string_view kind_name(Kind k) {
  static constexpr std::string_view names[] = {"table", "column", "rls", "policy", "extension"};
  return names[static_cast<int>(k)];
}

// What the database has, read once for every requirement.
struct Catalog {
  std::set<std::pair<std::string, std::string>> tables;                        // (schema, table)
  std::map<std::pair<std::string, std::string>, bool> rls;                     // table -> row security enabled
  std::set<std::tuple<std::string, std::string, std::string>> columns;         // (schema, table, column)
  std::map<std::pair<std::string, std::string>, std::set<std::string>> policies;  // table -> policy names
  std::set<std::string> extensions;
  std::set<std::string> schemas;
};

Catalog read_catalog(pqxx::transaction_base& tx) {
  Catalog c;
  // Ordinary and partitioned tables; pg_catalog, information_schema and pg_toast are not the application's.
  const std::string user_tables =
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
  for (const auto& row : tx.exec("SELECT n.nspname::text, c.relname::text, c.relrowsecurity " + user_tables)) {
    std::pair<std::string, std::string> t{row[0].c_str(), row[1].c_str()};
    c.tables.insert(t);
    c.rls[t] = row[2].as<bool>();
  }
  for (const auto& row :
       tx.exec("SELECT n.nspname::text, c.relname::text, a.attname::text FROM pg_catalog.pg_attribute a "
               "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = "
               "c.relnamespace WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped")) {
    c.columns.emplace(row[0].c_str(), row[1].c_str(), row[2].c_str());
  }
  for (const auto& row : tx.exec("SELECT schemaname::text, tablename::text, policyname::text FROM pg_catalog.pg_policies")) {
    c.policies[{row[0].c_str(), row[1].c_str()}].insert(row[2].c_str());
  }
  for (const auto& row : tx.exec("SELECT extname::text FROM pg_catalog.pg_extension")) c.extensions.insert(row[0].c_str());
  for (const auto& row : tx.exec("SELECT nspname::text FROM pg_catalog.pg_namespace")) c.schemas.insert(row[0].c_str());
  return c;
}

struct Failure {
  const Requirement* req;
  std::string message;
};

std::string table_text(const Requirement& r) { return r.schema + "." + r.table; }

// The failures of one requirement (an rls requirement on a schema fails once per table without row security).
std::vector<std::string> check(const Requirement& r, const Catalog& c) {
  std::pair<std::string, std::string> t{r.schema, r.table};
  bool table_needed = r.kind == Kind::table || r.kind == Kind::column || r.kind == Kind::policy ||
                      (r.kind == Kind::rls && !r.table.empty());
  if (table_needed && !c.tables.count(t)) return {"table " + table_text(r) + " does not exist"};
  switch (r.kind) {
    case Kind::table:
      return {};
    case Kind::column:
      if (c.columns.count({r.schema, r.table, r.name})) return {};
      return {"column " + table_text(r) + "." + r.name + " does not exist"};
    case Kind::rls: {
      // A schema that is not there would hold the requirement vacuously (a typo in the config).
      if (r.table.empty() && !c.schemas.count(r.schema)) return {"schema " + r.schema + " does not exist"};
      std::vector<std::string> out;
      for (const auto& [table, enabled] : c.rls) {
        bool wanted = r.table.empty() ? table.first == r.schema : table == t;
        if (wanted && !enabled) out.push_back(table.first + "." + table.second + ": row level security is disabled");
      }
      return out;
    }
    case Kind::policy: {
      auto it = c.policies.find(t);
      if (r.name.empty()) {
        if (it == c.policies.end() || it->second.empty()) return {table_text(r) + ": no policy"};
        return {};
      }
      if (it != c.policies.end() && it->second.count(r.name)) return {};
      return {table_text(r) + ": policy \"" + r.name + "\" does not exist"};
    }
    case Kind::extension:
      if (c.extensions.count(r.name)) return {};
      return {"extension " + r.name + " is not installed"};
  }
  return {};
}

std::string requirement_text(const Requirement& r) {
  switch (r.kind) {
    case Kind::table:
      return "table " + table_text(r);
    case Kind::column:
      return "column " + table_text(r) + "." + r.name;
    case Kind::rls:
      return "row level security on " + (r.table.empty() ? "every table of schema " + r.schema : table_text(r));
    case Kind::policy:
      return r.name.empty() ? "a policy on " + table_text(r) : "policy \"" + r.name + "\" on " + table_text(r);
    case Kind::extension:
      return "extension " + r.name;
  }
  return {};
}

// Flags: --table T, --column T.C (the last dot separates the column), --rls SCHEMA|T, --policy T:NAME (T alone: at
// least one policy), --extension E.
std::vector<Requirement> from_flags(const VerifyOptions& o) {
  std::vector<Requirement> out;
  auto make = [](Kind k, const std::string& table, std::string name) {
    Requirement r;
    r.kind = k;
    if (!table.empty()) std::tie(r.schema, r.table) = split_table_name(table);
    r.name = std::move(name);
    return r;
  };
  for (const auto& t : o.tables) out.push_back(make(Kind::table, t, ""));
  for (const auto& c : o.columns) {
    auto dot = c.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == c.size()) {
      throw UsageError("--column expects TABLE.COLUMN (SCHEMA.TABLE.COLUMN), got '" + c + "'");
    }
    out.push_back(make(Kind::column, c.substr(0, dot), c.substr(dot + 1)));
  }
  for (const auto& s : o.rls) {
    if (s.find('.') == std::string::npos) {
      Requirement r;
      r.kind = Kind::rls;
      r.schema = s;
      out.push_back(r);
    } else {
      out.push_back(make(Kind::rls, s, ""));
    }
  }
  for (const auto& p : o.policies) {
    auto colon = p.find(':');
    out.push_back(make(Kind::policy, p.substr(0, colon), colon == std::string::npos ? "" : p.substr(colon + 1)));
  }
  for (const auto& e : o.extensions) out.push_back(make(Kind::extension, "", e));
  return out;
}

std::string xml(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

// "FILE:LINE:COL" -> file, line, col (for GitHub annotations); empty when the requirement came from a flag.
struct Where {
  std::string file;
  std::string line;
  std::string col;
};
Where split_where(const std::string& w) {
  auto c2 = w.rfind(':');
  if (w.empty() || c2 == std::string::npos) return {};
  auto c1 = w.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return {};
  return {w.substr(0, c1), w.substr(c1 + 1, c2 - c1 - 1), w.substr(c2 + 1)};
}

void print(const std::string& format, const std::vector<Requirement>& reqs, const std::vector<Failure>& failures,
           const std::string& target) {
  std::ostream& out = std::cout;
  const std::string summary =
      failures.empty() ? "driftguard verify: all " + std::to_string(reqs.size()) + " requirements hold on " + target
                       : "driftguard verify: " + std::to_string(failures.size()) + " failed of " +
                             std::to_string(reqs.size()) + " requirements on " + target;
  if (format == "text") {
    for (const auto& f : failures) out << "error: " << f.message << "\n";
    out << summary << "\n";
  } else if (format == "json") {
    nlohmann::ordered_json j;
    j["version"] = 1;
    j["database"] = target;
    j["requirements"] = nlohmann::ordered_json::array();
    for (const auto& r : reqs) {
      nlohmann::ordered_json e;
      e["kind"] = kind_name(r.kind);
      e["requirement"] = requirement_text(r);
      e["where"] = r.where.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.where);
      auto errors = nlohmann::ordered_json::array();
      for (const auto& f : failures) {
        if (f.req == &r) errors.push_back(f.message);
      }
      e["ok"] = errors.empty();
      e["errors"] = errors;
      j["requirements"].push_back(e);
    }
    j["failed"] = failures.size();
    out << j.dump(2) << "\n";
  } else if (format == "github") {
    for (const auto& f : failures) {
      Where w = split_where(f.req->where);
      out << "::error ";
      if (!w.file.empty()) {
        out << "file=" << github_property(w.file) << ",line=" << w.line << ",col=" << w.col << ",";
      }
      out << "title=" << github_property("driftguard verify") << "::" << github_data(f.message) << "\n";
    }
    out << summary << "\n";
  } else if (format == "markdown") {
    out << "### driftguard verify: " << (failures.empty() ? "all requirements hold" : std::to_string(failures.size()) + " failed")
        << "\n\n" << summary.substr(std::string("driftguard verify: ").size()) << ".\n";
    if (!failures.empty()) {
      out << "\n| requirement | error | where |\n|---|---|---|\n";
      for (const auto& f : failures) {
        out << "| " << requirement_text(*f.req) << " | " << f.message << " | "
            << (f.req->where.empty() ? "flag" : "`" + f.req->where + "`") << " |\n";
      }
    }
  } else if (format == "sarif") {  // a result per failure, at the requirement's place in driftguard.toml
    RecordReport rr{"verify", "docs/cli.md#verify", summary, {}};
    for (const auto& f : failures) {
      Where w = split_where(f.req->where);
      Record x;
      x.id = "verify-";
      x.id += kind_name(f.req->kind);
      x.file = w.file;
      x.line = w.file.empty() ? 0 : std::atoi(w.line.c_str());
      x.column = w.file.empty() ? 0 : std::atoi(w.col.c_str());
      if (w.file.empty()) {  // a requirement from a flag: no file to point at
        x.where = "flag --";
        x.where += kind_name(f.req->kind);
        x.where += " on " + target;
      }
      x.message = f.message;
      x.help = "required: ";
      x.help += requirement_text(*f.req);
      rr.records.push_back(std::move(x));
    }
    report_records(out, "sarif", rr);
  } else {  // junit: one test case per requirement
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"driftguard verify\" tests=\"" << reqs.size()
        << "\" failures=\"" << failures.size() << "\">\n  <testsuite name=\"" << xml(target) << "\" tests=\""
        << reqs.size() << "\" failures=\"" << failures.size() << "\">\n";
    for (const auto& r : reqs) {
      out << "    <testcase classname=\"verify." << kind_name(r.kind) << "\" name=\"" << xml(requirement_text(r)) << "\"";
      std::string msgs;
      for (const auto& f : failures) {
        if (f.req == &r) msgs += (msgs.empty() ? "" : "\n") + f.message;
      }
      if (msgs.empty()) {
        out << "/>\n";
      } else {
        out << ">\n      <failure message=\"" << xml(msgs) << "\">" << xml(msgs) << "</failure>\n    </testcase>\n";
      }
    }
    out << "  </testsuite>\n</testsuites>\n";
  }
}

int run_verify(const VerifyOptions& o) {
  std::optional<std::string> path = o.config.empty() ? find_config(".") : std::optional<std::string>(o.config);
  std::vector<Requirement> reqs;
  DbFlags db = o.db;
  if (path) {
    Config config = load_config(*path);
    reqs = config.verify;
    db.config_connect_timeout_s = config.connect_timeout_s;
  }
  db::ConnectOptions conn = connect_options(db);
  auto flags = from_flags(o);
  reqs.insert(reqs.end(), flags.begin(), flags.end());
  // Reported by kind (tables, columns, rls, policies, extensions), each kind in the order written.
  std::stable_sort(reqs.begin(), reqs.end(), [](const Requirement& a, const Requirement& b) { return a.kind < b.kind; });
  if (reqs.empty()) {
    throw UsageError("nothing to verify: no [verify] in " + (path ? *path : std::string("a driftguard.toml")) +
                     " and no --table, --column, --rls, --policy or --extension");
  }
  db::ReadOnlySession session(conn);
  Catalog catalog;
  try {
    catalog = read_catalog(session.tx());
  } catch (const pqxx::failure& e) {
    std::string what = e.what();
    throw UsageError("reading the catalog of " + session.target() + ": " + db::redact(what.substr(0, what.find('\n'))));
  }
  std::vector<Failure> failures;
  for (const auto& r : reqs) {
    for (auto& m : check(r, catalog)) failures.push_back({&r, std::move(m)});
  }
  print(o.format, reqs, failures, session.target());
  return failures.empty() ? 0 : 1;
}

}  // namespace

void add_verify_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand(
      "verify", "Check that a live database has the required tables, columns, row level security, policies and "
                "extensions ([verify] in driftguard.toml, or flags); read-only");
  add_db_flags(cmd, o->db, false);
  cmd->add_option("--config", o->config, "Use this driftguard.toml (default: the nearest one above the working directory)");
  cmd->add_option("--table", o->tables, "A table that must exist: [SCHEMA.]TABLE (repeatable)");
  cmd->add_option("--column", o->columns, "A column that must exist: [SCHEMA.]TABLE.COLUMN (repeatable)");
  cmd->add_option("--rls", o->rls, "Row level security must be enabled: on every table of SCHEMA, or on SCHEMA.TABLE (repeatable)");
  cmd->add_option("--policy", o->policies, "A policy that must exist: [SCHEMA.]TABLE:NAME, or [SCHEMA.]TABLE for at least one (repeatable)");
  cmd->add_option("--extension", o->extensions, "An extension that must be installed (repeatable)");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "github", "markdown", "junit", "sarif"}))
      ->capture_default_str();
  out.push_back({cmd, [o] { return run_verify(*o); }});
}

}  // namespace driftguard
