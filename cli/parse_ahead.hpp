// lint --jobs: the files of a run read and parsed ahead on worker threads, while the lint walk stays on the
// calling thread in migration order (each file's rules and replay depend on the files before it; its parse does
// not). A bounded window of files ahead keeps memory flat; what a worker produces is exactly what the calling
// thread would have produced (Engine::parse), so the output is the same for every number of jobs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analyzer/source.hpp"
#include "rules/engine.hpp"

namespace driftguard {

class ParseAhead {
 public:
  struct Item {
    std::optional<SourceFile> file;  // nullopt: `error` (load_file's InputFailure)
    ParsedFile parsed;
    std::string error;
    std::exception_ptr failure;  // anything else a worker's parse threw, rethrown by take()
  };

  // `workers` threads (0: take() reads and parses on the calling thread), at most `window` files ahead of take().
  ParseAhead(std::vector<std::string> paths, unsigned workers, std::size_t window)
      : paths_(std::move(paths)), window_(window < 1 ? 1 : window) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ParseAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ParseAhead(const ParseAhead&) = delete;
  ParseAhead& operator=(const ParseAhead&) = delete;

  // The file at `index`; called with 0, 1, 2, ... in turn.
  Item take(std::size_t index) {
    if (threads_.empty()) return produce(index);
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return done_.count(index) > 0; });
    Item item = std::move(done_[index]);
    done_.erase(index);
    taken_ = index + 1;
    lock.unlock();
    changed_.notify_all();
    if (item.failure) std::rethrow_exception(item.failure);
    return item;
  }

 private:
  Item produce(std::size_t index) const {
    Item item;
    try {
      item.file = load_file(paths_[index]);
      item.parsed = Engine::parse(*item.file);
    } catch (const InputFailure& e) {
      item.file.reset();
      item.error = e.message;
    }
    return item;
  }

  void work() {
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(lock, [&] { return stop_ || next_ >= paths_.size() || next_ < taken_ + window_; });
        if (stop_ || next_ >= paths_.size()) return;
        index = next_++;
      }
      Item item;
      try {
        item = produce(index);
      } catch (...) {
        item.failure = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_.emplace(index, std::move(item));
      }
      changed_.notify_all();
    }
  }

  std::vector<std::string> paths_;
  std::size_t window_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::size_t, Item> done_;
  std::size_t next_ = 0;   // the next file a worker takes
  std::size_t taken_ = 0;  // files handed to the caller
  bool stop_ = false;
};

}  // namespace driftguard
