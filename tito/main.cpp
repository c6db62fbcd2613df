// main.cpp — tito, the TinyTorch C++ command line.
//
// Each command is declared here and implemented in a file of its own. Errors
// reach the top as tito::Error, are printed as one line, and map to the exit
// codes of errors.hpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <vector>

#include "console.hpp"
#include "errors.hpp"
#include "grading.hpp"
#include "module_test.hpp"
#include "release.hpp"
#include "workspace.hpp"

namespace {

using namespace tito;

// Everything the command line can set; the callbacks read it after parsing.
struct Options {
    std::string module;
    bool all_modules = false;
    bool verbose = false;
    std::string out;
};

void add_module_commands(CLI::App& app, Options& opt) {
    auto* module = app.add_subcommand("module", "Work on the course modules");
    module->require_subcommand(1);

    auto* test = module->add_subcommand("test", "Build a module and run its visible tests");
    auto* number = test->add_option("NN", opt.module, "Module number, e.g. 01");
    auto* all = test->add_flag("--all", opt.all_modules, "Test every module, in course order");
    number->excludes(all);
    test->add_flag("-v,--verbose", opt.verbose, "Also show the test program's own output");
    test->callback([&opt] {
        const Workspace workspace = Workspace::find();
        if (!opt.all_modules && opt.module.empty())
            throw UsageError("say which module to test (`tito module test 01`) or pass --all");
        std::vector<const Module*> modules;
        if (opt.all_modules)
            for (const Module& m : workspace.curriculum().modules) modules.push_back(&m);
        else
            modules.push_back(&workspace.curriculum().module(opt.module));
        bool all_passed = true;
        for (const Module* m : modules)
            all_passed = run_module_tests(workspace, *m, opt.verbose).all_passed() && all_passed;
        if (!all_passed) throw ExitWith{kExitFailure};
    });
}

void add_release_command(CLI::App& app, Options& opt) {
    auto* release = app.add_subcommand("release", "Instructor: write the student tree");
    release->add_option("--out", opt.out, "Folder to create (must be new or empty)")->required();
    release->callback([&opt] {
        const Workspace workspace = Workspace::find();
        const ReleaseSummary s = write_release(workspace, opt.out);
        std::cout << fmt::format("Wrote the student tree to {}: {} files copied, {} student files "
                                 "stubbed ({} solution blocks).\n",
                                 opt.out, s.files_copied, s.stubbed_files.size(), s.solution_blocks);
    });
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tito — the TinyTorch C++ command line", "tito"};
    app.require_subcommand(1);
    Options options;
    add_module_commands(app, options);
    add_release_command(app, options);
    add_grading_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitSuccess : kExitUsage;
    } catch (const ExitWith& e) {
        return e.code;
    } catch (const UsageError& e) {
        std::cerr << console::red("error: ") << e.what() << "\n";
        return kExitUsage;
    } catch (const Error& e) {
        std::cerr << console::red("error: ") << e.what() << "\n";
        return kExitFailure;
    }
    return kExitSuccess;
}
