// Module 03 — Flatten and Sequential.
#include <memory>

#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(Flatten, KeepsTheBatchAxis) {
    Flatten flatten;
    Tensor x = arange(0, 24).reshape({2, 3, 4});
    Tensor out = flatten(x);
    EXPECT_SHAPE(out, 2, 12);
    EXPECT_TENSOR_EQ(out, arange(0, 24).reshape({2, 12}));
}

TEST(Flatten, ChosenAxes) {
    EXPECT_SHAPE(Flatten(0)(ones({2, 3, 4})), 24);
    EXPECT_SHAPE(Flatten(1, 2)(ones({2, 3, 4, 5})), 2, 12, 5);
}

TEST(Sequential, AppliesLayersInOrder) {
    Sequential model{Linear(2, 2), ReLU{}, Linear(2, 1)};
    auto& first = dynamic_cast<Linear&>(model[0]);
    auto& last = dynamic_cast<Linear&>(model[2]);
    first.weight.copy_(Tensor({{1, -1}, {1, 1}}));  // x W: (a + b, b - a)
    first.bias.copy_(Tensor({0, 0}));
    last.weight.copy_(Tensor({{1}, {10}}));
    last.bias.copy_(Tensor({0.5f}));
    // x = (1, 2): (3, 1) -> relu (3, 1) -> 3 + 10 + 0.5
    // x = (2, -3): (-1, -5) -> relu (0, 0) -> 0.5
    EXPECT_TENSOR_EQ(model(Tensor({{1, 2}, {2, -3}})), Tensor({{13.5f}, {0.5f}}));
}

TEST(Sequential, ActivationObjectsTakeAPositionInTheNames) {
    Sequential model{Linear(4, 3), ReLU{}, Linear(3, 2)};
    std::vector<std::string> names;
    for (const auto& [name, tensor] : model.named_parameters()) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
}

TEST(Sequential, AcceptsEveryActivationAndAnyCallable) {
    Sequential model{Tanh{}, Sigmoid{}, LeakyReLU{0.5f}, GELU{}, Softmax{1},
                     [](const Tensor& x) { return x * 2.0f; }};
    Tensor out = model(zeros({1, 4}));
    // tanh 0 -> sigmoid 0.5 -> leaky 0.5 -> gelu(0.5) -> softmax of equal values 0.25 -> x2
    EXPECT_TENSOR_NEAR(out, full({1, 4}, 0.5f), 1e-6f);
}

TEST(Sequential, SharedModuleIsOneSetOfParameters) {
    auto shared = std::make_shared<Linear>(3, 3);
    Sequential model{shared, ReLU{}, shared};
    EXPECT_EQ(model.parameters().size(), 2u);
    EXPECT_TRUE(model.parameters()[0].is_same(shared->weight));
}

TEST(Sequential, NestedSequentialNamesChain) {
    Sequential inner{Linear(2, 2)};
    Sequential model{ReLU{}, std::move(inner)};
    EXPECT_EQ(model.named_parameters().front().first, "1.0.weight");
}

TEST(Sequential, EvalReachesDropoutInside) {
    Sequential model{Dropout(0.9f), ReLU{}};
    model.eval();
    EXPECT_TENSOR_EQ(model(Tensor({1, -2, 3})), Tensor({1, 0, 3}));
}

TEST(Sequential, WithoutLayersReturnsTheInput) {
    Sequential empty_model;
    EXPECT_TENSOR_EQ(empty_model(Tensor({1, 2})), Tensor({1, 2}));
}
