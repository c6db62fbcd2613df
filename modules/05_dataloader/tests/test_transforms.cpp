// Module 05 — transforms: Normalize, RandomHorizontalFlip, RandomCrop, Compose.
#include <set>
#include <utility>

#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// A (1, 3, 3) image with pixels 1..9, row by row.
Tensor one_to_nine() { return arange(1, 10).reshape({1, 3, 3}); }

}  // namespace

TEST(Normalize, SubtractsTheMeanAndDividesByTheStdPerChannel) {
    Generator gen(0);
    Tensor image({{{1, 3}}, {{10, 20}}});  // (2, 1, 2): two channels
    Normalize normalize({2, 10}, {1, 5});
    EXPECT_TENSOR_NEAR(normalize(image, gen), Tensor({{{-1, 1}}, {{0, 2}}}), 1e-6f);
}

TEST(Normalize, OneMeanAndStdServeEveryChannel) {
    Generator gen(0);
    Tensor image({{{0, 1}}, {{0.5f, 1}}, {{1, 0}}});  // (3, 1, 2)
    Normalize normalize({0.5f}, {0.5f});
    EXPECT_TENSOR_NEAR(normalize(image, gen), Tensor({{{-1, 1}}, {{0, 1}}, {{1, -1}}}), 1e-6f);
}

TEST(Normalize, LeavesTheSampleUnchanged) {
    Generator gen(0);
    Tensor image({{{1, 3}}});
    Normalize({2}, {1})(image, gen);
    EXPECT_TENSOR_EQ(image, Tensor({{{1, 3}}}));
}

TEST(Normalize, ChannelCountMismatchShowsTheShape) {
    Generator gen(0);
    EXPECT_THROW_WITH(Normalize({0, 0, 0}, {1, 1, 1})(zeros({1, 8, 8}), gen), ShapeError,
                      "the sample of shape (1, 8, 8) has 1 channels but 3 means");
}

TEST(Normalize, NonPositiveStdThrowsValueError) {
    EXPECT_THROW_WITH(Normalize({0, 0}, {1, 0}), ValueError, "std[1] is 0");
}

TEST(Normalize, MeanAndStdCountsMustAgree) {
    EXPECT_THROW_WITH(Normalize({0, 0}, {1}), ValueError, "2 means and 1 stds");
}

TEST(RandomHorizontalFlip, ProbabilityOneReversesTheLastAxis) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(1.0f)(one_to_nine(), gen),
                     Tensor({{{3, 2, 1}, {6, 5, 4}, {9, 8, 7}}}));
}

TEST(RandomHorizontalFlip, ProbabilityZeroKeepsTheSample) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(0.0f)(one_to_nine(), gen), one_to_nine());
}

TEST(RandomHorizontalFlip, HalfTheTimeFlipsSomeSamplesAndKeepsOthers) {
    Generator gen(7);
    RandomHorizontalFlip flip(0.5f);
    int flipped = 0;
    for (int i = 0; i < 200; ++i)
        if (flip(one_to_nine(), gen).at({0, 0, 0}) == 3.0f) ++flipped;
    EXPECT_GT(flipped, 70);  // 100 expected; 70 is over 4 standard deviations below
    EXPECT_LT(flipped, 130);
}

TEST(RandomHorizontalFlip, DrawsOneNumberPerSampleEitherWay) {
    Generator used(5), reference(5);
    RandomHorizontalFlip(0.0f)(one_to_nine(), used);
    reference.next_u64();
    EXPECT_EQ(used.next_u64(), reference.next_u64());
}

TEST(RandomHorizontalFlip, ProbabilityOutsideZeroToOneThrows) {
    EXPECT_THROW_WITH(RandomHorizontalFlip(1.5f), ValueError, "1.5");
}

TEST(RandomCrop, FullSizeWithoutPaddingIsTheSample) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(RandomCrop(3)(one_to_nine(), gen), one_to_nine());
}

TEST(RandomCrop, PaddedFullSizeAddsAZeroBorder) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(RandomCrop(5, 1)(one_to_nine(), gen),
                     Tensor({{{0, 0, 0, 0, 0},
                              {0, 1, 2, 3, 0},
                              {0, 4, 5, 6, 0},
                              {0, 7, 8, 9, 0},
                              {0, 0, 0, 0, 0}}}));
}

TEST(RandomCrop, PositionComesFromTheGenerator) {
    // With the same generator state, the window is at (top, left) drawn as
    // the header says: top first, then left, each in [0, 3 + 2 - 2 + 1).
    Generator gen(21), draws(21);
    const int64_t top = draws.randint(0, 4), left = draws.randint(0, 4);
    const Tensor crop = RandomCrop(2, 1)(one_to_nine(), gen);
    // Padded image: value at padded (r, c) is 3 * (r - 1) + c for r, c in 1..3, else 0.
    auto padded = [](int64_t r, int64_t c) {
        return r >= 1 && r <= 3 && c >= 1 && c <= 3 ? static_cast<float>(3 * (r - 1) + c) : 0.0f;
    };
    EXPECT_TENSOR_EQ(crop, Tensor({{{padded(top, left), padded(top, left + 1)},
                                    {padded(top + 1, left), padded(top + 1, left + 1)}}}));
}

TEST(RandomCrop, VisitsEveryPosition) {
    Generator gen(1);
    RandomCrop crop(2);
    std::set<float> corners;  // the top-left value identifies the window
    for (int i = 0; i < 100; ++i) corners.insert(crop(one_to_nine(), gen).at({0, 0, 0}));
    EXPECT_EQ(corners, (std::set<float>{1, 2, 4, 5}));
}

TEST(RandomCrop, CropsEveryChannelAtTheSamePosition) {
    Generator gen(4);
    Tensor image = arange(0, 2 * 4 * 4).reshape({2, 4, 4});  // channel 1 = channel 0 + 16
    const Tensor crop = RandomCrop(3)(image, gen);
    EXPECT_TENSOR_EQ(crop[1] - crop[0], full({3, 3}, 16.0f));
}

TEST(RandomCrop, WindowLargerThanThePaddedSampleThrows) {
    Generator gen(0);
    EXPECT_THROW_WITH(RandomCrop(6, 1)(one_to_nine(), gen), ShapeError, "(1, 3, 3)");
}

TEST(RandomCrop, SampleWithoutThreeAxesThrows) {
    Generator gen(0);
    EXPECT_THROW_WITH(RandomCrop(2)(zeros({3, 3}), gen), ShapeError, "(C, H, W)");
}

TEST(RandomCrop, NonPositiveSizeThrows) {
    EXPECT_THROW_WITH(RandomCrop(0), ValueError, "size must be positive");
}

TEST(Compose, AppliesTheTransformsInOrder) {
    Generator gen(0);
    Compose both({RandomCrop(5, 1), Normalize({1}, {2})});  // pad with 0, then (x - 1) / 2
    const Tensor out = both(one_to_nine(), gen);
    EXPECT_EQ(out.at({0, 0, 0}), -0.5f);  // a padding zero, normalized
    EXPECT_EQ(out.at({0, 1, 1}), 0.0f);   // the pixel 1
    EXPECT_EQ(out.at({0, 3, 3}), 4.0f);   // the pixel 9
}

TEST(Compose, NoTransformsKeepTheSample) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(Compose({})(one_to_nine(), gen), one_to_nine());
}
