// Module 03 — Dropout: inverted dropout while training, identity in eval.
#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
int64_t count_equal(const Tensor& t, float value) {
    return static_cast<int64_t>(eq(t, full(t.shape(), value)).sum().item());
}
}  // namespace

TEST(Dropout, TrainingKeepsAboutOneMinusPAndScalesThem) {
    Generator gen(0);
    Dropout dropout(0.25f, gen);
    Tensor out = dropout(ones({4000}));
    const int64_t kept = count_equal(out, 1.0f / 0.75f);
    const int64_t dropped = count_equal(out, 0.0f);
    EXPECT_EQ(kept + dropped, 4000);  // nothing but 0 and 1/(1-p)
    EXPECT_NEAR(static_cast<double>(kept), 3000.0, 110.0);  // 4 standard deviations
}

TEST(Dropout, MaskFollowsTheGeneratorsDraws) {
    Generator gen(9);
    Dropout dropout(0.5f, gen);
    Tensor x = arange(1, 11);
    Tensor out = dropout(x);
    Generator expected_gen(9);
    std::vector<float> expected(10);
    for (size_t i = 0; i < expected.size(); ++i)
        expected[i] = expected_gen.bernoulli(0.5f) ? 2.0f * static_cast<float>(i + 1) : 0.0f;
    EXPECT_TENSOR_EQ(out, Tensor(expected, {10}));
}

TEST(Dropout, EvalIsTheIdentity) {
    Dropout dropout(0.5f);
    dropout.eval();
    Tensor x({{1, 2}, {3, 4}});
    EXPECT_TENSOR_EQ(dropout(x), x);
}

TEST(Dropout, POfOneGivesZeros) {
    Dropout dropout(1.0f);
    EXPECT_TENSOR_EQ(dropout(Tensor({1, 5, 9})), zeros({3}));
}

TEST(Dropout, POfZeroKeepsEverything) {
    Dropout dropout(0.0f);
    EXPECT_TENSOR_EQ(dropout(Tensor({1, -2, 3})), Tensor({1, -2, 3}));
}

TEST(Dropout, POutsideZeroOneThrowsValueErrorNamingIt) {
    EXPECT_THROW_WITH(Dropout(1.5f), ValueError, "got 1.5");
    EXPECT_THROW_WITH(Dropout(-0.1f), ValueError, "got -0.1");
}

TEST(Dropout, IsAMultiplicationByAConstantMask) {
    Generator gen(4);
    Dropout dropout(0.5f, gen);
    Tensor x = ones({8}).requires_grad_();
    Tensor out = dropout(x);
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->op, Op::Mul);
    EXPECT_TRUE(out.grad_fn()->input(0).is_same(x));
    EXPECT_FALSE(out.grad_fn()->input(1).requires_grad());
}
