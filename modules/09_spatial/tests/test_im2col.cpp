// Module 09 — the output-size formula, im2col's layout and col2im, its adjoint.
#include "finite_differences.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::weighted_sum;

namespace {
// (1, 3, 3): 1 2 3 / 4 5 6 / 7 8 9
Tensor one_to_nine() { return Tensor({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}); }
}  // namespace

TEST(ConvOutputSize, IsFloorOfPaddedSpanOverStridePlusOne) {
    EXPECT_EQ(conv_output_size(32, 3, 1, 1), 32);
    EXPECT_EQ(conv_output_size(32, 2, 2, 0), 16);
    EXPECT_EQ(conv_output_size(7, 3, 2, 1), 4);  // (7 + 2 - 3) / 2 + 1
    EXPECT_EQ(conv_output_size(5, 3, 2, 1), 3);  // (5 + 2 - 3) / 2 + 1
    EXPECT_EQ(conv_output_size(8, 3, 2, 0), 3);  // floor(5 / 2) + 1: the last row is left out
}

TEST(ConvOutputSize, KernelEqualToPaddedInputGivesOne) {
    EXPECT_EQ(conv_output_size(3, 5, 1, 1), 1);
    EXPECT_EQ(conv_output_size(4, 4, 3, 0), 1);
}

TEST(ConvOutputSize, IsZeroWhenTheKernelDoesNotFit) {
    // (2 - 3) / 2 is 0 in C++ (it rounds toward zero): checking the fit first matters.
    EXPECT_EQ(conv_output_size(2, 3, 2, 0), 0);
    EXPECT_EQ(conv_output_size(1, 4, 1, 1), 0);
}

TEST(Im2col, OneColumnPerWindowInRowMajorOrder) {
    // Kernel 2 over a 3x3 image: 4 windows; row (ki, kj) holds pixel
    // (oh + ki, ow + kj) of each window.
    Tensor expected({{1, 2, 4, 5},    // (0, 0)
                     {2, 3, 5, 6},    // (0, 1)
                     {4, 5, 7, 8},    // (1, 0)
                     {5, 6, 8, 9}});  // (1, 1)
    EXPECT_TENSOR_EQ(im2col(one_to_nine(), 2, 1, 0), expected);
}

TEST(Im2col, RowsGoChannelThenKernelRowThenKernelColumn) {
    // Two channels of 4x4 (the second is minus the first), kernel 2, stride 2.
    Tensor channel = arange(1, 17).reshape({1, 4, 4});
    Tensor image = stack({channel[0], -channel[0]});
    Tensor expected({{1, 3, 9, 11},
                     {2, 4, 10, 12},
                     {5, 7, 13, 15},
                     {6, 8, 14, 16},
                     {-1, -3, -9, -11},
                     {-2, -4, -10, -12},
                     {-5, -7, -13, -15},
                     {-6, -8, -14, -16}});
    EXPECT_TENSOR_EQ(im2col(image, 2, 2, 0), expected);
}

TEST(Im2col, PaddingReadsAsZeros) {
    // 2x2 image padded by 1, kernel 2: 3x3 windows, many over the border.
    Tensor image({{{1, 2}, {3, 4}}});
    Tensor expected({{0, 0, 0, 0, 1, 2, 0, 3, 4},
                     {0, 0, 0, 1, 2, 0, 3, 4, 0},
                     {0, 1, 2, 0, 3, 4, 0, 0, 0},
                     {1, 2, 0, 3, 4, 0, 0, 0, 0}});
    EXPECT_TENSOR_EQ(im2col(image, 2, 1, 1), expected);
}

TEST(Im2col, NotThreeDimensionalThrowsShapeError) {
    EXPECT_THROW_WITH(im2col(ones({3, 3}), 2, 1, 0), ShapeError,
                      "im2col: expected image of shape (C, H, W), got (3, 3)");
}

TEST(Im2col, KernelLargerThanPaddedImageThrowsShapeError) {
    EXPECT_THROW_WITH(im2col(one_to_nine(), 4, 1, 0), ShapeError,
                      "kernel 4 is larger than the input 3x3 padded by 0: image (1, 3, 3)");
}

TEST(Im2col, StrideBelowOneThrowsValueError) {
    EXPECT_THROW_WITH(im2col(one_to_nine(), 2, 0, 0), ValueError, "got 2, 0 and 0");
}

TEST(Col2im, AddsEachEntryBackToItsPixel) {
    // Ones in every column: each pixel receives the number of windows that saw it.
    Tensor counts = col2im(ones({4, 4}), {1, 3, 3}, 2, 1, 0);
    EXPECT_TENSOR_EQ(counts, Tensor({{{1, 2, 1}, {2, 4, 2}, {1, 2, 1}}}));
}

TEST(Col2im, DropsTheEntriesThatCameFromPadding) {
    // Padded by 1, every pixel of a 2x2 image sits in all 4 positions of a
    // 2x2 kernel; the other 20 of the 36 entries were padding.
    Tensor counts = col2im(ones({4, 9}), {1, 2, 2}, 2, 1, 1);
    EXPECT_TENSOR_EQ(counts, Tensor({{{4, 4}, {4, 4}}}));
}

TEST(Col2im, UndoesIm2colUpToTheWindowCounts) {
    Tensor image = one_to_nine();
    Tensor counts({{{1, 2, 1}, {2, 4, 2}, {1, 2, 1}}});
    EXPECT_TENSOR_EQ(col2im(im2col(image, 2, 1, 0), {1, 3, 3}, 2, 1, 0), image * counts);
}

TEST(Col2im, IsTheAdjointOfIm2col) {
    // <im2col(x), y> = <x, col2im(y)> for every x and y: col2im is the
    // transpose of the linear map im2col, which is what backward needs.
    Generator gen(5);
    Tensor x = randn({2, 7, 5}, gen);
    Tensor columns = im2col(x, 3, 2, 1);
    EXPECT_SHAPE(columns, 18, 12);  // 2*3*3 rows, 4*3 positions
    Tensor y = randn({18, 12}, gen);
    EXPECT_NEAR(weighted_sum(columns, y), weighted_sum(x, col2im(y, {2, 7, 5}, 3, 2, 1)), 1e-4);
}

TEST(Col2im, ColumnsOfTheWrongShapeThrowShapeError) {
    EXPECT_THROW_WITH(col2im(ones({4, 5}), {1, 3, 3}, 2, 1, 0), ShapeError,
                      "col2im: columns must have shape (4, 4) for image (1, 3, 3) with kernel 2, "
                      "got (4, 5)");
}
