// Module 05, hidden tests of the transforms: odd and non-square sizes,
// padding larger than 1, non-contiguous samples, each against a reference
// computed element by element here.
#include <set>

#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// The element-by-element reference of RandomCrop(size, padding), drawing the
// window position as the header specifies.
Tensor naive_crop(const Tensor& x, int64_t size, int64_t padding, Generator& gen) {
    const int64_t C = x.size(0), H = x.size(1), W = x.size(2);
    const int64_t top = gen.randint(0, H + 2 * padding - size + 1);
    const int64_t left = gen.randint(0, W + 2 * padding - size + 1);
    Tensor out = zeros({C, size, size});
    for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < size; ++y)
            for (int64_t v = 0; v < size; ++v) {
                const int64_t row = top + y - padding, col = left + v - padding;
                if (row >= 0 && row < H && col >= 0 && col < W)
                    out.at({c, y, v}) = x.at({c, row, col});
            }
    return out;
}

Tensor naive_flip(const Tensor& x) {  // (C, H, W)
    Tensor out = zeros(x.shape());
    const int64_t W = x.size(2);
    for (int64_t c = 0; c < x.size(0); ++c)
        for (int64_t y = 0; y < x.size(1); ++y)
            for (int64_t v = 0; v < W; ++v) out.at({c, y, v}) = x.at({c, y, W - 1 - v});
    return out;
}

}  // namespace

TEST(HiddenNormalize, FourChannelsOfOddSizeMatchTheFormula) {
    Generator gen(2);
    const Tensor x = randn({4, 3, 5}, gen);
    const std::vector<float> mean = {0.1f, -0.2f, 0.3f, 0.0f}, std = {0.5f, 2.0f, 1.0f, 0.25f};
    const Tensor out = Normalize(mean, std)(x, gen);
    Tensor expected = zeros({4, 3, 5});
    for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < 3; ++y)
            for (int64_t v = 0; v < 5; ++v)
                expected.at({c, y, v}) = (x.at({c, y, v}) - mean[size_t(c)]) / std[size_t(c)];
    EXPECT_TENSOR_NEAR(out, expected, 1e-6f);
}

TEST(HiddenNormalize, NonContiguousSample) {
    Generator gen(3);
    // Stored (H, W, C), seen as (C, H, W).
    const Tensor hwc = rand({3, 4, 2}, gen);
    const Tensor chw = hwc.permute({2, 0, 1});
    const Tensor out = Normalize({0.5f, 0.25f}, {0.5f, 0.5f})(chw, gen);
    EXPECT_TENSOR_NEAR(out, (chw.contiguous() - Tensor({0.5f, 0.25f}).reshape({2, 1, 1})) / 0.5f,
                       1e-6f);
}

TEST(HiddenNormalize, ChannelsOfAOneDimensionalSample) {
    Generator gen(0);
    EXPECT_TENSOR_NEAR(Normalize({1, 2, 3}, {1, 2, 4})(Tensor({2, 2, 2}), gen), Tensor({1, 0, -0.25f}),
                       1e-6f);
}

TEST(HiddenNormalize, NegativeStdThrows) {
    EXPECT_THROW_WITH(Normalize({0}, {-1}), ValueError, "std[0]");
}

TEST(HiddenNormalize, NoMeansThrows) {
    EXPECT_THROW_WITH(Normalize({}, {}), ValueError, "0 means");
}

TEST(HiddenNormalize, ScalarSampleThrows) {
    Generator gen(0);
    EXPECT_THROW_WITH(Normalize({0}, {1})(scalar_tensor(1), gen), ShapeError, "channel");
}

TEST(HiddenRandomHorizontalFlip, OddWidthMatchesTheReference) {
    Generator gen(5);
    const Tensor x = rand({2, 3, 5}, gen);
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(1.0f)(x, gen), naive_flip(x));
}

TEST(HiddenRandomHorizontalFlip, NonContiguousSample) {
    Generator gen(6);
    const Tensor x = rand({3, 7, 2}, gen).permute({2, 0, 1});  // (2, 3, 7), strided
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(1.0f)(x, gen), naive_flip(x));
}

TEST(HiddenRandomHorizontalFlip, WidthOneIsUnchanged) {
    Generator gen(0);
    const Tensor x = arange(0, 3).reshape({1, 3, 1});
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(1.0f)(x, gen), x);
}

TEST(HiddenRandomHorizontalFlip, OneDimensionalSampleIsReversed) {
    Generator gen(0);
    EXPECT_TENSOR_EQ(RandomHorizontalFlip(1.0f)(Tensor({1, 2, 3, 4, 5}), gen), Tensor({5, 4, 3, 2, 1}));
}

TEST(HiddenRandomHorizontalFlip, FlipsFollowTheGeneratorDraws) {
    Generator gen(12), draws(12);
    RandomHorizontalFlip flip(0.3f);
    const Tensor x = arange(1, 4).reshape({1, 1, 3});
    for (int i = 0; i < 50; ++i) {
        const bool expect_flip = draws.bernoulli(0.3f);
        EXPECT_EQ(flip(x, gen).at({0, 0, 0}), expect_flip ? 3.0f : 1.0f) << "call " << i;
    }
}

TEST(HiddenRandomHorizontalFlip, NegativeProbabilityThrows) {
    EXPECT_THROW_WITH(RandomHorizontalFlip(-0.1f), ValueError, "[0, 1]");
}

TEST(HiddenRandomCrop, OddSizesWithPaddingTwoMatchTheReference) {
    Generator data(1);
    const Tensor x = rand({2, 5, 7}, data);
    for (uint64_t seed = 0; seed < 40; ++seed) {
        Generator gen(seed), draws(seed);
        EXPECT_TENSOR_EQ(RandomCrop(3, 2)(x, gen), naive_crop(x, 3, 2, draws)) << "seed " << seed;
    }
}

TEST(HiddenRandomCrop, PaddingThreeAroundASmallImage) {
    Generator data(2);
    const Tensor x = rand({1, 3, 3}, data);
    for (uint64_t seed = 0; seed < 40; ++seed) {
        Generator gen(seed), draws(seed);
        EXPECT_TENSOR_EQ(RandomCrop(4, 3)(x, gen), naive_crop(x, 4, 3, draws)) << "seed " << seed;
    }
}

TEST(HiddenRandomCrop, PaddingThreeFullSizeIsTheWholePaddedImage) {
    Generator gen(0);
    const Tensor out = RandomCrop(7, 3)(full({1, 1, 1}, 5.0f), gen);
    Tensor expected = zeros({1, 7, 7});
    expected.at({0, 3, 3}) = 5.0f;
    EXPECT_TENSOR_EQ(out, expected);
}

TEST(HiddenRandomCrop, CropCanLieEntirelyInThePadding) {
    // 1 x 1 windows over a 2 x 2 image padded by 2 (a 6 x 6 grid): most are zeros.
    Generator gen(3);
    std::set<float> values;
    for (int i = 0; i < 300; ++i) values.insert(RandomCrop(1, 2)(full({1, 2, 2}, 1.0f), gen).item());
    EXPECT_EQ(values, (std::set<float>{0.0f, 1.0f}));
}

TEST(HiddenRandomCrop, NonSquareImageVisitsEveryColumn) {
    Generator gen(8);
    const Tensor x = arange(0, 15).reshape({1, 3, 5});  // value = 5 * row + column
    std::set<float> corners;
    for (int i = 0; i < 200; ++i) corners.insert(RandomCrop(3)(x, gen).at({0, 0, 0}));
    EXPECT_EQ(corners, (std::set<float>{0, 1, 2}));
}

TEST(HiddenRandomCrop, NonContiguousSampleMatchesTheReference) {
    Generator data(4);
    const Tensor x = rand({6, 5, 3}, data).permute({2, 0, 1});  // (3, 6, 5), strided
    for (uint64_t seed = 0; seed < 20; ++seed) {
        Generator gen(seed), draws(seed);
        EXPECT_TENSOR_EQ(RandomCrop(4, 1)(x, gen), naive_crop(x, 4, 1, draws)) << "seed " << seed;
    }
}

TEST(HiddenRandomCrop, NegativePaddingThrows) {
    EXPECT_THROW_WITH(RandomCrop(3, -1), ValueError, "padding");
}

TEST(HiddenRandomCrop, WindowTallerThanAPaddedNonSquareImageThrows) {
    Generator gen(0);
    EXPECT_THROW_WITH(RandomCrop(4)(zeros({1, 3, 8}), gen), ShapeError, "(1, 3, 8)");
}

TEST(HiddenCompose, NestedComposeAppliesInOrder) {
    Generator gen(0);
    Transform add_one = [](const Tensor& x, Generator&) { return x + 1.0f; };
    Transform double_it = [](const Tensor& x, Generator&) { return x * 2.0f; };
    Compose inner({add_one, double_it});
    Compose outer({inner, add_one});
    EXPECT_TENSOR_EQ(outer(Tensor({0, 1}), gen), Tensor({3, 5}));  // ((x + 1) * 2) + 1
}

TEST(HiddenCompose, RandomTransformsShareTheGeneratorInOrder) {
    Generator data(5);
    const Tensor x = rand({2, 6, 6}, data);
    Generator gen(99), draws(99);
    const Tensor out = Compose({RandomCrop(4, 1), RandomHorizontalFlip(0.5f)})(x, gen);
    Tensor expected = naive_crop(x, 4, 1, draws);
    if (draws.bernoulli(0.5f)) expected = naive_flip(expected);
    EXPECT_TENSOR_EQ(out, expected);
}
