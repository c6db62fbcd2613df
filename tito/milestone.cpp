// milestone.cpp — check the lock, build, run, judge the gates, record.
#include "milestone.hpp"

#include <fmt/format.h>

#include <iostream>

#include "build.hpp"
#include "clock.hpp"
#include "console.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "status.hpp"

namespace tito {

using nlohmann::json;

RunVerdict judge_run(const MilestoneProgram& program, const ProcessResult& run, const fs::path& record_file) {
    RunVerdict verdict;
    if (!run.succeeded())
        verdict.problems.push_back(fmt::format("the program stopped with {}; its output above says why",
                                               run.describe()));
    if (!fs::exists(record_file)) {
        verdict.problems.push_back(fmt::format("it wrote no record: {} does not exist", record_file.string()));
        return verdict;
    }
    json record;
    try {
        record = json::parse(read_file(record_file));
    } catch (const std::exception& e) {
        verdict.problems.push_back(fmt::format("its record {} is not valid JSON: {}", record_file.string(), e.what()));
        return verdict;
    }
    if (!record.is_object() || !record.contains("results") || !record["results"].is_object()) {
        verdict.problems.push_back(fmt::format("its record {} has no \"results\" object", record_file.string()));
        return verdict;
    }
    verdict.results = record["results"];
    const std::string dataset =
        verdict.results.contains("dataset") && verdict.results["dataset"].is_string()
            ? verdict.results["dataset"].get<std::string>()
            : "";
    size_t applicable = 0;
    for (const Gate& gate : program.gates) {
        if (!gate.applies_to(dataset)) continue;
        ++applicable;
        const std::string need = fmt::format("needs {} {}", gate.strict ? ">" : ">=", gate.threshold);
        if (!verdict.results.contains(gate.metric) || !verdict.results[gate.metric].is_number()) {
            std::vector<std::string> present;
            for (const auto& [key, value] : verdict.results.items()) present.push_back(key);
            verdict.problems.push_back(fmt::format("its record has no number \"{}\" in its results (they hold: {})",
                                                   gate.metric, present.empty() ? "nothing" : fmt::format("{}", fmt::join(present, ", "))));
            verdict.gate_lines.push_back(fmt::format("✗ {} missing ({})", gate.metric, need));
            continue;
        }
        const double value = verdict.results[gate.metric].get<double>();
        const bool ok = gate.passes(value);
        verdict.gate_lines.push_back(fmt::format("{} {} {:.4g} ({})", ok ? "✓" : "✗", gate.metric, value, need));
        if (!ok) verdict.problems.push_back(fmt::format("{} is {:.4g}; the gate {}", gate.metric, value, need));
    }
    if (applicable == 0 && !program.gates.empty()) {
        std::vector<std::string> gated;
        for (const Gate& gate : program.gates) gated.push_back(gate.dataset);
        verdict.problems.push_back(fmt::format("its record names the dataset \"{}\", and the gates cover only {}",
                                               dataset, fmt::join(gated, ", ")));
    }
    return verdict;
}

namespace {

// Refuses a locked milestone, naming the modules in the way.
void check_unlocked(const Workspace& workspace, const MilestoneStatus& status) {
    const Milestone& milestone = *status.milestone;
    if (!status.incomplete_modules.empty()) {
        std::vector<std::string> named;
        for (const std::string& number : status.incomplete_modules)
            named.push_back(number + " " + workspace.curriculum().module(number).name);
        const bool one = named.size() == 1;
        throw Error(fmt::format("milestone {} is locked: module{} {} {} not completed yet. It runs on your own "
                                "code, so every module it requires must pass first: start with `tito module "
                                "test {}`",
                                milestone.number, one ? "" : "s", fmt::join(named, ", "), one ? "is" : "are",
                                status.incomplete_modules.front()));
    }
    if (!status.absent_modules.empty())
        throw Error(fmt::format("milestone {} is locked: it requires module {}, which this course does not "
                                "have yet (curriculum.json does not list {})",
                                milestone.number, fmt::join(status.absent_modules, ", "),
                                status.absent_modules.size() == 1 ? "it" : "them"));
}

void record_run(const Workspace& workspace, const Milestone& milestone, const MilestoneProgram& program,
                const RunVerdict& verdict) {
    ProgressStore(workspace.state_dir()).update([&](Progress& progress) {
        MilestoneProgress& m = progress.milestones[milestone.number];
        MilestonePartProgress& part = m.parts[program.part];
        part.last_run = utc_timestamp();
        part.last_run_passed = verdict.passed();
        part.last_results = verdict.results;
        if (verdict.passed()) {
            part.completed = true;
            part.completed_at = part.last_run;
            part.results = verdict.results;
        }
        m.completed = true;
        for (const MilestoneProgram& p : milestone.programs) {
            const auto it = m.parts.find(p.part);
            m.completed = m.completed && it != m.parts.end() && it->second.completed;
        }
    });
}

// Runs one program; true when it met its gates.
bool run_part(const Workspace& workspace, const Milestone& milestone, const MilestoneProgram& program,
              const MilestoneRunOptions& options) {
    const fs::path binary = workspace.binary(milestone.target(program));
    const fs::path run_dir = workspace.run_dir(milestone, program);
    const fs::path record_file = run_dir / "record.json";
    fs::create_directories(run_dir);
    fs::remove(record_file);  // a stale record must never pass a new run

    std::vector<std::string> argv = {binary.string(), "--output-dir", run_dir.string()};
    argv.insert(argv.end(), options.passthrough.begin(), options.passthrough.end());
    std::cout << console::bold(fmt::format("Milestone {} part {}: {}", milestone.number, program.part, program.title))
              << "\n" << console::dim("$ " + fmt::format("{}", fmt::join(argv, " "))) << "\n" << std::flush;
    ProcessOptions process;
    process.working_dir = workspace.root();
    process.max_output = 1 << 20;  // streamed; only the end is kept
    process.on_output = [](std::string_view chunk) { std::cout << chunk << std::flush; };
    const ProcessResult run = run_process(argv, process);
    if (run.interrupted) throw Interrupted{};

    const RunVerdict verdict = judge_run(program, run, record_file);
    record_run(workspace, milestone, program, verdict);
    std::cout << "\n";
    for (const std::string& line : verdict.gate_lines)
        std::cout << "  " << (line.rfind("✓", 0) == 0 ? console::green(line) : console::red(line)) << "\n";
    if (verdict.passed()) {
        std::cout << console::green(fmt::format("★ Milestone {} part {} completed", milestone.number, program.part))
                  << fmt::format(" ({:.{}f} s); its record is {}.\n", run.seconds, run.seconds < 10 ? 1 : 0,
                                 fs::relative(record_file, workspace.root()).string());
        return true;
    }
    std::cout << console::red(fmt::format("✗ Milestone {} part {} failed: ", milestone.number, program.part))
              << fmt::format("{}.\n", fmt::join(verdict.problems, "; "))
              << "  Options after `--` go to the program (its guide, " << milestone.folder() << "/README.md, lists them)"
              << (verdict.results.empty() ? ".\n" : "; training is random, so a run close to a gate may pass the next time.\n");
    return false;
}

}  // namespace

bool run_milestone(const Workspace& workspace, const Milestone& milestone, const MilestoneRunOptions& options) {
    const ProgressStore store(workspace.state_dir());
    const CourseStatus status = compute_status(workspace, store.load());
    const MilestoneStatus& ms = status.milestone(milestone.number);
    check_unlocked(workspace, ms);
    for (const std::string& number : milestone.prerequisites)
        if (status.module(number).state == ModuleState::Changed)
            std::cout << console::yellow("Note: ") << "module " << number
                      << " changed since it was completed; the milestone runs on your current code.\n";
    if (!fs::is_directory(workspace.root() / milestone.folder()))
        throw Error(fmt::format("milestone {}'s programs are not in this tree ({}/ does not exist)",
                                milestone.number, milestone.folder()));

    std::vector<const MilestoneProgram*> parts;
    if (options.part) parts.push_back(&milestone.part(*options.part));
    else for (const MilestoneProgram& p : milestone.programs) parts.push_back(&p);

    const std::string target = options.part ? milestone.target(*parts.front()) : milestone.target();
    std::cout << console::dim("Building " + target + " on your modules…") << std::endl;
    if (const auto failure = Builder(workspace).build({target})) {
        std::cout << console::red("✗ ") << "the milestone does not build. The first errors:\n\n";
        for (const std::string& error : failure->errors) std::cout << "  " << error << "\n";
        return false;
    }
    for (const MilestoneProgram* program : parts)
        if (!run_part(workspace, milestone, *program, options)) return false;

    const CourseStatus after = compute_status(workspace, store.load());
    if (after.milestone(milestone.number).state == MilestoneState::Completed)
        std::cout << console::green(fmt::format("★ Milestone {} completed: {}", milestone.number, milestone.title))
                  << "\n";
    else if (!after.next.command.empty())
        std::cout << console::bold("Next: ") << console::cyan(after.next.command) << "\n";
    return true;
}

void print_milestones(const Workspace& workspace, std::ostream& out) {
    const CourseStatus status = compute_status(workspace, ProgressStore(workspace.state_dir()).load());
    for (const MilestoneStatus& ms : status.milestones) {
        const Milestone& m = *ms.milestone;
        out << console::bold(fmt::format("Milestone {}: {}", m.number, m.title)) << "  " << to_string(ms.state) << "\n";
        std::vector<std::string> modules;
        for (const std::string& number : m.prerequisites) {
            const bool absent = std::find(ms.absent_modules.begin(), ms.absent_modules.end(), number) != ms.absent_modules.end();
            const bool incomplete = std::find(ms.incomplete_modules.begin(), ms.incomplete_modules.end(), number) != ms.incomplete_modules.end();
            modules.push_back(number + (absent ? " (not in this course yet)" : incomplete ? " (not completed)" : " ✓"));
        }
        out << "  requires modules " << fmt::format("{}", fmt::join(modules, ", ")) << "\n";
        for (const MilestonePartStatus& part : ms.parts) {
            std::vector<std::string> gates;
            for (const Gate& g : part.program->gates) gates.push_back(g.describe());
            std::string state = part.completed() ? "completed" : part.progress ? "failed last run" : "not run";
            out << fmt::format("  part {}  {}: {}\n          gates: {}; {}\n", part.program->part, part.program->name,
                               part.program->title, fmt::join(gates, ", "), state);
            if (part.completed())
                out << "          results: " << part.progress->results.dump() << "\n";
        }
        if (ms.state != MilestoneState::Locked)
            out << "  run: " << console::cyan(fmt::format("tito milestone run {} --part {}", m.number,
                                                          ms.parts.empty() ? 1 : ms.parts.front().program->part))
                << "\n";
        out << "\n";
    }
}

}  // namespace tito
