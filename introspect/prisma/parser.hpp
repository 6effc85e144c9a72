// The Prisma schema language: a hand-written lexer and recursive-descent parser producing a syntax tree that keeps
// every object's file:line:col, plus name resolution (field types, duplicates, known attributes).
//
// Errors never crash: parse_prisma() / load_prisma() collect every error they can recover from and throw one
// PrismaError carrying all of them, each rendered as "schema.prisma:line:col: message".
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/source_ref.hpp"

namespace driftguard::prisma {

struct Arg;

// A value: "string", 12.5, true, Ident / dotted.path, fn(args), [items].
struct Expr {
  enum class Kind { String, Number, Path, Call, Array };
  Kind kind = Kind::Path;
  std::string text;        // String: the unescaped value; Number: as written; Path/Call: the (dotted) name
  std::vector<Arg> args;   // Call
  std::vector<Expr> items; // Array
  SourceRef ref;

  bool is_string() const { return kind == Kind::String; }
  bool is_path(std::string_view name) const { return kind == Kind::Path && text == name; }
  bool is_call(std::string_view name) const { return kind == Kind::Call && text == name; }
  const Expr* arg(std::string_view name) const;  // Call: the named argument
  const Expr* positional(std::size_t i) const;  // Call: the i-th unnamed argument
};

struct Arg {
  std::string name;  // empty for a positional argument
  Expr value;
  SourceRef ref;
};

// @name(args) on a field or enum value, @@name(args) on a block. `name` has no '@': "default", "db.VarChar", "index".
struct Attribute {
  std::string name;
  std::vector<Arg> args;
  SourceRef ref;  // position of the '@'

  const Expr* arg(std::string_view arg_name) const;  // named argument
  const Expr* positional(std::size_t i = 0) const;   // the i-th unnamed argument
  // The first positional argument, or else the argument called `arg_name` (e.g. @@index([a], ...) or fields: [a]).
  const Expr* first_or(std::string_view arg_name) const;
};

enum class Arity { Required, Optional, List };

struct Field {
  std::string name;
  std::string type;         // "String", "Int", a model/enum/composite name, or "Unsupported"
  std::string unsupported;  // the argument of Unsupported("...")
  Arity arity = Arity::Required;
  std::vector<Attribute> attributes;
  std::string doc;  // /// comments above it, joined with '\n'
  SourceRef ref;
  SourceRef type_ref;

  const Attribute* attr(std::string_view name) const;
};

// model, view and (composite) type blocks share one shape.
struct Model {
  enum class Kind { Model, View, Type };
  Kind kind = Kind::Model;
  std::string name;
  std::vector<Field> fields;
  std::vector<Attribute> attributes;  // block attributes (@@...) in order
  std::string doc;
  SourceRef ref;

  const Field* field(std::string_view name) const;
  const Attribute* attr(std::string_view name) const;  // the first block attribute called `name`
};
using PrismaView = Model;

struct EnumValue {
  std::string name;
  std::vector<Attribute> attributes;
  std::string doc;
  SourceRef ref;
};

struct Enum {
  std::string name;
  std::vector<EnumValue> values;
  std::vector<Attribute> attributes;
  std::string doc;
  SourceRef ref;

  const Attribute* attr(std::string_view name) const;
};

// datasource / generator: `key = value` lines.
struct ConfigBlock {
  struct Property {
    std::string name;
    std::optional<Expr> value;  // absent for `key =` with nothing after it (a parse error is reported)
    SourceRef ref;
  };
  std::string kind;  // "datasource" or "generator"
  std::string name;
  std::vector<Property> properties;
  SourceRef ref;

  const Expr* get(std::string_view key) const;
};

struct PrismaSchema {
  std::vector<std::string> files;  // in load order
  std::vector<ConfigBlock> datasources;
  std::vector<ConfigBlock> generators;
  std::vector<Model> models;  // `model` blocks, in file then declaration order
  std::vector<PrismaView> views;
  std::vector<Model> types;  // composite types (MongoDB only)
  std::vector<Enum> enums;

  const Model* model(std::string_view name) const;
  const Enum* enum_(std::string_view name) const;
  const Model* composite(std::string_view name) const;
};

struct Diagnostic {
  SourceRef where;
  std::string message;
  std::string str() const { return where.str() + ": " + message; }
};

struct PrismaError : std::runtime_error {
  std::vector<Diagnostic> diagnostics;
  explicit PrismaError(std::vector<Diagnostic> diags);
};

// The scalar types of the language.
bool is_scalar_type(std::string_view type);

// Parses one file's text into `schema` (appending), adding recoverable errors to `diags`.
void parse_prisma_into(std::string_view text, const std::string& file, PrismaSchema& schema,
                       std::vector<Diagnostic>& diags);

// Name resolution and attribute checks over a whole (possibly multi-file) schema; appends to `diags`.
void validate_prisma(const PrismaSchema& schema, std::vector<Diagnostic>& diags);

// Parse + validate one text; throws PrismaError with every error found.
PrismaSchema parse_prisma(std::string_view text, const std::string& file = "schema.prisma");

// A schema.prisma file, or a folder of .prisma files (searched recursively, in byte order of their relative path,
// as Prisma loads them). Files are named as `path` was given (joined with their relative path for a folder).
// Throws PrismaError (also for an unreadable path, a folder without .prisma files).
PrismaSchema load_prisma(const std::filesystem::path& path);

}  // namespace driftguard::prisma
