// gradebook.cpp — results.json, reports and the CSV gradebook.
#include "gradebook.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace tito {

namespace {

constexpr size_t kFailuresListed = 8;

double rounded(double value) { return std::round(value * 10000.0) / 10000.0; }

std::string module_label(const Module& m) { return m.number + " " + m.name; }

std::string points(double value) { return fmt::format("{:.2f}", value); }

std::string plural(int n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

// "138 of 138 tests pass" / "did not compile" / ...
std::string module_summary(const ModuleGrade& m) {
    switch (m.state) {
        case ModuleState::NotGraded: return "not graded (the submission was refused)";
        case ModuleState::NotSubmitted: return "not graded (missing or refused file)";
        case ModuleState::DidNotCompile: return "did not compile";
        case ModuleState::Graded: break;
    }
    return fmt::format("{} of {} pass (visible {}/{}, hidden {}/{})", m.passed(), plural(m.total(), "test", "tests"),
                       m.passed(false), m.count(false), m.passed(true), m.count(true));
}

std::string indent(const std::string& text, const std::string& prefix) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        out += prefix + text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return out;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string test_title(const ModuleGrade& m, const GradedTest& t) {
    return fmt::format("{}{}: {}", module_label(*m.module), t.hidden ? " (hidden)" : "", t.name);
}

}  // namespace

std::string grade_report(const SubmissionGrade& grade, const GradingContext& context, bool for_student) {
    std::string out = fmt::format("{}: {} / {} points ({:.1f}%), graded in {:.0f} s by {}\n", grade.student,
                                  points(grade.score()), points(grade.max_score()),
                                  grade.max_score() > 0 ? 100.0 * grade.score() / grade.max_score() : 0.0,
                                  grade.seconds, context.tool);
    if (!grade.error.empty()) out += indent("grading could not finish: " + grade.error, "  ");
    if (!grade.refused.empty()) out += indent(grade.refused, "  ");
    for (const ModuleGrade& m : grade.modules) {
        out += fmt::format("  {:<16} {:>6} / {:<3} {}\n", module_label(*m.module), points(m.score()),
                           fmt::format("{:g}", m.points()), module_summary(m));
        if (m.state == ModuleState::NotSubmitted || m.state == ModuleState::DidNotCompile)
            for (const std::string& problem : m.problems) out += indent(problem, "      ");
        for (const std::string& note : m.notes) out += indent(note, "      note: ");
        size_t listed = 0;
        for (const GradedTest& t : m.tests) {
            if (t.passed || m.state != ModuleState::Graded) continue;
            if (for_student && t.hidden) continue;
            if (listed++ == kFailuresListed) continue;
            out += fmt::format("      ✗ {}{}: {}\n", t.hidden ? "(hidden) " : "", t.name, t.reason);
        }
        if (listed > kFailuresListed)
            out += fmt::format("      ... and {} more\n", listed - kFailuresListed);
        if (for_student && m.state == ModuleState::Graded && m.count(true) - m.passed(true) > 0)
            out += fmt::format("      {} failed\n", plural(m.count(true) - m.passed(true), "hidden test", "hidden tests"));
    }
    for (const std::string& note : grade.notes) out += indent(note, "  note: ");
    return out;
}

std::string results_json(const SubmissionGrade& grade, const GradingContext& context) {
    using nlohmann::json;
    json tests = json::array();
    json modules = json::array();
    for (const ModuleGrade& m : grade.modules) {
        for (const GradedTest& t : m.tests) {
            std::string output;
            if (!t.passed) {
                output = t.reason;
                if (!t.hidden && !t.detail.empty()) output += "\n" + t.detail;
            }
            tests.push_back({{"name", test_title(m, t)},
                             {"score", rounded(t.score())},
                             {"max_score", rounded(t.max_score)},
                             {"status", t.passed ? "passed" : "failed"},
                             {"output", output},
                             {"visibility", t.hidden ? context.hidden_visibility : "visible"},
                             {"tags", {module_label(*m.module), t.hidden ? "hidden" : "visible"}}});
        }
        modules.push_back({{"number", m.module->number},
                           {"name", m.module->name},
                           {"score", rounded(m.score())},
                           {"max_score", m.points()},
                           {"passed", m.passed()},
                           {"tests", m.total()}});
    }
    std::string output = fmt::format("TinyTorch C++ autograder ({})\n\n", context.tool);
    output += grade_report(grade, context, /*for_student=*/true);
    const json results = {
        {"score", rounded(grade.score())},
        {"execution_time", static_cast<int>(std::lround(grade.seconds))},
        {"output", output},
        {"output_format", "text"},
        {"stdout_visibility", "hidden"},
        {"tests", tests},
        {"extra_data",
         {{"student", grade.student},
          {"tool", context.tool},
          {"isolation", context.isolation},
          {"limits", context.limits},
          {"max_score", grade.max_score()},
          {"modules", modules}}},
    };
    // Student output may hold any bytes: replace what is not UTF-8.
    return results.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string gradebook_csv(const std::vector<SubmissionGrade>& grades, const std::vector<const Module*>& modules) {
    std::string out = "student";
    for (const Module* m : modules) out += fmt::format(",{}_{}", m->number, m->name);
    out += ",total,notes\n";
    for (const SubmissionGrade& g : grades) {
        out += csv_field(g.student);
        std::vector<std::string> notes;
        if (!g.error.empty()) notes.push_back("grading failed: " + g.error.substr(0, g.error.find('\n')));
        if (!g.refused.empty()) notes.push_back(g.refused);
        for (const Module* m : modules) {
            const ModuleGrade* grade = nullptr;
            for (const ModuleGrade& mg : g.modules)
                if (mg.module == m) grade = &mg;
            out += ',';
            out += points(grade ? grade->score() : 0.0);
            if (grade && grade->state == ModuleState::DidNotCompile) notes.push_back(m->number + " did not compile");
            if (grade && grade->state == ModuleState::NotSubmitted) {
                const bool missing = !grade->problems.empty() &&
                                     grade->problems.front().find("missing from the submission") != std::string::npos;
                notes.push_back(m->number + (missing ? " missing" : " refused"));
            }
        }
        out += fmt::format(",{},{}\n", points(g.score()), csv_field(fmt::format("{}", fmt::join(notes, "; "))));
    }
    return out;
}

}  // namespace tito
