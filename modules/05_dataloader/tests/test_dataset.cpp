// Module 05 — TensorDataset and collate: examples in, batches out.
#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// 4 examples of 3 features: row i is (10i, 10i + 1, 10i + 2); labels 0..3.
TensorDataset four_examples() {
    return TensorDataset(Tensor({{0, 1, 2}, {10, 11, 12}, {20, 21, 22}, {30, 31, 32}}),
                         Tensor({0, 1, 2, 3}));
}

}  // namespace

TEST(TensorDataset, SizeIsTheFirstAxis) {
    EXPECT_EQ(four_examples().size(), 4);
}

TEST(TensorDataset, GetReturnsTheRowOfInputsAndTargets) {
    const Example example = four_examples().get(2);
    EXPECT_TENSOR_EQ(example.input, Tensor({20, 21, 22}));
    EXPECT_EQ(example.target.dim(), 0);
    EXPECT_EQ(example.target.item(), 2.0f);
}

TEST(TensorDataset, GetKeepsTheTrailingShapeOfImages) {
    TensorDataset images(arange(0, 2 * 1 * 2 * 2).reshape({2, 1, 2, 2}), Tensor({7, 9}));
    const Example example = images.get(1);
    EXPECT_TENSOR_EQ(example.input, Tensor({{{4, 5}, {6, 7}}}));
    EXPECT_EQ(example.target.item(), 9.0f);
}

TEST(TensorDataset, IndexOutOfRangeThrowsIndexError) {
    EXPECT_THROW_WITH(four_examples().get(4), IndexError, "index 4 is out of range");
}

TEST(TensorDataset, NegativeIndexThrowsIndexError) {
    EXPECT_THROW_WITH(four_examples().get(-1), IndexError, "index -1");
}

TEST(TensorDataset, MismatchedFirstAxesShowBothShapes) {
    EXPECT_THROW_WITH(TensorDataset(zeros({4, 3}), zeros({5})), ShapeError, "(4, 3)");
    EXPECT_THROW_WITH(TensorDataset(zeros({4, 3}), zeros({5})), ShapeError, "(5)");
}

TEST(TensorDataset, ScalarTensorIsRejected) {
    EXPECT_THROW_WITH(TensorDataset(scalar_tensor(1.0f), zeros({1})), ShapeError, "first axis");
}

TEST(Collate, StacksInputsAndTargetsAlongANewFirstAxis) {
    const Batch batch = collate({{Tensor({1, 2}), scalar_tensor(0)},
                                 {Tensor({3, 4}), scalar_tensor(1)},
                                 {Tensor({5, 6}), scalar_tensor(0)}});
    EXPECT_TENSOR_EQ(batch.inputs, Tensor({{1, 2}, {3, 4}, {5, 6}}));
    EXPECT_TENSOR_EQ(batch.targets, Tensor({0, 1, 0}));
}

TEST(Collate, ResultIsANewTensorNotAView) {
    Tensor input({1, 2});
    const Batch batch = collate({{input, scalar_tensor(0)}});
    input.at({0}) = 100.0f;
    EXPECT_EQ(batch.inputs.at({0, 0}), 1.0f);
}

TEST(Collate, MismatchedInputShapesNameTheExample) {
    EXPECT_THROW_WITH(collate({{zeros({2}), scalar_tensor(0)}, {zeros({3}), scalar_tensor(0)}}),
                      ShapeError, "example 1 has input shape (3) but example 0 has (2)");
}

TEST(Collate, MismatchedTargetShapesNameTheExample) {
    EXPECT_THROW_WITH(collate({{zeros({2}), zeros({1})}, {zeros({2}), zeros({2})}}), ShapeError,
                      "example 1 has target shape (2)");
}

TEST(Collate, NoExamplesThrowsValueError) {
    EXPECT_THROW_WITH(collate({}), ValueError, "at least one example");
}
