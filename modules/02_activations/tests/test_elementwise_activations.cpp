// Module 02 — the elementwise activations: ReLU, LeakyReLU, Sigmoid, Tanh, GELU.
#include <cmath>

#include "activations.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(ReLU, ZeroesNegativesAndKeepsPositives) {
    EXPECT_TENSOR_EQ(relu(Tensor({-2, -0.5f, 0, 1.5f, 3})), Tensor({0, 0, 0, 1.5f, 3}));
}

TEST(ReLU, KeepsTheShape) {
    EXPECT_TENSOR_EQ(relu(Tensor({{-1, 2}, {3, -4}})), Tensor({{0, 2}, {3, 0}}));
}

TEST(ReLU, ObjectCallsTheFunction) {
    EXPECT_TENSOR_EQ(ReLU{}(Tensor({-1, 1})), Tensor({0, 1}));
}

TEST(ReLU, ReadsNonContiguousInputInLogicalOrder) {
    Tensor m({{-1, 2}, {3, -4}});
    Tensor out = relu(m.transpose(0, 1));  // {{-1, 3}, {2, -4}}
    EXPECT_TENSOR_EQ(out, Tensor({{0, 3}, {2, 0}}));
    EXPECT_TRUE(out.is_contiguous());
}

TEST(ReLU, LeavesTheInputUnchanged) {
    Tensor x({-1, 1});
    relu(x);
    EXPECT_TENSOR_EQ(x, Tensor({-1, 1}));
}

TEST(LeakyReLU, ScalesNegativesBySlope) {
    EXPECT_TENSOR_NEAR(leaky_relu(Tensor({-10, -1, 0, 2}), 0.2f), Tensor({-2, -0.2f, 0, 2}), 1e-6f);
}

TEST(LeakyReLU, DefaultSlopeIsOneHundredth) {
    EXPECT_TENSOR_NEAR(leaky_relu(Tensor({-100, 5})), Tensor({-1, 5}), 1e-6f);
}

TEST(LeakyReLU, ObjectCarriesItsSlope) {
    EXPECT_TENSOR_NEAR(LeakyReLU{0.5f}(Tensor({-4, 4})), Tensor({-2, 4}), 1e-6f);
}

TEST(Sigmoid, KnownValues) {
    EXPECT_TENSOR_NEAR(sigmoid(Tensor({-2, 0, 2})), Tensor({0.11920292f, 0.5f, 0.88079708f}),
                       1e-6f);
}

TEST(Sigmoid, SaturatesToExactlyZeroAndOneWithoutNaN) {
    Tensor out = sigmoid(Tensor({-1000, 1000}));
    EXPECT_EQ(out.at({0}), 0.0f);
    EXPECT_EQ(out.at({1}), 1.0f);
}

TEST(Sigmoid, ObjectCallsTheFunction) {
    EXPECT_TENSOR_NEAR(Sigmoid{}(Tensor({0})), Tensor({0.5f}), 1e-7f);
}

TEST(Tanh, KnownValues) {
    EXPECT_TENSOR_NEAR(tanh(Tensor({-1, 0, 0.5f, 1})),
                       Tensor({-0.76159416f, 0, 0.46211716f, 0.76159416f}), 1e-6f);
}

TEST(Tanh, SaturatesToPlusMinusOne) {
    EXPECT_TENSOR_EQ(Tanh{}(Tensor({-50, 50})), Tensor({-1, 1}));
}

TEST(GELU, MatchesTheTanhApproximation) {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); the erf form would give
    // 0.8413447 at x = 1, which this tolerance tells apart.
    EXPECT_TENSOR_NEAR(gelu(Tensor({-3, -1, 0, 0.5f, 1, 3})),
                       Tensor({-0.0036373921f, -0.15880801f, 0, 0.34571401f, 0.84119199f,
                               2.9963626f}),
                       1e-6f);
}

TEST(GELU, IsAlmostIdentityForLargeXAndZeroForVeryNegativeX) {
    Tensor out = GELU{}(Tensor({-20, 20}));
    EXPECT_NEAR(out.at({0}), 0.0f, 1e-12f);
    EXPECT_EQ(out.at({1}), 20.0f);
}
