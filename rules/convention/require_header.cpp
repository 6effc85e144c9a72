// require-header: every migration starts with the team's header: exact lines (`lines`), then lines matching
// regular expressions (`patterns`).
#include <re2/re2.h>

#include "rules/common.hpp"

namespace driftguard {
namespace {

class RequireHeader final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-header", "convention", Severity::off,
                            "A migration does not start with the header lines the team requires"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  std::vector<OptionSpec> option_specs() const override {
    return {{"lines", OptionType::string_list, "the exact first lines of every migration"},
            {"patterns", OptionType::regex_list, "regular expressions the lines after `lines` must match, in order"}};
  }
  void finish_file(RuleContext& ctx) const override {
    auto lines = ctx.option<std::vector<std::string>>("lines", {});
    auto patterns = ctx.option<std::vector<std::string>>("patterns", {});
    if (lines.empty() && patterns.empty()) return;
    const std::string& text = ctx.file().text;
    std::size_t at = 0;
    for (std::size_t i = 0; i < lines.size() + patterns.size(); ++i) {
      std::size_t eol = text.find('\n', at);
      std::size_t end = eol == std::string::npos ? text.size() : eol;
      std::string_view line(text.data() + at, end - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      bool ok = false;
      std::string wanted;
      if (i < lines.size()) {
        ok = line == lines[i] && at < text.size();
        wanted = "\"" + lines[i] + "\"";
      } else {
        RE2 re(patterns[i - lines.size()], RE2::Quiet);
        ok = at < text.size() && re.ok() && RE2::PartialMatch(line, re);
        wanted = "a line matching " + patterns[i - lines.size()];
      }
      if (!ok) {
        std::optional<Fix> fix;
        // Mechanical only when the file has none of the header: the exact lines go on top.
        if (i == 0 && patterns.empty()) {
          std::string header;
          for (const auto& l : lines) header += l + "\n";
          fix = Fix{"insert the header", {{Span{0, 0}, header}}};
        }
        ctx.report(Span{at, at + line.size()},
                   "line " + std::to_string(i + 1) + " of the migration header is missing or different",
                   "Start the migration with the team's header (set in [rules.options.require-header]).",
                   std::move(fix));
        ctx.note("it should be " + wanted + (at < text.size() ? "" : ", but the file ends before it"));
        return;
      }
      at = eol == std::string::npos ? text.size() : eol + 1;
    }
  }
};

}  // namespace
std::unique_ptr<Rule> make_require_header() { return std::make_unique<RequireHeader>(); }
}  // namespace driftguard
