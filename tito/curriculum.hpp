// curriculum.hpp — curriculum.json, the one manifest, as C++ values.
//
// Every list tito needs — modules, their student files, prerequisites,
// points, milestones and their gates, what a release leaves out — is read
// from here and nowhere else.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tito {

struct Module {
    std::string number;  // "01"
    std::string name;    // "tensor"
    std::string title;
    std::vector<std::string> files;     // student files, relative to folder()
    std::vector<std::string> prerequisites;  // "requires": module numbers this one links against
    double points = 0;

    std::string folder() const { return "modules/" + number + "_" + name; }  // relative to the root
    std::string label() const { return number + " " + name; }
    int index() const { return std::stoi(number); }
};

// One condition a milestone program's results must meet:
// {"metric": "cnn_test_accuracy", "at_least": 0.9} or {"metric": ..., "above": 0}.
// With "dataset": "cifar10" the gate applies only to a run whose results say
// "dataset": "cifar10", so one program can offer datasets with gates of their
// own (part 2 trains on CIFAR-10, or offline on Fashion-MNIST).
struct Gate {
    std::string metric;  // a key of the run record's "results"
    double threshold = 0;
    bool strict = false;  // "above" (>) rather than "at_least" (>=)
    std::string dataset;  // empty: every run

    bool passes(double value) const { return strict ? value > threshold : value >= threshold; }
    // Whether the gate judges a run with these results.
    bool applies_to(const std::string& run_dataset) const {
        return dataset.empty() || dataset == run_dataset;
    }
    std::string describe() const;  // "cnn_test_accuracy >= 0.9", "test_accuracy >= 0.65 on cifar10"
};

struct MilestoneProgram {
    int part = 0;
    std::string name;  // "01_lecun_tinydigits": source file and program name
    std::string title;
    std::vector<Gate> gates;  // all must pass
};

struct Milestone {
    std::string number;  // "04"
    std::string name;    // "1998_cnn"
    std::string title;
    std::vector<std::string> prerequisites;  // "requires": modules that must be completed first
    std::vector<MilestoneProgram> programs;

    std::string folder() const { return "milestones/" + number + "_" + name; }
    // "milestone_04_01_lecun_tinydigits": the CMake target and executable of
    // a program (milestones/CMakeLists.txt); "milestone_04" builds them all.
    std::string target(const MilestoneProgram& program) const {
        return "milestone_" + number + "_" + program.name;
    }
    std::string target() const { return "milestone_" + number; }
    // Throws tito::UsageError naming the parts there are.
    const MilestoneProgram& part(int part) const;
};

struct Curriculum {
    int schema_version = 0;
    std::string course;
    std::vector<Module> modules;
    std::vector<Milestone> milestones;
    std::vector<std::string> release_exclude;  // paths relative to the root

    // Throws tito::UsageError naming the valid numbers when absent. Accepts "1" or "01".
    const Module& module(const std::string& number) const;
    const Milestone& milestone(const std::string& number) const;
};

// Reads and validates the manifest; errors name the file and the field.
Curriculum load_curriculum(const std::filesystem::path& manifest_path);

// "1" -> "01"; anything that is not a number is returned unchanged.
std::string normalize_number(const std::string& number);

}  // namespace tito
