// A training run learns: an MLP on TinyDigits, built only from the
// student-facing API (Sequential, Linear, ReLU, CrossEntropyLoss, DataLoader,
// SGD, CosineSchedule, Trainer), reaches the 80% test accuracy of the
// original course's MLP baseline. Seeded, so the result is the same on every
// run; a couple of seconds.
#include "datasets.hpp"
#include "testing.hpp"
#include "training.hpp"

using namespace tinytorch;

TEST(TinyDigitsMLP, ReachesEightyPercentTestAccuracy) {
    const ImageSet train_set = load_tinydigits(find_tinydigits_dir(TINYTORCH_SOURCE_DIR), Split::Train);
    const ImageSet test_set = load_tinydigits(find_tinydigits_dir(TINYTORCH_SOURCE_DIR), Split::Test);
    TensorDataset train(train_set.images, train_set.labels);  // (1000, 1, 8, 8), (1000)
    TensorDataset test(test_set.images, test_set.labels);     // (200, 1, 8, 8), (200)
    DataLoader train_loader(train, 32, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/1);
    DataLoader test_loader(test, 100);

    Generator gen(42);
    Sequential model{Flatten(), Linear(64, 32, true, gen), ReLU{}, Linear(32, 10, true, gen)};
    SGD sgd(model.parameters(), {.lr = 0.05f, .momentum = 0.9f});
    const int epochs = 15;
    CosineSchedule schedule(0.05f, epochs);
    Trainer trainer(model, sgd, CrossEntropyLoss{}, {.schedule = &schedule});

    for (int epoch = 0; epoch < epochs; ++epoch) trainer.train_epoch(train_loader);
    const EpochResult result = trainer.evaluate(test_loader);

    EXPECT_GE(result.accuracy, 0.80) << "test loss " << result.loss;
    EXPECT_LT(trainer.history().back().train.loss, trainer.history().front().train.loss);
    std::printf("TinyDigits MLP: test accuracy %.1f%%, loss %.4f, train accuracy %.1f%%\n",
                100.0 * result.accuracy, result.loss, 100.0 * trainer.history().back().train.accuracy);
}
