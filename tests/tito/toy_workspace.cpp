// toy_workspace.cpp — see toy_workspace.hpp.
#include "toy_workspace.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "clock.hpp"
#include "curriculum.hpp"
#include "workspace.hpp"

namespace tito::testing {

namespace {

struct ToyModule {
    std::string number, name, function;
    int value;  // what function() returns when solved
};

const std::vector<ToyModule>& toy_modules() {
    static const std::vector<ToyModule> modules = {
        {"01", "alpha", "alpha_value", 7}, {"02", "beta", "beta_value", 8}, {"03", "gamma", "gamma_value", 9}};
    return modules;
}

const ToyModule& toy(const std::string& number) {
    for (const ToyModule& m : toy_modules())
        if (m.number == number) return m;
    throw std::runtime_error("no toy module " + number);
}

const char* kManifest = R"json({
  "schema_version": 1,
  "course": "Toy Course",
  "modules": [
    { "number": "01", "name": "alpha", "title": "Alpha: the first module", "files": ["alpha.cpp"], "requires": [], "points": 1 },
    { "number": "02", "name": "beta", "title": "Beta: the second module", "files": ["beta.cpp"], "requires": ["01"], "points": 1 },
    { "number": "03", "name": "gamma", "title": "Gamma: the third module", "files": ["gamma.cpp"], "requires": ["02"], "points": 1 }
  ],
  "milestones": [
    { "number": "04", "name": "1998_cnn", "title": "The CNN Revolution (1998)",
      "requires": ["01", "02", "03"],
      "programs": [
        { "part": 1, "name": "01_lecun_tinydigits", "title": "LeNet-style CNN vs MLP on TinyDigits",
          "gates": [ { "metric": "cnn_test_accuracy", "at_least": 0.9 },
                     { "metric": "cnn_minus_mlp_test_accuracy", "above": 0 } ] },
        { "part": 2, "name": "02_lecun_cifar10", "title": "CNN with BatchNorm on CIFAR-10",
          "gates": [ { "metric": "test_accuracy", "at_least": 0.65, "dataset": "cifar10" },
                     { "metric": "test_accuracy", "at_least": 0.9, "dataset": "fashion-mnist" } ] }
      ] }
  ],
  "release": { "exclude": ["tests/hidden"] }
}
)json";

const char* kCMakeLists = R"cmake(# The toy course: the real course's options and milestones, three tiny modules.
cmake_minimum_required(VERSION 3.25)
project(ToyCourse LANGUAGES CXX)
include(cmake/CompilerOptions.cmake)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
find_package(GTest REQUIRED)
set(previous "")
foreach(module 01_alpha 02_beta 03_gamma)
    string(SUBSTRING ${module} 3 -1 name)
    add_library(tinytorch_${name} STATIC modules/${module}/${name}.cpp)
    target_include_directories(tinytorch_${name} PUBLIC modules/${module})
    target_link_libraries(tinytorch_${name} PUBLIC ${previous})
    add_executable(test_${module} modules/${module}/tests/test_${name}.cpp)
    target_link_libraries(test_${module} PRIVATE tinytorch_${name} GTest::gtest GTest::gtest_main)
    set(previous tinytorch_${name})
endforeach()
add_subdirectory(milestones)
)cmake";

// The stand-in milestone program: prints its arguments, then writes the
// record the options ask for.
//   --output-dir DIR     (from tito)       --exit-code N   exit with N
//   --set METRIC=VALUE   a result           --no-record     write none
std::string milestone_source() {
    return R"cpp(// A stand-in milestone program for tito's tests.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include "gamma.hpp"

int main(int argc, char** argv) {
    std::string dir;
    int exit_code = 0;
    bool record = true;
    std::map<std::string, std::string> results;
    for (int i = 1; i < argc; ++i) std::cout << "arg: " << argv[i] << "\n";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--output-dir" && i + 1 < argc) dir = argv[++i];
        else if (a == "--exit-code" && i + 1 < argc) exit_code = std::atoi(argv[++i]);
        else if (a == "--no-record") record = false;
        else if (a == "--set" && i + 1 < argc) {
            const std::string kv = argv[++i];
            results[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
    }
    std::cout << "training on gamma_value() = " << gamma_value() << std::endl;
    if (record) {
        std::ofstream out(dir + "/record.json");
        out << "{\"program\": \"stand-in\", \"results\": {";
        bool first = true;
        for (const auto& [k, v] : results) out << (first ? "" : ", ") << "\"" << k << "\": " << v, first = false;
        out << "}}\n";
    }
    return exit_code;
}
)cpp";
}

std::string header_source(const ToyModule& m) {
    return fmt::format("// {0}.hpp — toy module {1}.\n#pragma once\nint {2}();\n", m.name, m.number, m.function);
}

std::string test_source(const ToyModule& m) {
    return fmt::format(R"cpp(// Visible tests of toy module {1}.
#include <gtest/gtest.h>
#include "{0}.hpp"
TEST({0}, ValueIsRight) {{ EXPECT_EQ({2}(), {3}); }}
TEST({0}, ValueIsPositive) {{ EXPECT_GT({2}(), 0); }}
TEST({0}, ValueIsStable) {{ EXPECT_EQ({2}(), {2}()); }}
)cpp",
                       m.name, m.number, m.function, m.value);
}

}  // namespace

std::string toy_student_source(const std::string& number, ToyFile version, bool markers) {
    const ToyModule& m = toy(number);
    const std::string include = m.number == "01" ? "" : fmt::format("#include \"{}.hpp\"\n", toy(fmt::format("{:02d}", std::stoi(number) - 1)).name);
    std::string body;
    switch (version) {
        case ToyFile::Stub:
            body = fmt::format("    throw std::logic_error(\"not implemented yet: {} (module {})\");  // replace this line with your code\n",
                               m.function, m.number);
            break;
        case ToyFile::Solution:
            body = fmt::format("    return {};\n", m.value);
            break;
        case ToyFile::Wrong:
            body = fmt::format("    return {};\n", m.value + 35);
            break;
        case ToyFile::Crashes:
            body = "    std::raise(SIGSEGV);\n    return 0;\n";
            break;
        case ToyFile::Throws:
            body = "    throw std::out_of_range(\"index 3 is out of range for size 2\");\n";
            break;
    }
    if (markers) body = "    // BEGIN SOLUTION\n" + body + "    // END SOLUTION\n";
    return fmt::format("// {0}.cpp — the student's file of toy module {1}.\n#include <csignal>\n#include <stdexcept>\n#include \"{0}.hpp\"\n{2}\n"
                       "// Return the module's value.\nint {3}() {{\n{4}}}\n",
                       m.name, m.number, include, m.function, body);
}

ToyWorkspace::ToyWorkspace(const std::string& name, bool instructor)
    : dir_(name), root_(dir_.path() / "course"), instructor_(instructor) {
    write_text(root_ / "curriculum.json", kManifest);
    write_text(root_ / "CMakeLists.txt", kCMakeLists);
    fs::copy_file(source_dir() / "CMakePresets.json", root_ / "CMakePresets.json");
    fs::create_directories(root_ / "cmake");
    fs::copy_file(source_dir() / "cmake" / "CompilerOptions.cmake", root_ / "cmake" / "CompilerOptions.cmake");
    fs::create_directories(root_ / "tools");
    fs::copy_file(source_dir() / "tools" / "dependencies.txt", root_ / "tools" / "dependencies.txt");
    fs::create_directories(root_ / "milestones" / "04_1998_cnn");
    fs::copy_file(source_dir() / "milestones" / "CMakeLists.txt", root_ / "milestones" / "CMakeLists.txt");
    for (const char* program : {"01_lecun_tinydigits", "02_lecun_cifar10"})
        write_text(root_ / "milestones" / "04_1998_cnn" / (std::string(program) + ".cpp"), milestone_source());
    for (const ToyModule& m : toy_modules()) {
        const fs::path folder = root_ / "modules" / (m.number + "_" + m.name);
        write_text(folder / (m.name + ".hpp"), header_source(m));
        write_text(folder / "tests" / ("test_" + m.name + ".cpp"), test_source(m));
        if (instructor) {
            write_text(folder / (m.name + ".cpp"), toy_student_source(m.number, ToyFile::Solution, true));
        } else {
            write_student_file(m.number, ToyFile::Stub);
            write_text(root_ / ".tito" / "stubs" / "modules" / (m.number + "_" + m.name) / (m.name + ".cpp"),
                       toy_student_source(m.number, ToyFile::Stub));
        }
    }
    if (instructor) write_text(root_ / "tests" / "hidden" / "01_alpha" / "README", "hidden tests live here\n");
}

fs::path ToyWorkspace::student_file(const std::string& number) const {
    const ToyModule& m = toy(number);
    return root_ / "modules" / (m.number + "_" + m.name) / (m.name + ".cpp");
}

void ToyWorkspace::write_student_file(const std::string& number, ToyFile version) const {
    write_text(student_file(number), toy_student_source(number, version, instructor_));
}

void ToyWorkspace::mark_all_completed() const {
    const Workspace workspace(root_);
    nlohmann::json modules = nlohmann::json::object();
    const std::string now = utc_timestamp();
    for (const Module& m : workspace.curriculum().modules)
        modules[m.number] = {{"state", "completed"}, {"last_run", now}, {"tests_passed", 3}, {"tests_total", 3},
                             {"completed_at", now}, {"files_sha256", workspace.student_files_sha256(m)}};
    write_progress(nlohmann::json{{"schema_version", 1}, {"modules", modules}}.dump(2));
}

void ToyWorkspace::write_progress(const std::string& json) const { write_text(progress_file(), json); }

}  // namespace tito::testing
