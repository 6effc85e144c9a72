#include "analyzer/pgquery.hpp"

#include <pg_query.h>

#include <cstdint>
#include <memory>

namespace driftguard::pg {
namespace {

// pg_query_exit() crashes when the library was never used in this thread, so remember whether it was.
thread_local bool g_used = false;

Error to_error(const PgQueryError* e) {
  Error out;
  out.message = e->message ? e->message : "unknown error";
  out.cursorpos = e->cursorpos;
  return out;
}

struct ParseResult {
  PgQueryParseResult r;
  ~ParseResult() { pg_query_free_parse_result(r); }
};
struct PlpgsqlResult {
  PgQueryPlpgsqlParseResult r;
  ~PlpgsqlResult() { pg_query_free_plpgsql_parse_result(r); }
};
struct ScanResult {
  PgQueryScanResult r;
  ~ScanResult() { pg_query_free_scan_result(r); }
};
// The scanner returns a protobuf ScanResult (pg_query.proto): field 2 = repeated ScanToken {1: start, 2: end,
// 4: token, 5: keyword_kind}. Debian's header for it needs protobuf-c's headers, which are not installed with
// libpg-query-dev, so the few fields needed are decoded here (varints and length-delimited fields only).
constexpr std::uint64_t kSqlComment = 275;  // Token.SQL_COMMENT
constexpr std::uint64_t kCComment = 276;    // Token.C_COMMENT

bool read_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool skip_field(const unsigned char*& p, const unsigned char* end, std::uint64_t wire) {
  std::uint64_t v = 0;
  switch (wire) {
    case 0:
      return read_varint(p, end, v);
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 2:
      if (!read_varint(p, end, v) || static_cast<std::uint64_t>(end - p) < v) return false;
      p += v;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:
      return false;
  }
}

bool decode_token(const unsigned char* p, const unsigned char* end, std::uint64_t& start, std::uint64_t& stop,
                  std::uint64_t& token) {
  start = stop = token = 0;
  while (p < end) {
    std::uint64_t key = 0;
    if (!read_varint(p, end, key)) return false;
    std::uint64_t field = key >> 3;
    std::uint64_t wire = key & 7;
    if (wire == 0 && (field == 1 || field == 2 || field == 4)) {
      std::uint64_t v = 0;
      if (!read_varint(p, end, v)) return false;
      (field == 1 ? start : field == 2 ? stop : token) = v;
    } else if (!skip_field(p, end, wire)) {
      return false;
    }
  }
  return true;
}

}  // namespace

ParseOutcome parse(const std::string& sql) {
  g_used = true;
  ParseResult res{pg_query_parse(sql.c_str())};
  ParseOutcome out;
  if (res.r.error) {
    out.error = to_error(res.r.error);
  } else if (res.r.parse_tree) {
    out.json = res.r.parse_tree;
  }
  return out;
}

ParseOutcome parse_plpgsql(const std::string& sql) {
  g_used = true;
  PlpgsqlResult res{pg_query_parse_plpgsql(sql.c_str())};
  ParseOutcome out;
  if (res.r.error) {
    out.error = to_error(res.r.error);
  } else if (res.r.plpgsql_funcs) {
    out.json = res.r.plpgsql_funcs;
  }
  return out;
}

ParseOutcome deparse(const std::string& sql) {
  g_used = true;
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(sql.c_str());
  ParseOutcome out;
  if (parsed.error) {
    out.error = to_error(parsed.error);
  } else {
    PgQueryDeparseResult d = pg_query_deparse_protobuf(parsed.parse_tree);
    if (d.error) {
      out.error = to_error(d.error);
    } else if (d.query) {
      out.json = d.query;
    }
    pg_query_free_deparse_result(d);
  }
  pg_query_free_protobuf_parse_result(parsed);
  return out;
}

ScanOutcome scan_comments(const std::string& sql) {
  g_used = true;
  ScanResult res{pg_query_scan(sql.c_str())};
  ScanOutcome out;
  if (res.r.error) {
    out.error = to_error(res.r.error);
    return out;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(res.r.pbuf.data);
  const auto* end = p + res.r.pbuf.len;
  while (p < end) {
    std::uint64_t key = 0;
    if (!read_varint(p, end, key)) break;
    if ((key >> 3) == 2 && (key & 7) == 2) {
      std::uint64_t len = 0;
      if (!read_varint(p, end, len) || static_cast<std::uint64_t>(end - p) < len) break;
      std::uint64_t start = 0, stop = 0, token = 0;
      if (decode_token(p, p + len, start, stop, token) && (token == kSqlComment || token == kCComment)) {
        out.comments.push_back(Comment{static_cast<std::size_t>(start), static_cast<std::size_t>(stop)});
      }
      p += len;
    } else if (!skip_field(p, end, key & 7)) {
      out.error = Error{"could not decode the scanner's output", 0};
      return out;
    }
  }
  return out;
}

void shutdown() {
  if (g_used) pg_query_exit();
  g_used = false;
}

}  // namespace driftguard::pg
