// release.hpp — `tito release --out DIR`: write the student tree.
//
// The student tree is this tree with every solution block turned into a stub
// (solution_blocks.hpp), a pristine copy of each stub kept in .tito/stubs/
// for `tito module reset`, and without what the manifest's "release.exclude"
// names (hidden tests, instructor docs, CI) or any build output.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "workspace.hpp"

namespace tito {

struct ReleaseSummary {
    int files_copied = 0;
    std::vector<std::string> stubbed_files;  // relative paths
    int solution_blocks = 0;
};

// Throws tito::Error if `out` exists and is not empty, lies inside a path the
// release copies from, or a student file has no solution block (it would
// hand out the answer).
ReleaseSummary write_release(const Workspace& workspace, const std::filesystem::path& out);

}  // namespace tito
