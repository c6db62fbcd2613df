// commands.hpp — the command groups of tito. Each is declared by one
// function, in a file of its own, that adds its subcommands to the app;
// main.cpp is the list of these calls.
#pragma once

#include <CLI/CLI.hpp>

namespace tito {

void add_module_commands(CLI::App& app);     // module_commands.cpp: status, test, reset, watch
void add_milestone_commands(CLI::App& app);  // milestone_commands.cpp: list, run
void add_data_commands(CLI::App& app);       // data_commands.cpp: list, download, import
void add_system_commands(CLI::App& app);     // system_commands.cpp: doctor
void add_release_commands(CLI::App& app);    // release_commands.cpp: release

// Parses and runs the command line, mapping errors to the exit codes of
// errors.hpp: prints one "error: …" line (or paragraph) for a tito::Error.
int run_command_line(CLI::App& app, int argc, char** argv);

}  // namespace tito
