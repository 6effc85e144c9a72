// Applying machine fixes to a file's text, and writing files atomically.
#pragma once

#include <string>
#include <vector>

#include "analyzer/finding.hpp"

namespace driftguard {

struct FixOutcome {
  std::string text;  // the new content
  int applied = 0;   // fixes applied
  int skipped = 0;   // fixes left out because their edits overlap an earlier fix's
};

// Applies the fixes (in the given order of priority) to `text`; a fix whose edits overlap an already accepted
// edit, or fall outside the text, is skipped whole.
FixOutcome apply_fixes(const std::string& text, const std::vector<const Fix*>& fixes);

// Replaces `path` with `content` atomically (temporary file in the same folder, fsync, rename), keeping the
// file's permission bits. Throws InputFailure (analyzer/source.hpp) on failure; the original is left untouched.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace driftguard
