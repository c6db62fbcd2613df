// Generator::state() / set_state() (module 01) and DataLoader::state() /
// load_state() (module 05): provided so checkpoints resume a run exactly.
#include "dataloader.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(GeneratorState, AGeneratorGivenAnothersStateDrawsTheSameNumbers) {
    Generator original(123);
    for (int i = 0; i < 1000; ++i) original.next_u64();
    Generator copy(7);
    copy.set_state(original.state());
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(copy.next_u64(), original.next_u64());
        EXPECT_EQ(copy.uniform(), original.uniform());
        EXPECT_EQ(copy.randint(0, 1000), original.randint(0, 1000));
    }
}

TEST(GeneratorState, KeepsTheCachedSecondNormalDraw) {
    Generator original(5);
    original.normal();  // Box-Muller made two draws; the second waits
    Generator copy(0);
    copy.set_state(original.state());
    EXPECT_EQ(copy.normal(), original.normal());  // the cached one, bit for bit
    EXPECT_EQ(copy.normal(), original.normal());  // a fresh pair
}

TEST(GeneratorState, RefusesTextItDidNotWrite) {
    Generator gen(1);
    const std::string before = gen.state();
    EXPECT_THROW_WITH(gen.set_state("12 34"), ValueError, "is not a state written by Generator::state()");
    EXPECT_THROW_WITH(gen.set_state(before + " extra"), ValueError, "is not a state written by");
    EXPECT_EQ(gen.state(), before);
}

TEST(DataLoaderState, ALoaderGivenAnothersStateContinuesItsOrdersAndTransformDraws) {
    TensorDataset dataset(arange(0, 20).reshape({20, 1}), zeros({20}));
    // A transform that draws: adds a uniform number, so the draws show in the batch.
    const Transform noise = [](const Tensor& x, Generator& gen) { return x + gen.uniform(); };
    DataLoader original(dataset, 6, /*shuffle=*/true, false, /*seed=*/3, noise);
    for (const Batch& batch : original) (void)batch;  // one epoch
    DataLoader resumed(dataset, 6, true, false, /*seed=*/99, noise);
    resumed.load_state(original.state());
    auto a = original.begin(), b = resumed.begin();
    for (; a != original.end(); ++a, ++b) {
        EXPECT_TENSOR_EQ(b->inputs, a->inputs);
        EXPECT_TENSOR_EQ(b->targets, a->targets);
    }
}

TEST(DataLoaderState, ABadStateChangesNothing) {
    TensorDataset dataset(arange(0, 5).reshape({5, 1}), zeros({5}));
    DataLoader loader(dataset, 2, true, false, 4);
    DataLoader twin(dataset, 2, true, false, 4);
    const DataLoader::State good = loader.state();
    EXPECT_THROW(loader.load_state({good.order_generator, "not a state"}), ValueError);
    EXPECT_EQ(loader.next_epoch_order(), twin.next_epoch_order());
}
