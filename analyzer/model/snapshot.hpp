// A compact binary form of a SchemaModel and of findings: every field of every model struct, replay-only ones
// included (Column::local/storage/spelling, View::query's tree and text, View::reads, order counters, grant
// sources), and each SourceRef's file as an index into a table of the paths it holds. The Supabase platform
// baseline is replayed once at build time into this form (analyzer/platform/make_snapshot.cpp) and loaded at run
// time (analyzer/platform/supabase.cpp): parsing and replaying its 98 KB of SQL was two thirds of a one-file lint.
//
// Each struct's fields are listed once (snapshot.cpp, `Fields<T>`), for writing and reading alike, next to a
// static_assert on the struct's size: a field added to model.hpp fails the build there until it is listed.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"

namespace driftguard::model::snapshot {

// Malformed bytes (truncated, a wrong tag, a path index out of range): the snapshot in the binary is checked when
// it is built, so at run time this means a bug, never a fallback.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The model and the findings, after a header naming the format.
std::string encode(const SchemaModel& m, const std::vector<Finding>& findings);
// Throws Malformed.
void decode(std::string_view bytes, SchemaModel& m, std::vector<Finding>& findings);

// Each field of `x`, encoded alone, in declaration order. The round-trip test compares them with a default
// object's to check that the model it round-trips sets every field of every struct. Instantiated for the model's
// structs (Comment, Column, Constraint, IndexKey, Index, Trigger, Policy, Table, Type, Type::DomainParts, Sequence,
// View, View::Query, Function, Extension, Schema, DefaultGrantsKey, SchemaModel, SourceRef) and Finding's (Finding,
// Note, Fix, Edit, Span, Position).
template <class T>
std::vector<std::string> field_bytes(const T& x);

}  // namespace driftguard::model::snapshot
