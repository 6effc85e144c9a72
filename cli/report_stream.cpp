#include "cli/report_stream.hpp"

#include <optional>

#include "cli/json_stream.hpp"

namespace driftguard {

namespace {

class TextStream : public ReportStream {
 public:
  TextStream(std::ostream& out, bool color, std::size_t width) : out_(out), color_(color), width_(width) {}

 protected:
  void findings(const RunResult& part) override { text_findings(out_, part, color_, width_); }
  void end(const RunResult& r) override {
    text_findings(out_, r, color_, width_);
    text_summary(out_, r, color_);
  }

 private:
  std::ostream& out_;
  bool color_;
  std::size_t width_;
};

class GccStream : public ReportStream {
 public:
  explicit GccStream(std::ostream& out) : out_(out) {}

 protected:
  void findings(const RunResult& part) override { report_gcc(out_, part); }
  void end(const RunResult& r) override { report_gcc(out_, r); }

 private:
  std::ostream& out_;
};

class GithubStream : public ReportStream {
 public:
  explicit GithubStream(std::ostream& out) : out_(out) {}

 protected:
  void findings(const RunResult& part) override { github_findings(out_, part); }
  void end(const RunResult& r) override {
    github_findings(out_, r);
    github_summary(out_, r);
  }

 private:
  std::ostream& out_;
};

// The document before the findings array holds nothing the run changes ("version"), so it is written first.
class JsonStream : public ReportStream {
 public:
  explicit JsonStream(std::ostream& out) : array_(out, json_document(RunResult{})) {}

 protected:
  void findings(const RunResult& part) override {
    for (const auto& f : part.findings) array_.add(json_finding(f));
  }
  void end(const RunResult& r) override {
    findings(r);
    array_.finish(json_document(r));
  }

 private:
  StreamedArray array_;
};

// A fingerprint counts the earlier findings of the same rule, file and text: a part holds whole files, so its
// fingerprints are those of the whole run.
class GitlabStream : public ReportStream {
 public:
  explicit GitlabStream(std::ostream& out) : array_(out, streamed_array()) {}

 protected:
  void findings(const RunResult& part) override {
    auto fps = fingerprints(part);
    for (std::size_t k = 0; k < part.findings.size(); ++k) {
      array_.add(gitlab_issue(part.findings[k], fps[k], part.docs_base));
    }
  }
  void end(const RunResult& r) override {
    findings(r);
    array_.finish(streamed_array());
  }

 private:
  StreamedArray array_;
};

}  // namespace

std::unique_ptr<ReportStream> ReportStream::open(std::ostream& out, const std::string& format, bool color,
                                                   std::size_t width) {
  if (format == "text") return std::make_unique<TextStream>(out, color, width);
  if (format == "gcc") return std::make_unique<GccStream>(out);
  if (format == "github") return std::make_unique<GithubStream>(out);
  if (format == "json") return std::make_unique<JsonStream>(out);
  if (format == "gitlab") return std::make_unique<GitlabStream>(out);
  if (format == "sarif") return sarif_stream(out);
  if (format == "junit") return junit_stream(out);
  return nullptr;
}

void ReportStream::write(const RunResult& part) {
  findings(part);
  for (const auto& f : part.findings) ++written_[static_cast<std::size_t>(f.severity)];
}

void ReportStream::finish(RunResult& r) {
  r.written = written_;
  end(r);
}

}  // namespace driftguard
