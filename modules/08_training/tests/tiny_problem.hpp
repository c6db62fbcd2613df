// tiny_problem.hpp — the data module 08's tests train on.
#pragma once

#include "training.hpp"

namespace tinytorch::testing {

// Eight points on a line, class 1 where x > 0; batches of two: four batches
// per epoch.
struct TinyProblem {
    TinyProblem()
        : dataset(Tensor({{-2.0f}, {-1.5f}, {-1.0f}, {-0.5f}, {0.5f}, {1.0f}, {1.5f}, {2.0f}}),
                  Tensor({0, 0, 0, 0, 1, 1, 1, 1})),
          loader(dataset, 2) {}
    TensorDataset dataset;
    DataLoader loader;
};

}  // namespace tinytorch::testing
