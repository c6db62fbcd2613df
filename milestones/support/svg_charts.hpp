// svg_charts.hpp — the charts a milestone run writes for the student to open
// in a browser: loss and accuracy per epoch, and a confusion matrix. Plain
// SVG text, no library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "run_record.hpp"

namespace tinytorch::milestone {

// Two panels side by side — loss and accuracy against the epoch — with one
// colour per model, training solid and test dashed.
std::string training_curves_svg(const RunRecord& record, const std::string& title);

// counts[true][predicted] as a grid of cells shaded by the share of the true
// class's images (each row sums to 100%), with the count in each cell.
std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string_view>& class_names,
                                 const std::string& title);

}  // namespace tinytorch::milestone
