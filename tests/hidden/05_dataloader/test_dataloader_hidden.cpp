// Module 05, hidden tests: the contract of the visible tests checked with
// other sizes — every batch size against every dataset size, batches larger
// than the set, empty sets, shuffles that must be permutations (and fair
// ones), non-contiguous and broadcast inputs, and bigger image batches
// against a reference gathered element by element.
#include <algorithm>
#include <map>
#include <numeric>

#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// n examples: input i is (i, -i), target i is i.
struct Numbered {
    explicit Numbered(int64_t n) {
        std::vector<float> inputs, targets;
        for (int64_t i = 0; i < n; ++i) {
            inputs.push_back(static_cast<float>(i));
            inputs.push_back(static_cast<float>(-i));
            targets.push_back(static_cast<float>(i));
        }
        dataset = std::make_unique<TensorDataset>(Tensor(inputs, {n, 2}), Tensor(targets, {n}));
    }
    std::unique_ptr<TensorDataset> dataset;
};

std::vector<int64_t> indices_of(const Batch& batch) {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < batch.targets.size(0); ++i)
        out.push_back(static_cast<int64_t>(batch.targets.at({i})));
    return out;
}

// The batches of one epoch, as lists of example indices.
std::vector<std::vector<int64_t>> epoch_batches(DataLoader& loader) {
    std::vector<std::vector<int64_t>> batches;
    for (const Batch& batch : loader) batches.push_back(indices_of(batch));
    return batches;
}

std::vector<int64_t> flattened(const std::vector<std::vector<int64_t>>& batches) {
    std::vector<int64_t> out;
    for (const auto& batch : batches) out.insert(out.end(), batch.begin(), batch.end());
    return out;
}

std::vector<int64_t> count_up(int64_t n) {
    std::vector<int64_t> out(static_cast<size_t>(n));
    std::iota(out.begin(), out.end(), 0);
    return out;
}

}  // namespace

TEST(HiddenDataLoader, EveryBatchSizeAgainstEveryDatasetSizeKeepsTheRemainder) {
    for (int64_t n = 1; n <= 13; ++n) {
        Numbered data(n);
        for (int64_t b = 1; b <= 6; ++b) {
            DataLoader loader(*data.dataset, b);
            const auto batches = epoch_batches(loader);
            ASSERT_EQ(static_cast<int64_t>(batches.size()), (n + b - 1) / b) << n << " / " << b;
            EXPECT_EQ(loader.num_batches(), (n + b - 1) / b);
            for (size_t k = 0; k + 1 < batches.size(); ++k) EXPECT_EQ(batches[k].size(), size_t(b));
            const int64_t last = n % b == 0 ? b : n % b;
            EXPECT_EQ(static_cast<int64_t>(batches.back().size()), last) << n << " / " << b;
            EXPECT_EQ(flattened(batches), count_up(n));
        }
    }
}

TEST(HiddenDataLoader, EveryBatchSizeAgainstEveryDatasetSizeWithDropLast) {
    for (int64_t n = 1; n <= 13; ++n) {
        Numbered data(n);
        for (int64_t b = 1; b <= 6; ++b) {
            DataLoader loader(*data.dataset, b, false, /*drop_last=*/true);
            const auto batches = epoch_batches(loader);
            ASSERT_EQ(static_cast<int64_t>(batches.size()), n / b) << n << " / " << b;
            EXPECT_EQ(loader.num_batches(), n / b);
            for (const auto& batch : batches) EXPECT_EQ(batch.size(), size_t(b));
            EXPECT_EQ(flattened(batches), count_up(n / b * b));
        }
    }
}

TEST(HiddenDataLoader, BatchLargerThanTheSetGivesOneShortBatch) {
    Numbered data(3);
    DataLoader loader(*data.dataset, 10);
    EXPECT_EQ(epoch_batches(loader), (std::vector<std::vector<int64_t>>{{0, 1, 2}}));
    EXPECT_SHAPE(loader.begin()->inputs, 3, 2);
}

TEST(HiddenDataLoader, BatchLargerThanTheSetWithDropLastGivesNoBatch) {
    Numbered data(3);
    DataLoader loader(*data.dataset, 10, true, /*drop_last=*/true, 1);
    EXPECT_EQ(loader.num_batches(), 0);
    EXPECT_TRUE(epoch_batches(loader).empty());
}

TEST(HiddenDataLoader, EmptyDatasetGivesNoBatches) {
    TensorDataset empty_set(zeros({0, 2}), zeros({0}));
    DataLoader loader(empty_set, 4, /*shuffle=*/true);
    EXPECT_EQ(loader.num_batches(), 0);
    EXPECT_TRUE(epoch_batches(loader).empty());
}

TEST(HiddenDataLoader, NegativeBatchSizeThrows) {
    Numbered data(3);
    EXPECT_THROW_WITH(DataLoader(*data.dataset, -2), ValueError, "-2");
}

TEST(HiddenDataLoader, ShuffleVisitsEveryIndexExactlyOncePerEpoch) {
    Numbered data(97);
    DataLoader loader(*data.dataset, 10, true, false, /*seed=*/123);
    for (int epoch = 0; epoch < 5; ++epoch) {
        const auto batches = epoch_batches(loader);
        EXPECT_EQ(batches.size(), 10u);
        EXPECT_EQ(batches.back().size(), 7u);
        std::vector<int64_t> seen = flattened(batches);
        std::sort(seen.begin(), seen.end());
        EXPECT_EQ(seen, count_up(97)) << "epoch " << epoch;
    }
}

TEST(HiddenDataLoader, ShuffleWithDropLastVisitsDistinctIndices) {
    Numbered data(23);
    DataLoader loader(*data.dataset, 5, true, /*drop_last=*/true, /*seed=*/8);
    for (int epoch = 0; epoch < 4; ++epoch) {
        std::vector<int64_t> seen = flattened(epoch_batches(loader));
        ASSERT_EQ(seen.size(), 20u);
        std::sort(seen.begin(), seen.end());
        EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "epoch " << epoch;
        EXPECT_GE(seen.front(), 0);
        EXPECT_LT(seen.back(), 23);
    }
}

TEST(HiddenDataLoader, NextEpochOrderIsAPermutationForLargeSets) {
    Numbered data(1000);
    DataLoader loader(*data.dataset, 64, true, false, /*seed=*/2);
    std::vector<int64_t> order = loader.next_epoch_order();
    EXPECT_NE(order, count_up(1000));
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, count_up(1000));
}

TEST(HiddenDataLoader, FiveEpochsGiveFiveDifferentOrders) {
    Numbered data(40);
    DataLoader loader(*data.dataset, 40, true, false, /*seed=*/77);
    std::vector<std::vector<int64_t>> orders;
    for (int epoch = 0; epoch < 5; ++epoch) orders.push_back(loader.next_epoch_order());
    std::sort(orders.begin(), orders.end());
    EXPECT_EQ(std::unique(orders.begin(), orders.end()), orders.end());
}

TEST(HiddenDataLoader, SameSeedRepeatsOverManyEpochsAndBatchSizes) {
    Numbered data(37);
    for (int64_t b : {1, 4, 37, 50}) {
        DataLoader a(*data.dataset, b, true, false, /*seed=*/1000 + b);
        DataLoader c(*data.dataset, b, true, false, /*seed=*/1000 + b);
        for (int epoch = 0; epoch < 4; ++epoch) EXPECT_EQ(epoch_batches(a), epoch_batches(c));
    }
}

TEST(HiddenDataLoader, EveryPermutationOfThreeIsEquallyLikely) {
    // 60,000 shuffles of 3 examples: each of the 6 orders about 10,000 times
    // (standard deviation 91, so the bounds are 5.5 of them away). A biased
    // shuffle that swaps each element with any position, not only earlier
    // ones, gives three orders 8,889 times and three 11,111 times.
    Numbered data(3);
    DataLoader loader(*data.dataset, 3, true, false, /*seed=*/31);
    std::map<std::vector<int64_t>, int> counts;
    for (int epoch = 0; epoch < 60000; ++epoch) ++counts[loader.next_epoch_order()];
    ASSERT_EQ(counts.size(), 6u);
    for (const auto& [order, count] : counts) {
        EXPECT_GT(count, 9500) << order[0] << order[1] << order[2];
        EXPECT_LT(count, 10500) << order[0] << order[1] << order[2];
    }
}

TEST(HiddenDataLoader, LoadBatchWithAWrongSizedOrderThrows) {
    Numbered data(4);
    DataLoader loader(*data.dataset, 2);
    EXPECT_THROW_WITH(loader.load_batch({0, 1, 2}, 0), ValueError, "3 indices");
}

TEST(HiddenDataLoader, NegativeBatchIndexThrows) {
    Numbered data(4);
    DataLoader loader(*data.dataset, 2);
    EXPECT_THROW_WITH(loader.load_batch(loader.next_epoch_order(), -1), IndexError, "-1");
}

TEST(HiddenDataLoader, TransformThatChangesTheShapeShapesTheBatch) {
    TensorDataset images(rand({6, 3, 8, 8}), zeros({6}));
    DataLoader loader(images, 4, true, false, 5, RandomCrop(6));
    for (const Batch& batch : loader) EXPECT_EQ(batch.inputs.shape()[1], 3);
    EXPECT_SHAPE(loader.begin()->inputs, 4, 3, 6, 6);
}

TEST(HiddenDataLoader, AugmentedEpochsRepeatWithTheSameSeedAndDifferWithAnother) {
    Generator gen(3);
    TensorDataset images(rand({10, 2, 5, 5}, gen), zeros({10}));
    auto augment = [] { return Transform(Compose({RandomCrop(5, 2), RandomHorizontalFlip()})); };
    DataLoader a(images, 3, true, false, 42, augment());
    DataLoader b(images, 3, true, false, 42, augment());
    DataLoader c(images, 3, true, false, 43, augment());
    for (int epoch = 0; epoch < 2; ++epoch) {
        auto it_b = b.begin();
        auto it_c = c.begin();
        bool differs = false;
        for (const Batch& batch : a) {
            EXPECT_TENSOR_EQ(batch.inputs, it_b->inputs);
            differs = differs || !allclose(batch.inputs, it_c->inputs, 0.0f, 0.0f);
            ++it_b;
            ++it_c;
        }
        EXPECT_TRUE(differs) << "epoch " << epoch;
    }
}

// ---------------------------------------------------------------------------
// TensorDataset with other layouts
// ---------------------------------------------------------------------------

TEST(HiddenTensorDataset, TransposedInputsGiveTheirRows) {
    // (3, 4) transposed: 4 examples, example i is (i, 4 + i, 8 + i).
    TensorDataset dataset(arange(0, 12).reshape({3, 4}).transpose(0, 1), arange(0, 4));
    EXPECT_EQ(dataset.size(), 4);
    EXPECT_TENSOR_EQ(dataset.get(1).input, Tensor({1, 5, 9}));
    DataLoader loader(dataset, 3);
    const auto batches = std::vector<Batch>(loader.begin(), loader.end());
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_TENSOR_EQ(batches[0].inputs, Tensor({{0, 4, 8}, {1, 5, 9}, {2, 6, 10}}));
    EXPECT_TENSOR_EQ(batches[1].inputs, Tensor({{3, 7, 11}}));
}

TEST(HiddenTensorDataset, SlicedWithAStepTargets) {
    TensorDataset dataset(zeros({4, 1}), arange(0, 8).slice(0, 8, 2));  // targets 0, 2, 4, 6
    DataLoader loader(dataset, 4);
    EXPECT_TENSOR_EQ(loader.begin()->targets, Tensor({0, 2, 4, 6}));
}

TEST(HiddenTensorDataset, BroadcastInputsWithZeroStride) {
    TensorDataset dataset(Tensor({1, 2, 3}).expand({5, 3}), arange(0, 5));
    DataLoader loader(dataset, 5);
    EXPECT_TENSOR_EQ(loader.begin()->inputs, Tensor({1, 2, 3}).expand({5, 3}).contiguous());
}

TEST(HiddenTensorDataset, PermutedImagesBatchLikeTheirContiguousCopy) {
    Generator gen(9);
    // Images stored (N, H, W, C), seen as (N, C, H, W) through permute.
    const Tensor nhwc = rand({7, 4, 5, 3}, gen);
    const Tensor nchw = nhwc.permute({0, 3, 1, 2});
    TensorDataset strided(nchw, arange(0, 7));
    TensorDataset copied(nchw.contiguous(), arange(0, 7));
    DataLoader a(strided, 3, true, false, 1), b(copied, 3, true, false, 1);
    auto it = b.begin();
    for (const Batch& batch : a) {
        EXPECT_TENSOR_EQ(batch.inputs, it->inputs);
        EXPECT_TENSOR_EQ(batch.targets, it->targets);
        ++it;
    }
}

TEST(HiddenTensorDataset, GetSharesTheDatasetStorage) {
    const Tensor inputs = arange(0, 6).reshape({3, 2});
    TensorDataset dataset(inputs, arange(0, 3));
    EXPECT_EQ(dataset.get(2).input.storage(), inputs.storage());
}

TEST(HiddenTensorDataset, GetOfATensorThatRequiresGradRecordsNothing) {
    Tensor inputs = ones({3, 2});
    inputs.requires_grad_(true);
    TensorDataset dataset(inputs, zeros({3}));
    EXPECT_EQ(dataset.get(1).input.grad_fn(), nullptr);
    EXPECT_FALSE(dataset.get(1).input.requires_grad());
}

TEST(HiddenTensorDataset, OffsetViewOfALargerTensor) {
    // The last 3 rows of a (5, 2) tensor: storage offset 4.
    TensorDataset dataset(arange(0, 10).reshape({5, 2}).slice(2, 5), arange(0, 3));
    EXPECT_TENSOR_EQ(dataset.get(0).input, Tensor({4, 5}));
    EXPECT_TENSOR_EQ(dataset.get(2).input, Tensor({8, 9}));
}

TEST(HiddenCollate, NonContiguousExamplesAreCopiedInRowMajorOrder) {
    const Tensor m = arange(0, 6).reshape({2, 3});
    const Batch batch = collate({{m.transpose(0, 1), scalar_tensor(1)}, {m.transpose(0, 1) * 2.0f, scalar_tensor(2)}});
    EXPECT_TENSOR_EQ(batch.inputs, Tensor({{{0, 3}, {1, 4}, {2, 5}}, {{0, 6}, {2, 8}, {4, 10}}}));
}

TEST(HiddenCollate, ScalarInputsStackToAVector) {
    const Batch batch = collate({{scalar_tensor(4), scalar_tensor(0)}, {scalar_tensor(5), scalar_tensor(1)}});
    EXPECT_TENSOR_EQ(batch.inputs, Tensor({4, 5}));
}

TEST(HiddenCollate, ImageBatchMatchesAnElementByElementGather) {
    Generator gen(17);
    const Tensor images = rand({200, 3, 32, 32}, gen);
    TensorDataset dataset(images, arange(0, 200));
    DataLoader loader(dataset, 64, true, false, 4);
    int64_t batches = 0;
    for (const Batch& batch : loader) {
        ++batches;
        for (int64_t j = 0; j < batch.inputs.size(0); ++j) {
            const auto i = static_cast<int64_t>(batch.targets.at({j}));
            for (int64_t c = 0; c < 3; ++c)
                for (int64_t y = 0; y < 32; y += 7)
                    for (int64_t x = 0; x < 32; x += 5)
                        ASSERT_EQ(batch.inputs.at({j, c, y, x}), images.at({i, c, y, x}));
        }
    }
    EXPECT_EQ(batches, 4);
}
