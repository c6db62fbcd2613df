// grading.hpp — the submit and grade commands, for main.cpp:
//
//   tito submit [--out FILE] [--student NAME]
//   tito grade SUBMISSION... [--module NN]... [--json FILE] [--csv FILE] [-j N]
//              [--timeout S] [--budget S] [--memory MB] [--isolation MODE] ...
//   tito grade --gradescope-package FILE.zip [grading options]
//
// Implemented in grading_commands.cpp on top of submit.hpp, grade.hpp,
// gradebook.hpp and gradescope.hpp.
#pragma once

namespace CLI {
class App;
}

namespace tito {

void add_grading_commands(CLI::App& app);

}  // namespace tito
