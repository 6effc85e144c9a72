#include "analyzer/pgquery.hpp"

#include <pg_query.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

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

// --- Deep input ------------------------------------------------------------------------------------------------
// PostgreSQL's grammar is not recursive, but libpg_query's tree writers are: a statement chaining 70,000 operands with || parses,
// and writing its tree as JSON then needs ~16 MB of stack (measured), so on the 8 MB main thread the whole run died
// with no output. Larger inputs are therefore parsed on a thread of their own whose stack grows with the input
// (reserved, not committed: only the pages touched become memory); small ones, whose tree cannot be deep enough to
// matter, are parsed on the caller's thread (a thread per call would cost ~30 us per file).

// Below this size no statement nests deep enough to need more than ~2 MB of stack (a level costs at least 2 bytes of
// SQL, `- `, and ~230 bytes of the writers' stack).
constexpr std::size_t kDirectBytes = 16 * 1024;
// Stack reserved per byte of SQL on the parse thread (a level: >= 2 bytes of SQL, <= ~250 bytes of stack), and at least
// this much.
constexpr std::size_t kStackPerByte = 256;
constexpr std::size_t kMinStack = 64u << 20;

// A long-lived thread with a large reserved stack that runs the calling thread's big parses. One per calling thread,
// replaced only by a larger one: libpg_query's pg_query_init creates a pthread key for every thread that parses and
// never deletes it, and glibc has 1,024 keys per process, so a thread per file ran out of keys after ~1,000 inputs of
// 16 KB or more (and cost a thread start each).
class StackWorker {
 public:
  // nullptr when the stack cannot be reserved or the thread not started.
  static std::unique_ptr<StackWorker> start(std::size_t size) {
    void* stack =
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return nullptr;
    std::unique_ptr<StackWorker> w(new StackWorker(stack, size));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, size);
    bool started = pthread_create(&w->thread_, &attr, &StackWorker::loop, w.get()) == 0;
    pthread_attr_destroy(&attr);
    if (!started) return nullptr;  // the destructor unmaps the stack; no thread to join
    w->started_ = true;
    return w;
  }
  StackWorker(const StackWorker&) = delete;
  StackWorker& operator=(const StackWorker&) = delete;
  ~StackWorker() {
    if (started_) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
      }
      wake_.notify_all();
      pthread_join(thread_, nullptr);
    }
    munmap(stack_, size_);
  }
  std::size_t size() const { return size_; }

  // Runs job on the worker's stack and waits for it.
  void run(const std::function<void()>& job) {
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = &job;
    wake_.notify_all();
    wake_.wait(lock, [this] { return job_ == nullptr; });
    // A deep parse leaves its stack pages committed: give back all but the top, where the loop's own frames are.
    constexpr std::size_t kKeep = 1u << 20;
    if (size_ > kKeep) madvise(stack_, size_ - kKeep, MADV_DONTNEED);
  }

 private:
  StackWorker(void* stack, std::size_t size) : stack_(stack), size_(size) {}
  static void* loop(void* self) {
    auto* w = static_cast<StackWorker*>(self);
    std::unique_lock<std::mutex> lock(w->mutex_);
    for (;;) {
      w->wake_.wait(lock, [w] { return w->job_ != nullptr || w->stop_; });
      if (w->job_ == nullptr) break;  // stopping
      (*w->job_)();
      w->job_ = nullptr;
      w->wake_.notify_all();
    }
    // no pg_query_exit(): libpg_query frees a thread's memory context itself when the thread ends (a TSD
    // destructor), and freeing it here too is a double free
    return nullptr;
  }

  void* stack_;
  std::size_t size_;
  pthread_t thread_{};
  bool started_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void()>* job_ = nullptr;
  bool stop_ = false;
};

thread_local std::unique_ptr<StackWorker> t_worker;

std::size_t page_rounded(std::size_t size) {
  auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (size + page - 1) / page * page;
}

// Calls fn (a libpg_query call returning an outcome) with enough stack for an input of `bytes` bytes.
template <class Fn>
auto with_stack_for(std::size_t bytes, Fn fn) -> std::invoke_result_t<Fn&> {
  if (bytes < kDirectBytes) {
    g_used = true;
    return fn();
  }
  std::size_t want = std::max(kMinStack, bytes * kStackPerByte);
  if (!t_worker || t_worker->size() < page_rounded(want)) {
    // A reservation this large can be refused (strict overcommit): then a smaller one, which still covers the inputs
    // that occur in practice; a worker we already have is kept when it is at least that large.
    for (std::size_t size : {want, std::min(want, std::size_t{1} << 30), kMinStack}) {
      size = page_rounded(size);
      if (t_worker && t_worker->size() >= size) break;
      if (auto w = StackWorker::start(size)) {
        t_worker = std::move(w);
        break;
      }
    }
  }
  std::invoke_result_t<Fn&> out;
  if (!t_worker) {
    out.error = Error{"out of memory: no thread could be started to parse this input", 0};
    return out;
  }
  t_worker->run([&] { out = fn(); });
  return out;
}

// PostgreSQL analyzes a parse tree recursively and refuses one too deep for its max_stack_depth (2 MB by default) with
// "stack depth limit exceeded"; PostgreSQL 15 accepts 4,062 operands chained with || and refuses 4,093 (tree depth
// ~8,200 in libpg_query's JSON). driftguard's own walks recurse too, so a tree deeper than this is reported as
// PostgreSQL reports it instead of being analyzed.
constexpr int kMaxTreeDepth = 10000;

// The byte offset (stmt_location) of the first statement whose JSON tree nests deeper than kMaxTreeDepth, or nullopt.
// libpg_query writes {"version":N,"stmts":[{"stmt":{...},"stmt_location":L,"stmt_len":N},...]}, and omits stmt_location
// when it is 0.
std::optional<std::size_t> too_deep_statement(const std::string& json) {
  if (json.size() < static_cast<std::size_t>(kMaxTreeDepth) * 2) return std::nullopt;  // '{' and '}' per level
  int depth = 0;
  bool too_deep = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') {
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxTreeDepth) too_deep = true;
    } else if ((c == '}' || c == ']') && --depth == 2 && too_deep) {
      // the end of the statement object's "stmt" value: its location follows, if it is not 0
      static constexpr std::string_view kKey = ",\"stmt_location\":";
      if (json.compare(i + 1, kKey.size(), kKey) != 0) return 0;
      return static_cast<std::size_t>(std::strtoull(json.c_str() + i + 1 + kKey.size(), nullptr, 10));
    }
  }
  return too_deep ? std::optional<std::size_t>(0) : std::nullopt;
}

}  // namespace

ParseOutcome parse(const std::string& sql) {
  ParseOutcome out = with_stack_for(sql.size(), [&sql] {
    ParseResult res{pg_query_parse(sql.c_str())};
    ParseOutcome o;
    if (res.r.error) {
      o.error = to_error(res.r.error);
    } else if (res.r.parse_tree) {
      o.json = res.r.parse_tree;
    }
    return o;
  });
  if (!out.error) {
    if (auto at = too_deep_statement(out.json)) {
      // PostgreSQL gives no position for this error; the statement's first character (1-based, in characters).
      std::size_t b = std::min(*at, sql.size());
      while (b < sql.size() && std::isspace(static_cast<unsigned char>(sql[b]))) ++b;
      int chars = 0;
      for (std::size_t k = 0; k < b; ++k) chars += (static_cast<unsigned char>(sql[k]) & 0xC0) != 0x80;
      out.json.clear();
      out.error = Error{
          "stack depth limit exceeded (the expression nests "
          "deeper than PostgreSQL can analyze with "
          "its default max_stack_depth of 2MB)",
          chars + 1};
    }
  }
  return out;
}

ParseOutcome parse_plpgsql(const std::string& sql) {
  return with_stack_for(sql.size(), [&sql] {
    PlpgsqlResult res{pg_query_parse_plpgsql(sql.c_str())};
    ParseOutcome out;
    if (res.r.error) {
      out.error = to_error(res.r.error);
    } else if (res.r.plpgsql_funcs) {
      out.json = res.r.plpgsql_funcs;
    }
    return out;
  });
}

ParseOutcome deparse(const std::string& sql) {
  return with_stack_for(sql.size(), [&sql] {
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
  });
}

ScanOutcome scan_comments(const std::string& sql) {
  // The scanner does not recurse: the caller's thread.
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
