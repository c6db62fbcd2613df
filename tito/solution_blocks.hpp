// solution_blocks.hpp — turn a reference file into the student's stub.
//
// In the instructor tree every function a student writes keeps its
// reference body between two marker lines:
//
//     Tensor relu(const Tensor& x) {
//         Tensor out;
//         // BEGIN SOLUTION
//         ...reference code...
//         // END SOLUTION
//         return record(Op::ReLU, out, {x});
//     }
//
// The release replaces such a block with one line, `not_implemented(2);`,
// which throws NotImplemented("relu", 2) — "not implemented yet: relu
// (module 02)". A block opened with `// BEGIN SOLUTION HELPERS` sits at
// namespace scope (helper functions, for instance) and is replaced by a
// comment instead.
#pragma once

#include <string>
#include <vector>

namespace tito {

struct SolutionBlock {
    int begin_line = 0;  // 1-based line of the BEGIN marker
    int end_line = 0;    // 1-based line of the END marker
    bool helpers = false;
    std::vector<std::string> lines;  // the reference lines between the markers
};

// Finds every block; throws tito::Error naming `file_name` and the line for a
// marker out of place (nested, unterminated, END without BEGIN).
std::vector<SolutionBlock> find_solution_blocks(const std::string& source,
                                                const std::string& file_name);

// The student version of `source`: every block replaced as described above.
std::string make_stub(const std::string& source, const std::string& file_name, int module_number);

}  // namespace tito
