#include "analyzer/fix.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "analyzer/source.hpp"

namespace driftguard {

FixOutcome apply_fixes(const std::string& text, const std::vector<const Fix*>& fixes) {
  std::vector<Edit> accepted;
  FixOutcome out;
  auto overlaps = [](const Edit& a, const Edit& b) {
    // Two insertions at the same point are ambiguous; an insertion inside a replaced range overlaps it.
    if (a.span.begin == a.span.end && b.span.begin == b.span.end) return a.span.begin == b.span.begin;
    return a.span.begin < b.span.end && b.span.begin < a.span.end;
  };
  for (const Fix* f : fixes) {
    bool ok = !f->edits.empty();
    for (const auto& e : f->edits) {
      if (e.span.end < e.span.begin || e.span.end > text.size()) ok = false;
      for (const auto& a : accepted) ok = ok && !overlaps(e, a);
    }
    if (!ok) {
      ++out.skipped;
      continue;
    }
    accepted.insert(accepted.end(), f->edits.begin(), f->edits.end());
    ++out.applied;
  }
  std::stable_sort(accepted.begin(), accepted.end(),
                   [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
  std::size_t pos = 0;
  for (const auto& e : accepted) {
    out.text.append(text, pos, e.span.begin - pos);
    out.text += e.replacement;
    pos = e.span.end;
  }
  out.text.append(text, pos, std::string::npos);
  return out;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  // Appended, not `"." + string`: GCC 12 -O3 reports a false -Wrestrict inside that operator+.
  std::string hidden = ".";
  hidden += target.filename().string();
  hidden += ".driftguard-XXXXXX";
  std::string tmpl = (dir / hidden).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) throw InputFailure{std::string("cannot create a temporary file: ") + std::strerror(errno)};
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(name.data());
    throw InputFailure{std::string(what) + ": " + std::strerror(err)};
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && ::fchmod(fd, st.st_mode & 07777) != 0) fail("cannot set permissions");
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(name.data());
    throw InputFailure{std::string("cannot close: ") + std::strerror(errno)};
  }
  if (std::rename(name.data(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(name.data());
    throw InputFailure{std::string("cannot replace the file: ") + std::strerror(err)};
  }
}

}  // namespace driftguard
