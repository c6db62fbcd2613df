// svg_charts.cpp — hand-written SVG: a few rectangles, polylines and labels.
#include "svg_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tinytorch::milestone {

namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// A plotting area: data (x in [x0, x1], y in [y0, y1]) mapped onto a box.
struct Panel {
    double left, top, width, height;
    double x0, x1, y0, y1;
    double px(double x) const { return left + (x1 == x0 ? 0.5 : (x - x0) / (x1 - x0)) * width; }
    double py(double y) const { return top + height - (y1 == y0 ? 0.5 : (y - y0) / (y1 - y0)) * height; }
};

std::string axes(const Panel& p, const std::string& label, int ticks, bool percent) {
    std::string svg = fmt::format(
        "<rect x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{:.1f}' fill='none' stroke='#888'/>\n",
        p.left, p.top, p.width, p.height);
    svg += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='middle' font-weight='bold'>{}</text>\n",
                       p.left + p.width / 2, p.top - 10, escape(label));
    for (int i = 0; i <= ticks; ++i) {
        const double y = p.y0 + (p.y1 - p.y0) * i / ticks;
        const std::string text = percent ? fmt::format("{:.0f}%", 100 * y) : fmt::format("{:.2f}", y);
        svg += fmt::format("<line x1='{:.1f}' x2='{:.1f}' y1='{:.1f}' y2='{:.1f}' stroke='#eee'/>\n",
                           p.left, p.left + p.width, p.py(y), p.py(y));
        svg += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='end' font-size='11'>{}</text>\n",
                           p.left - 6, p.py(y) + 4, text);
    }
    const int last = static_cast<int>(p.x1);
    const int step = std::max(1, last / 10);
    for (int e = static_cast<int>(p.x0); e <= last; e += step)
        svg += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='middle' font-size='11'>{}</text>\n",
                           p.px(e), p.top + p.height + 16, e);
    svg += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='middle' font-size='12'>epoch</text>\n",
                       p.left + p.width / 2, p.top + p.height + 34);
    return svg;
}

std::string line(const Panel& p, const std::vector<EpochSummary>& epochs, double EpochSummary::*field,
                 const char* colour, bool dashed) {
    std::string points;
    for (const EpochSummary& e : epochs) points += fmt::format("{:.1f},{:.1f} ", p.px(e.epoch), p.py(e.*field));
    std::string svg = fmt::format("<polyline fill='none' stroke='{}' stroke-width='2'{} points='{}'/>\n",
                                  colour, dashed ? " stroke-dasharray='6,4'" : "", points);
    for (const EpochSummary& e : epochs)
        svg += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='2.5' fill='{}'/>\n", p.px(e.epoch),
                           p.py(e.*field), colour);
    return svg;
}

}  // namespace

std::string training_curves_svg(const RunRecord& record, const std::string& title) {
    int epochs = 1;
    double max_loss = 0, min_accuracy = 1;
    for (const auto& [model, list] : record.epochs())
        for (const EpochSummary& e : list) {
            epochs = std::max(epochs, e.epoch);
            for (double loss : {e.train_loss, e.test_loss})
                if (std::isfinite(loss)) max_loss = std::max(max_loss, loss);
            for (double accuracy : {e.train_accuracy, e.test_accuracy})
                if (std::isfinite(accuracy)) min_accuracy = std::min(min_accuracy, accuracy);
        }
    max_loss = max_loss > 0 ? max_loss * 1.05 : 1.0;
    // The accuracy axis starts at the tenth below the lowest value, so that
    // the last few points between two models stay visible.
    const double accuracy_floor = std::clamp(std::floor(min_accuracy * 10) / 10, 0.0, 0.9);
    const Panel loss{70, 60, 360, 260, 1, static_cast<double>(epochs), 0, max_loss};
    const Panel accuracy{530, 60, 360, 260, 1, static_cast<double>(epochs), accuracy_floor, 1};

    std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='940' height='420' "
                      "font-family='sans-serif' font-size='13'>\n"
                      "<rect width='100%' height='100%' fill='white'/>\n";
    svg += fmt::format("<text x='470' y='24' text-anchor='middle' font-size='16' font-weight='bold'>{}</text>\n",
                       escape(title));
    svg += axes(loss, "loss", 5, false) + axes(accuracy, "accuracy", 5, true);
    size_t index = 0;
    double legend_x = 70;
    for (const auto& [model, list] : record.epochs()) {
        const char* colour = kPalette[index++ % std::size(kPalette)];
        svg += line(loss, list, &EpochSummary::train_loss, colour, false);
        svg += line(loss, list, &EpochSummary::test_loss, colour, true);
        svg += line(accuracy, list, &EpochSummary::train_accuracy, colour, false);
        svg += line(accuracy, list, &EpochSummary::test_accuracy, colour, true);
        svg += fmt::format("<line x1='{0:.0f}' x2='{1:.0f}' y1='395' y2='395' stroke='{2}' stroke-width='2'/>"
                           "<line x1='{3:.0f}' x2='{4:.0f}' y1='395' y2='395' stroke='{2}' stroke-width='2' "
                           "stroke-dasharray='6,4'/>"
                           "<text x='{5:.0f}' y='399'>{6} train / test</text>\n",
                           legend_x, legend_x + 18, colour, legend_x + 22, legend_x + 40,
                           legend_x + 46, escape(model));
        legend_x += 200;
    }
    return svg + "</svg>\n";
}

std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string_view>& class_names,
                                 const std::string& title) {
    const size_t n = counts.size();
    constexpr double cell = 44, left = 120, top = 110;  // room for the slanted names above
    const double size = cell * static_cast<double>(n);
    std::string svg = fmt::format(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{:.0f}' height='{:.0f}' "
        "font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n",
        left + size + 40, top + size + 60);
    svg += fmt::format("<text x='{:.0f}' y='24' text-anchor='middle' font-size='16' font-weight='bold'>{}</text>\n",
                       (left + size + 40) / 2, escape(title));
    svg += fmt::format("<text x='{:.0f}' y='{:.0f}' text-anchor='middle'>predicted</text>\n",
                       left + size / 2, top + size + 45);
    svg += fmt::format("<text x='14' y='{:.0f}' transform='rotate(-90 14 {:.0f})' text-anchor='middle'>true class</text>\n",
                       top + size / 2, top + size / 2);
    for (size_t i = 0; i < n; ++i) {
        int64_t row_total = 0;
        for (int64_t c : counts[i]) row_total += c;
        const std::string name = i < class_names.size() ? std::string(class_names[i]) : std::to_string(i);
        svg += fmt::format("<text x='{:.0f}' y='{:.0f}' text-anchor='end'>{}</text>\n", left - 6,
                           top + cell * (i + 0.5) + 4, escape(name));
        svg += fmt::format("<text x='{0:.0f}' y='{1:.0f}' text-anchor='start' transform='rotate(-45 {0:.0f} {1:.0f})'>{2}</text>\n",
                           left + cell * (i + 0.5), top - 6, escape(name));
        for (size_t j = 0; j < n; ++j) {
            const double share = row_total > 0 ? static_cast<double>(counts[i][j]) / row_total : 0;
            // White to a saturated blue; the diagonal is where the model is right.
            const int shade = static_cast<int>(std::lround(255 * (1 - share)));
            svg += fmt::format("<rect x='{:.0f}' y='{:.0f}' width='{:.0f}' height='{:.0f}' "
                               "fill='rgb({},{},255)' stroke='#ccc'><title>{} as {}: {} ({:.1f}%)</title></rect>\n",
                               left + cell * j, top + cell * i, cell, cell, shade, shade, escape(name),
                               j < class_names.size() ? escape(class_names[j]) : std::to_string(j),
                               counts[i][j], 100 * share);
            svg += fmt::format("<text x='{:.0f}' y='{:.0f}' text-anchor='middle' fill='{}'>{}</text>\n",
                               left + cell * (j + 0.5), top + cell * (i + 0.5) + 4,
                               share > 0.5 ? "white" : "black", counts[i][j]);
        }
    }
    return svg + "</svg>\n";
}

}  // namespace tinytorch::milestone
