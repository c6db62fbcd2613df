// Module 02 — softmax and log_softmax over a chosen axis.
#include <cmath>

#include "activations.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(Softmax, KnownValuesOfOneRow) {
    EXPECT_TENSOR_NEAR(softmax(Tensor({1, 2, 3})), Tensor({0.09003057f, 0.24472847f, 0.66524096f}),
                       1e-6f);
}

TEST(Softmax, EachRowOfAMatrixSumsToOne) {
    Tensor out = softmax(Tensor({{1, 2, 3}, {0, 0, 0}}), 1);
    EXPECT_TENSOR_NEAR(out, Tensor({{0.09003057f, 0.24472847f, 0.66524096f},
                                    {1.0f / 3, 1.0f / 3, 1.0f / 3}}),
                       1e-6f);
}

TEST(Softmax, AxisZeroNormalisesColumns) {
    Tensor out = softmax(Tensor({{1, 5}, {2, 5}, {3, 5}}), 0);
    EXPECT_TENSOR_NEAR(out, Tensor({{0.09003057f, 1.0f / 3},
                                    {0.24472847f, 1.0f / 3},
                                    {0.66524096f, 1.0f / 3}}),
                       1e-6f);
}

TEST(Softmax, DefaultAxisIsTheLast) {
    Tensor x({{1, 2, 3}, {3, 2, 1}});
    EXPECT_TENSOR_NEAR(softmax(x), softmax(x, 1), 0.0f);
    EXPECT_TENSOR_NEAR(softmax(x, -2), softmax(x, 0), 0.0f);
}

TEST(Softmax, LargeInputsGiveNoNaN) {
    EXPECT_TENSOR_NEAR(softmax(Tensor({1000, 1001, 1002})),
                       Tensor({0.09003057f, 0.24472847f, 0.66524096f}), 1e-6f);
}

TEST(Softmax, AxisOutOfRangeThrowsIndexError) {
    EXPECT_THROW_WITH(softmax(ones({2, 3}), 2), IndexError, "axis 2 is out of range");
}

TEST(Softmax, ObjectCarriesItsAxis) {
    Tensor x({{1, 2}, {3, 4}});
    EXPECT_TENSOR_NEAR(Softmax{0}(x), softmax(x, 0), 0.0f);
}

TEST(LogSoftmax, KnownValuesOfOneRow) {
    EXPECT_TENSOR_NEAR(log_softmax(Tensor({1, 2, 3})),
                       Tensor({-2.40760596f, -1.40760596f, -0.40760596f}), 1e-6f);
}

TEST(LogSoftmax, StaysFiniteWhereSoftmaxUnderflows) {
    // softmax gives exactly 0 for the second entry; its log is still -2000.
    EXPECT_TENSOR_NEAR(log_softmax(Tensor({1000, -1000})), Tensor({0, -2000}), 1e-6f);
}

TEST(LogSoftmax, MatchesLogOfSoftmaxForModerateValues) {
    Tensor x({{0.5f, -1, 2}, {3, 0, -2}});
    EXPECT_TENSOR_NEAR(log_softmax(x, 0), log(softmax(x, 0)), 1e-6f);
}

TEST(LogSoftmax, AxisOutOfRangeThrowsIndexError) {
    EXPECT_THROW_WITH(log_softmax(ones({4}), -2), IndexError, "log_softmax: axis -2");
}

TEST(LogSoftmax, ObjectCarriesItsAxis) {
    Tensor x({{1, 2}, {3, 4}});
    EXPECT_TENSOR_NEAR(LogSoftmax{0}(x), log_softmax(x, 0), 0.0f);
}
