// milestone_commands.cpp — `tito milestone list | run NN`.
#include <memory>

#include "commands.hpp"
#include "errors.hpp"
#include "milestone.hpp"

namespace tito {

namespace {

struct RunArgs {
    std::string milestone;
    int part = 0;
    std::vector<std::string> passthrough;
};

}  // namespace

void add_milestone_commands(CLI::App& app) {
    auto* milestone = app.add_subcommand("milestone", "The milestones: your modules on real tasks");
    milestone->require_subcommand(1);

    auto* list = milestone->add_subcommand("list", "Every milestone, its parts, gates and state");
    list->callback([] { print_milestones(Workspace::find(), std::cout); });

    auto args = std::make_shared<RunArgs>();
    auto* run = milestone->add_subcommand(
        "run", "Build and run a milestone's programs on your modules; meeting the gates completes it");
    run->add_option("NN", args->milestone, "Milestone number, e.g. 04")->required();
    run->add_option("--part", args->part, "Run only this part (1, 2, …); default: every part in order");
    run->add_option("ARGS", args->passthrough, "Options for the program, after `--` (e.g. -- --epochs 5)");
    run->footer("Everything after `--` goes to the milestone program: tito milestone run 04 --part 1 -- --epochs 5");
    run->callback([args] {
        const Workspace workspace = Workspace::find();
        const Milestone& m = workspace.curriculum().milestone(args->milestone);
        MilestoneRunOptions options;
        if (args->part != 0) options.part = args->part;
        options.passthrough = args->passthrough;
        if (!run_milestone(workspace, m, options)) throw ExitWith{kExitFailure};
    });
}

}  // namespace tito
