#include "analyzer/model/function_resolution.hpp"

#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "analyzer/model/normalize.hpp"

namespace driftguard::norm {
namespace {

const char kCatalog[] =
#include "analyzer/model/builtin_functions.inc"
    ;

struct TypeInfo {
  char category = 0;  // pg_type.typcategory
  bool preferred = false;
  char kind = 0;        // pg_type.typtype: b base, p pseudo, r range, m multirange
  std::string element;  // an array's element type, "" for any other type
};

struct Function {
  char kind = 'f';  // f, a (aggregate), w (window)
  bool retset = false;
  int defaults = 0;      // pronargdefaults: the last this many parameters may be left out
  std::string variadic;  // the element type of a VARIADIC parameter (the last), "" for none
  std::string result;
  std::vector<std::string> args;
};

struct Catalog {
  std::map<std::string, TypeInfo, std::less<>> types;
  std::set<std::pair<std::string, std::string>> implicit_casts;
  std::multimap<std::string, Function, std::less<>> functions;
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(from, i - from));
      from = i + 1;
    }
  }
  return out;
}

const Catalog& catalog() {
  static const Catalog c = [] {
    Catalog out;
    std::istringstream in(kCatalog);
    for (std::string line; std::getline(in, line);) {
      auto f = split(line, '|');
      if (f[0] == "type" && f.size() == 6) {
        out.types[f[1]] = TypeInfo{f[2][0], f[3] == "t", f[4][0], f[5]};
      } else if (f[0] == "cast" && f.size() == 3) {
        out.implicit_casts.emplace(f[1], f[2]);
      } else if (f[0] == "function" && f.size() == 8) {
        Function fn{f[2][0], f[3] == "t", std::stoi(f[4]), f[5], f[6], f[7].empty() ? std::vector<std::string>{} : split(f[7], ';')};
        out.functions.emplace(f[1], std::move(fn));
      }
    }
    return out;
  }();
  return c;
}

bool polymorphic(const std::string& t) {
  static const std::set<std::string> names = {"anyelement",    "anyarray",          "anynonarray",
                                              "anyenum",       "anyrange",          "anymultirange",
                                              "anycompatible", "anycompatiblearray", "anycompatiblenonarray",
                                              "anycompatiblerange", "anycompatiblemultirange"};
  return names.count(t) > 0;
}

const TypeInfo* type_info(const std::string& t) {
  const auto& types = catalog().types;
  auto it = types.find(t);
  return it == types.end() ? nullptr : &it->second;
}

char category(const std::string& t) {
  if (t == kUnknownType) return 'X';
  const TypeInfo* i = type_info(t);
  return i ? i->category : 0;
}

// IsPreferredType(category, type)
bool preferred(char cat, const std::string& t) {
  const TypeInfo* i = type_info(t);
  return i && i->preferred && i->category == cat;
}

// One argument against one parameter of a polymorphic kind, the argument's type known (check_generic_type_
// consistency's per-argument part; whether several polymorphic arguments agree is checked once chosen).
bool fits_polymorphic(const std::string& input, const std::string& param) {
  if (input == kUnknownType) return true;
  const TypeInfo* i = type_info(input);
  if (!i) return false;
  bool array = !i->element.empty();
  if (param == "anyarray" || param == "anycompatiblearray") return array;
  if (param == "anynonarray" || param == "anycompatiblenonarray") return !array;
  if (param == "anyrange" || param == "anycompatiblerange") return i->kind == 'r';
  if (param == "anymultirange" || param == "anycompatiblemultirange") return i->kind == 'm';
  if (param == "anyenum") return i->kind == 'e';
  return true;  // anyelement, anycompatible
}

// can_coerce_type for one argument in the implicit context.
bool can_coerce(const std::string& input, const std::string& target) {
  if (input == target || target == "\"any\"") return true;
  if (polymorphic(target)) return fits_polymorphic(input, target);
  if (input == kUnknownType) return true;
  if (catalog().implicit_casts.count({input, target})) return true;
  // arrays whose elements cast implicitly (find_coercion_pathway's ARRAYCOERCE)
  const TypeInfo* i = type_info(input);
  const TypeInfo* t = type_info(target);
  if (i && t && !i->element.empty() && !t->element.empty()) {
    return catalog().implicit_casts.count({i->element, t->element}) > 0;
  }
  return false;
}

struct Candidate {
  const Function* f;
  std::vector<std::string> args;  // after variadic expansion and defaults
  std::size_t variadic_from;      // first argument of an expanded (non-"any") variadic array; args.size() if none
};

// FuncnameGetCandidates: the overloads that take `nargs` arguments, variadic ones expanded unless the call says
// VARIADIC, trailing defaulted parameters left out. nullopt when two of them take the same argument types (which
// PostgreSQL settles by rules the table does not need: the call is then printed as written).
std::optional<std::vector<Candidate>> candidates(const std::string& name, std::size_t nargs, bool variadic_call) {
  std::vector<Candidate> out;
  auto [from, to] = catalog().functions.equal_range(name);
  for (auto it = from; it != to; ++it) {
    const Function& f = it->second;
    std::size_t n = f.args.size();
    if (!f.variadic.empty() && !variadic_call && nargs >= n) {
      // the last parameter's array becomes that many arguments of its element type ("any": taken as they are)
      Candidate c{&f, f.args, f.variadic == "\"any\"" ? nargs : n - 1};
      c.args.resize(nargs, f.variadic);
      c.args[n - 1] = f.variadic;
      out.push_back(std::move(c));
    } else if (nargs == n || (nargs < n && nargs + static_cast<std::size_t>(f.defaults) >= n)) {
      std::vector<std::string> args(f.args.begin(), f.args.begin() + static_cast<long>(nargs));
      out.push_back(Candidate{&f, std::move(args), nargs});
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t j = i + 1; j < out.size(); ++j) {
      if (out[i].args == out[j].args) return std::nullopt;
    }
  }
  return out;
}

// func_select_candidate: several overloads take the arguments through implicit casts; the one PostgreSQL prefers,
// or nullptr when it finds the call ambiguous.
const Candidate* select_candidate(const std::vector<std::string>& input, std::vector<const Candidate*> cands) {
  const std::size_t nargs = input.size();
  std::size_t unknowns = 0;
  for (const auto& t : input) unknowns += t == kUnknownType;
  // keep those with the most exact matches, then the most exact-or-preferred (in the argument's category) ones
  auto keep_best = [&](auto score) {
    std::vector<const Candidate*> best;
    int best_score = -1;
    for (const Candidate* c : cands) {
      int s = score(*c);
      if (s > best_score) {
        best_score = s;
        best.clear();
      }
      if (s == best_score) best.push_back(c);
    }
    cands = best;
  };
  keep_best([&](const Candidate& c) {
    int n = 0;
    for (std::size_t i = 0; i < nargs; ++i) n += input[i] != kUnknownType && c.args[i] == input[i];
    return n;
  });
  if (cands.size() == 1) return cands[0];
  keep_best([&](const Candidate& c) {
    int n = 0;
    for (std::size_t i = 0; i < nargs; ++i) {
      if (input[i] == kUnknownType) continue;
      n += c.args[i] == input[i] || preferred(category(input[i]), c.args[i]);
    }
    return n;
  });
  if (cands.size() == 1) return cands[0];
  // unknown arguments: the category the candidates agree on (string when any takes one), and its preferred type
  bool resolved = unknowns > 0;
  std::vector<char> slot_category(nargs, 0);
  std::vector<bool> slot_preferred(nargs, false);
  for (std::size_t i = 0; i < nargs && resolved; ++i) {
    if (input[i] != kUnknownType) continue;
    bool conflict = false;
    for (const Candidate* c : cands) {
      char cat = category(c->args[i]);
      bool pref = preferred(cat, c->args[i]);
      if (slot_category[i] == 0) {
        slot_category[i] = cat;
        slot_preferred[i] = pref;
      } else if (cat == slot_category[i]) {
        slot_preferred[i] = slot_preferred[i] || pref;
      } else if (cat == 'S') {
        slot_category[i] = cat;
        slot_preferred[i] = pref;
      } else {
        conflict = true;
      }
    }
    if (conflict && slot_category[i] != 'S') resolved = false;
  }
  if (resolved) {
    std::vector<const Candidate*> kept;
    for (const Candidate* c : cands) {
      bool keep = true;
      for (std::size_t i = 0; i < nargs && keep; ++i) {
        if (input[i] != kUnknownType) continue;
        char cat = category(c->args[i]);
        keep = cat == slot_category[i] && (!slot_preferred[i] || preferred(cat, c->args[i]));
      }
      if (keep) kept.push_back(c);
    }
    cands = kept;
    if (cands.size() == 1) return cands[0];
  }
  // last gasp: every known argument of one type; the unknown ones taken as that type
  if (unknowns > 0 && unknowns < nargs) {
    std::string known;
    for (const auto& t : input) {
      if (t == kUnknownType) continue;
      if (known.empty()) {
        known = t;
      } else if (known != t) {
        return nullptr;
      }
    }
    const Candidate* only = nullptr;
    for (const Candidate* c : cands) {
      bool all = true;
      for (std::size_t i = 0; i < nargs && all; ++i) all = can_coerce(known, c->args[i]);
      if (!all) continue;
      if (only) return nullptr;
      only = c;
    }
    return only;
  }
  return nullptr;
}

// The polymorphic parameters of the chosen overload bound consistently, as the model can tell: every argument
// of the anyelement family of one element type, and no anycompatible parameter whose arguments differ (those
// PostgreSQL casts to a common type, which this table does not model).
bool polymorphic_consistent(const Candidate& c, const std::vector<std::string>& input) {
  std::string element, compatible;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const std::string& p = c.args[i];
    if (!polymorphic(p) || input[i] == kUnknownType) continue;
    const TypeInfo* t = type_info(input[i]);
    if (!t) return false;
    bool array_param = p == "anyarray" || p == "anycompatiblearray";
    if (p == "anyrange" || p == "anymultirange" || p == "anycompatiblerange" || p == "anycompatiblemultirange") {
      return false;  // the range's subtype is not in the table
    }
    std::string e = array_param ? t->element : input[i];
    std::string& bound = p.rfind("anycompatible", 0) == 0 ? compatible : element;
    if (bound.empty()) {
      bound = e;
    } else if (bound != e) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* builtin_catalog_text() { return kCatalog; }

std::vector<BuiltinOverload> builtin_overloads() {
  std::vector<BuiltinOverload> out;
  for (const auto& [name, f] : catalog().functions) out.push_back({name, f.args, f.kind == 'a'});
  return out;
}

char builtin_type_category(const std::string& type) {
  const TypeInfo* i = type_info(type);
  return i ? i->category : 0;
}

std::string resolution_type(const std::string& canonical) {
  if (std::string e = element_type(canonical); !e.empty()) {
    std::string t = resolution_type(e);
    if (t.empty()) return {};
    t += "[]";
    return type_info(t) ? t : std::string();
  }
  std::string t = strip_typmod(canonical);
  if (t == "bpchar") t = "character";  // format_type's name without a length
  if (t.rfind("interval", 0) == 0) t = "interval";  // "interval day to second"
  const TypeInfo* i = type_info(t);
  if (!i || i->kind == 'p') return {};
  return t;
}

std::optional<ResolvedCall> resolve_builtin_call(const std::string& name, const std::vector<std::string>& arg_types,
                                                 bool variadic_call) {
  auto all = candidates(name, arg_types.size(), variadic_call);
  if (!all || all->empty()) return std::nullopt;
  for (const auto& t : arg_types) {
    if (t != kUnknownType && !type_info(t)) return std::nullopt;
  }
  const Candidate* chosen = nullptr;
  // an exact match first (func_get_detail), else those the arguments reach through implicit casts
  for (const Candidate& c : *all) {
    if (c.args == arg_types) chosen = &c;
  }
  if (!chosen) {
    std::vector<const Candidate*> matching;
    for (const Candidate& c : *all) {
      bool ok = true;
      for (std::size_t i = 0; i < arg_types.size() && ok; ++i) ok = can_coerce(arg_types[i], c.args[i]);
      if (ok) matching.push_back(&c);
    }
    if (matching.empty()) return std::nullopt;
    chosen = matching.size() == 1 ? matching[0] : select_candidate(arg_types, matching);
  }
  if (!chosen || !polymorphic_consistent(*chosen, arg_types)) return std::nullopt;
  ResolvedCall out;
  for (const auto& p : chosen->args) out.params.push_back(polymorphic(p) ? std::string() : p);
  const TypeInfo* r = type_info(chosen->f->result);
  out.result = r && r->kind != 'p' ? chosen->f->result : std::string();
  out.variadic_array_from = chosen->variadic_from;
  out.returns_set = chosen->f->retset;
  out.signature = name + "(";
  for (std::size_t i = 0; i < chosen->f->args.size(); ++i) {
    if (i) out.signature += ',';
    out.signature += chosen->f->args[i];
  }
  out.signature += ')';
  return out;
}

}  // namespace driftguard::norm
