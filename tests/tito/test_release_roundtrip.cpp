// The release round trip (DESIGN.md §1): `tito release` writes a student tree
// with no solution text in it; each module's tests there fail only with
// NotImplemented, and pass again once the reference file is copied back —
// walked as the student journey, with `tito module status` checked at every
// step, through to milestone 04.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "curriculum.hpp"
#include "gtest_report.hpp"
#include "solution_blocks.hpp"
#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

// Releases the instructor tree into a new temporary folder.
class Released {
public:
    Released() : dir_("release") {
        const ProcessResult r = run_tito(source_dir(), {"release", "--out", tree().string()});
        if (!r.succeeded()) throw std::runtime_error("tito release failed: " + r.output);
    }
    fs::path tree() const { return dir_.path() / "student"; }
    const Curriculum& curriculum() const { return curriculum_; }

private:
    TempDir dir_;
    Curriculum curriculum_ = load_curriculum(source_dir() / "curriculum.json");
};

bool is_telling(const std::string& line) {
    const auto first = line.find_first_not_of(" \t");
    const bool rule = line.find_first_not_of(" \t/-=") == std::string::npos;
    return first != std::string::npos && !rule && line.size() - first >= 30;
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t");
    return first == std::string::npos ? "" : line.substr(first);
}

// Lines that appear only inside reference solution blocks: 30 characters or
// more, not a comment rule, and found nowhere else in the instructor tree (a
// plain loop header may well appear in provided code too). A release that
// contains any of them has leaked part of an answer.
std::set<std::string> telling_solution_lines(const Curriculum& curriculum) {
    std::set<std::string> solution, elsewhere;
    std::set<fs::path> student_files;
    for (const Module& m : curriculum.modules) {
        for (const std::string& file : m.files) {
            const fs::path path = source_dir() / m.folder() / file;
            student_files.insert(path);
            const std::string text = read_text(path);
            for (const SolutionBlock& block : find_solution_blocks(text, path.string()))
                for (const std::string& line : block.lines)
                    if (is_telling(line)) solution.insert(trimmed(line));
            std::istringstream in(make_stub(text, path.string(), m.index()));
            for (std::string line; std::getline(in, line);) elsewhere.insert(trimmed(line));
        }
    }
    for (auto it = fs::recursive_directory_iterator(source_dir()); it != fs::recursive_directory_iterator(); ++it) {
        const std::string top = fs::relative(it->path(), source_dir()).begin()->string();
        if (top == "build" || top == ".git") {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || student_files.count(it->path()) || it->file_size() > (1 << 20)) continue;
        std::istringstream in(read_text(it->path()));
        for (std::string line; std::getline(in, line);) elsewhere.insert(trimmed(line));
    }
    std::set<std::string> telling;
    for (const std::string& line : solution)
        if (!elsewhere.count(line)) telling.insert(line);
    return telling;
}

TestReport report_of(const fs::path& tree, const Module& m) {
    return read_gtest_report(tree / "build" / "release" / "tito" / ("test_" + m.number + ".json"));
}

}  // namespace

TEST(Release, LeavesOutWhatTheManifestExcludes) {
    Released release;
    for (const std::string& excluded : release.curriculum().release_exclude)
        EXPECT_FALSE(fs::exists(release.tree() / excluded)) << excluded << " was released";
    EXPECT_FALSE(fs::exists(release.tree() / "build"));
    EXPECT_FALSE(fs::exists(release.tree() / ".git"));
    EXPECT_TRUE(fs::exists(release.tree() / "curriculum.json"));
    EXPECT_TRUE(fs::exists(release.tree() / "tools" / "setup.sh"));
}

TEST(Release, StudentFilesHoldStubsAndNoMarkers) {
    Released release;
    for (const Module& m : release.curriculum().modules) {
        for (const std::string& file : m.files) {
            const std::string text = read_text(release.tree() / m.folder() / file);
            EXPECT_EQ(text.find("SOLUTION"), std::string::npos) << m.folder() << "/" << file;
            EXPECT_NE(text.find("not_implemented(" + std::to_string(m.index()) + ");"),
                      std::string::npos)
                << m.folder() << "/" << file;
        }
    }
}

TEST(Release, KeepsPristineStubsForReset) {
    Released release;
    for (const Module& m : release.curriculum().modules)
        for (const std::string& file : m.files)
            EXPECT_EQ(read_text(release.tree() / ".tito" / "stubs" / m.folder() / file),
                      read_text(release.tree() / m.folder() / file));
}

TEST(Release, NoLineOfAnySolutionRemainsAnywhere) {
    Released release;
    const std::set<std::string> solution = telling_solution_lines(release.curriculum());
    ASSERT_GT(solution.size(), 50u);
    for (const auto& entry : fs::recursive_directory_iterator(release.tree())) {
        if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
        std::istringstream in(read_text(entry.path()));
        int number = 0;
        for (std::string line; std::getline(in, line);) {
            ++number;
            if (solution.count(trimmed(line)))
                ADD_FAILURE() << fs::relative(entry.path(), release.tree()).string() << ":"
                              << number << " holds solution text: " << line;
        }
    }
}

TEST(Release, RefusesToWriteIntoNonEmptyFolder) {
    TempDir dir("occupied");
    write_text(dir.path() / "work.txt", "a student's notes");
    const ProcessResult r = run_tito(source_dir(), {"release", "--out", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("already exists and is not empty"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(dir.path() / "work.txt"), "a student's notes");
}

TEST(Release, LeavesOutProgressBackupsAndMilestoneRuns) {
    ToyWorkspace toy("toy-instructor", /*instructor=*/true);
    write_text(toy.progress_file(), "{\"schema_version\": 1}");
    write_text(toy.root() / ".tito" / "backups" / "20250101-000000-01_alpha" / "alpha.cpp", "old work");
    write_text(toy.root() / "runs" / "04_1998_cnn" / "01_lecun_tinydigits" / "record.json", "{}");
    TempDir out("toy-release");
    const ProcessResult r = toy.tito({"release", "--out", (out.path() / "student").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(fs::exists(out.path() / "student" / ".tito" / "progress.json"));
    EXPECT_FALSE(fs::exists(out.path() / "student" / ".tito" / "backups"));
    EXPECT_FALSE(fs::exists(out.path() / "student" / "runs"));
    EXPECT_TRUE(fs::exists(out.path() / "student" / ".tito" / "stubs" / "modules" / "01_alpha" / "alpha.cpp"));
}

namespace {

nlohmann::json status_of(const fs::path& tree) {
    const ProcessResult r = run_tito(tree, {"module", "status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output);
}

// Every module before `index` completed, `index` ready, every later one locked.
void expect_frontier_at(const nlohmann::json& status, size_t index) {
    const auto& modules = status["modules"];
    for (size_t i = 0; i < modules.size(); ++i) {
        const std::string expected = i < index ? "completed" : i == index ? "ready" : "locked";
        EXPECT_EQ(modules[i]["state"], expected) << "module " << modules[i]["number"];
    }
    EXPECT_EQ(status["modules_completed"], index);
}

}  // namespace

// The student journey on a fresh release, module by module in course order:
// status shows 0 of N; each module's tests fail, every one only with
// NotImplemented, while it is the ready one and the later ones are locked;
// with its reference file copied back its tests all pass, it is completed,
// and the next one is unlocked; at the end milestone 04 part 1 passes and
// status shows it completed.
TEST(ReleaseEndToEnd, StudentJourneyFromAFreshTreeToTheMilestone) {
    Released release;
    const auto& modules = release.curriculum().modules;
    const ProcessResult fresh = run_tito(release.tree(), {"module", "status"});
    EXPECT_NE(fresh.output.find(fmt::format("0 of {} modules completed", modules.size())), std::string::npos)
        << fresh.output;
    EXPECT_NE(fresh.output.find("Next: tito module test " + modules.front().number), std::string::npos) << fresh.output;

    for (size_t index = 0; index < modules.size(); ++index) {
        const Module& m = modules[index];
        SCOPED_TRACE("module " + m.number);
        expect_frontier_at(status_of(release.tree()), index);

        const ProcessResult stubbed = run_tito(release.tree(), {"module", "test", m.number});
        ASSERT_EQ(stubbed.exit_code, 1) << stubbed.output;
        EXPECT_NE(stubbed.output.find("not implemented yet: "), std::string::npos) << stubbed.output;
        const TestReport before = report_of(release.tree(), m);
        ASSERT_FALSE(before.tests.empty());
        for (const TestCaseResult& t : before.tests) {
            EXPECT_FALSE(t.passed) << t.full_name() << " passes on the stub";
            EXPECT_NE(t.not_implemented(), "")
                << t.full_name() << " fails for another reason than NotImplemented:\n"
                << (t.failures.empty() ? "" : t.failures.front());
        }

        copy_reference_files(m.number, release.tree());
        const ProcessResult restored = run_tito(release.tree(), {"module", "test", m.number});
        EXPECT_EQ(restored.exit_code, 0) << restored.output;
        const TestReport after = report_of(release.tree(), m);
        EXPECT_EQ(after.passed(), static_cast<int>(after.tests.size()));
        EXPECT_EQ(after.tests.size(), before.tests.size());
        EXPECT_NE(restored.output.find("★ Module " + m.number + " completed"), std::string::npos) << restored.output;
        if (index + 1 < modules.size()) {
            EXPECT_NE(restored.output.find("Unlocked: module " + modules[index + 1].number), std::string::npos)
                << restored.output;
        }
    }
    const nlohmann::json done = status_of(release.tree());
    EXPECT_EQ(done["modules_completed"], modules.size());

    const ProcessResult milestone = run_tito(release.tree(), {"milestone", "run", "04", "--part", "1"});
    EXPECT_EQ(milestone.exit_code, 0) << milestone.output;
    const nlohmann::json s = status_of(release.tree());
    EXPECT_EQ(s["milestones"][0]["parts"][0]["state"], "completed") << s.dump(2);
}
