// Milestone 04's programs, run as a student runs them: their flags, the run
// record tito judges, the charts, resuming, and what happens without data.
// CIFAR-10 is not shipped, so small files in its binary format stand in.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct ProgramRun {
    int exit_code = -1;
    std::string output;
};

// Runs a milestone program with `args` (shell words), stdout and stderr merged.
ProgramRun run_program(const std::string& program, const std::string& args) {
    const std::string command =
        std::string(TINYTORCH_BIN_DIR) + "/milestone_04_" + program + " " + args + " 2>&1";
    ProgramRun run;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

json read_record(const fs::path& dir) {
    std::ifstream in(dir / "record.json");
    return json::parse(in);
}

// A fresh folder for one test.
fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("tinytorch-milestone-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// data_batch_1..5.bin and test_batch.bin of `records` random images each:
// a label byte 0..9, then 3072 pixel bytes.
void write_fake_cifar10(const fs::path& dir, int records) {
    std::mt19937 gen(7);
    std::uniform_int_distribution<int> byte(0, 255), label(0, 9);
    for (const std::string name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                   "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
        std::ofstream out(dir / name, std::ios::binary);
        for (int r = 0; r < records; ++r) {
            out.put(static_cast<char>(label(gen)));
            for (int i = 0; i < 3072; ++i) out.put(static_cast<char>(byte(gen)));
        }
    }
}

}  // namespace

TEST(MilestonePrograms, TinyDigitsRecordHoldsTheGateMetricsAndItsChart) {
    const fs::path out = scratch("tinydigits");
    const ProgramRun run = run_program("01_lecun_tinydigits", "--epochs 2 --output-dir " + out.string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const json record = read_record(out);
    EXPECT_EQ(record["program"], "01_lecun_tinydigits");
    EXPECT_EQ(record["epochs"]["cnn"].size(), 2u);
    EXPECT_EQ(record["epochs"]["mlp"].size(), 2u);
    EXPECT_EQ(record["results"]["cnn_parameters"], 1898);
    EXPECT_EQ(record["results"]["mlp_parameters"], 2410);
    const double cnn = record["results"]["cnn_test_accuracy"], mlp = record["results"]["mlp_test_accuracy"];
    EXPECT_DOUBLE_EQ(record["results"]["cnn_minus_mlp_test_accuracy"].get<double>(), cnn - mlp);
    EXPECT_TRUE(fs::exists(out / "curves.svg"));
    EXPECT_NE(run.output.find("test accuracy before training"), std::string::npos) << run.output;
    fs::remove_all(out);
}

TEST(MilestonePrograms, TinyDigitsWithTheSameSeedGivesTheSameNumbers) {
    const fs::path a = scratch("seed-a"), b = scratch("seed-b");
    ASSERT_EQ(run_program("01_lecun_tinydigits", "--epochs 2 --seed 3 --output-dir " + a.string()).exit_code, 0);
    ASSERT_EQ(run_program("01_lecun_tinydigits", "--epochs 2 --seed 3 --output-dir " + b.string()).exit_code, 0);
    EXPECT_EQ(read_record(a)["results"]["cnn_test_accuracy"], read_record(b)["results"]["cnn_test_accuracy"]);
    EXPECT_EQ(read_record(a)["epochs"]["cnn"][1]["train_loss"], read_record(b)["epochs"]["cnn"][1]["train_loss"]);
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST(MilestonePrograms, CifarWithoutDataSaysHowToGetItAndFails) {
    const fs::path out = scratch("cifar-missing");
    const ProgramRun run = run_program("02_lecun_cifar10", "--data-dir " + (out / "nothing").string() +
                                                        " --output-dir " + out.string());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("CIFAR-10 is not in"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("tito data download cifar10"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(out / "record.json"));
    fs::remove_all(out);
}

TEST(MilestonePrograms, CifarTrainsOnFilesInItsFormatAndWritesRecordAndCharts) {
    const fs::path dir = scratch("cifar-run");
    write_fake_cifar10(dir, 20);
    const ProgramRun run = run_program("02_lecun_cifar10", "--epochs 1 --batch-size 10 --data-dir " + dir.string() +
                                                        " --output-dir " + (dir / "out").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const json record = read_record(dir / "out");
    EXPECT_EQ(record["results"]["dataset"], "cifar10");
    EXPECT_EQ(record["config"]["train_images"], 100);  // 5 batches of 20
    EXPECT_EQ(record["config"]["test_images"], 20);
    const double accuracy = record["results"]["test_accuracy"];
    EXPECT_GE(accuracy, 0.0);
    EXPECT_LE(accuracy, 1.0);
    EXPECT_EQ(record["results"]["per_class_test_accuracy"].size(), 10u);
    EXPECT_TRUE(fs::exists(dir / "out" / "curves.svg"));
    EXPECT_TRUE(fs::exists(dir / "out" / "confusion.svg"));
    EXPECT_NE(run.output.find("Per-class test accuracy"), std::string::npos) << run.output;
    fs::remove_all(dir);
}

TEST(MilestonePrograms, CifarResumeContinuesAfterTheLastEpoch) {
    const fs::path dir = scratch("cifar-resume");
    write_fake_cifar10(dir, 10);
    const std::string common = " --batch-size 10 --data-dir " + dir.string() + " --output-dir " + (dir / "out").string();
    ASSERT_EQ(run_program("02_lecun_cifar10", "--epochs 1" + common).exit_code, 0);
    const ProgramRun resumed = run_program("02_lecun_cifar10", "--epochs 2 --resume" + common);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("after epoch 1"), std::string::npos) << resumed.output;
    EXPECT_EQ(read_record(dir / "out")["epochs"]["cnn"].size(), 2u);
    fs::remove_all(dir);
}

TEST(MilestonePrograms, CifarSubsetLimitsTheTrainingImages) {
    const fs::path dir = scratch("cifar-subset");
    write_fake_cifar10(dir, 20);
    const ProgramRun run = run_program("02_lecun_cifar10", "--epochs 1 --subset 30 --test-subset 5 --data-dir " +
                                                        dir.string() + " --output-dir " + (dir / "out").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(read_record(dir / "out")["config"]["train_images"], 30);
    EXPECT_EQ(read_record(dir / "out")["config"]["test_images"], 5);
    fs::remove_all(dir);
}
