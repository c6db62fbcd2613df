// grade_test_support.cpp — see grade_test_support.hpp.
#include "grade_test_support.hpp"

#include <unistd.h>

#include <stdexcept>

#include "curriculum.hpp"

namespace tito::testing {

namespace {

std::string replace_between_markers(const std::string& text, size_t from, const std::string& body,
                                    const std::string& what) {
    const std::string begin = "// BEGIN SOLUTION\n";
    const std::string end = "// END SOLUTION";
    const size_t open = text.find(begin, from);
    if (open == std::string::npos) throw std::runtime_error("no solution block after " + what);
    const size_t content = open + begin.size();
    const size_t close = text.rfind('\n', text.find(end, content)) + 1;
    return text.substr(0, content) + body + "\n" + text.substr(close);
}

}  // namespace

SubmissionFolder::SubmissionFolder(const TempDir& parent, const std::string& student,
                                   const std::vector<std::string>& modules)
    : path_(parent.path() / student) {
    const Curriculum curriculum = load_curriculum(source_dir() / "curriculum.json");
    for (const std::string& number : modules) {
        const Module& m = curriculum.module(number);
        fs::create_directories(path_ / m.folder());
        for (const std::string& file : m.files)
            fs::copy_file(source_dir() / m.folder() / file, path_ / m.folder() / file);
    }
    fs::create_directories(path_);
}

void SubmissionFolder::replace_solution(const std::string& relative, const std::string& signature,
                                        const std::string& body) {
    const std::string text = read_text(file(relative));
    const size_t at = text.find(signature);
    if (at == std::string::npos) throw std::runtime_error(relative + " has no line " + signature);
    write(relative, replace_between_markers(text, at, body, signature));
}

void SubmissionFolder::replace_every_solution(const std::string& relative, const std::string& body) {
    std::string text = read_text(file(relative));
    for (size_t at = text.find("// BEGIN SOLUTION\n"); at != std::string::npos;
         at = text.find("// BEGIN SOLUTION\n", at + 1)) {
        const size_t line_start = text.rfind('\n', at) + 1;
        text = replace_between_markers(text, line_start, body, relative);
    }
    write(relative, text);
}

void SubmissionFolder::add_preamble(const std::string& relative, const std::string& text) {
    std::string source = read_text(file(relative));
    const size_t at = source.find("namespace tinytorch {");
    if (at == std::string::npos) throw std::runtime_error(relative + " has no namespace tinytorch");
    source.insert(at, text + "\n");
    write(relative, source);
}

void SubmissionFolder::write(const std::string& relative, const std::string& text) const {
    write_text(file(relative), text);
}

void SubmissionFolder::remove(const std::string& relative) const { fs::remove(file(relative)); }

double GradeRun::module_score(const std::string& number) const {
    for (const auto& m : results.at("extra_data").at("modules"))
        if (m.at("number") == number) return m.at("score").get<double>();
    throw std::runtime_error("results.json has no module " + number);
}

double GradeRun::module_max(const std::string& number) const {
    for (const auto& m : results.at("extra_data").at("modules"))
        if (m.at("number") == number) return m.at("max_score").get<double>();
    throw std::runtime_error("results.json has no module " + number);
}

std::set<std::string> GradeRun::failed_tests() const {
    std::set<std::string> names;
    for (const auto& t : results.at("tests"))
        if (t.at("status") == "failed") names.insert(t.at("name").get<std::string>());
    return names;
}

std::set<std::string> GradeRun::passed_tests() const {
    std::set<std::string> names;
    for (const auto& t : results.at("tests"))
        if (t.at("status") == "passed") names.insert(t.at("name").get<std::string>());
    return names;
}

std::string GradeRun::test_output(const std::string& name) const {
    for (const auto& t : results.at("tests"))
        if (t.at("name") == name) return t.at("output").get<std::string>();
    throw std::runtime_error("results.json has no test " + name);
}

GradeRun run_grade(const std::vector<std::string>& args, double timeout_seconds) {
    TempDir out("grade-results");
    const fs::path json = out.path() / "results.json";
    std::vector<std::string> argv = {"grade"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--json");
    argv.push_back(json.string());
    GradeRun run;
    run.process = run_tito(source_dir(), argv, timeout_seconds);
    run.seconds = run.process.seconds;
    if (!fs::exists(json))
        throw std::runtime_error("tito grade wrote no results.json (" + run.process.describe() + "):\n" +
                                 run.process.output);
    run.results = nlohmann::json::parse(read_text(json));
    return run;
}

double manifest_points(const std::string& number) {
    return load_curriculum(source_dir() / "curriculum.json").module(number).points;
}

}  // namespace tito::testing
