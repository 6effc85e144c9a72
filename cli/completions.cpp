#include "cli/completions.hpp"

#include <sstream>

namespace driftguard {

namespace {

CliOption describe_option(const CLI::Option& opt) {
  CliOption o;
  for (const auto& s : opt.get_snames()) o.names.push_back("-" + s);
  for (const auto& l : opt.get_lnames()) o.names.push_back("--" + l);
  o.help = opt.get_description();
  if (opt.get_items_expected_max() == 0) return o;  // a flag
  // CLI11 names the value "TEXT", "INT", ... and appends an IsMember check as ":{a,b,c}".
  std::string type = opt.get_type_name();
  std::size_t set = type.find(":{");
  if (set != std::string::npos && type.back() == '}') {
    std::stringstream items(type.substr(set + 2, type.size() - set - 3));
    for (std::string item; std::getline(items, item, ',');) o.choices.push_back(item);
    type.resize(set);
  }
  o.value = type.empty() ? "VALUE" : type;
  o.repeatable = opt.get_expected_max() > 1;
  return o;
}

// The lines of a subcommand's footer after "Examples:", without their indent.
std::string examples_of(const std::string& footer) {
  const std::string head = "Examples:\n";
  std::size_t at = footer.find(head);
  if (at == std::string::npos) return "";
  std::stringstream lines(footer.substr(at + head.size()));
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    std::size_t text = line.find_first_not_of(' ');
    if (text != std::string::npos) out += line.substr(text) + "\n";
  }
  return out;
}

// A value typed, never a file: numbers, durations and URLs (a database URL holds a password: nothing is offered,
// not even from the environment, so that completing never prints it).
bool is_typed(const std::string& type) {
  return type == "INT" || type == "UINT" || type == "FLOAT" || type == "NUMBER" || type == "DURATION" || type == "URL";
}

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

// --- bash ---------------------------------------------------------------------------------------------------

// One single-quoted word for bash and zsh (option names, rule ids and formats hold no quote, a description may).
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string bash_option_names(const std::vector<CliOption>& options) {
  std::vector<std::string> names;
  for (const auto& o : options) names.insert(names.end(), o.names.begin(), o.names.end());
  return join(names, " ");
}

void bash_command(std::ostringstream& out, const CliCommand& c) {
  out << "    " << c.name << ")\n";
  bool any_value = false;
  for (const auto& o : c.options) any_value = any_value || !o.value.empty();
  if (any_value) {
    out << "      case $prev in\n";
    for (const auto& o : c.options) {
      if (o.value.empty()) continue;
      out << "        " << join(o.names, "|") << ") ";
      if (!o.choices.empty()) {
        out << "COMPREPLY=($(compgen -W " << sh_quote(join(o.choices, " ")) << " -- \"$cur\"))";
      } else if (is_typed(o.value)) {
        out << "COMPREPLY=()";
      } else {
        out << "COMPREPLY=($(compgen -f -- \"$cur\"))";
      }
      out << "; return ;;\n";
    }
    out << "      esac\n";
  }
  out << "      opts=" << sh_quote(bash_option_names(c.options)) << "\n";
  if (!c.words.empty()) out << "      words=" << sh_quote(join(c.words, " ")) << "\n";
  if (!c.has_positionals) out << "      positionals=0\n";
  out << "      ;;\n";
}

}  // namespace

CliDefinition describe_cli(const CLI::App& app, const WordSource& words) {
  CliDefinition cli;
  cli.name = app.get_name();
  cli.help = app.get_description();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional()) cli.options.push_back(describe_option(*opt));
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) {
    CliCommand c;
    c.name = sub->get_name();
    c.help = sub->get_description();
    c.examples = examples_of(sub->get_footer());
    std::string positionals;
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt->nonpositional()) {
        CliOption o = describe_option(*opt);
        if (o.choices.empty() && !o.value.empty() && !o.names.empty()) o.choices = words(c.name, o.names.back());
        c.options.push_back(std::move(o));
        continue;
      }
      c.has_positionals = true;
      std::string p = opt->get_name() + (opt->get_expected_max() > 1 ? "..." : "");
      positionals += " " + (opt->get_required() ? p : "[" + p + "]");
      std::vector<std::string> w = describe_option(*opt).choices;
      if (w.empty()) w = words(c.name, opt->get_name());
      c.words.insert(c.words.end(), w.begin(), w.end());
    }
    c.usage = "[OPTIONS]" + positionals;
    names.push_back(c.name);
    cli.commands.push_back(std::move(c));
  }
  // `driftguard help SUBCOMMAND` is read before CLI11 parses (cli/main.cpp): not a CLI11 subcommand.
  CliCommand help;
  help.name = "help";
  help.help = "Print the help of a subcommand (its options and examples), or the list of subcommands";
  help.usage = "[SUBCOMMAND]";
  help.has_positionals = true;
  help.words = names;
  cli.commands.push_back(std::move(help));
  return cli;
}

// The subcommand is the first word after the program's name that is not an option (the program's own options
// take no value); after it, an option's value is completed from the word before (`--format js`, `--format=js`).
std::string bash_completion(const CliDefinition& cli) {
  std::ostringstream out;
  const std::string fn = "_" + cli.name;
  out << "# bash completion for " << cli.name << " (generated by `" << cli.name
      << " completions bash` from its command-line definition)\n"
      << fn << "() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" cmd=\"\" opts=\"\" words=\"\" positionals=1 i\n"
      << "  if ((COMP_CWORD > 0)); then prev=${COMP_WORDS[COMP_CWORD-1]}; fi\n"
      << "  if [[ $cur == = ]]; then cur=\"\"; fi\n"
      << "  if [[ $prev == = ]] && ((COMP_CWORD > 1)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
      << "  done\n"
      << "  case $cmd in\n"
      << "    \"\")\n"
      << "      opts=" << sh_quote(bash_option_names(cli.options)) << "\n";
  std::vector<std::string> commands;
  for (const auto& c : cli.commands) commands.push_back(c.name);
  out << "      words=" << sh_quote(join(commands, " ")) << "\n"
      << "      ;;\n";
  for (const auto& c : cli.commands) bash_command(out, c);
  out << "    *) return ;;\n"
      << "  esac\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      << "  elif [[ -n $words ]]; then\n"
      << "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      << "  elif ((positionals)); then\n"
      << "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      << "  fi\n"
      << "}\n"
      << "complete -o filenames -F " << fn << " " << cli.name << "\n";
  return out.str();
}

// --- zsh ------------------------------------------------------------------------------------------------------

namespace {

// A description inside an _arguments spec's [...], itself inside single quotes.
std::string zsh_help(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == '\\') {
      out += std::string("\\") + c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string zsh_action(const std::vector<std::string>& words, const std::string& type) {
  if (!words.empty()) return "(" + join(words, " ") + ")";
  if (is_typed(type)) return "( )";
  return "_files";
}

void zsh_option_specs(std::ostringstream& out, const std::vector<CliOption>& options, const std::string& indent) {
  for (const auto& o : options) {
    for (const auto& n : o.names) {
      out << indent << "'" << (o.repeatable ? "*" : "") << n;
      if (!o.value.empty()) out << (n.rfind("--", 0) == 0 ? "=" : "+");
      out << "[" << zsh_help(o.help) << "]";
      if (!o.value.empty()) out << ":" << o.value << ":" << zsh_action(o.choices, o.value);
      out << "' \\\n";
    }
  }
}

}  // namespace

std::string zsh_completion(const CliDefinition& cli) {
  std::ostringstream out;
  const std::string fn = "_" + cli.name;
  out << "#compdef " << cli.name << "\n"
      << "# zsh completion for " << cli.name << " (generated by `" << cli.name
      << " completions zsh` from its command-line definition)\n"
      << fn << "() {\n"
      << "  local curcontext=\"$curcontext\" state line\n"
      << "  typeset -A opt_args\n"
      << "  _arguments -C \\\n";
  zsh_option_specs(out, cli.options, "    ");
  out << "    '1: :->command' \\\n"
      << "    '*:: :->args'\n"
      << "  case $state in\n"
      << "    command)\n"
      << "      local -a commands\n"
      << "      commands=(\n";
  for (const auto& c : cli.commands) {
    out << "        " << sh_quote(c.name + ":" + c.help) << "\n";
  }
  out << "      )\n"
      << "      _describe -t commands '" << cli.name << " command' commands\n"
      << "      ;;\n"
      << "    args)\n"
      << "      curcontext=\"${curcontext%:*:*}:" << cli.name << "-$line[1]:\"\n"
      << "      case $line[1] in\n";
  for (const auto& c : cli.commands) {
    out << "        " << c.name << ")\n"
        << "          _arguments \\\n";
    zsh_option_specs(out, c.options, "            ");
    if (c.has_positionals) out << "            '*:" << (c.words.empty() ? "path" : "word") << ":" << zsh_action(c.words, "") << "' \\\n";
    out << "            && return 0\n"
        << "          ;;\n";
  }
  out << "      esac\n"
      << "      ;;\n"
      << "  esac\n"
      << "}\n"
      << fn << " \"$@\"\n";
  return out.str();
}

// --- fish -----------------------------------------------------------------------------------------------------

namespace {

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

void fish_option(std::ostringstream& out, const std::string& program, const std::string& condition,
                 const CliOption& o) {
  out << "complete -c " << program << " -n " << fish_quote(condition);
  for (const auto& n : o.names) out << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
  if (!o.value.empty()) {
    if (!o.choices.empty()) {
      out << " -x -a " << fish_quote(join(o.choices, " "));
    } else if (is_typed(o.value)) {
      out << " -x";
    } else {
      out << " -r -F";
    }
  }
  out << " -d " << fish_quote(o.help) << "\n";
}

}  // namespace

// The subcommand is the first word after the program's name that is not an option, as in bash.
std::string fish_completion(const CliDefinition& cli) {
  std::ostringstream out;
  const std::string& p = cli.name;
  out << "# fish completion for " << p << " (generated by `" << p
      << " completions fish` from its command-line definition)\n"
      << "function __" << p << "_command\n"
      << "    for word in (commandline -opc)[2..-1]\n"
      << "        switch $word\n"
      << "            case '-*'\n"
      << "                continue\n"
      << "            case '*'\n"
      << "                echo $word\n"
      << "                return\n"
      << "        end\n"
      << "    end\n"
      << "end\n"
      << "function __" << p << "_using\n"
      << "    set -l command (__" << p << "_command)\n"
      << "    test \"$command\" = \"$argv[1]\"\n"
      << "end\n"
      << "complete -c " << p << " -f\n";
  const std::string top = "__" + p + "_using ''";
  for (const auto& o : cli.options) fish_option(out, p, top, o);
  for (const auto& c : cli.commands) {
    out << "complete -c " << p << " -n " << fish_quote(top) << " -a " << c.name << " -d " << fish_quote(c.help) << "\n";
  }
  for (const auto& c : cli.commands) {
    const std::string cond = "__" + p + "_using " + c.name;
    for (const auto& o : c.options) fish_option(out, p, cond, o);
    if (!c.words.empty()) {
      out << "complete -c " << p << " -n " << fish_quote(cond) << " -a " << fish_quote(join(c.words, " ")) << "\n";
    } else if (c.has_positionals) {
      out << "complete -c " << p << " -n " << fish_quote(cond) << " -F\n";
    }
  }
  return out.str();
}

// --- man page -------------------------------------------------------------------------------------------------

namespace {

// Text for a roff text line: backslashes and hyphens escaped (an option's "-" must stay a hyphen-minus, not a
// hyphen the typesetter may break or turn into a dash), and no line starting with a control character.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string man_option(const CliOption& o) {
  std::string out;
  for (const auto& n : o.names) out += (out.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
  if (!o.value.empty()) {
    out += " \\fI" + (o.choices.empty() || o.choices.size() > 12 ? roff(o.value) : roff(join(o.choices, "|"))) + "\\fR";
  }
  if (o.repeatable) out += " ...";
  return out;
}

}  // namespace

std::string man_page(const CliDefinition& cli, const std::string& version) {
  std::ostringstream out;
  const std::string& p = cli.name;
  std::string upper;
  for (char c : p) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  out << ".\\\" " << p << "(1), generated by `" << p << " man` from its command-line definition\n"
      << ".TH " << upper << " 1 \"\" \"" << roff(p + " " + version) << "\" \"User Commands\"\n"
      << ".\\\" option names and URLs stay whole: no hyphenation, ragged right\n"
      << ".nh\n.ad l\n"
      << ".SH NAME\n"
      << roff(p) << " \\- PostgreSQL migration linter and schema-drift detector\n"
      << ".SH SYNOPSIS\n";
  for (const auto& c : cli.commands) {
    out << ".B " << roff(p + " " + c.name) << "\n" << roff(c.usage) << "\n.br\n";
  }
  out << ".B " << roff(p) << "\n\\fB\\-V\\fR | \\fB\\-\\-version\\fR\n"
      << ".SH DESCRIPTION\n"
      << roff(p) << " " << roff(cli.help.substr(cli.help.find(':') == std::string::npos ? 0 : cli.help.find(':') + 2))
      << ": it lints migration files for destructive, non-idempotent and locking hazards, compares schema.prisma, a "
         "migration history and a live database, and reports a database's migration history.\n"
      << "Each subcommand reads the nearest driftguard.toml above the files it is given.\n"
      << ".SH OPTIONS\n";
  for (const auto& o : cli.options) out << ".TP\n" << man_option(o) << "\n" << roff(o.help) << "\n";
  out << ".SH COMMANDS\n";
  for (const auto& c : cli.commands) {
    out << ".SS \"" << roff(p + " " + c.name) << "\"\n" << roff(c.help) << ".\n";
    if (!c.usage.empty()) out << ".PP\nUsage: \\fB" << roff(p + " " + c.name) << "\\fR " << roff(c.usage) << "\n";
    for (const auto& o : c.options) out << ".TP\n" << man_option(o) << "\n" << roff(o.help) << "\n";
    if (!c.examples.empty()) {
      out << ".PP\nExamples:\n.RS\n.nf\n";
      std::stringstream lines(c.examples);
      for (std::string line; std::getline(lines, line);) out << roff(line) << "\n";
      out << ".fi\n.RE\n";
    }
  }
  out << ".SH ENVIRONMENT\n"
      << ".TP\n.B NO_COLOR\nSet and not empty: no colour (unless \\fB\\-\\-color always\\fR).\n"
      << ".TP\n.BR FORCE_COLOR \", \" CLICOLOR_FORCE\nSet and not \\(lq0\\(rq: colour even when the output is not a "
         "terminal.\n"
      << ".TP\n.BR CLICOLOR=0 \", \" TERM=dumb\nNo colour.\n"
      << ".TP\n.BR DIRECT_URL \", \" DATABASE_URL\nThe database when \\fB\\-\\-database\\-url\\fR is given without a "
         "value or not at all (DIRECT_URL first, as Prisma reads it). driftguard only reads from it.\n"
      << ".SH EXIT STATUS\n"
      << ".TP\n.B 0\nNo finding at or above the \\fB\\-\\-fail\\-on\\fR level.\n"
      << ".TP\n.B 1\nAt least one such finding (drift, an incomplete rollback, a failed check).\n"
      << ".TP\n.B 2\nA usage or configuration error, or an input error (a path that does not exist, an unreadable "
         "file).\n"
      << ".PP\n\\fB" << roff(p) << " status \\-\\-file\\fR has its own codes (see docs/cli.md).\n"
      << ".SH FILES\n"
      << ".TP\n.I driftguard.toml\nThe configuration nearest above each linted file (docs/config.md).\n"
      << ".SH SEE ALSO\n"
      << ".BR git (1),\n"
      << ".BR psql (1).\n"
      << "The documentation: docs/ in the source, or https://github.com/driftguard/driftguard/blob/main/docs/cli.md\n";
  return out.str();
}

}  // namespace driftguard
