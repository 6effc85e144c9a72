// PostgreSQL's interval input (datetime.c DecodeInterval, DecodeISO8601Interval; timestamp.c interval_in and
// AdjustIntervalForTypmod) and output (EncodeInterval, IntervalStyle postgres), for the forms migrations write.
// Checked against PostgreSQL in tests/test_interval_literal.cpp.
#include "analyzer/model/interval_literal.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace driftguard::norm {

namespace {

constexpr std::int64_t kUsecPerSec = 1000000;
constexpr std::int64_t kUsecPerMinute = 60 * kUsecPerSec;
constexpr std::int64_t kUsecPerHour = 60 * kUsecPerMinute;
constexpr std::int64_t kUsecPerDay = 24 * kUsecPerHour;

// The value interval_in keeps: months, days and microseconds, each with its own sign.
struct Interval {
  std::int64_t months = 0;
  std::int64_t days = 0;
  std::int64_t usec = 0;
};

enum class Unit { none, microsecond, millisecond, second, minute, hour, day, week, month, year, decade, century, millennium };

// The interval field masks of the typmod (INTERVAL_MASK in PostgreSQL's datetime.h).
enum Field : unsigned { kYear = 1, kMonth = 2, kDay = 4, kHour = 8, kMinute = 16, kSecond = 32 };
constexpr unsigned kFullRange = 0x7fff;

struct Typmod {
  unsigned range = kFullRange;
  int precision = -1;  // -1: none (6)
};

// deltatktbl's units, looked up as PostgreSQL does: lower case, the first 10 characters (TOKMAXLEN).
Unit unit_named(std::string word) {
  if (word.size() > 10) word.resize(10);
  static const struct {
    const char* name;
    Unit unit;
  } units[] = {
      {"microsecon", Unit::microsecond}, {"us", Unit::microsecond},   {"usec", Unit::microsecond},
      {"usecs", Unit::microsecond},      {"useconds", Unit::microsecond},
      {"millisecon", Unit::millisecond}, {"ms", Unit::millisecond},   {"msec", Unit::millisecond},
      {"msecs", Unit::millisecond},      {"mseconds", Unit::millisecond},
      {"s", Unit::second},               {"sec", Unit::second},       {"secs", Unit::second},
      {"second", Unit::second},          {"seconds", Unit::second},
      {"m", Unit::minute},               {"min", Unit::minute},       {"mins", Unit::minute},
      {"minute", Unit::minute},          {"minutes", Unit::minute},
      {"h", Unit::hour},                 {"hr", Unit::hour},          {"hrs", Unit::hour},
      {"hour", Unit::hour},              {"hours", Unit::hour},
      {"d", Unit::day},                  {"day", Unit::day},          {"days", Unit::day},
      {"w", Unit::week},                 {"week", Unit::week},        {"weeks", Unit::week},
      {"mon", Unit::month},              {"mons", Unit::month},       {"month", Unit::month},
      {"months", Unit::month},
      {"y", Unit::year},                 {"yr", Unit::year},          {"yrs", Unit::year},
      {"year", Unit::year},              {"years", Unit::year},
      {"dec", Unit::decade},             {"decs", Unit::decade},      {"decade", Unit::decade},
      {"decades", Unit::decade},
      {"c", Unit::century},              {"cent", Unit::century},     {"century", Unit::century},
      {"centuries", Unit::century},
      {"mil", Unit::millennium},         {"mils", Unit::millennium},  {"millennia", Unit::millennium},
      {"millennium", Unit::millennium},
  };
  for (const auto& u : units) {
    if (word == u.name) return u.unit;
  }
  return Unit::none;
}

// "interval", "interval day", "interval hour to minute", "interval second(3)", "interval(3)"; nullopt: not an
// interval type this reader knows.
std::optional<Typmod> typmod_of(std::string_view type) {
  std::string t;
  for (char c : type) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.rfind("interval", 0) != 0) return std::nullopt;
  Typmod m;
  std::string rest = t.substr(8);
  if (auto open = rest.find('('); open != std::string::npos) {
    auto close = rest.find(')', open);
    if (close == std::string::npos) return std::nullopt;
    m.precision = std::atoi(rest.substr(open + 1, close - open - 1).c_str());
    if (m.precision < 0 || m.precision > 6) return std::nullopt;
    rest.erase(open, close - open + 1);
  }
  while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  while (!rest.empty() && rest.back() == ' ') rest.pop_back();
  if (rest.empty()) return m;
  static const struct {
    const char* name;
    unsigned range;
  } ranges[] = {
      {"year", kYear},
      {"month", kMonth},
      {"day", kDay},
      {"hour", kHour},
      {"minute", kMinute},
      {"second", kSecond},
      {"year to month", kYear | kMonth},
      {"day to hour", kDay | kHour},
      {"day to minute", kDay | kHour | kMinute},
      {"day to second", kDay | kHour | kMinute | kSecond},
      {"hour to minute", kHour | kMinute},
      {"hour to second", kHour | kMinute | kSecond},
      {"minute to second", kMinute | kSecond},
  };
  for (const auto& r : ranges) {
    if (rest == r.name) {
      m.range = r.range;
      return m;
    }
  }
  return std::nullopt;
}

// The unit a number without one is read in, decided by the typmod (DecodeInterval's DTK_NUMBER case).
Unit unit_of_bare_number(unsigned range) {
  switch (range) {
    case kYear: return Unit::year;
    case kMonth:
    case kYear | kMonth: return Unit::month;
    case kDay: return Unit::day;
    case kHour:
    case kDay | kHour: return Unit::hour;
    case kMinute:
    case kHour | kMinute:
    case kDay | kHour | kMinute: return Unit::minute;
    default: return Unit::second;
  }
}

// A signed decimal number: its integer part and its fraction (with the same sign).
struct Number {
  std::int64_t whole = 0;
  double fraction = 0;
};

std::optional<Number> number_of(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = s.front() == '-';
  std::size_t i = (s.front() == '-' || s.front() == '+') ? 1 : 0;
  std::size_t digits = i;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::size_t end = digits;
  if (end < s.size() && s[end] == '.') {
    ++end;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
  }
  if (end != s.size() || (digits == i && end == digits) || digits - i > 15) return std::nullopt;
  Number n;
  n.whole = digits > i ? std::strtoll(std::string(s.substr(i, digits - i)).c_str(), nullptr, 10) : 0;
  if (digits < end) {
    std::string fraction("0");
    fraction.append(s.substr(digits, end - digits));  // ".5": not "0" + ..., which GCC 12's -Wrestrict misreads
    n.fraction = std::strtod(fraction.c_str(), nullptr);
  }
  if (negative) {
    n.whole = -n.whole;
    n.fraction = -n.fraction;
  }
  return n;
}

// AdjustFractMicroseconds: a fraction of `scale` microseconds, rounded.
void add_fraction_usec(Interval& iv, double fraction, std::int64_t scale) {
  iv.usec += static_cast<std::int64_t>(std::rint(fraction * static_cast<double>(scale)));
}

// AdjustFractDays: a fraction of `scale` days; whole days go to days, the rest to microseconds.
void add_fraction_days(Interval& iv, double fraction, int scale) {
  double f = fraction * scale;
  auto extra = static_cast<std::int64_t>(f);
  iv.days += extra;
  add_fraction_usec(iv, f - static_cast<double>(extra), kUsecPerDay);
}

void add(Interval& iv, const Number& n, Unit unit) {
  switch (unit) {
    case Unit::microsecond: iv.usec += static_cast<std::int64_t>(std::rint(static_cast<double>(n.whole) + n.fraction)); break;
    case Unit::millisecond:
      iv.usec += n.whole * 1000;
      add_fraction_usec(iv, n.fraction, 1000);
      break;
    case Unit::second:
      iv.usec += n.whole * kUsecPerSec;
      add_fraction_usec(iv, n.fraction, kUsecPerSec);
      break;
    case Unit::minute:
      iv.usec += n.whole * kUsecPerMinute;
      add_fraction_usec(iv, n.fraction, kUsecPerMinute);
      break;
    case Unit::hour:
      iv.usec += n.whole * kUsecPerHour;
      add_fraction_usec(iv, n.fraction, kUsecPerHour);
      break;
    case Unit::day:
      iv.days += n.whole;
      add_fraction_usec(iv, n.fraction, kUsecPerDay);
      break;
    case Unit::week:
      iv.days += n.whole * 7;
      add_fraction_days(iv, n.fraction, 7);
      break;
    case Unit::month:
      iv.months += n.whole;
      add_fraction_days(iv, n.fraction, 30);  // DAYS_PER_MONTH
      break;
    case Unit::year:
      iv.months += n.whole * 12;
      iv.months += static_cast<std::int64_t>(std::rint(n.fraction * 12));
      break;
    case Unit::decade:
      iv.months += n.whole * 120;
      iv.months += static_cast<std::int64_t>(std::rint(n.fraction * 120));
      break;
    case Unit::century:
      iv.months += n.whole * 1200;
      iv.months += static_cast<std::int64_t>(std::rint(n.fraction * 1200));
      break;
    case Unit::millennium:
      iv.months += n.whole * 12000;
      iv.months += static_cast<std::int64_t>(std::rint(n.fraction * 12000));
      break;
    case Unit::none: break;
  }
}

// "[+-]hh:mm[:ss[.frac]]" (DecodeTimeForInterval without a MINUTE TO SECOND typmod): microseconds, or nullopt.
std::optional<std::int64_t> time_of(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t colon = s.find(':', start);
    parts.push_back(s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  auto digits = [](std::string_view p) {
    return !p.empty() && p.size() <= 9 &&
           std::all_of(p.begin(), p.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (!digits(parts[0]) || !digits(parts[1])) return std::nullopt;
  std::int64_t hours = std::atoll(std::string(parts[0]).c_str()), minutes = std::atoll(std::string(parts[1]).c_str());
  std::int64_t usec = 0;
  if (parts.size() == 3) {
    auto n = number_of(parts[2]);
    if (!n || parts[2].front() == '-' || parts[2].front() == '+' || parts[2].front() == '.') return std::nullopt;
    if (n->whole > 59) return std::nullopt;  // PostgreSQL: "interval field value out of range"
    usec = n->whole * kUsecPerSec + static_cast<std::int64_t>(std::rint(n->fraction * kUsecPerSec));
  }
  if (minutes > 59) return std::nullopt;
  std::int64_t t = hours * kUsecPerHour + minutes * kUsecPerMinute + usec;
  return negative ? -t : t;
}

// ISO 8601's format with designators: P[nY][nM][nW][nD][T[nH][nM][nS]] (DecodeISO8601Interval).
std::optional<Interval> iso8601(std::string_view s) {
  if (s.size() < 2 || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
  Interval iv;
  bool in_time = false, any = false;
  std::size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T' || s[i] == 't') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.' || s[end] == '-' || s[end] == '+')) ++end;
    if (end == i || end == s.size()) return std::nullopt;  // a number without a designator: the alternative format
    auto n = number_of(s.substr(i, end - i));
    if (!n) return std::nullopt;
    char d = static_cast<char>(std::toupper(static_cast<unsigned char>(s[end])));
    if (!in_time) {
      if (d == 'Y') add(iv, n.value(), Unit::year);
      else if (d == 'M') add(iv, n.value(), Unit::month);
      else if (d == 'W') add(iv, n.value(), Unit::week);
      else if (d == 'D') add(iv, n.value(), Unit::day);
      else return std::nullopt;
    } else {
      if (d == 'H') add(iv, n.value(), Unit::hour);
      else if (d == 'M') add(iv, n.value(), Unit::minute);
      else if (d == 'S') add(iv, n.value(), Unit::second);
      else return std::nullopt;
    }
    any = true;
    i = end + 1;
  }
  if (!any) return std::nullopt;
  return iv;
}

// PostgreSQL's own format: [@] then numbers with units, an optional [+-]hh:mm[:ss] (a number before it is days),
// an optional trailing "ago"; a lone number is read in the typmod's unit.
std::optional<Interval> postgres_format(std::string_view s, unsigned range) {
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < s.size();) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    std::size_t start = i;
    if (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '@') {
      while (i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '@')) ++i;
    } else {
      // A number or a time; letters glued to a number ("10min") are a unit of their own.
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    }
    tokens.emplace_back(s.substr(start, i - start));
  }
  if (!tokens.empty() && tokens.front() == "@") tokens.erase(tokens.begin());
  bool ago = false;
  if (!tokens.empty()) {
    std::string last;
    for (char c : tokens.back()) last += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (last == "ago") {
      ago = true;
      tokens.pop_back();
    }
  }
  if (tokens.empty()) return std::nullopt;
  Interval iv;
  // The fields given so far (DecodeInterval's fmask): PostgreSQL refuses a field given twice; a time gives hours,
  // minutes and seconds with their fractions, seconds with a fraction give the fractions too.
  auto bit = [](Unit u) { return 1u << static_cast<unsigned>(u); };
  const unsigned second_fields = bit(Unit::second) | bit(Unit::millisecond) | bit(Unit::microsecond);
  unsigned seen = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    if (tok.find(':') != std::string::npos) {
      if (range == (kMinute | kSecond)) return std::nullopt;  // MINUTE TO SECOND reads mm:ss
      unsigned fields = bit(Unit::hour) | bit(Unit::minute) | second_fields;
      auto t = time_of(tok);
      if (!t || (seen & fields)) return std::nullopt;
      seen |= fields;
      iv.usec += *t;
      continue;
    }
    auto n = number_of(tok);
    if (!n) return std::nullopt;
    Unit unit = Unit::none;
    if (i + 1 < tokens.size() && std::isalpha(static_cast<unsigned char>(tokens[i + 1][0]))) {
      std::string word;
      for (char c : tokens[i + 1]) word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      unit = unit_named(word);
      if (unit == Unit::none) return std::nullopt;
      ++i;
    } else if (i + 1 < tokens.size() && tokens[i + 1].find(':') != std::string::npos) {
      unit = Unit::day;  // "1 12:00": a number before a time is days
    } else if (i + 1 == tokens.size() && tokens.size() == 1) {
      unit = unit_of_bare_number(range);
    } else {
      return std::nullopt;
    }
    unsigned fields = unit == Unit::second && n->fraction != 0 ? second_fields : bit(unit);
    if (seen & fields) return std::nullopt;
    seen |= fields;
    add(iv, *n, unit);
  }
  if (ago) {
    iv.months = -iv.months;
    iv.days = -iv.days;
    iv.usec = -iv.usec;
  }
  return iv;
}

// AdjustIntervalForTypmod: the fields below the range's last are dropped, seconds rounded to the precision.
std::optional<Interval> adjust_for_typmod(Interval iv, const Typmod& m) {
  auto truncate = [&](std::int64_t unit) { iv.usec = (iv.usec / unit) * unit; };
  switch (m.range) {
    case kYear:
      iv.months = (iv.months / 12) * 12;
      iv.days = 0;
      iv.usec = 0;
      break;
    case kMonth:
    case kYear | kMonth:
      iv.days = 0;
      iv.usec = 0;
      break;
    case kDay: iv.usec = 0; break;
    case kHour:
    case kDay | kHour: truncate(kUsecPerHour); break;
    case kMinute:
    case kDay | kHour | kMinute:
    case kHour | kMinute: truncate(kUsecPerMinute); break;
    default: break;
  }
  if (m.precision >= 0 && m.precision < 6) {
    std::int64_t scale = 1;
    for (int k = m.precision; k < 6; ++k) scale *= 10;
    std::int64_t offset = scale / 2;
    iv.usec = iv.usec >= 0 ? ((iv.usec + offset) / scale) * scale : -(((-iv.usec + offset) / scale) * scale);
  }
  return iv;
}

// AddPostgresIntPart.
void add_part(std::string& out, std::int64_t value, const char* unit, bool& is_zero, bool& is_before) {
  if (value == 0) return;
  if (!is_zero) out += ' ';
  if (is_before && value > 0) out += '+';
  out += std::to_string(value) + " " + unit + (value != 1 ? "s" : "");
  is_before = value < 0;
  is_zero = false;
}

// EncodeInterval, IntervalStyle postgres.
std::string encode(const Interval& iv) {
  std::int64_t year = iv.months / 12, mon = iv.months % 12, day = iv.days;
  std::int64_t t = iv.usec;
  std::int64_t hour = t / kUsecPerHour;
  t -= hour * kUsecPerHour;
  std::int64_t min = t / kUsecPerMinute;
  t -= min * kUsecPerMinute;
  std::int64_t sec = t / kUsecPerSec;
  std::int64_t fsec = t - sec * kUsecPerSec;
  std::string out;
  bool is_zero = true, is_before = false;
  add_part(out, year, "year", is_zero, is_before);
  add_part(out, mon, "mon", is_zero, is_before);
  add_part(out, day, "day", is_zero, is_before);
  if (is_zero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
    bool minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s%02lld:%02lld:%02lld", is_zero ? "" : " ", minus ? "-" : (is_before ? "+" : ""),
                  static_cast<long long>(std::llabs(hour)), static_cast<long long>(std::llabs(min)),
                  static_cast<long long>(std::llabs(sec)));
    out += buf;
    if (fsec != 0) {
      std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(std::llabs(fsec)));
      std::string frac = buf;
      while (frac.back() == '0') frac.pop_back();
      out += frac;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> interval_literal(std::string_view text, std::string_view type) {
  auto typmod = typmod_of(type);
  if (!typmod) return std::nullopt;
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view s = text.substr(b, e - b);
  if (s.empty() || s.size() > 200) return std::nullopt;
  std::optional<Interval> iv = (s[0] == 'P' || s[0] == 'p') ? iso8601(s) : postgres_format(s, typmod->range);
  if (!iv) return std::nullopt;
  // Far from PostgreSQL's limits (int32 months and days): larger values are refused there or overflow here.
  if (std::llabs(iv->months) > 100000000 || std::llabs(iv->days) > 100000000 || std::llabs(iv->usec) > kUsecPerDay * 100000000LL) {
    return std::nullopt;
  }
  iv = adjust_for_typmod(*iv, *typmod);
  return encode(*iv);
}

}  // namespace driftguard::norm
