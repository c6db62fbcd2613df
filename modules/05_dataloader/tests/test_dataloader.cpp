// Module 05 — DataLoader: batches, epochs, shuffling, reproducibility.
#include <algorithm>
#include <numeric>
#include <set>

#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// n examples: input i is (i, 100 + i), target i is i. A batch's targets
// therefore list the indices of its examples.
struct Numbered {
    explicit Numbered(int64_t n) {
        std::vector<float> inputs, targets;
        for (int64_t i = 0; i < n; ++i) {
            inputs.push_back(static_cast<float>(i));
            inputs.push_back(static_cast<float>(100 + i));
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

// The example indices of one epoch, batch after batch.
std::vector<int64_t> one_epoch(DataLoader& loader) {
    std::vector<int64_t> seen;
    for (const Batch& batch : loader)
        for (int64_t index : indices_of(batch)) seen.push_back(index);
    return seen;
}

}  // namespace

TEST(DataLoader, YieldsBatchesInOrderWithoutShuffle) {
    Numbered data(4);
    DataLoader loader(*data.dataset, 2);
    std::vector<Batch> batches;
    for (const Batch& batch : loader) batches.push_back(batch);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_TENSOR_EQ(batches[0].inputs, Tensor({{0, 100}, {1, 101}}));
    EXPECT_TENSOR_EQ(batches[0].targets, Tensor({0, 1}));
    EXPECT_TENSOR_EQ(batches[1].inputs, Tensor({{2, 102}, {3, 103}}));
    EXPECT_TENSOR_EQ(batches[1].targets, Tensor({2, 3}));
}

TEST(DataLoader, NumBatchesRoundsUp) {
    Numbered data(10);
    EXPECT_EQ(DataLoader(*data.dataset, 3).num_batches(), 4);
    EXPECT_EQ(DataLoader(*data.dataset, 5).num_batches(), 2);
}

TEST(DataLoader, NumBatchesWithDropLastRoundsDown) {
    Numbered data(10);
    EXPECT_EQ(DataLoader(*data.dataset, 3, false, /*drop_last=*/true).num_batches(), 3);
}

TEST(DataLoader, LastBatchHoldsTheRemainder) {
    Numbered data(5);
    DataLoader loader(*data.dataset, 2);
    std::vector<std::vector<int64_t>> batches;
    for (const Batch& batch : loader) batches.push_back(indices_of(batch));
    EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}}));
}

TEST(DataLoader, DropLastDropsTheIncompleteBatch) {
    Numbered data(5);
    DataLoader loader(*data.dataset, 2, false, /*drop_last=*/true);
    EXPECT_EQ(one_epoch(loader), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(DataLoader, BatchShapesStackTheExampleShapes) {
    TensorDataset images(zeros({6, 3, 4, 4}), zeros({6}));
    DataLoader loader(images, 4);
    auto batch = loader.begin();
    EXPECT_SHAPE(batch->inputs, 4, 3, 4, 4);
    EXPECT_SHAPE(batch->targets, 4);
}

TEST(DataLoader, TargetsKeepTheirTrailingShape) {
    TensorDataset pairs(zeros({3, 2}), Tensor({{1, 2}, {3, 4}, {5, 6}}));
    DataLoader loader(pairs, 3);
    EXPECT_TENSOR_EQ(loader.begin()->targets, Tensor({{1, 2}, {3, 4}, {5, 6}}));
}

TEST(DataLoader, BatchSizeMustBePositive) {
    Numbered data(3);
    EXPECT_THROW_WITH(DataLoader(*data.dataset, 0), ValueError, "batch_size must be positive");
}

TEST(DataLoader, LoadBatchOutOfRangeThrowsIndexError) {
    Numbered data(4);
    DataLoader loader(*data.dataset, 2);
    EXPECT_THROW_WITH(loader.load_batch(loader.next_epoch_order(), 2), IndexError, "batch 2");
}

TEST(DataLoader, OrderWithoutShuffleCountsUp) {
    Numbered data(5);
    DataLoader loader(*data.dataset, 2);
    EXPECT_EQ(loader.next_epoch_order(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(DataLoader, ShuffleVisitsEveryExampleOncePerEpoch) {
    Numbered data(50);
    DataLoader loader(*data.dataset, 8, /*shuffle=*/true, false, /*seed=*/3);
    for (int epoch = 0; epoch < 3; ++epoch) {
        std::vector<int64_t> seen = one_epoch(loader);
        std::sort(seen.begin(), seen.end());
        std::vector<int64_t> all(50);
        std::iota(all.begin(), all.end(), 0);
        EXPECT_EQ(seen, all) << "epoch " << epoch;
    }
}

TEST(DataLoader, ShuffleChangesTheOrder) {
    Numbered data(50);
    DataLoader loader(*data.dataset, 8, /*shuffle=*/true, false, /*seed=*/3);
    std::vector<int64_t> in_order(50);
    std::iota(in_order.begin(), in_order.end(), 0);
    EXPECT_NE(one_epoch(loader), in_order);
}

TEST(DataLoader, ShuffleGivesANewOrderEachEpoch) {
    Numbered data(50);
    DataLoader loader(*data.dataset, 8, /*shuffle=*/true, false, /*seed=*/3);
    const std::vector<int64_t> first = one_epoch(loader);
    EXPECT_NE(one_epoch(loader), first);
}

TEST(DataLoader, SameSeedGivesTheSameSequenceOfOrders) {
    Numbered data(30);
    DataLoader a(*data.dataset, 4, true, false, /*seed=*/11);
    DataLoader b(*data.dataset, 4, true, false, /*seed=*/11);
    for (int epoch = 0; epoch < 3; ++epoch) EXPECT_EQ(one_epoch(a), one_epoch(b)) << "epoch " << epoch;
}

TEST(DataLoader, DifferentSeedsGiveDifferentOrders) {
    Numbered data(30);
    DataLoader a(*data.dataset, 4, true, false, /*seed=*/11);
    DataLoader b(*data.dataset, 4, true, false, /*seed=*/12);
    EXPECT_NE(one_epoch(a), one_epoch(b));
}

TEST(DataLoader, BatchesFollowTheEpochOrder) {
    Numbered data(10);
    DataLoader loader(*data.dataset, 4, true, false, /*seed=*/5);
    const std::vector<int64_t> order = loader.next_epoch_order();
    const Batch batch = loader.load_batch(order, 1);
    EXPECT_EQ(indices_of(batch), (std::vector<int64_t>(order.begin() + 4, order.begin() + 8)));
    // Inputs travel with their targets: input row j is (k, 100 + k) for target k.
    for (int64_t j = 0; j < 4; ++j) {
        EXPECT_EQ(batch.inputs.at({j, 0}), batch.targets.at({j}));
        EXPECT_EQ(batch.inputs.at({j, 1}), 100.0f + batch.targets.at({j}));
    }
}

TEST(DataLoader, BatchesDoNotRecordForAutograd) {
    Tensor inputs = ones({4, 2});
    inputs.requires_grad_(true);
    TensorDataset dataset(inputs, zeros({4}));
    DataLoader loader(dataset, 2);
    for (const Batch& batch : loader) {
        EXPECT_FALSE(batch.inputs.requires_grad());
        EXPECT_EQ(batch.inputs.grad_fn(), nullptr);
    }
}

TEST(DataLoader, TransformAppliesToEachInputButNotTheTarget) {
    Numbered data(3);
    Transform times_ten = [](const Tensor& x, Generator&) { return x * 10.0f; };
    DataLoader loader(*data.dataset, 3, false, false, 0, times_ten);
    const Batch batch = *loader.begin();
    EXPECT_TENSOR_EQ(batch.inputs, Tensor({{0, 1000}, {10, 1010}, {20, 1020}}));
    EXPECT_TENSOR_EQ(batch.targets, Tensor({0, 1, 2}));
}

TEST(DataLoader, RandomTransformsRepeatWithTheSameSeed) {
    Numbered data(20);
    Transform add_noise = [](const Tensor& x, Generator& gen) { return x + gen.uniform(); };
    DataLoader a(*data.dataset, 5, true, false, /*seed=*/9, add_noise);
    DataLoader b(*data.dataset, 5, true, false, /*seed=*/9, add_noise);
    for (int epoch = 0; epoch < 2; ++epoch) {
        auto batch_b = b.begin();
        for (const Batch& batch_a : a) {
            EXPECT_TENSOR_EQ(batch_a.inputs, batch_b->inputs);
            ++batch_b;
        }
    }
}

TEST(DataLoader, TransformsDoNotChangeTheShuffling) {
    Numbered data(20);
    Transform add_noise = [](const Tensor& x, Generator& gen) { return x + gen.uniform(); };
    DataLoader plain(*data.dataset, 5, true, false, /*seed=*/9);
    DataLoader noisy(*data.dataset, 5, true, false, /*seed=*/9, add_noise);
    for (int epoch = 0; epoch < 2; ++epoch) EXPECT_EQ(one_epoch(plain), one_epoch(noisy));
}
