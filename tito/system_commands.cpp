// system_commands.cpp — `tito system doctor`.
#include <iostream>

#include "commands.hpp"
#include "doctor.hpp"
#include "errors.hpp"

namespace tito {

void add_system_commands(CLI::App& app) {
    auto* system = app.add_subcommand("system", "This machine and workspace");
    system->require_subcommand(1);
    auto* doctor = system->add_subcommand(
        "doctor", "Check the compiler, CMake, every dependency, the build tree and the progress file");
    doctor->callback([] {
        if (!run_doctor(Workspace::find(), std::cout)) throw ExitWith{kExitFailure};
    });
}

}  // namespace tito
