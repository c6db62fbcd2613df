// status.cpp — compute the course status and show it as a table or JSON.
#include "status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "clock.hpp"
#include "console.hpp"

namespace tito {

using nlohmann::json;
using nlohmann::ordered_json;

const char* to_string(ModuleState state) {
    switch (state) {
        case ModuleState::Locked: return "locked";
        case ModuleState::Ready: return "ready";
        case ModuleState::Completed: return "completed";
        case ModuleState::Changed: return "changed";
    }
    return "?";
}

const char* to_string(MilestoneState state) {
    switch (state) {
        case MilestoneState::Locked: return "locked";
        case MilestoneState::Unlocked: return "unlocked";
        case MilestoneState::Completed: return "completed";
    }
    return "?";
}

const ModuleStatus& CourseStatus::module(const std::string& number) const {
    for (const ModuleStatus& m : modules)
        if (m.module->number == number) return m;
    throw Error("no module " + number + " in the status");
}

const MilestoneStatus& CourseStatus::milestone(const std::string& number) const {
    for (const MilestoneStatus& m : milestones)
        if (m.milestone->number == number) return m;
    throw Error("no milestone " + number + " in the status");
}

namespace {

bool counts_as_completed(ModuleState state) {
    return state == ModuleState::Completed || state == ModuleState::Changed;
}

MilestoneStatus milestone_status(const Milestone& milestone, const CourseStatus& course,
                                 const Progress& progress) {
    MilestoneStatus s;
    s.milestone = &milestone;
    for (const std::string& number : milestone.prerequisites) {
        const auto it = std::find_if(course.modules.begin(), course.modules.end(),
                                     [&](const ModuleStatus& m) { return m.module->number == number; });
        if (it == course.modules.end()) s.absent_modules.push_back(number);
        else if (!counts_as_completed(it->state)) s.incomplete_modules.push_back(number);
    }
    const auto recorded = progress.milestones.find(milestone.number);
    bool all_parts = !milestone.programs.empty();
    for (const MilestoneProgram& program : milestone.programs) {
        MilestonePartStatus part;
        part.program = &program;
        if (recorded != progress.milestones.end()) {
            const auto p = recorded->second.parts.find(program.part);
            if (p != recorded->second.parts.end()) part.progress = p->second;
        }
        all_parts = all_parts && part.completed();
        s.parts.push_back(std::move(part));
    }
    if (all_parts) s.state = MilestoneState::Completed;
    else if (s.incomplete_modules.empty() && s.absent_modules.empty()) s.state = MilestoneState::Unlocked;
    else s.state = MilestoneState::Locked;
    return s;
}

NextStep next_step(const CourseStatus& s) {
    for (const ModuleStatus& m : s.modules)
        if (!counts_as_completed(m.state)) {
            const std::string what = m.ever_run() ? "is not passing yet" : "is next";
            return {"tito module test " + m.module->number,
                    fmt::format("module {} ({}) {}; its guide is {}/README.md", m.module->number,
                                m.module->name, what, m.module->folder())};
        }
    for (const ModuleStatus& m : s.modules)
        if (m.state == ModuleState::Changed)
            return {"tito module test " + m.module->number,
                    fmt::format("module {} changed since it was completed; check it again",
                                m.module->number)};
    for (const MilestoneStatus& ms : s.milestones) {
        if (ms.state != MilestoneState::Unlocked) continue;
        for (const MilestonePartStatus& part : ms.parts)
            if (!part.completed())
                return {fmt::format("tito milestone run {} --part {}", ms.milestone->number, part.program->part),
                        fmt::format("milestone {} is unlocked: {}", ms.milestone->number, part.program->title)};
    }
    for (const MilestoneStatus& ms : s.milestones)
        if (ms.state == MilestoneState::Locked && !ms.absent_modules.empty())
            return {"", fmt::format("every module of this course is completed; milestone {} also needs "
                                    "module {}, which this course does not have yet",
                                    ms.milestone->number, fmt::join(ms.absent_modules, ", "))};
    return {"", "everything is completed"};
}

// Pads to `width` display columns (UTF-8 continuation bytes take none).
std::string pad(const std::string& text, size_t width) {
    size_t columns = 0;
    for (const unsigned char c : text) columns += (c & 0xC0) != 0x80 ? 1 : 0;
    return columns >= width ? text : text + std::string(width - columns, ' ');
}

std::string paint_state(ModuleState state, const std::string& padded) {
    switch (state) {
        case ModuleState::Completed: return console::green(padded);
        case ModuleState::Changed: return console::yellow(padded);
        case ModuleState::Ready: return console::cyan(padded);
        case ModuleState::Locked: return console::dim(padded);
    }
    return padded;
}

std::string tests_cell(const ModuleStatus& m) {
    if (!m.ever_run()) return "-";
    if (!m.progress.compiled) return "no build";
    if (m.progress.crashed) return "crashed";
    if (!m.progress.tests_total) return "-";
    return fmt::format("{}/{}", *m.progress.tests_passed, *m.progress.tests_total);
}

std::string gates_text(const MilestoneProgram& program) {
    std::vector<std::string> gates;
    for (const Gate& g : program.gates) gates.push_back(g.describe());
    return fmt::format("{}", fmt::join(gates, ", "));
}

std::string results_text(const json& results, const MilestoneProgram& program) {
    std::vector<std::string> shown;
    const std::string dataset = results.contains("dataset") && results["dataset"].is_string()
                                    ? results["dataset"].get<std::string>()
                                    : "";
    for (const Gate& g : program.gates)
        if (g.applies_to(dataset) && results.contains(g.metric) && results[g.metric].is_number())
            shown.push_back(fmt::format("{} {:.4g}", g.metric, results[g.metric].get<double>()));
    if (shown.empty()) return "";
    return fmt::format("{}{}", fmt::join(shown, ", "), dataset.empty() ? "" : " on " + dataset);
}

std::string module_list(const std::vector<std::string>& numbers) { return fmt::format("{}", fmt::join(numbers, ", ")); }

}  // namespace

CourseStatus compute_status(const Workspace& workspace, const Progress& progress) {
    CourseStatus s;
    s.course = workspace.curriculum().course;
    s.root = workspace.root().string();
    s.instructor_tree = workspace.is_instructor_tree();
    std::string first_incomplete;
    for (const Module& module : workspace.curriculum().modules) {
        ModuleStatus m;
        m.module = &module;
        if (const ModuleProgress* p = progress.module(module.number)) m.progress = *p;
        if (m.progress.completed)
            m.state = workspace.student_files_sha256(module) == m.progress.files_sha256 ? ModuleState::Completed
                                                                                       : ModuleState::Changed;
        else if (first_incomplete.empty()) m.state = ModuleState::Ready;
        else m.state = ModuleState::Locked;
        if (m.state == ModuleState::Locked) m.blocked_by = first_incomplete;
        if (!m.progress.completed && first_incomplete.empty()) first_incomplete = module.number;
        if (counts_as_completed(m.state)) ++s.completed;
        s.modules.push_back(std::move(m));
    }
    for (const Milestone& milestone : workspace.curriculum().milestones)
        s.milestones.push_back(milestone_status(milestone, s, progress));
    s.next = next_step(s);
    return s;
}

std::string progress_bar(int done, int total, int width) {
    const int filled = total > 0 ? (done * width + total / 2) / total : 0;
    std::string bar = "[";
    for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
    return bar + "]";
}

void print_status(const CourseStatus& s, std::ostream& out) {
    const int total = static_cast<int>(s.modules.size());
    out << console::bold(fmt::format("{}: {} of {} modules completed", s.course, s.completed, total))
        << (s.instructor_tree ? console::dim("  (instructor tree)") : "") << "\n";
    out << progress_bar(s.completed, total) << fmt::format(" {}%\n\n", total ? 100 * s.completed / total : 0);

    size_t title_width = 6;
    for (const ModuleStatus& m : s.modules) title_width = std::max(title_width, m.module->title.size());
    for (const MilestoneStatus& ms : s.milestones) {
        title_width = std::max(title_width, ms.milestone->title.size());
        for (const MilestonePartStatus& part : ms.parts) title_width = std::max(title_width, part.program->title.size() + 8);
    }
    const std::string header = fmt::format("  {}  {}  {}  {}\n", pad("Module", title_width + 4), pad("State", 10),
                                           pad("Tests", 9), "Last run");
    out << console::bold(header);
    bool any_changed = false;
    for (const ModuleStatus& m : s.modules) {
        any_changed = any_changed || m.state == ModuleState::Changed;
        std::string note;
        if (m.state == ModuleState::Locked) note = console::dim("  (module " + m.blocked_by + " first)");
        out << fmt::format("  {}  {}  {}  {}  {}{}\n", m.module->number, pad(m.module->title, title_width),
                           paint_state(m.state, pad(to_string(m.state), 10)), pad(tests_cell(m), 9),
                           time_ago(m.progress.last_run), note);
    }
    if (any_changed)
        out << console::dim("  changed: a student file changed since the module was completed; test it again\n");

    if (!s.milestones.empty()) out << "\n" << console::bold(fmt::format("  {}  {}\n", pad("Milestone", title_width + 4), "State"));
    for (const MilestoneStatus& ms : s.milestones) {
        std::string state = to_string(ms.state);
        std::string why;
        if (ms.state == MilestoneState::Locked) {
            std::vector<std::string> reasons;
            if (!ms.incomplete_modules.empty())
                reasons.push_back("needs module " + module_list(ms.incomplete_modules) + " completed");
            if (!ms.absent_modules.empty())
                reasons.push_back("module " + module_list(ms.absent_modules) + " not in this course yet");
            why = "  " + fmt::format("{}", fmt::join(reasons, "; "));
        }
        const std::string painted = ms.state == MilestoneState::Completed  ? console::green(pad(state, 10))
                                    : ms.state == MilestoneState::Unlocked ? console::cyan(pad(state, 10))
                                                                           : console::dim(pad(state, 10));
        out << fmt::format("  {}  {}  {}{}\n", ms.milestone->number, pad(ms.milestone->title, title_width),
                           painted, console::dim(why));
        for (const MilestonePartStatus& part : ms.parts) {
            std::string part_state = "-", detail = "gates: " + gates_text(*part.program);
            if (part.completed()) {
                part_state = "completed";
                detail = results_text(part.progress->results, *part.program);
            } else if (part.progress) {
                part_state = "failed";
                const std::string reached = results_text(part.progress->last_results, *part.program);
                detail = (reached.empty() ? std::string("last run stopped without results")
                                          : "last run: " + reached) +
                         " (gates: " + gates_text(*part.program) + ")";
            } else if (ms.state == MilestoneState::Unlocked) {
                part_state = "ready";
            }
            out << fmt::format("      part {}  {}  {}  {}\n", part.program->part,
                               pad(part.program->title, title_width - 8), pad(part_state, 10), detail);
        }
    }

    out << "\n";
    if (s.next.command.empty()) {
        out << console::green("✓ ") << s.next.reason << ".\n";
    } else {
        out << console::bold("Next: ") << console::cyan(s.next.command) << "\n";
        out << console::dim("  " + s.next.reason) << "\n";
    }
}

ordered_json status_to_json(const CourseStatus& s) {
    ordered_json modules = ordered_json::array();
    for (const ModuleStatus& m : s.modules) {
        ordered_json entry = {{"number", m.module->number},
                      {"name", m.module->name},
                      {"title", m.module->title},
                      {"state", to_string(m.state)},
                      {"tests_passed", nullptr},
                      {"tests_total", nullptr},
                      {"compiled", m.ever_run() ? ordered_json(m.progress.compiled) : ordered_json(nullptr)},
                      {"crashed", m.ever_run() ? ordered_json(m.progress.crashed) : ordered_json(nullptr)},
                      {"last_run", m.ever_run() ? ordered_json(m.progress.last_run) : ordered_json(nullptr)},
                      {"completed_at", m.progress.completed ? ordered_json(m.progress.completed_at) : ordered_json(nullptr)},
                      {"blocked_by", m.blocked_by.empty() ? ordered_json(nullptr) : ordered_json(m.blocked_by)}};
        if (m.progress.tests_total) {
            entry["tests_passed"] = *m.progress.tests_passed;
            entry["tests_total"] = *m.progress.tests_total;
        }
        modules.push_back(std::move(entry));
    }
    ordered_json milestones = ordered_json::array();
    for (const MilestoneStatus& ms : s.milestones) {
        ordered_json parts = ordered_json::array();
        for (const MilestonePartStatus& part : ms.parts) {
            ordered_json gates = ordered_json::array();
            for (const Gate& g : part.program->gates) {
                ordered_json gate = {{"metric", g.metric}, {g.strict ? "above" : "at_least", g.threshold}};
                if (!g.dataset.empty()) gate["dataset"] = g.dataset;
                gates.push_back(gate);
            }
            std::string state = part.completed() ? "completed" : part.progress ? "failed"
                                : ms.state == MilestoneState::Unlocked ? "ready" : "locked";
            ordered_json entry = {{"part", part.program->part}, {"name", part.program->name},
                          {"title", part.program->title}, {"state", state}, {"gates", gates},
                          {"results", part.completed() ? ordered_json::parse(part.progress->results.dump()) : ordered_json(nullptr)},
                          {"completed_at", part.completed() ? ordered_json(part.progress->completed_at) : ordered_json(nullptr)},
                          {"last_run", part.progress ? ordered_json(part.progress->last_run) : ordered_json(nullptr)}};
            parts.push_back(std::move(entry));
        }
        milestones.push_back({{"number", ms.milestone->number},
                              {"name", ms.milestone->name},
                              {"title", ms.milestone->title},
                              {"state", to_string(ms.state)},
                              {"incomplete_modules", ms.incomplete_modules},
                              {"absent_modules", ms.absent_modules},
                              {"parts", parts}});
    }
    return {{"course", s.course},
            {"root", s.root},
            {"tree", s.instructor_tree ? "instructor" : "student"},
            {"modules_completed", s.completed},
            {"modules_total", s.modules.size()},
            {"modules", modules},
            {"milestones", milestones},
            {"next", {{"command", s.next.command.empty() ? ordered_json(nullptr) : ordered_json(s.next.command)},
                      {"reason", s.next.reason}}}};
}

}  // namespace tito
