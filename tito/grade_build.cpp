// grade_build.cpp — configure and build a submission's scratch tree.
#include "grade_build.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "errors.hpp"
#include "grade_run.hpp"
#include "process.hpp"

extern char** environ;

namespace tito {

namespace fs = std::filesystem;

namespace {

// Cache entries of the instructor's build/release that decide compile flags:
// mirroring them makes the scratch tree's commands identical, so ccache hits.
constexpr const char* kMirroredCacheEntries[] = {"CMAKE_BUILD_TYPE", "CMAKE_CXX_COMPILER", "CMAKE_CXX_FLAGS",
                                                 "TINYTORCH_NATIVE", "TINYTORCH_WERROR", "TINYTORCH_CCACHE"};

std::map<std::string, std::string> read_cmake_cache(const fs::path& file) {
    std::map<std::string, std::string> entries;
    std::ifstream in(file);
    static const std::regex entry(R"(^([A-Za-z_][A-Za-z0-9_]*):[A-Z]+=(.*)$)");
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, entry)) entries[m[1]] = m[2];
    }
    return entries;
}

// This process's environment, with CCACHE_BASEDIR=/ unless it is set.
std::vector<std::string> build_environment() {
    std::vector<std::string> env;
    bool base_dir = false;
    for (char** e = environ; *e != nullptr; ++e) {
        env.emplace_back(*e);
        base_dir = base_dir || env.back().rfind("CCACHE_BASEDIR=", 0) == 0;
    }
    if (!base_dir) env.emplace_back("CCACHE_BASEDIR=/");
    return env;
}

ProcessResult run_cmake(const std::vector<std::string>& argv, const fs::path& cwd, double timeout,
                        size_t max_output) {
    ProcessOptions options;
    options.working_dir = cwd;
    options.timeout_seconds = timeout;
    options.max_output = max_output;
    options.environment = build_environment();
    options.in_child = [] {
        // A template explosion must not take the machine: 8 GB per compiler.
        const rlimit memory{8ull << 30, 8ull << 30};
        ::setrlimit(RLIMIT_AS, &memory);
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
    };
    return run_process(argv, options);
}

std::string tail_of(const std::string& text, size_t bytes) {
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace

std::string grade_target(const Module& module, bool hidden) {
    return fmt::format("grade_{}_{}_{}", module.number, module.name, hidden ? "hidden" : "visible");
}

std::vector<std::string> submission_build_errors(const std::string& log, size_t limit) {
    static const std::regex compiler_error(R"(^(.+?):(\d+):(\d+): (fatal )?error: .*)");
    static const std::regex linker_error(R"(.*(undefined reference to|multiple definition of).*)");
    std::vector<std::string> errors;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line) && errors.size() < limit;) {
        if (!std::regex_match(line, compiler_error) && !std::regex_match(line, linker_error)) continue;
        errors.push_back(tidy_output(line, 400));
    }
    return errors;
}

SubmissionBuild::SubmissionBuild(const Workspace& workspace, fs::path build_dir, fs::path submission_dir,
                                 BuildSettings settings)
    : workspace_(workspace),
      build_dir_(std::move(build_dir)),
      submission_dir_(std::move(submission_dir)),
      settings_(settings) {}

void SubmissionBuild::configure() {
    const auto instructor = read_cmake_cache(workspace_.build_dir() / "CMakeCache.txt");
    const auto generator = instructor.find("CMAKE_GENERATOR");
    std::vector<std::string> argv = {"cmake",
                                     "-S", workspace_.root().string(),
                                     "-B", build_dir_.string(),
                                     "-G", generator != instructor.end() ? generator->second : "Ninja",
                                     "-DTINYTORCH_LIBRARY_ONLY=ON",
                                     "-DTINYTORCH_SUBMISSION_DIR=" + submission_dir_.string()};
    for (const char* name : kMirroredCacheEntries)
        if (const auto it = instructor.find(name); it != instructor.end())
            argv.push_back(fmt::format("-D{}={}", name, it->second));
    if (!instructor.count("CMAKE_BUILD_TYPE")) argv.push_back("-DCMAKE_BUILD_TYPE=Release");
    const ProcessResult r = run_cmake(argv, workspace_.root(), settings_.configure_timeout, settings_.max_output);
    if (!r.succeeded())
        throw Error(fmt::format("configuring the grading build in {} failed ({}):\n{}", build_dir_.string(),
                                r.describe(), tail_of(r.output, 3000)));
}

void SubmissionBuild::build_reference(const std::vector<const Module*>& modules) {
    // The instructor's libraries and the compiled tests: everything the grade
    // programs need that no student wrote.
    std::vector<std::string> argv = {"cmake", "--build", build_dir_.string(), "--target"};
    for (const Module* m : modules) {
        argv.push_back("tinytorch_" + m->name);
        if (fs::is_regular_file(workspace_.binary(fmt::format("test_{}_{}", m->number, m->name))))
            argv.push_back(fmt::format("test_{}_{}_objects", m->number, m->name));
        if (fs::is_regular_file(workspace_.binary(fmt::format("hidden_{}_{}", m->number, m->name))))
            argv.push_back(fmt::format("hidden_{}_{}_objects", m->number, m->name));
    }
    if (settings_.jobs > 0) {
        argv.push_back("--parallel");
        argv.push_back(std::to_string(settings_.jobs));
    }
    const ProcessResult r = run_cmake(argv, workspace_.root(), settings_.reference_timeout, settings_.max_output);
    if (!r.succeeded())
        throw Error(fmt::format("building the instructor's libraries and tests in {} failed ({}):\n{}",
                                build_dir_.string(), r.describe(), tail_of(r.output, 3000)));
}

ModuleBuild SubmissionBuild::build_module(const Module& module, bool has_visible, bool has_hidden) {
    ModuleBuild build;
    std::vector<std::string> argv = {"cmake", "--build", build_dir_.string(), "--target"};
    for (const bool hidden : {false, true}) {
        if (!(hidden ? has_hidden : has_visible)) continue;
        const fs::path binary = build_dir_ / "bin" / grade_target(module, hidden);
        // Never grade a program left over from an earlier build.
        std::error_code ec;
        fs::remove(binary, ec);
        argv.push_back(grade_target(module, hidden));
        (hidden ? build.hidden : build.visible) = binary;
    }
    if (argv.size() == 4) return build;  // the module has no tests
    if (settings_.jobs > 0) {
        argv.push_back("--parallel");
        argv.push_back(std::to_string(settings_.jobs));
    }
    const ProcessResult r = run_cmake(argv, workspace_.root(), settings_.module_timeout, settings_.max_output);
    build.seconds = r.seconds;
    const bool binaries = (build.visible.empty() || fs::is_regular_file(build.visible)) &&
                          (build.hidden.empty() || fs::is_regular_file(build.hidden));
    build.built = r.succeeded() && binaries;
    if (build.built) return build;
    if (r.timed_out) {
        build.errors.push_back(fmt::format("building module {} took longer than {:.0f} s and was stopped (a "
                                           "template or constexpr evaluation that never ends?)",
                                           module.number, settings_.module_timeout));
    } else {
        build.errors = submission_build_errors(r.output);
        if (build.errors.empty()) build.errors.push_back(tidy_output(tail_of(r.output, 1500), 1500));
    }
    build.visible.clear();
    build.hidden.clear();
    return build;
}

}  // namespace tito
