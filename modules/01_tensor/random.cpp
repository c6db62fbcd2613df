// random.cpp — the seedable generator. Provided infrastructure.
#include "random.hpp"

#include <bit>
#include <cmath>
#include <numbers>
#include <sstream>

#include "errors.hpp"

namespace tinytorch {

float Generator::uniform(float low, float high) {
    // Top 24 bits -> [0, 1) exactly representable as a float.
    const float unit = static_cast<float>(engine_() >> 40) * 0x1.0p-24f;
    return low + (high - low) * unit;
}

float Generator::normal(float mean, float std) {
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return mean + std * static_cast<float>(spare_normal_);
    }
    // Box-Muller on two uniforms in (0, 1]; 53-bit doubles keep the tails.
    const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_normal_ = radius * std::sin(angle);
    has_spare_normal_ = true;
    return mean + std * static_cast<float>(radius * std::cos(angle));
}

int64_t Generator::randint(int64_t low, int64_t high) {
    const auto range = static_cast<uint64_t>(high - low);
    if (range == 0) return low;
    // Rejection sampling: no modulo bias.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t bits;
    do bits = engine_();
    while (bits >= limit);
    return low + static_cast<int64_t>(bits % range);
}

// The engine's standard text form, then the cached second normal draw (a
// flag and the double's bits, so it round-trips exactly).
std::string Generator::state() const {
    std::ostringstream out;
    out << engine_ << ' ' << (has_spare_normal_ ? 1 : 0) << ' '
        << std::bit_cast<uint64_t>(spare_normal_);
    return out.str();
}

void Generator::set_state(const std::string& state) {
    std::istringstream in(state);
    std::mt19937_64 engine;
    int has_spare = -1;
    uint64_t spare_bits = 0;
    in >> engine >> has_spare >> spare_bits;
    const bool complete = !in.fail() && (in >> std::ws).eof();
    if (!complete || (has_spare != 0 && has_spare != 1))
        throw ValueError(fmt::format(
            "Generator::set_state: the text ({} characters) is not a state written by "
            "Generator::state()",
            state.size()));
    engine_ = engine;
    has_spare_normal_ = has_spare == 1;
    spare_normal_ = std::bit_cast<double>(spare_bits);
}

Generator& default_generator() {
    static Generator generator(0);
    return generator;
}

void manual_seed(uint64_t seed) { default_generator().seed(seed); }

}  // namespace tinytorch
