// gradescope.hpp — `tito grade --gradescope-package FILE.zip`: an autograder
// for Gradescope, so a course of hundreds is graded on Gradescope's machines.
//
// The zip holds, at its root, what Gradescope requires:
//   setup.sh        run once, as root, when Gradescope builds the image:
//                   installs tools/dependencies.txt's packages, builds the
//                   instructor tree, makes it readable by root only, and
//                   grades the reference solution, which must score 100%;
//   run_autograder  run for every submission: `tito grade
//                   /autograder/submission --json /autograder/results/results.json`
//                   with the options given when the package was written;
// and the instructor tree under tinytorch/ (without build trees, .git or
// tito's state). Both scripts take the /autograder root from
// TITO_AUTOGRADER_ROOT when it is set, so a test can lay out a temporary
// folder the way Gradescope does and run them there.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "workspace.hpp"

namespace tito {

struct PackageSummary {
    std::filesystem::path zip;
    int tree_files = 0;
};

// `grade_arguments` are passed on to `tito grade` by run_autograder and the
// self-check (e.g. {"--timeout", "30"}).
PackageSummary write_gradescope_package(const Workspace& workspace, const std::filesystem::path& zip,
                                        const std::vector<std::string>& grade_arguments);

std::string gradescope_setup_script(const std::vector<std::string>& grade_arguments);
std::string gradescope_run_script(const std::vector<std::string>& grade_arguments);

}  // namespace tito
