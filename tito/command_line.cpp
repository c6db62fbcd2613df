// command_line.cpp — parse, run, and turn what went wrong into an exit code.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "console.hpp"
#include "errors.hpp"
#include "interrupt.hpp"

namespace tito {

int run_command_line(CLI::App& app, int argc, char** argv) {
    app.require_subcommand(1);
    app.footer("Exit codes: 0 success, 1 failed tests or gates (or an error), 2 a wrong command line, "
               "130 interrupted.\nStart with `tito module status`; docs/student-guide.md explains every command.\n");
    install_interrupt_handlers();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitSuccess : kExitUsage;
    } catch (const ExitWith& e) {
        return e.code;
    } catch (const Interrupted&) {
        std::cout << std::flush;
        std::cerr << "\n" << console::yellow("interrupted") << "\n";
        return kExitInterrupted;
    } catch (const UsageError& e) {
        std::cout << std::flush;
        std::cerr << console::red("error: ") << e.what() << "\n";
        return kExitUsage;
    } catch (const Error& e) {
        std::cout << std::flush;
        std::cerr << console::red("error: ") << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        // Not ours (a filesystem error, say): still one clear line.
        std::cout << std::flush;
        std::cerr << console::red("error: ") << e.what() << "\n";
        return kExitFailure;
    }
    return kExitSuccess;
}

}  // namespace tito
