// source_check.hpp — what a submitted student file may contain, checked
// before it is compiled.
//
// The grader compiles student files beside the hidden tests, as the grading
// user. So a student file may not make the compiler read anything but the
// headers a student legitimately uses:
//   - #include "name.hpp" only for a header of its own module or of the
//     modules below it (a bare file name: no '/', no "..", no absolute path);
//   - #include <name> only for a standard C++ or C header, a compiler
//     intrinsics header (<immintrin.h>, ...), <omp.h> or <fmt/...>;
//   - no #include whose operand is a macro, no #include_next, #import,
//     #embed, #line or line markers;
//   - no inline assembly (asm, __asm__: its `.incbin` directive reads any
//     file into the object), and no token pasting (##), which could spell
//     `asm` out of harmless pieces.
// Code that runs at test time (fopen, fork, exit, ...) is not refused here:
// the sandbox (sandbox.hpp) contains it.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace tito {

struct SourceIssue {
    int line = 0;         // 1-based, in the submitted file
    std::string message;  // "#include <unistd.h> is not allowed in a submission: ..."
};

// `local_headers`: the header file names a quoted include may name.
std::vector<SourceIssue> check_student_source(const std::string& text,
                                              const std::set<std::string>& local_headers);

// <name> that a submission may include: the standard library, intrinsics,
// <omp.h> and fmt.
bool is_allowed_system_header(const std::string& name);

}  // namespace tito
