// progress.cpp — module 08, provided: the progress line of progress.hpp.
#include "progress.hpp"

#include <unistd.h>

#include <cmath>

namespace tinytorch {

ProgressLine::ProgressLine(int64_t total_epochs, std::FILE* out)
    : total_epochs_(total_epochs), out_(out), terminal_(out && ::isatty(::fileno(out)) == 1) {
    TT_CHECK(out != nullptr, ValueError, "ProgressLine: the output stream is null");
    TT_CHECK(total_epochs >= 0, ValueError, "ProgressLine: total_epochs must be >= 0, got {}",
             total_epochs);
}

void ProgressLine::set_intervals(double redraw_seconds, double plain_seconds) {
    TT_CHECK(redraw_seconds >= 0.0 && plain_seconds >= 0.0, ValueError,
             "ProgressLine: intervals must be >= 0 seconds, got {} and {}", redraw_seconds,
             plain_seconds);
    redraw_seconds_ = redraw_seconds;
    plain_seconds_ = plain_seconds;
}

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) return "?";
    const auto total = static_cast<int64_t>(std::llround(seconds));
    const int64_t hours = total / 3600, minutes = total / 60 % 60, secs = total % 60;
    if (hours > 0) return fmt::format("{}:{:02}:{:02}", hours, minutes, secs);
    if (minutes > 0) return fmt::format("{}:{:02}", minutes, secs);
    return fmt::format("{}s", secs);
}

std::string ProgressLine::format(const BatchProgress& p) const {
    const EpochResult& r = p.so_far;
    std::string line;
    if (!p.training)
        line = "eval";
    else if (total_epochs_ > 0)
        line = fmt::format("epoch {}/{}", p.epoch + 1, total_epochs_);
    else
        line = fmt::format("epoch {}", p.epoch + 1);
    line += fmt::format("  batch {}/{}  loss {:.4f}", p.batch + 1, p.batches, r.loss);
    if (!std::isnan(r.accuracy)) line += fmt::format("  acc {:.1f}%", 100.0 * r.accuracy);
    if (r.seconds > 0.0) {
        line += fmt::format("  {:.0f} img/s", static_cast<double>(r.examples) / r.seconds);
        // The rest of this pass, and of the run when its length is known.
        const double per_batch = r.seconds / static_cast<double>(p.batch + 1);
        double left = per_batch * static_cast<double>(p.batches - p.batch - 1);
        if (p.training && total_epochs_ > p.epoch + 1)
            left += per_batch * static_cast<double>(p.batches) *
                    static_cast<double>(total_epochs_ - p.epoch - 1);
        line += "  left " + format_duration(left);
    }
    return line;
}

void ProgressLine::update(const BatchProgress& p) {
    const bool first = p.batch == 0, last = p.batch + 1 >= p.batches;
    const double since = p.so_far.seconds - last_print_seconds_;
    const bool due = since >= (terminal_ ? redraw_seconds_ : plain_seconds_);
    if (!(first || last || due)) return;
    last_print_seconds_ = p.so_far.seconds;
    const std::string line = format(p);
    if (terminal_)
        // Back to the start of the line, the text, then erase what a longer
        // earlier line left behind. The last batch ends the line.
        std::fprintf(out_, "\r%s\x1b[K%s", line.c_str(), last ? "\n" : "");
    else
        std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
}

std::function<void(const BatchProgress&)> ProgressLine::callback() {
    return [this](const BatchProgress& progress) { update(progress); };
}

}  // namespace tinytorch
