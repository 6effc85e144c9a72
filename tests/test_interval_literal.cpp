// norm::interval_literal against PostgreSQL: every text it reads must print as `SELECT 'text'::TYPE::text` prints it
// (IntervalStyle postgres), on hand-picked forms and on generated ones (fixed seed).
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <random>
#include <string>
#include <vector>

#include "analyzer/model/interval_literal.hpp"
#include "pg_server.hpp"

namespace {

struct Pg {
  PGconn* conn = nullptr;
  Pg() {
    conn = PQconnectdb(dgtest::pg::server().c_str());
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
    PQclear(PQexec(conn, "SET IntervalStyle = postgres"));
  }
  ~Pg() { PQfinish(conn); }
  // What PostgreSQL prints for the text read as `type`; ok = false when it refuses the text.
  std::string print(const std::string& text, const std::string& type, bool& ok) {
    // A literal, not a parameter: only a literal is read with the typmod ('1'::interval day is 1 day; $1::interval
    // day reads 1 second, then drops it).
    std::string sql = "SELECT ('";
    for (char c : text) sql.append(c == '\'' ? "''" : std::string(1, c));
    sql.append("'::").append(type).append(")::text");
    PGresult* r = PQexec(conn, sql.c_str());
    ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string out = ok ? PQgetvalue(r, 0, 0) : PQresultErrorMessage(r);
    PQclear(r);
    return out;
  }
};

}  // namespace

TEST_CASE("interval literals print as PostgreSQL prints them", "[normalize][pg][interval]") {
  if (dgtest::pg::server().empty()) {
    WARN("no test PostgreSQL server (DRIFTGUARD_TEST_PG): skipped");
    return;
  }
  Pg pg;
  const std::vector<std::pair<std::string, std::string>> read = {
      {"10 minutes", "interval"},         {"1 day 2 hours", "interval"},        {"90 seconds", "interval"},
      {"1.5 hours", "interval"},          {"2 weeks", "interval"},              {"-1 day +02:03", "interval"},
      {"P1Y2M3DT4H5M6S", "interval"},     {"1 millisecond", "interval"},        {"1.7 seconds", "interval"},
      {"1 year 3 mons", "interval"},      {"@ 1 minute ago", "interval"},       {"1 day ago", "interval"},
      {"00:10:00", "interval"},           {"1 day 02:00:00", "interval"},       {"-1 days +02:03:00", "interval"},
      {"0", "interval"},                  {"1", "interval"},                    {"1.5", "interval"},
      {"1", "interval day"},              {"36", "interval hour"},              {"90", "interval minute"},
      {"1 day 2 hours", "interval day"},  {"25 hours 30 minutes", "interval hour"}, {"1.5 years", "interval"},
      {"1.5 months", "interval"},         {"1.5 weeks", "interval"},            {"1.5 days", "interval"},
      {"3 decades", "interval"},          {"2 centuries", "interval"},          {"1 millennium", "interval"},
      {"1 mon", "interval"},              {"13 months", "interval"},            {"-13 months", "interval"},
      {"1 hour -30 minutes", "interval"}, {"-1 hour", "interval"},              {"1 h 2 m 3 s", "interval"},
      {"10min", "interval"},              {"2 hrs", "interval"},                {"30 secs", "interval"},
      {"500 msecs", "interval"},          {"250 microseconds", "interval"},     {"1.2345678 seconds", "interval"},
      {"1 day 12:00", "interval"},        {"1 12:00", "interval"},              {"-12:30:15.5", "interval"},
      {"+00:00:30", "interval"},          {"PT0.5S", "interval"},               {"P2W", "interval"},
      {"PT36H", "interval"},              {"P1.5Y", "interval"},                {"P0D", "interval"},
      {"1.7 seconds", "interval(0)"},     {"1.25 seconds", "interval(1)"},      {"-1.25 seconds", "interval(1)"},
      {"5 years 7 months", "interval year"}, {"5 years 7 months 3 days", "interval year to month"},
      {"1 day 02:30:45", "interval day to minute"}, {"1 day 02:30:45.5", "interval hour to second(0)"},
      {"  1 day  ", "interval"},          {"1 DAY", "interval"},                {"1 Hour 5 Minutes", "interval"},
  };
  for (const auto& [text, type] : read) {
    bool ok = false;
    std::string want = pg.print(text, type, ok);
    INFO("'" << text << "'::" << type << ": PostgreSQL " << (ok ? "prints " : "refuses: ") << want);
    REQUIRE(ok);
    auto got = driftguard::norm::interval_literal(text, type);
    REQUIRE(got.has_value());
    CHECK(*got == want);
  }
  // Forms PostgreSQL reads that this reader leaves as written (the caller keeps the text).
  const std::vector<std::pair<std::string, std::string>> not_read = {
      {"1-2", "interval"}, {"P0001-02-03T04:05:06", "interval"}, {"1:30", "interval minute to second"},
      {"1 day 2 days", "interval"}};
  for (const auto& [text, type] : not_read) {
    INFO("'" << text << "'::" << type);
    CHECK_FALSE(driftguard::norm::interval_literal(text, type).has_value());
  }
}

TEST_CASE("generated interval literals print as PostgreSQL prints them", "[normalize][pg][interval]") {
  if (dgtest::pg::server().empty()) {
    WARN("no test PostgreSQL server (DRIFTGUARD_TEST_PG): skipped");
    return;
  }
  Pg pg;
  std::mt19937 rng(20261207);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> units = {"microseconds", "ms", "millisecond", "sec", "seconds", "min", "minutes", "h",
                                          "hours", "day", "days", "week", "weeks", "mon", "months", "year", "yrs",
                                          "decade", "century"};
  const std::vector<std::string> types = {"interval", "interval", "interval", "interval day", "interval hour to minute",
                                          "interval(2)", "interval year to month", "interval day to second(3)"};
  int compared = 0, left = 0;
  for (int n = 0; n < 400; ++n) {
    // Appends, not `"x" + std::string`: GCC 12's -Wrestrict misfires on those at -O3.
    std::string text = pick(6) == 0 ? "@ " : "";
    int parts = 1 + pick(4);
    for (int k = 0; k < parts; ++k) {
      int u = pick(static_cast<int>(units.size()));
      text.append(std::to_string(pick(200) - (pick(4) == 0 ? 100 : 0)));
      if (pick(3) == 0) text.append(".").append(std::to_string(pick(1000)));
      text.append(" ").append(units[static_cast<std::size_t>(u)]).append(" ");
    }
    if (pick(3) == 0) {
      if (pick(3) == 0) text.append("-");
      text.append(std::to_string(pick(30))).append(":").append(std::to_string(10 + pick(50)));
      if (pick(2) == 0) {
        text.append(":").append(std::to_string(10 + pick(50)));
        if (pick(2) == 0) text.append(".").append(std::to_string(pick(999999)));
      }
    }
    if (pick(6) == 0) text += " ago";
    const std::string& type = types[static_cast<std::size_t>(pick(static_cast<int>(types.size())))];
    bool ok = false;
    std::string want = pg.print(text, type, ok);
    auto got = driftguard::norm::interval_literal(text, type);
    INFO("'" << text << "'::" << type << ": PostgreSQL " << (ok ? "prints " : "refuses: ") << want);
    if (!ok) {
      CHECK_FALSE(got.has_value());  // a text PostgreSQL refuses is never made to look valid
      continue;
    }
    if (!got) {
      ++left;
      continue;
    }
    ++compared;
    CHECK(*got == want);
  }
  INFO("compared " << compared << ", left as written " << left);
  CHECK(compared > 200);
  CHECK(left == 0);
}
