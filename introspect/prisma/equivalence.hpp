// Prisma's notion of "no drift" for a column, as its engine decides it (`prisma migrate diff` / `db pull`): the
// spellings of one column that Prisma's schema engine treats as the same schema even though the canonical models
// differ. The differ applies these rules only when one side of a comparison was built from schema.prisma
// (diff::Options::prisma); docs/drift.md, "Equivalence rules: Prisma", states them, each one measured with
// Prisma's engine (tests/test_oracle_prisma_*.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/model/model.hpp"

namespace driftguard::prisma {

// The schema.prisma column as Prisma sees it next to `other` (the same column on the other side): every property
// Prisma's engine considers equal takes the other side's value, the rest stays. `any_default`: the field has
// @default(dbgenerated()) without an expression, which accepts whatever default the database has (or none).
model::Column as_prisma_sees(const model::Column& prisma, const model::Column& other, bool any_default);

// The elements of an array default in either spelling, ARRAY['a', 'b'] or the array literal '{a,b}' (each element
// as its text; nullopt for NULL), or nullopt when the expression is neither. `element_type` ("boolean", ...) makes
// equal spellings of one value equal ('t' and true).
std::optional<std::vector<std::optional<std::string>>> array_default_elements(const std::string& canonical_default,
                                                                              const std::string& element_type);

}  // namespace driftguard::prisma
