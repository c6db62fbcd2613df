// main.cpp — tito, the TinyTorch C++ command line.
//
// Every command group is added by a function of its own file (commands.hpp).
// Errors reach the top as tito::Error and map to the exit codes of errors.hpp:
// 0 success, 1 failed tests or gates (or a command that could not finish),
// 2 a wrong command line, 130 interrupted.
#include "commands.hpp"
#include "grading.hpp"

int main(int argc, char** argv) {
    CLI::App app{"tito — the TinyTorch C++ command line", "tito"};
    tito::add_module_commands(app);
    tito::add_milestone_commands(app);
    tito::add_data_commands(app);
    tito::add_system_commands(app);
    tito::add_release_commands(app);
    tito::add_grading_commands(app);
    return tito::run_command_line(app, argc, argv);
}
