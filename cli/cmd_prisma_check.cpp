// driftguard prisma-check: compares schema.prisma (a file or a folder of .prisma files) at the merge base of a
// git ref and HEAD with the working tree, and reports the changes that break a deployed database or its clients
// as findings at the schema.prisma line, plus schema-without-migration when no migration was added.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include "analyzer/suppress.hpp"
#include "analyzer/text.hpp"
#include "cli/command.hpp"
#include "cli/model_source.hpp"
#include "cli/config.hpp"
#include "cli/git.hpp"
#include "cli/report.hpp"
#include "cli/terminal.hpp"
#include "introspect/prisma/parser.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;

namespace driftguard {
namespace {

using namespace prisma;

struct CheckOptions {
  std::string path;
  std::string base;
  std::string format = "text";
  std::string fail_on;
  std::string color = "auto";
  std::string config;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The database name of a field, model, enum or value: its @map / @@map argument, or its own name.
std::string db_name(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const auto& a : attrs) {
    if (a.name != "map") continue;
    const Expr* e = a.first_or("name");
    if (e && e->is_string()) return e->text;
  }
  return name;
}

std::string expr_text(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::String:
      return "\"" + e.text + "\"";
    case Expr::Kind::Number:
    case Expr::Kind::Path:
      return e.text;
    case Expr::Kind::Call:
    case Expr::Kind::Array: {
      std::string s = e.kind == Expr::Kind::Call ? e.text + "(" : "[";
      std::size_t n = e.kind == Expr::Kind::Call ? e.args.size() : e.items.size();
      for (std::size_t i = 0; i < n; ++i) {
        if (i) s += ", ";
        if (e.kind == Expr::Kind::Array) {
          s += expr_text(e.items[i]);
        } else {
          if (!e.args[i].name.empty()) s += e.args[i].name + ": ";
          s += expr_text(e.args[i].value);
        }
      }
      return s + (e.kind == Expr::Kind::Call ? ")" : "]");
    }
  }
  return e.text;
}

// What a field's column type is made of: its type, list-ness and @db native type, e.g. "String[] @db.VarChar(20)".
std::string type_text(const Field& f) {
  std::string s = f.type == "Unsupported" ? "Unsupported(\"" + f.unsupported + "\")" : f.type;
  if (f.arity == Arity::List) s += "[]";
  for (const auto& a : f.attributes) {
    if (a.name.rfind("db.", 0) != 0) continue;
    s += " @" + a.name;
    if (!a.args.empty()) {
      s += "(";
      for (std::size_t i = 0; i < a.args.size(); ++i) s += (i ? ", " : "") + expr_text(a.args[i].value);
      s += ")";
    }
  }
  return s;
}

class Checker {
 public:
  Checker(const PrismaSchema& old_schema, const PrismaSchema& new_schema, const std::map<std::string, std::string>& texts,
          const Engine& engine)
      : old_(old_schema), new_(new_schema), texts_(texts), engine_(engine) {}

  // `message` states the change in one short line; `why` (a note) says what it breaks.
  void add(const char* rule, const SourceRef& at, std::string message, std::string help, std::string why = {}) {
    Finding f;
    f.rule = rule;
    f.severity = engine_.severity_of(rule);
    if (f.severity == Severity::off) return;
    for (const auto& r : rules_) {
      if (r->info().id == f.rule) f.category = std::string(r->info().category);
    }
    f.file = at.file;
    const std::string& text = texts_.at(at.file);
    LineMap map(text);
    int line = std::max(1, std::min<int>(at.line, static_cast<int>(map.line_count())));
    std::string_view lt = map.line_text(line);
    f.span.begin = map.line_start(line) + char_index_to_offset(lt, std::max(1, at.column));
    f.span.end = map.line_start(line) + lt.size();
    f.start = map.position(f.span.begin);
    f.end = map.position(f.span.end);
    f.message = std::move(message);
    f.help = std::move(help);
    if (!why.empty()) f.notes.push_back(Note{std::move(why), std::nullopt, {}, {}});
    findings.push_back(std::move(f));
  }

  void run() {
    for (const auto& om : old_.models) {
      const Model* nm = new_.model(om.name);
      if (!nm) {
        add("prisma-removed-model", {texts_.count(om.ref.file) ? om.ref.file.str() : new_.files.front(), 1, 1},
            "removes model " + om.name,
            "Stop using the model in every client first; remove it in a later release, with a migration that drops "
            "the table once nothing reads it.",
            "its table " + db_name(om.attributes, om.name) + " is dropped with its data, and clients that still use it fail");
        continue;
      }
      model(om, *nm);
    }
    for (const auto& oe : old_.enums) {
      if (const Enum* ne = new_.enum_(oe.name)) enum_(oe, *ne);
    }
  }

  std::vector<Finding> findings;

 private:
  void model(const Model& om, const Model& nm) {
    std::string old_db = db_name(om.attributes, om.name);
    std::string new_db = db_name(nm.attributes, nm.name);
    if (old_db != new_db) {
      add("prisma-changed-map", nm.ref,
          "changes the table of model " + nm.name + " from " + old_db + " to " + new_db,
          "Keep the old @@map until every client uses the new name, or rename in steps (new table, copy, switch).",
          "the migration renames (or drops and re-creates) the table, and deployed clients still use the old name");
    }
    for (const auto& of : om.fields) {
      const Field* nf = nm.field(of.name);
      if (!nf) {
        add("prisma-removed-field", nm.ref,
            "removes field " + of.name + " from model " + nm.name,
            "Stop using the field in every client first; remove it in a later release.",
            new_.model(of.type) ? "deployed clients that still use the relation fail"
                                : "its column " + db_name(of.attributes, of.name) +
                                      " is dropped with its data, and deployed clients that still use it fail");
        continue;
      }
      field(nm, of, *nf);
    }
    for (const auto& nf : nm.fields) {
      if (om.field(nf.name) || nf.arity != Arity::Required || !new_.model(nf.type)) continue;
      const Attribute* rel = nf.attr("relation");
      const Expr* fields = rel ? rel->arg("fields") : nullptr;
      if (!fields) continue;
      add("prisma-new-required-relation", nf.ref,
          "adds the required relation " + nf.name + " to existing model " + nm.name,
          "Add the relation as optional, fill in the existing rows, then make it required in a later migration.",
          "the relation to " + nf.type + " (fields " + expr_text(*fields) +
              "): existing rows have no value for it, so the migration fails on a table with rows unless it fills "
              "them in");
    }
  }

  void field(const Model& nm, const Field& of, const Field& nf) {
    std::string what = "field " + nf.name + " of model " + nm.name;
    std::string old_type = type_text(of);
    std::string new_type = type_text(nf);
    if (old_type != new_type) {
      add("prisma-changed-type", nf.ref,
          "changes the type of " + what + " from " + old_type + " to " + new_type,
          "Add a new field with the new type, copy the data, move the clients over, then remove the old field.",
          "the column is converted (or dropped and re-created, losing its data) and deployed clients read and write "
          "the old type");
    }
    if (of.arity == Arity::Optional && nf.arity == Arity::Required && !nf.attr("default") && !new_.model(nf.type)) {
      add("prisma-required-without-default", nf.ref,
          "makes " + what + " required without a @default",
          "Give the field a @default, or fill in the NULL rows in a migration first and make it required once "
          "every client sets it.",
          "the migration fails on rows where it is NULL, and deployed clients that do not set it fail to insert");
    }
    std::string old_db = db_name(of.attributes, of.name);
    std::string new_db = db_name(nf.attributes, nf.name);
    if (old_db != new_db) {
      add("prisma-changed-map", nf.ref,
          "changes the column of " + what + " from " + old_db + " to " + new_db,
          "Keep the old @map until every client uses the new name, or rename in steps (new column, copy, switch).",
          "the migration renames (or drops and re-creates) the column, and deployed clients still use the old name");
    }
  }

  void enum_(const Enum& oe, const Enum& ne) {
    std::string old_db = db_name(oe.attributes, oe.name);
    std::string new_db = db_name(ne.attributes, ne.name);
    if (old_db != new_db) {
      add("prisma-changed-map", ne.ref,
          "changes the database type of enum " + ne.name + " from " + old_db + " to " + new_db,
          "Keep the old @@map.", "the migration renames the type, and deployed clients still use the old name");
    }
    for (const auto& ov : oe.values) {
      const EnumValue* nv = nullptr;
      for (const auto& v : ne.values) {
        if (v.name == ov.name) nv = &v;
      }
      if (!nv) {
        add("prisma-removed-enum-value", ne.ref,
            "removes value " + ov.name + " from enum " + ne.name,
            "Move the rows and every client off the value first; remove it in a later release.",
            "the migration fails while rows still hold it, and deployed clients that read or write it fail");
        continue;
      }
      std::string old_v = db_name(ov.attributes, ov.name);
      std::string new_v = db_name(nv->attributes, nv->name);
      if (old_v != new_v) {
        add("prisma-changed-map", nv->ref,
            "changes the database value of " + ne.name + "." + nv->name + " from " + old_v + " to " + new_v,
            "Keep the old @map.", "rows keep the old value, and deployed clients still use it");
      }
    }
  }

  const PrismaSchema& old_;
  const PrismaSchema& new_;
  const std::map<std::string, std::string>& texts_;
  const Engine& engine_;
  const std::vector<std::unique_ptr<Rule>> rules_ = make_all_rules();
};

// Approvals in the schema: `// driftguard-ignore RULE[, RULE] [reason]` approves the findings of those rules on
// the next line that is neither blank nor a comment (the field, or the model or enum a removal is reported at),
// or on its own line when it follows code; `// driftguard-ignore-file [RULES]` approves them in the whole file.
// As in SQL, an approval that names an unknown rule or approves nothing is an unused-ignore finding.
struct Approval {
  Directive directive;
  std::string file;
  int line = 0;  // the line it approves; 0 = the whole file
  std::vector<bool> used;
  bool any_used = false;
};

// The `//` comments of a schema file (not `///` documentation comments), as spans that start after the slashes,
// which is the shape parse_directives() reads.
std::vector<pg::Comment> prisma_comments(std::string_view text) {
  std::vector<pg::Comment> out;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t eol = text.find('\n', line_start);
    if (eol == std::string_view::npos) eol = text.size();
    bool quoted = false;
    for (std::size_t i = line_start; i + 1 < eol; ++i) {
      char c = text[i];
      if (quoted && c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '/' && text[i + 1] == '/') {
        std::size_t end = eol > i && text[eol - 1] == '\r' ? eol - 1 : eol;
        if (i + 2 < end && text[i + 2] != '/') out.push_back({i + 2, end});
        break;
      }
    }
    line_start = eol + 1;
  }
  return out;
}

std::vector<Approval> find_approvals(const std::string& file, const std::string& text) {
  std::vector<Approval> out;
  if (!may_contain_directives(text)) return out;
  LineMap map(text);
  for (auto& d : parse_directives(text, prisma_comments(text))) {
    d.comment.begin -= 2;  // include the slashes
    Approval a;
    a.file = file;
    a.used.assign(d.rules.size(), false);
    int line = map.position(d.comment.begin).line;
    if (d.scope == Directive::Scope::next_statement) {
      std::string_view before = std::string_view(text).substr(map.line_start(line), d.comment.begin - map.line_start(line));
      bool trailing = before.find_first_not_of(" \t") != std::string_view::npos;
      a.line = line;
      if (!trailing) {
        for (int l = line + 1; l <= static_cast<int>(map.line_count()); ++l) {
          std::string_view t = map.line_text(l);
          std::size_t first = t.find_first_not_of(" \t\r");
          if (first == std::string_view::npos || t.substr(first, 2) == "//") continue;
          a.line = l;
          break;
        }
        if (a.line == line) a.line = -1;  // nothing follows: approves nothing
      }
    }
    a.directive = std::move(d);
    out.push_back(std::move(a));
  }
  return out;
}

// Removes the approved findings and adds unused-ignore findings for the approvals that approved nothing.
void apply_approvals(std::vector<Finding>& findings, const std::map<std::string, std::string>& texts,
                     const Engine& engine) {
  std::vector<Approval> approvals;
  for (const auto& [file, text] : texts) {
    auto found = find_approvals(file, text);
    approvals.insert(approvals.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  if (approvals.empty()) return;
  std::vector<Finding> kept;
  for (auto& f : findings) {
    bool approved = false;
    for (auto& a : approvals) {
      if (a.file != f.file || (a.line != 0 && a.line != f.start.line)) continue;
      for (std::size_t k = 0; k < a.directive.rules.size(); ++k) {
        if (a.directive.rules[k] == f.rule) approved = a.used[k] = true;
      }
      if (a.directive.rules.empty()) approved = true;
      a.any_used = a.any_used || approved;
    }
    if (!approved) kept.push_back(std::move(f));
  }
  auto unused = [&](const Approval& a, Span span, std::string message, std::string help, std::string why = {}) {
    Finding f;
    f.rule = "unused-ignore";
    f.category = "convention";
    f.severity = engine.severity_of(f.rule);
    if (f.severity == Severity::off) return;
    f.file = a.file;
    f.span = span;
    LineMap map(texts.at(a.file));
    f.start = map.position(span.begin);
    f.end = map.position(span.end);
    f.message = std::move(message);
    f.help = std::move(help);
    if (!why.empty()) f.notes.push_back(Note{std::move(why), std::nullopt, {}, {}});
    kept.push_back(std::move(f));
  };
  for (const auto& a : approvals) {
    const Directive& d = a.directive;
    std::string what = d.scope == Directive::Scope::file ? "driftguard-ignore-file" : "driftguard-ignore";
    std::string where = d.scope == Directive::Scope::file ? "in this file" : "on the next line";
    if (d.rules.empty()) {
      if (!a.any_used) unused(a, d.comment, what + " approves nothing: no prisma-check finding " + where, "Remove the comment.");
      continue;
    }
    for (std::size_t k = 0; k < d.rules.size(); ++k) {
      const std::string& id = d.rules[k];
      if (rules_named(id) != std::vector<std::string>{id}) {
        unused(a, d.rule_spans[k], what + " names an unknown rule '" + id + "'",
               "Use a rule id from `driftguard rules`, or remove it.");
      } else if (!a.used[k] && engine.enabled(id)) {
        unused(a, d.rule_spans[k], what + " for " + id + " approves nothing", "Remove " + id + " from the comment.",
               id + " reports nothing " + where);
      }
    }
  }
  findings = std::move(kept);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool is_prisma(const std::string& s) { return s.size() > 7 && s.compare(s.size() - 7, 7, ".prisma") == 0; }

// Prints every diagnostic of a schema that does not parse (prefixed by `prefix` for the base) and returns 2.
int schema_error(const PrismaError& e, const std::string& prefix) {
  for (const auto& d : e.diagnostics) std::cerr << "driftguard: " << prefix << d.str() << "\n";
  return 2;
}

int run_prisma_check(const CheckOptions& o) {
  const std::string path = o.path.empty() ? find_prisma_schema() : o.path;
  std::error_code ec;
  const bool folder = fs::is_directory(path, ec);
  fs::path dir = folder ? fs::path(path) : fs::path(path).parent_path();
  Changes ch = git_changes(o.base, dir.empty() ? "." : dir.string(), "--base");
  const std::string rel = ch.relative(path);
  if (rel.empty()) throw UsageError(path + " is outside the repository " + ch.root);

  Overrides ov;
  if (!o.fail_on.empty()) ov.fail_on = parse_severity(o.fail_on);
  ConfigSet configs(o.config.empty() ? std::nullopt : std::optional<std::string>(o.config), ov);
  const auto& prof = configs.for_path(path);

  PrismaSchema now;
  try {
    now = load_prisma(path);
  } catch (const PrismaError& e) {
    return schema_error(e, "");
  }
  RunResult result;
  for (const auto& f : now.files) {
    result.texts[f] = read_text(f);
    result.paths.push_back(f);
  }
  result.files = static_cast<int>(now.files.size());

  // The schema at the base, with its files named as the working tree's (path, or path/relative for a folder).
  std::vector<std::pair<std::string, std::string>> base_files;  // repository path, name
  for (const auto& p : ch.base_files) {
    if (folder ? starts_with(p, rel + "/") && is_prisma(p) : p == rel) {
      base_files.emplace_back(p, folder ? (fs::path(path) / p.substr(rel.size() + 1)).string() : path);
    }
  }
  PrismaSchema then;
  std::vector<Diagnostic> diags;
  for (const auto& [p, name] : base_files) parse_prisma_into(git_show_base(ch, p), name, then, diags);
  if (diags.empty()) validate_prisma(then, diags);
  if (!diags.empty()) return schema_error(PrismaError(std::move(diags)), o.base + ":");

  Checker checker(then, now, result.texts, *prof.engine);
  checker.run();

  // schema-without-migration: a schema file changed, and nothing was added to the migrations folder next to the
  // schema (next to the folder, or inside it, for a folder schema).
  std::vector<std::string> changed;
  for (const auto* set : {&ch.added, &ch.modified, &ch.deleted}) {
    for (const auto& p : *set) {
      if (folder ? starts_with(p, rel + "/") && is_prisma(p) : p == rel) changed.push_back(p);
    }
  }
  std::sort(changed.begin(), changed.end());
  std::string parent = fs::path(rel).parent_path().generic_string();
  std::vector<std::string> migrations = {(parent.empty() ? "" : parent + "/") + "migrations/"};
  if (folder) migrations.push_back(rel + "/migrations/");
  bool migration_added = false;
  for (const auto& p : ch.added) {
    for (const auto& m : migrations) migration_added = migration_added || starts_with(p, m);
  }
  if (!changed.empty() && !migration_added) {
    SourceRef at{now.files.front(), 1, 1};
    for (const auto& p : changed) {
      if (ch.deleted.count(p)) continue;
      at = {folder ? (fs::path(path) / p.substr(rel.size() + 1)).string() : path, first_changed_line(ch, p), 1};
      break;
    }
    checker.add("schema-without-migration", at,
                "the Prisma schema changed but no migration was added to " + migrations.front(),
                "Run `prisma migrate dev` to create the migration for this change, and commit it with the schema.",
                "changed since " + ch.base.substr(0, 12) + " (merge base with " + ch.ref +
                    "): databases deployed with `prisma migrate deploy` do not get the change");
  }
  result.findings = std::move(checker.findings);
  apply_approvals(result.findings, result.texts, *prof.engine);
  sort_findings(result.findings);
  report(std::cout, o.format, result, use_color(o.color), output_width());
  for (const auto& f : result.findings) {
    if (f.severity >= prof.effective.fail_on) return 1;
  }
  return 0;
}

}  // namespace

void add_prisma_check_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand(
      "prisma-check", "Report breaking changes of schema.prisma since a git ref, and a schema change without a migration");
  cmd->add_option("path", o->path,
                  "schema.prisma or a folder of .prisma files (default: the nearest prisma/schema.prisma or "
                  "prisma/schema/ under the current directory)");
  cmd->add_option("--base", o->base, "Compare with the merge base of this ref and HEAD")->required();
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember(report_formats()));
  cmd->add_option("--fail-on", o->fail_on, "Exit 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  cmd->add_option("--color", o->color, "Colour: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--config", o->config, "Use this driftguard.toml (default: the nearest one above the schema)");
  out.push_back({cmd, [o] { return run_prisma_check(*o); }});
}

}  // namespace driftguard
