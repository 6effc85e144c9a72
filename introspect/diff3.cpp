#include "introspect/diff3.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace driftguard::diff {

std::string family(const std::string& kind) {
  for (const char* prefix : {"missing-", "extra-"}) {
    std::string p = prefix;
    if (kind.rfind(p, 0) == 0) return kind.substr(p.size());
  }
  return kind;
}

std::vector<Item3> diff3(const std::array<const model::SchemaModel*, 3>& sources, const Options3& opts) {
  static constexpr std::array<std::pair<int, int>, 3> kPairs = {{{0, 1}, {0, 2}, {1, 2}}};
  std::map<std::pair<std::string, std::string>, Item3> by_key;  // (path, family)
  std::map<std::pair<std::string, std::string>, std::array<bool, 3>> in_pair;
  for (std::size_t p = 0; p < kPairs.size(); ++p) {
    auto [a, b] = kPairs[p];
    Options o;
    o.ignore = opts.ignore;
    o.prisma_any_default = opts.prisma_any_default;
    o.prisma = opts.prisma == a ? Side::expected : opts.prisma == b ? Side::actual : Side::none;
    for (auto& item : diff(*sources[static_cast<std::size_t>(a)], *sources[static_cast<std::size_t>(b)], o)) {
      auto key = std::make_pair(item.path, family(item.kind));
      auto [it, fresh] = by_key.try_emplace(key);
      Item3& x = it->second;
      if (fresh) {
        x.family = key.second;
        x.path = item.path;
        x.severity = item.severity;
        x.unmanaged = item.unmanaged;
        x.message = item.message;
      } else {
        x.severity = std::max(x.severity, item.severity);
        x.unmanaged = x.unmanaged && item.unmanaged;
      }
      if (std::find(x.kinds.begin(), x.kinds.end(), item.kind) == x.kinds.end()) x.kinds.push_back(item.kind);
      for (auto [side, endpoint] : {std::make_pair(a, &item.expected), std::make_pair(b, &item.actual)}) {
        auto s = static_cast<std::size_t>(side);
        if (!x.known[s] || (!x.values[s].src.known() && endpoint->src.known())) x.values[s] = *endpoint;
        x.known[s] = true;
      }
      in_pair[key][p] = true;
    }
  }
  std::vector<Item3> out;
  for (auto& [key, x] : by_key) {
    const auto& pairs = in_pair[key];
    int n = pairs[0] + pairs[1] + pairs[2];
    if (n == 3) {
      x.all_differ = true;
    } else if (n == 2) {
      // the source in both differing pairs is the odd one: 0 in (0,1)+(0,2), 1 in (0,1)+(1,2), 2 in (0,2)+(1,2)
      x.odd = !pairs[2] ? 0 : !pairs[1] ? 1 : 2;
    } else if (n == 1) {
      // the source outside the one differing pair: 2 for (0,1), 1 for (0,2), 0 for (1,2)
      x.third = pairs[0] ? 2 : pairs[1] ? 1 : 0;
    }
    out.push_back(std::move(x));
  }
  // Does the third source lack the object itself, or the table (schema, ...) that holds it? A presence item at
  // the path or a prefix of it, where that source's value is absent, says so.
  for (auto& x : out) {
    if (x.third < 0) continue;
    auto t = static_cast<std::size_t>(x.third);
    for (const auto& y : out) {
      bool presence = !y.kinds.empty() && y.family != y.kinds.front();
      bool covers = y.path == x.path || x.path.rfind(y.path + ".", 0) == 0;
      if (&y != &x && presence && covers && y.known[t] && !y.values[t].present) x.third_absent = true;
    }
  }
  return out;  // std::map order: path, then family
}

std::string_view to_string(Triage t) {
  switch (t) {
    case Triage::none:
      return "";
    case Triage::not_applied:
      return "not-applied";
    case Triage::edited_migration:
      return "edited-migration";
    case Triage::hotfix:
      return "hotfix";
    case Triage::dashboard:
      return "dashboard";
    case Triage::conflict:
      return "conflict";
  }
  return "";
}

namespace {

// The same object, or one inside the other (a table and its column): "public.t" and "public.t.c".
bool related(const std::string& a, const std::string& b) {
  auto inside = [](const std::string& outer, const std::string& inner) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '.';
  };
  return a == b || inside(a, b) || inside(b, a);
}

}  // namespace

Triage triage(const std::string& path, const Endpoint& migrations, const Endpoint& database, const TriageInput& in) {
  bool pending_touch = std::any_of(in.applied_vs_all.begin(), in.applied_vs_all.end(),
                                   [&](const DriftItem& i) { return related(i.path, path); });
  // Without the pending migrations the database still differs on this object (an extra column where a pending
  // migration adds it with another type): the database changed it too.
  bool without_pending = std::any_of(in.applied_vs_database.begin(), in.applied_vs_database.end(),
                                     [&](const DriftItem& i) { return related(i.path, path); });
  if (pending_touch) return without_pending ? Triage::conflict : Triage::not_applied;
  if (migrations.present && migrations.src.known() && in.edited_files.count(migrations.src.file)) {
    return Triage::edited_migration;
  }
  if (!migrations.present && database.present && in.missing_applied) return Triage::hotfix;
  return Triage::dashboard;
}

}  // namespace driftguard::diff
