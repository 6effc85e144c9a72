// to_sql (model.hpp) written to a stream as it is printed, for output too large to build as one string first
// (`driftguard schema` of a long history). Defined in model.cpp beside to_sql; kept out of model.hpp so that its
// callers alone depend on it.
#pragma once

#include <ostream>

#include "analyzer/model/model.hpp"

namespace driftguard::model {

// Writes exactly what to_sql(m) returns.
void write_sql(std::ostream& out, const SchemaModel& m);

}  // namespace driftguard::model
