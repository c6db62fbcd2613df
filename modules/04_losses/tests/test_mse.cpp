// Module 04 — mean squared error and the three reductions.
#include "losses.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(MSELoss, MeanOfSquaredDifferences) {
    Tensor loss = mse_loss(Tensor({1, 2, 3}), Tensor({1, 0, 5}));  // (0 + 4 + 4) / 3
    EXPECT_SHAPE(loss);
    EXPECT_NEAR(loss.item(), 8.0f / 3.0f, 1e-6f);
}

TEST(MSELoss, SumReduction) {
    EXPECT_EQ(mse_loss(Tensor({1, 2, 3}), Tensor({1, 0, 5}), Reduction::Sum).item(), 8.0f);
}

TEST(MSELoss, NoReductionKeepsTheShape) {
    EXPECT_TENSOR_EQ(mse_loss(Tensor({{1, 2}, {3, 4}}), Tensor({{0, 2}, {6, 4}}), Reduction::None),
                     Tensor({{1, 0}, {9, 0}}));
}

TEST(MSELoss, ShapesMustMatchExactly) {
    EXPECT_THROW_WITH(mse_loss(ones({3}), ones({3, 1})), ShapeError,
                      "prediction of shape (3) and target of shape (3, 1) differ");
}

TEST(MSELoss, ObjectUsesItsReduction) {
    EXPECT_EQ(MSELoss{}(Tensor({0, 0}), Tensor({1, 3})).item(), 5.0f);
    EXPECT_EQ(MSELoss{Reduction::Sum}(Tensor({0, 0}), Tensor({1, 3})).item(), 10.0f);
}

TEST(MSELoss, RecordsOneNodeWithInputsAndReduction) {
    Tensor prediction = Tensor({1, 2}).requires_grad_();
    Tensor target({0, 0});
    Tensor loss = mse_loss(prediction, target, Reduction::Sum);
    ASSERT_NE(loss.grad_fn(), nullptr);
    EXPECT_EQ(loss.grad_fn()->op, Op::MSELoss);
    EXPECT_TRUE(loss.grad_fn()->input(0).is_same(prediction));
    EXPECT_TRUE(loss.grad_fn()->input(1).is_same(target));
    EXPECT_EQ(loss.grad_fn()->args.ints, std::vector<int64_t>{2});
}
