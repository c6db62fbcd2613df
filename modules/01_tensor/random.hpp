// random.hpp — a small seedable random generator. Provided infrastructure.
//
// The same seed gives the same numbers on every machine and compiler: the bits
// come from std::mt19937_64 (fully specified by the standard) and the
// conversions to uniform and normal floats are written out here instead of
// using std::*_distribution, whose algorithms differ between libraries.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace tinytorch {

class Generator {
public:
    explicit Generator(uint64_t seed = 0) : engine_(seed) {}

    void seed(uint64_t seed) {
        engine_.seed(seed);
        has_spare_normal_ = false;
    }
    uint64_t next_u64() { return engine_(); }
    // Uniform in [low, high), 24 random bits (a float's mantissa).
    float uniform(float low = 0.0f, float high = 1.0f);
    // Normal(mean, std) by the Box-Muller transform.
    float normal(float mean = 0.0f, float std = 1.0f);
    // Uniform integer in [low, high).
    int64_t randint(int64_t low, int64_t high);
    bool bernoulli(float p) { return uniform() < p; }

    // Everything the generator will draw from, as text, and back: a
    // generator given another's state() draws the same numbers from then on.
    // Checkpoints (module 08) store it so a resumed run shuffles, augments and
    // drops out exactly as an uninterrupted one. set_state() throws ValueError
    // for text that state() did not write.
    std::string state() const;
    void set_state(const std::string& state);

private:
    std::mt19937_64 engine_;
    bool has_spare_normal_ = false;
    double spare_normal_ = 0.0;
};

// The generator used when a function is not given one. Seed it with
// manual_seed(n) to make a whole program reproducible.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tinytorch
