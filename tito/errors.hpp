// errors.hpp — how tito reports failure. main() catches these at the top,
// prints one clear line and exits with the documented code.
#pragma once

#include <stdexcept>
#include <string>

namespace tito {

// Exit codes (docs/student-guide.md lists them).
enum ExitCode : int {
    kExitSuccess = 0,  // everything asked for worked
    kExitFailure = 1,  // tests or a gate failed, or the command could not finish
    kExitUsage = 2,    // the command line was wrong
    kExitInterrupted = 130,  // Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention)
};

// Something went wrong that the user can fix; the message says how.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command line itself was wrong (unknown module, bad flag combination).
class UsageError : public Error {
public:
    using Error::Error;
};

// Thrown after a command has already explained itself (failed tests, say),
// to leave with `code` and print nothing more.
struct ExitWith {
    int code;
};

}  // namespace tito
