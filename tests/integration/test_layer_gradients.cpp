// Layers (module 03) differentiated by autograd (module 06): Linear is a
// recorded matmul and add, Flatten a reshape, Dropout a product with a mask,
// so their parameters get gradients with no rule of their own. Checked
// against finite differences (tests/support/gradcheck.hpp).
#include "autograd.hpp"
#include "gradcheck.hpp"
#include "layers.hpp"
#include "losses.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(LayerGradients, MultilayerPerceptronWithCrossEntropy) {
    Generator gen(3);
    Sequential model{Linear(6, 5, true, gen), Tanh{}, Linear(5, 3, true, gen)};
    Tensor x = randn({4, 2, 3}, gen);
    Tensor labels = Tensor({2, 0, 1, 2});
    Flatten flatten;
    auto loss = [&](const std::vector<Tensor>&) { return cross_entropy(model(flatten(x)), labels); };
    EXPECT_GRADIENTS_MATCH(loss, model.parameters());
}

TEST(LayerGradients, LinearOnABatchOfSequences) {
    // x (B, T, in) @ weight (in, out): the weight's gradient sums over B and T.
    Generator gen(4);
    Linear linear(3, 2, true, gen);
    Tensor x = randn({2, 4, 3}, gen);
    auto f = [&](const std::vector<Tensor>&) { return mse_loss(linear(x), zeros({2, 4, 2})); };
    EXPECT_GRADIENTS_MATCH(f, linear.parameters());
}

TEST(LayerGradients, DropoutPassesGradientOnlyThroughKeptUnits) {
    Generator gen(5);
    Dropout dropout(0.5f, gen);
    Tensor x = ones({1000}).requires_grad_();
    Tensor out = dropout(x);
    out.sum().backward();
    // Kept units pass 1 / (1 - p) = 2, dropped ones 0: the gradient is the mask.
    EXPECT_TENSOR_EQ(x.grad(), out.detach());
}

TEST(LayerGradients, InputGradientReachesTheImages) {
    Generator gen(6);
    Sequential model{Flatten(), Linear(4, 2, true, gen), Tanh{}};
    auto f = [&](const std::vector<Tensor>& x) { return model(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {randn({3, 1, 2, 2}, gen).requires_grad_()});
}
