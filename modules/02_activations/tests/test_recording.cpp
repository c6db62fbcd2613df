// Module 02 — every activation records one node for autograd (module 06).
#include "activations.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
// The op recorded for out, checked to have x as its only input.
Op recorded_op(const Tensor& out, const Tensor& x) {
    EXPECT_NE(out.grad_fn(), nullptr);
    if (out.grad_fn() == nullptr) return Op::Custom;
    EXPECT_EQ(out.grad_fn()->inputs.size(), 1u);
    EXPECT_TRUE(out.grad_fn()->inputs[0].is_same(x));
    return out.grad_fn()->op;
}
}  // namespace

TEST(Recording, EachElementwiseActivationRecordsItsOp) {
    Tensor x = Tensor({-1, 0.5f}).requires_grad_();
    EXPECT_EQ(recorded_op(relu(x), x), Op::ReLU);
    EXPECT_EQ(recorded_op(leaky_relu(x), x), Op::LeakyReLU);
    EXPECT_EQ(recorded_op(sigmoid(x), x), Op::Sigmoid);
    EXPECT_EQ(recorded_op(tanh(x), x), Op::Tanh);
    EXPECT_EQ(recorded_op(gelu(x), x), Op::GELU);
}

TEST(Recording, LeakyReLUStoresItsSlope) {
    Tensor x = Tensor({-1, 1}).requires_grad_();
    EXPECT_EQ(leaky_relu(x, 0.25f).grad_fn()->args.scalar, 0.25f);
}

TEST(Recording, SoftmaxStoresTheAxisMadeNonNegative) {
    Tensor x = ones({2, 3, 4}).requires_grad_();
    Tensor out = softmax(x, -1);
    EXPECT_EQ(recorded_op(out, x), Op::Softmax);
    EXPECT_EQ(out.grad_fn()->args.axis, 2);
}

TEST(Recording, LogSoftmaxStoresTheAxisMadeNonNegative) {
    Tensor x = ones({2, 3}).requires_grad_();
    Tensor out = log_softmax(x, -2);
    EXPECT_EQ(recorded_op(out, x), Op::LogSoftmax);
    EXPECT_EQ(out.grad_fn()->args.axis, 0);
}

TEST(Recording, PlainInputsRecordNothing) {
    EXPECT_EQ(softmax(Tensor({1, 2})).grad_fn(), nullptr);
}
