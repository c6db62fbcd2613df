// Module 01 — printing (provided) shows values and shape; large tensors elide.
#include "testing.hpp"

using namespace tinytorch;

TEST(Printing, SmallMatrixShowsEveryValueAndShape) {
    EXPECT_EQ(Tensor({{1, 2}, {3, 4}}).to_string(), "tensor([[1., 2.],\n        [3., 4.]], shape=(2, 2))");
}

TEST(Printing, FractionsUseFourDecimals) {
    EXPECT_EQ(Tensor({0.5f, -1.25f}).to_string(), "tensor([0.5000, -1.2500], shape=(2))");
}

TEST(Printing, LargeTensorIsElided) {
    EXPECT_EQ(arange(0, 5000).to_string(), "tensor([0., 1., 2., ..., 4997., 4998., 4999.], shape=(5000))");
}
