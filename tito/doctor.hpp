// doctor.hpp — `tito system doctor`: is this machine and workspace ready?
//
// Checks, in order: the toolchain (compiler, CMake, Ninja, ccache — with
// versions), every library of tools/dependencies.txt (found or missing, with
// the command that installs it), the build tree, and the progress file's
// health. Only reads; never changes anything.
#pragma once

#include <ostream>

#include "workspace.hpp"

namespace tito {

// Prints the report; returns false when something required is missing or
// broken (tito then exits 1).
bool run_doctor(const Workspace& workspace, std::ostream& out);

}  // namespace tito
