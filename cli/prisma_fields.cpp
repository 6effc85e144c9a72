#include "cli/prisma_fields.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include "analyzer/source.hpp"
#include "analyzer/text.hpp"
#include "cli/command.hpp"
#include "cli/context_cache.hpp"
#include "cli/model_source.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"

namespace fs = std::filesystem;

namespace driftguard {

std::optional<std::string> prisma_schema_of(const std::string& set) {
  fs::path prisma_dir = fs::path(set.empty() ? "." : set).parent_path();
  if (prisma_dir.empty()) prisma_dir = ".";
  std::error_code ec;
  fs::path project = prisma_dir.parent_path();
  if (project.empty()) project = ".";
  for (const fs::path& root : {project, prisma_dir}) {
    try {
      if (auto c = configured_prisma_schema(root.string()); c && fs::exists(c->path, ec)) return c->path;
    } catch (const UsageError&) {
      // a package.json that is not JSON: not lint's to report; the schema beside the migrations is used
    }
  }
  if (fs::is_regular_file(prisma_dir / "schema.prisma", ec)) return (prisma_dir / "schema.prisma").string();
  if (fs::is_directory(prisma_dir / "schema", ec)) return (prisma_dir / "schema").string();
  return std::nullopt;
}

namespace {

// The length of the UTF-8 character whose first byte is `c` (Prisma columns count characters).
std::size_t char_bytes(unsigned char c) { return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

// The @db attribute as written on the field's line: "@db.VarChar(255)".
std::string native_text(std::string_view line, int column) {
  std::size_t at = 0;
  for (int c = 1; c < column && at < line.size(); ++c) at += char_bytes(static_cast<unsigned char>(line[at]));
  std::size_t end = at + 1;
  while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '.' || line[end] == '_')) ++end;
  if (end < line.size() && line[end] == '(') {
    std::size_t close = line.find(')', end);
    end = close == std::string_view::npos ? line.size() : close + 1;
  }
  return std::string(line.substr(at, end - at));
}

// The fields of the schema at `path` by parsing it (nullopt: it does not parse).
std::optional<std::map<std::string, SchemaField>> parsed_fields(const std::string& path,
                                                                std::map<std::string, std::string>& texts) {
  std::map<std::string, SchemaField> out;
  prisma::PrismaSchema schema;
  try {
    schema = prisma::load_prisma(path);
  } catch (const std::exception&) {
    return std::nullopt;  // an invalid schema is prisma-check's to report
  }
  std::map<std::string, std::unique_ptr<LineMap>> maps;
  auto map_of = [&](const std::string& file) -> const LineMap* {
    auto it = maps.find(file);
    if (it != maps.end()) return it->second.get();
    try {
      texts[file] = load_file(file).text;
    } catch (const InputFailure&) {
      return nullptr;
    }
    return maps.emplace(file, std::make_unique<LineMap>(texts[file])).first->second.get();
  };
  auto origins = prisma::column_origins(schema);  // one per field, in model then field order
  std::set<std::string_view> models;  // relation fields have a model's type (PrismaSchema::model scans them all)
  for (const auto& m : schema.models) models.insert(m.name);
  std::size_t i = 0;
  for (const auto& m : schema.models) {
    for (const auto& f : m.fields) {
      const auto& o = origins[i++];
      if (models.count(f.type) || !f.ref.known() || f.ref.line <= 0) continue;  // relation fields
      const LineMap* map = map_of(f.ref.file);
      if (map == nullptr) continue;
      const std::string& text = texts[f.ref.file];
      std::string_view line = map->line_text(f.ref.line);
      std::size_t line_start = static_cast<std::size_t>(line.data() - text.data());
      // The declaration: from the field's name to the end of the line, without a trailing // comment.
      std::size_t begin = line_start;
      for (int c = 1; c < f.ref.column && begin < line_start + line.size(); ++c) {
        begin += char_bytes(static_cast<unsigned char>(text[begin]));
      }
      std::size_t end = line_start + line.size();
      if (auto comment = line.find("//"); comment != std::string_view::npos) end = line_start + comment;
      while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
      SchemaField sf;
      sf.file = f.ref.file;
      sf.span = Span{begin, end};
      sf.start = map->position(begin);
      sf.end = map->position(end);
      sf.model = m.name;
      sf.name = f.name;
      sf.type = f.type;
      for (const auto& a : f.attributes) {
        if (a.name.rfind("db.", 0) == 0 && a.ref.line == f.ref.line) sf.native = native_text(line, a.ref.column);
      }
      out[o.schema + "." + o.table + "." + o.column] = std::move(sf);
    }
  }
  return out;
}

// The entry's encoding: the distinct files, then a count and per field its key and members; numbers as LEB128
// varints, strings as their length then their bytes (87 KB for documenso's 615 fields with fixed 8-byte numbers and
// the path in every field).
struct Writer {
  std::string out;
  void num(std::uint64_t n) {
    do {
      unsigned char b = n & 0x7F;
      n >>= 7;
      out += static_cast<char>(n != 0 ? (b | 0x80) : b);
    } while (n != 0);
  }
  void str(std::string_view s) {
    num(s.size());
    out.append(s);
  }
};

struct Reader {
  std::string_view in;
  bool bad = false;
  std::uint64_t num() {
    std::uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) break;
      auto b = static_cast<unsigned char>(in.front());
      in.remove_prefix(1);
      n |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return n;
    }
    bad = true;
    return 0;
  }
  std::string str() {
    std::uint64_t n = num();
    if (bad || n > in.size()) {
      bad = true;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  int small() {
    std::uint64_t n = num();
    if (n > 0x7fffffff) bad = true;
    return static_cast<int>(n);
  }
};

// The raw bytes load_prisma reads (nullopt: not a regular file, or unreadable: the parse decides what to say).
std::optional<std::string> raw_bytes(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) out.resize(out.size() + 4096);
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

// The repository above `dir` (a folder holding .git), "" when there is none: the cache never writes inside it.
std::string repository_above(const fs::path& dir) {
  std::error_code ec;
  for (fs::path d = fs::absolute(dir, ec).lexically_normal(); !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / ".git", ec)) return d.string();
    if (d == d.root_path()) break;
  }
  return "";
}

}  // namespace

std::string encode_fields(const std::map<std::string, SchemaField>& fields) {
  Writer w;
  w.str("driftguard prisma fields 2");
  std::map<std::string_view, std::size_t> files;
  for (const auto& entry : fields) files.emplace(entry.second.file, 0);
  w.num(files.size());
  std::size_t n = 0;
  for (auto& [file, index] : files) {
    index = n++;
    w.str(file);
  }
  w.num(fields.size());
  for (const auto& [column, f] : fields) {
    w.str(column);
    w.num(files.at(f.file));
    w.num(f.span.begin);
    w.num(f.span.end);
    for (int v : {f.start.line, f.start.column, f.end.line, f.end.column}) w.num(static_cast<std::uint64_t>(v));
    w.str(f.model);
    w.str(f.name);
    w.str(f.type);
    w.str(f.native);
  }
  return std::move(w.out);
}

std::optional<std::map<std::string, SchemaField>> decode_fields(std::string_view bytes) {
  Reader r{bytes};
  if (r.str() != "driftguard prisma fields 2" || r.bad) return std::nullopt;
  std::vector<std::string> files(std::min<std::uint64_t>(r.num(), bytes.size()));
  for (auto& f : files) f = r.str();
  std::uint64_t count = r.num();
  std::map<std::string, SchemaField> out;
  for (std::uint64_t i = 0; i < count && !r.bad; ++i) {
    std::string column = r.str();
    SchemaField f;
    std::uint64_t file = r.num();
    if (file >= files.size()) return std::nullopt;
    f.file = files[file];
    f.span.begin = r.num();
    f.span.end = r.num();
    f.start.line = r.small();
    f.start.column = r.small();
    f.end.line = r.small();
    f.end.column = r.small();
    f.model = r.str();
    f.name = r.str();
    f.type = r.str();
    f.native = r.str();
    out.emplace(std::move(column), std::move(f));
  }
  if (r.bad || !r.in.empty() || out.size() != count) return std::nullopt;
  return out;
}

std::map<std::string, SchemaField> prisma_fields(const std::string& set, std::map<std::string, std::string>& texts,
                                                 const FieldsCacheUse& use) {
  auto path = prisma_schema_of(set);
  if (!path) return {};
  // One file (a schema folder is parsed every time): its path and bytes decide the map, with the binary that made it.
  std::optional<std::string> raw = use.off ? std::nullopt : raw_bytes(*path);
  if (!raw) return parsed_fields(*path, texts).value_or(std::map<std::string, SchemaField>{});
  const ContextCache cache(false, use.repository.empty() ? repository_above(fs::path(*path).parent_path()) : use.repository);
  auto note = [&](const std::string& line) {
    if (use.notes != nullptr) *use.notes += "driftguard: context cache: " + line + "\n";
  };
  if (!cache.enabled()) return parsed_fields(*path, texts).value_or(std::map<std::string, SchemaField>{});
  CacheKey k;
  k.add("driftguard lint prisma fields 1").add(ContextCache::build_identity()).add(*path).add(*raw);
  const auto key = k.finish();
  std::string why;
  if (auto bytes = cache.load(key, why)) {
    if (auto fields = decode_fields(*bytes)) {
      // The excerpts' texts, as the parse's path reads them (the entry holds only fields with a place in a file).
      std::set<std::string> files;
      for (const auto& [column, f] : *fields) files.insert(f.file);
      bool read = true;
      for (const auto& f : files) {
        try {
          texts[f] = load_file(f).text;
        } catch (const InputFailure&) {
          read = false;
        }
      }
      if (read) {
        note("restored the fields of " + *path + " (" + cache.path_of(key) + ")");
        return std::move(*fields);
      }
    } else {
      why = "corrupt entry " + cache.path_of(key) + ": its fields do not decode";
      cache.remove(key);
    }
  }
  if (!why.empty()) note(why + " (parsed again)");
  auto fields = parsed_fields(*path, texts);
  if (!fields) return {};
  std::string stored;
  cache.store(key, encode_fields(*fields), stored);
  note("parsed " + *path + " and stored its fields (" + cache.path_of(key) + ")");
  if (!stored.empty()) note(stored);
  return std::move(*fields);
}

}  // namespace driftguard
