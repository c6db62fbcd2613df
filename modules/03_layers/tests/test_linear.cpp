// Module 03 — Linear: shapes, Kaiming-uniform initialisation, y = x W + b.
#include <cmath>

#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
// A Linear(3, 2) with weight {{1, 2}, {3, 4}, {5, 6}} and bias {10, 20}.
Linear known_linear() {
    Linear layer(3, 2);
    layer.weight.copy_(Tensor({{1, 2}, {3, 4}, {5, 6}}));
    layer.bias.copy_(Tensor({10, 20}));
    return layer;
}
}  // namespace

TEST(Linear, WeightIsInByOutAndBiasIsOut) {
    Linear layer(3, 2);
    EXPECT_SHAPE(layer.weight, 3, 2);
    EXPECT_SHAPE(layer.bias, 2);
    EXPECT_EQ(layer.in_features, 3);
    EXPECT_EQ(layer.out_features, 2);
}

TEST(Linear, ParametersAreWeightAndBiasAndRequireGrad) {
    Linear layer(3, 2);
    const auto named = layer.named_parameters();
    ASSERT_EQ(named.size(), 2u);
    EXPECT_EQ(named[0].first, "weight");
    EXPECT_EQ(named[1].first, "bias");
    EXPECT_TRUE(named[0].second.is_same(layer.weight));
    EXPECT_TRUE(layer.weight.requires_grad());
    EXPECT_TRUE(layer.bias.requires_grad());
}

TEST(Linear, WeightIsKaimingUniformDrawnFromTheGenerator) {
    Generator gen(3);
    Linear layer(5, 4, true, gen);
    // The same draws, made here: one uniform(-bound, bound) per element, row-major.
    Generator expected_gen(3);
    const float bound = std::sqrt(6.0f / 5.0f);
    std::vector<float> expected(20);
    for (float& v : expected) v = expected_gen.uniform(-bound, bound);
    EXPECT_TENSOR_NEAR(layer.weight, Tensor(expected, {5, 4}), 1e-6f);
}

TEST(Linear, BiasStartsAtZero) {
    EXPECT_TENSOR_EQ(Linear(5, 4).bias, zeros({4}));
}

TEST(Linear, WeightsFillTheKaimingRange) {
    Generator gen(1);
    Linear layer(100, 50, true, gen);
    const float bound = std::sqrt(6.0f / 100.0f);
    const float largest = abs(layer.weight).max().item();
    EXPECT_LE(largest, bound);
    EXPECT_GT(largest, 0.95f * bound);  // 5000 draws reach close to the edge
}

TEST(Linear, DefaultGeneratorMakesSeededRunsReproducible) {
    manual_seed(42);
    Linear a(4, 3);
    manual_seed(42);
    Linear b(4, 3);
    EXPECT_TENSOR_EQ(a.weight, b.weight);
}

TEST(Linear, ForwardIsInputTimesWeightPlusBias) {
    Linear layer = known_linear();
    Tensor x({{1, 1, 1}, {1, 0, -1}});
    EXPECT_TENSOR_EQ(layer(x), Tensor({{19, 32}, {6, 16}}));
}

TEST(Linear, WithoutBiasHasOnlyWeight) {
    Linear layer(3, 2, /*bias=*/false);
    EXPECT_FALSE(layer.bias.defined());
    EXPECT_EQ(layer.parameters().size(), 1u);
    layer.weight.copy_(Tensor({{1, 2}, {3, 4}, {5, 6}}));
    EXPECT_TENSOR_EQ(layer(Tensor({{1, 0, -1}})), Tensor({{-4, -4}}));
}

TEST(Linear, LeadingAxesAreKept) {
    Linear layer(3, 4);
    EXPECT_SHAPE(layer(ones({2, 5, 3})), 2, 5, 4);
}

TEST(Linear, WrongNumberOfFeaturesThrowsShapeError) {
    Linear layer(3, 2);
    EXPECT_THROW_WITH(layer(ones({2, 5})), ShapeError,
                      "expected 3 input features in the last axis, got input of shape (2, 5)");
}

TEST(Linear, SizesBelowOneThrowValueError) {
    EXPECT_THROW_WITH(Linear(0, 3), ValueError, "got 0 and 3");
}

TEST(Linear, ForwardRecordsMatMulThenAdd) {
    Linear layer = known_linear();
    Tensor out = layer(Tensor({{1, 1, 1}}));
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->op, Op::Add);
    const Tensor& product = out.grad_fn()->input(0);
    ASSERT_NE(product.grad_fn(), nullptr);
    EXPECT_EQ(product.grad_fn()->op, Op::MatMul);
    EXPECT_TRUE(product.grad_fn()->input(1).is_same(layer.weight));
    EXPECT_TRUE(out.grad_fn()->input(1).is_same(layer.bias));
}
