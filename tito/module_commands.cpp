// module_commands.cpp — `tito module status | test | reset | watch`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "clock.hpp"
#include "commands.hpp"
#include "console.hpp"
#include "errors.hpp"
#include "module_test.hpp"
#include "progress.hpp"
#include "reset.hpp"
#include "status.hpp"
#include "watch.hpp"

namespace tito {

namespace {

void add_status(CLI::App& module) {
    auto json = std::make_shared<bool>(false);
    auto* status = module.add_subcommand("status", "Where you are: every module and milestone, and what to run next");
    status->add_flag("--json", *json, "Print the same as JSON");
    status->callback([json] {
        const Workspace workspace = Workspace::find();
        const CourseStatus s = compute_status(workspace, ProgressStore(workspace.state_dir()).load());
        if (*json) std::cout << status_to_json(s).dump(2) << "\n";
        else print_status(s, std::cout);
    });
}

struct TestArgs {
    std::string module;
    bool all = false;
    bool verbose = false;
};

void add_test(CLI::App& module) {
    auto args = std::make_shared<TestArgs>();
    auto* test = module.add_subcommand("test", "Build a module and run its visible tests; all passing completes it");
    auto* number = test->add_option("NN", args->module, "Module number, e.g. 01");
    auto* all = test->add_flag("--all", args->all, "Test every module, in course order");
    number->excludes(all);
    test->add_flag("-v,--verbose", args->verbose, "Also show the build's and the test program's own output");
    test->callback([args] {
        if (!args->all && args->module.empty())
            throw UsageError("say which module to test (`tito module test 01`) or pass --all");
        const Workspace workspace = Workspace::find();
        std::vector<const Module*> modules;
        if (args->all)
            for (const Module& m : workspace.curriculum().modules) modules.push_back(&m);
        else
            modules.push_back(&workspace.curriculum().module(args->module));
        ModuleTestOptions options;
        options.verbose = args->verbose;
        options.warn_locked = !args->all;
        options.show_next = !args->all;
        int passed = 0;
        for (const Module* m : modules) {
            passed += test_module(workspace, *m, options).all_passed() ? 1 : 0;
            if (args->all) std::cout << "\n";
        }
        if (args->all) {
            const int total = static_cast<int>(modules.size());
            std::cout << (passed == total ? console::green("✓ ") : console::red("✗ "))
                      << fmt::format("{} of {} modules pass.", passed, total) << "\n";
        }
        if (passed != static_cast<int>(modules.size())) throw ExitWith{kExitFailure};
    });
}

struct ResetArgs {
    std::string module;
    bool force = false;
    bool list = false;
    std::string restore;
};

void print_backups(const Workspace& workspace, const Module* module) {
    const auto backups = list_backups(workspace, module);
    const std::string scope = module ? "module " + module->number : "any module";
    if (backups.empty()) {
        std::cout << "No backups of " << scope << " yet (a reset or a restore makes one).\n";
        return;
    }
    std::cout << console::bold(fmt::format("Backups of {} ({}), oldest first:", scope,
                                           fs::relative(workspace.backups_dir(), workspace.root()).string()))
              << "\n";
    for (const BackupInfo& b : backups)
        std::cout << fmt::format("  {}  module {}  {:<14} before a {}: {}\n", b.id, b.module, time_ago(b.created_at),
                                 b.reason, fmt::join(b.files, ", "));
    const BackupInfo& last = backups.back();
    std::cout << "Bring one back with: " << console::cyan(fmt::format("tito module reset {} --restore {}", last.module, last.id))
              << "\n";
}

void add_reset(CLI::App& module) {
    auto args = std::make_shared<ResetArgs>();
    auto* reset = module.add_subcommand("reset", "Put a module's file back to the stub, keeping a backup of yours");
    reset->add_option("NN", args->module, "Module number, e.g. 01");
    auto* force = reset->add_flag("--force", args->force, "Instructor tree: reset the reference solution too");
    auto* list = reset->add_flag("--list-backups", args->list, "List the backups (of module NN, or of all)");
    auto* restore = reset->add_option("--restore", args->restore, "Bring back the backup with this id");
    list->excludes(restore);
    list->excludes(force);
    reset->callback([args] {
        const Workspace workspace = Workspace::find();
        if (args->list) {
            print_backups(workspace, args->module.empty() ? nullptr : &workspace.curriculum().module(args->module));
            return;
        }
        if (args->module.empty()) throw UsageError("say which module (`tito module reset 01`)");
        const Module& m = workspace.curriculum().module(args->module);
        const std::string files = fmt::format("{}", fmt::join(m.files, ", "));
        if (!args->restore.empty()) {
            const RestoreOutcome r = restore_backup(workspace, m, args->restore);
            if (r.replaced_backup_id.empty())
                std::cout << "Module " << m.number << "'s files already match backup " << args->restore << ".\n";
            else
                std::cout << console::green("✓ ") << "Restored " << m.folder() << "/{" << fmt::format("{}", fmt::join(r.files, ", "))
                          << "} from backup " << args->restore << ".\n  What it replaced is in backup "
                          << r.replaced_backup_id << ".\n";
            std::cout << "Module " << m.number << " is marked not completed; " << console::cyan("tito module test " + m.number)
                      << " checks it again.\n";
            return;
        }
        const ResetOutcome r = reset_module(workspace, m, args->force);
        if (r.backup_id.empty())
            std::cout << m.folder() << "/{" << files << "} already hold the stub; nothing to back up.\n";
        else
            std::cout << console::green("✓ ") << "Backed up " << m.folder() << "/{" << files << "} as "
                      << console::bold(r.backup_id) << " (in " << fs::relative(workspace.backups_dir(), workspace.root()).string()
                      << "/), then put the stub back.\n  Bring your version back with: "
                      << console::cyan(fmt::format("tito module reset {} --restore {}", m.number, r.backup_id)) << "\n";
        std::cout << "Module " << m.number << " is marked not completed.\n";
    });
}

struct WatchArgs {
    std::string module;
    bool poll = false;
    bool verbose = false;
};

void add_watch(CLI::App& module) {
    auto args = std::make_shared<WatchArgs>();
    auto* watch = module.add_subcommand("watch", "Run a module's tests again each time you save its file (Ctrl-C stops)");
    watch->add_option("NN", args->module, "Module number, e.g. 01")->required();
    watch->add_flag("--poll", args->poll, "Poll the files' modification times instead of using inotify");
    watch->add_flag("-v,--verbose", args->verbose, "Also show the test program's own output");
    watch->callback([args] {
        const Workspace workspace = Workspace::find();
        ProgressStore(workspace.state_dir()).load();  // an unusable progress file stops us now, not at the first save
        WatchOptions options;
        options.poll = args->poll;
        options.verbose = args->verbose;
        watch_module(workspace, workspace.curriculum().module(args->module), options);
    });
}

}  // namespace

void add_module_commands(CLI::App& app) {
    auto* module = app.add_subcommand("module", "Work on the course modules: status, test, reset, watch");
    module->require_subcommand(1);
    add_status(*module);
    add_test(*module);
    add_reset(*module);
    add_watch(*module);
}

}  // namespace tito
