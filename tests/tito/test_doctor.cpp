// `tito system doctor`: toolchain versions, each dependency found or
// missing with its install command, the build tree, the progress file.
#include <gtest/gtest.h>

#include <regex>

#include "process.hpp"
#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

std::string version_of(const std::string& tool) {
    const ProcessResult r = run_process({tool, "--version"});
    const std::string first = r.output.substr(0, r.output.find('\n'));
    static const std::regex version(R"(\d+\.\d+(\.\d+)?)");
    std::string last;
    for (auto it = std::sregex_iterator(first.begin(), first.end(), version);
         it != std::sregex_iterator(); ++it)
        last = it->str();
    return last;
}

}  // namespace

TEST(Doctor, ReportsTheToolchainWithItsVersions) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("✓ cmake " + version_of("cmake")), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("✓ g++ " + version_of("g++")), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("✓ ninja " + version_of("ninja")), std::string::npos) << r.output;
}

TEST(Doctor, ReportsEachLibraryWithItsDebianPackage) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(✓ GTest \(libgtest-dev\) \S+)"))) << r.output;
    EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(✓ CLI11 \(libcli11-dev\) \S+)"))) << r.output;
    EXPECT_NE(r.output.find("Everything tito needs is here."), std::string::npos) << r.output;
}

TEST(Doctor, MissingLibraryNamesTheInstallCommandAndFails) {
    ToyWorkspace toy;
    write_text(toy.root() / "tools" / "dependencies.txt",
               read_text(toy.root() / "tools" / "dependencies.txt") +
                   "package     Frobnicate      libfrobnicate-dev    frobnication\n");
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ Frobnicate (libfrobnicate-dev): missing"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("install with: sudo apt-get install libfrobnicate-dev"), std::string::npos) << r.output;
}

TEST(Doctor, MissingToolNamesTheInstallCommandAndFails) {
    ToyWorkspace toy;
    write_text(toy.root() / "tools" / "dependencies.txt",
               "tool        frobcc          frobcc-compiler      the frob compiler\n");
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ frobcc: not found (the frob compiler)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("install it with: sudo apt-get install frobcc-compiler"), std::string::npos) << r.output;
}

TEST(Doctor, SaysWhenTheBuildTreeIsNotConfiguredYet) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_NE(r.output.find("! build/release: not configured yet"), std::string::npos) << r.output;
}

TEST(Doctor, FreshProgressIsHealthy) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_NE(r.output.find("✓ .tito/progress.json: none yet (a fresh start)"), std::string::npos) << r.output;
}

TEST(Doctor, CompletedProgressIsCounted) {
    ToyWorkspace toy;
    toy.mark_all_completed();
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_NE(r.output.find("✓ .tito/progress.json: healthy, 3 of 3 modules completed"), std::string::npos) << r.output;
}

TEST(Doctor, CorruptProgressFileIsReportedAndFails) {
    ToyWorkspace toy;
    toy.write_progress("{\"schema_version\": 1, \"modules\": 3}");
    write_text(toy.root() / ".tito" / "progress.json.bak", "{\"schema_version\": 1}");
    const ProcessResult r = toy.tito({"system", "doctor"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ .tito/progress.json: unusable: progress.modules is not an object"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("✓ .tito/progress.json.bak: a usable copy of the previous version"), std::string::npos)
        << r.output;
    EXPECT_EQ(read_text(toy.progress_file()), "{\"schema_version\": 1, \"modules\": 3}");
}
