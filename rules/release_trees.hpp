// What Engine::lint does with a file's parse trees once the rules and the replay are done with it: they are the
// largest part of a large file's memory (~14 bytes per byte of SQL), and nothing reads them after the walk.
#pragma once

#include "analyzer/parse.hpp"

namespace driftguard {

// Drops the statements' parse trees (a tree is freed with the last statement that refers to it), keeping their
// spans, kinds and the rest, which suppressions still read.
void release_trees(ParsedFile& pf);

}  // namespace driftguard
