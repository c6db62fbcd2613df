// The milestones' run record (record.json, read by `tito milestone run`) and
// their SVG charts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_record.hpp"
#include "svg_charts.hpp"

using namespace tinytorch::milestone;
namespace fs = std::filesystem;

namespace {

RunRecord two_epoch_record() {
    RunRecord record("04", "01_lecun_tinydigits");
    record.config["epochs"] = 2;
    record.add_epoch("cnn", {1, 2.0, 0.5, 1.5, 0.6, 0.25});
    record.add_epoch("cnn", {2, 1.0, 0.8, 0.9, 0.85, 0.25});
    record.set_result("cnn_test_accuracy", 0.85);
    record.set_seconds(0.5);
    return record;
}

size_t occurrences(const std::string& text, const std::string& part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
    return count;
}

}  // namespace

TEST(RunRecord, JsonHoldsConfigEpochsResultsAndTime) {
    const nlohmann::json json = two_epoch_record().to_json();
    EXPECT_EQ(json["milestone"], "04");
    EXPECT_EQ(json["program"], "01_lecun_tinydigits");
    EXPECT_EQ(json["config"]["epochs"], 2);
    ASSERT_EQ(json["epochs"]["cnn"].size(), 2u);
    EXPECT_DOUBLE_EQ(json["epochs"]["cnn"][1]["test_accuracy"].get<double>(), 0.85);
    EXPECT_DOUBLE_EQ(json["results"]["cnn_test_accuracy"].get<double>(), 0.85);
    EXPECT_DOUBLE_EQ(json["seconds"].get<double>(), 0.5);
}

TEST(RunRecord, WriteLeavesOnlyRecordJson) {
    const fs::path dir = fs::temp_directory_path() / "tinytorch-run-record-test";
    fs::remove_all(dir);
    two_epoch_record().write(dir);
    std::ifstream in(dir / "record.json");
    const nlohmann::json json = nlohmann::json::parse(in);
    EXPECT_EQ(json["results"]["cnn_test_accuracy"], 0.85);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
    fs::remove_all(dir);
}

TEST(SvgCharts, TrainingCurvesDrawTrainAndTestInBothPanels) {
    const std::string svg = training_curves_svg(two_epoch_record(), "TinyDigits");
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_EQ(occurrences(svg, "<polyline"), 4u);  // loss and accuracy, train and test
    EXPECT_EQ(occurrences(svg, "stroke-dasharray"), 3u);  // two test lines and the legend
    EXPECT_NE(svg.find("cnn train / test"), std::string::npos);
}

TEST(SvgCharts, ConfusionMatrixHasOneCellPerPairAndEscapesNames) {
    const std::string svg =
        confusion_matrix_svg({{3, 1}, {0, 4}}, {"cat & dog", "bird"}, "CIFAR-10 <test>");
    EXPECT_EQ(occurrences(svg, "<rect x="), 4u);
    EXPECT_NE(svg.find("cat &amp; dog"), std::string::npos);
    EXPECT_NE(svg.find("CIFAR-10 &lt;test&gt;"), std::string::npos);
    EXPECT_NE(svg.find("cat &amp; dog as bird: 1 (25.0%)"), std::string::npos);
}
