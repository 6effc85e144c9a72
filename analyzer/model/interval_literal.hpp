// An interval literal as PostgreSQL stores and prints it. PostgreSQL reads an interval constant when the expression
// is made (interval_in) and keeps the value, so the catalog prints '00:10:00' where a migration wrote '10 minutes',
// '14 days' for '2 weeks' and '1 year 2 mons 3 days 04:05:06' for 'P1Y2M3DT4H5M6S' (IntervalStyle postgres, the
// default). The replay compares expressions as text, so it prints them the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace driftguard::norm {

// The text PostgreSQL prints for the interval `text` read as the type `type` ("interval", "interval day",
// "interval hour to minute", "interval(3)"), or nullopt for text this reader does not read exactly as PostgreSQL
// does (the SQL-standard '1-2' and '1 2:03' forms, ISO 8601's alternative 'P0001-02-03' form, a precision that
// would round, a value out of range): the caller then keeps the text as written.
std::optional<std::string> interval_literal(std::string_view text, std::string_view type = "interval");

}  // namespace driftguard::norm
