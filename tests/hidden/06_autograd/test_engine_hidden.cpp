// Module 06, hidden — the engine on other graphs: wide and deep, shared
// nodes at every level, threads, exceptions, odd seeds and gradients, and a
// small model trained with it.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "autograd.hpp"
#include "gradcheck.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

Tensor leaf(Tensor t) { return t.requires_grad_(); }

}  // namespace

// ---------------------------------------------------------------------------
// Graph shapes
// ---------------------------------------------------------------------------

TEST(HiddenGraph, LadderOfSharedNodesIsVisitedOncePerNode) {
    // y_{k+1} = 0.5 y_k + 0.5 y_k: every node feeds two ops, so there are
    // 2^depth paths. A walk that revisits shared nodes never finishes; the
    // gradient is 1 whatever the depth.
    Tensor x = leaf(Tensor({2}));
    Tensor y = x;
    for (int i = 0; i < 20000; ++i) y = y * 0.5f + y * 0.5f;
    y.sum().backward();
    EXPECT_NEAR(x.grad().item(), 1.0f, 1e-4f);
}

TEST(HiddenGraph, OneLeafFeedingTenThousandOps) {
    Tensor x = leaf(Tensor({1, 2}));
    Tensor total = x * 0.0f;
    for (int i = 0; i < 10000; ++i) total = total + x;
    total.sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({10000, 10000}));
}

TEST(HiddenGraph, DeepChainOfViews) {
    Tensor x = leaf(arange(0, 6));
    Tensor y = x;
    for (int i = 0; i < 50000; ++i) y = (i % 2 == 0) ? y.reshape({2, 3}) : y.reshape({6});
    (y * arange(0, 6)).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), arange(0, 6));
}

TEST(HiddenGraph, DeepChainOfUnaryFunctions) {
    Tensor x = leaf(Tensor({0.5f}));
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = -y;  // an even number of negations
    y.backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({1}));
}

TEST(HiddenGraph, IndependentBranchesFromOneRoot) {
    Tensor a = leaf(Tensor({1, 2}));
    Tensor b = leaf(Tensor({3}));
    Tensor out = (a * 2.0f).sum() + (b * b).sum() + (a * b).sum();
    out.backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({5, 5}));   // 2 + b
    EXPECT_TENSOR_EQ(b.grad(), Tensor({9}));      // 2b + sum(a)
}

TEST(HiddenGraph, GradientReachesOnlyThroughTheRootsHistory) {
    Tensor a = leaf(Tensor({1}));
    Tensor b = leaf(Tensor({1}));
    Tensor unrelated = b * 5.0f;
    (a * 3.0f).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({3}));
    EXPECT_FALSE(b.grad().defined());
    EXPECT_FALSE(unrelated.grad_fn()->released());  // another graph: untouched
}

TEST(HiddenGraph, BackwardFromAnIntermediateResult) {
    Tensor x = leaf(Tensor({2}));
    Tensor y = x * x;
    Tensor z = y * 3.0f;
    y.backward(Tensor({1}));
    EXPECT_TENSOR_EQ(x.grad(), Tensor({4}));
    EXPECT_FALSE(z.grad_fn()->released());
}

// ---------------------------------------------------------------------------
// Seeds and accumulation
// ---------------------------------------------------------------------------

TEST(HiddenAccumulation, NonContiguousSeedGradient) {
    Tensor x = leaf(Tensor({{1, 2, 3}, {4, 5, 6}}));
    Tensor seed = Tensor({{1, 2}, {3, 4}, {5, 6}}).transpose(0, 1);
    (x * 2.0f).backward(seed);
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{2, 6, 10}, {4, 8, 12}}));
}

TEST(HiddenAccumulation, BroadcastSeedFromExpand) {
    Tensor x = leaf(zeros({2, 3}));
    (x + 1.0f).backward(Tensor({1, 2, 3}).expand({2, 3}));
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{1, 2, 3}, {1, 2, 3}}));
    x.grad().at({0, 0}) = 9;  // its own memory, not the expanded seed's
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{9, 2, 3}, {1, 2, 3}}));
}

TEST(HiddenAccumulation, OneElementTensorWithSeveralAxes) {
    Tensor x = leaf(Tensor({2}));
    (x * x).reshape({1, 1, 1}).backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({4}));
}

TEST(HiddenAccumulation, IntoAGradientTheUserSetNonContiguous) {
    Tensor x = leaf(zeros({2, 2}));
    x.set_grad(Tensor({{1, 2}, {3, 4}}).transpose(0, 1));
    (x * Tensor({{10, 20}, {30, 40}})).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{11, 23}, {32, 44}}));
}

TEST(HiddenAccumulation, GradHandleSeesTheInPlaceAccumulation) {
    Tensor x = leaf(Tensor({1}));
    (x * 2.0f).sum().backward();
    Tensor first = x.grad();
    (x * 3.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({5}));
    EXPECT_TENSOR_EQ(first, Tensor({5}));  // accumulated in place, as in PyTorch
}

TEST(HiddenAccumulation, RetainedGraphRunThreeTimes) {
    Tensor x = leaf(Tensor({1, -1}));
    Tensor loss = (x * x * x).sum();
    loss.backward(Tensor(), true);
    loss.backward(Tensor(), true);
    loss.backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({9, 9}));  // 3 * 3x^2
    EXPECT_THROW_WITH(loss.backward(), GraphError, "retain_graph");
}

TEST(HiddenAccumulation, ZeroGradOnATensorWithoutGradIsHarmless) {
    Tensor x = leaf(Tensor({1}));
    x.zero_grad();
    EXPECT_FALSE(x.grad().defined());
    (x * 2.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({2}));
}

TEST(HiddenAccumulation, RootThatIsALeafWithoutGradThrows) {
    Tensor x = Tensor({1});
    EXPECT_THROW_WITH(x.backward(), GraphError, "does not require grad");
}

TEST(HiddenAccumulation, LeafRootWithASeedOfTheWrongShape) {
    Tensor x = leaf(Tensor({1, 2}));
    EXPECT_THROW_WITH(x.backward(ones({2, 1})), ShapeError, "(2, 1)");
}

// ---------------------------------------------------------------------------
// Custom nodes (module 09's mechanism)
// ---------------------------------------------------------------------------

TEST(HiddenCustomNodes, UndefinedGradientForOneInputIsAllowed) {
    Tensor a = leaf(Tensor({1, 2}));
    Tensor b = leaf(Tensor({3, 4}));
    Tensor out = record_custom("FirstOnly", untracked(a) + untracked(b), {a, b},
                               [](const Tensor& g) { return std::vector<Tensor>{g * 2.0f, Tensor()}; });
    out.sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({2, 2}));
    EXPECT_FALSE(b.grad().defined());
}

TEST(HiddenCustomNodes, CapturesAreFreedAfterBackward) {
    auto saved = std::make_shared<int>(7);
    std::weak_ptr<int> watch = saved;
    Tensor x = leaf(Tensor({1}));
    Tensor out = record_custom("Capturing", untracked(x) * 1.0f, {x},
                               [saved](const Tensor& g) { return std::vector<Tensor>{g * static_cast<float>(*saved)}; });
    saved.reset();
    EXPECT_FALSE(watch.expired());
    out.sum().backward();
    EXPECT_TRUE(watch.expired());
    EXPECT_TENSOR_EQ(x.grad(), Tensor({7}));
}

TEST(HiddenCustomNodes, CustomRulesRunWithRecordingOff) {
    bool recording_seen = true;
    Tensor x = leaf(Tensor({1}));
    Tensor out = record_custom("Probe", untracked(x) * 1.0f, {x}, [&recording_seen](const Tensor& g) {
        recording_seen = grad_mode_enabled();
        return std::vector<Tensor>{g};
    });
    out.sum().backward();
    EXPECT_FALSE(recording_seen);
    EXPECT_TRUE(grad_mode_enabled());
}

TEST(HiddenCustomNodes, ShapeErrorNamesTheCustomNodeForTheSecondInput) {
    Tensor a = leaf(ones({2}));
    Tensor b = leaf(ones({4, 1}));
    Tensor out = record_custom("Sloppy", untracked(a) * untracked(b), {a, b}, [](const Tensor& g) {
        return std::vector<Tensor>{sum_to_shape(g, {2}), g};  // b's gradient left at (4, 2)
    });
    EXPECT_THROW_WITH(out.sum().backward(), ShapeError,
                      "SloppyBackward returned a gradient of shape (4, 2) for input 1 of shape (4, 1)");
}

// ---------------------------------------------------------------------------
// No-grad and detach
// ---------------------------------------------------------------------------

TEST(HiddenNoGrad, GuardRestoresTheModeWhenAnExceptionLeavesItsScope) {
    try {
        NoGradGuard no_grad;
        throw std::runtime_error("leaving early");
    } catch (const std::runtime_error&) {
    }
    EXPECT_TRUE(grad_mode_enabled());
}

TEST(HiddenNoGrad, GuardOnlyAffectsItsOwnThread) {
    NoGradGuard no_grad;
    bool other_thread_records = false;
    std::thread worker([&other_thread_records] {
        Tensor x = Tensor({1}).requires_grad_();
        other_thread_records = (x * 2.0f).grad_fn() != nullptr;
    });
    worker.join();
    EXPECT_TRUE(other_thread_records);
    EXPECT_FALSE(grad_mode_enabled());
}

TEST(HiddenNoGrad, ParameterUpdateUnderTheGuardStaysOutOfTheGraph) {
    Tensor w = leaf(Tensor({1, 2}));
    (w * w).sum().backward();
    {
        NoGradGuard no_grad;
        w.copy_(w - w.grad() * 0.5f);
    }
    EXPECT_TRUE(w.is_leaf());
    EXPECT_TENSOR_EQ(w, Tensor({0, 0}));
}

TEST(HiddenNoGrad, DetachOfAViewKeepsItsLayoutAndMemory) {
    Tensor x = leaf(Tensor({{1, 2}, {3, 4}}));
    Tensor t = x.transpose(0, 1);
    Tensor d = t.detach();
    EXPECT_EQ(d.strides(), t.strides());
    EXPECT_EQ(d.offset(), t.offset());
    d.at({0, 1}) = 30;  // writes through to x[1][0]
    EXPECT_EQ(x.at({1, 0}), 30.0f);
}

TEST(HiddenNoGrad, DetachedBranchContributesNothing) {
    Tensor x = leaf(Tensor({2}));
    Tensor y = x * x;
    (y.detach() * x + y).sum().backward();  // d/dx = y + 2x = 4 + 4
    EXPECT_TENSOR_EQ(x.grad(), Tensor({8}));
}

// ---------------------------------------------------------------------------
// A small model, trained with this engine
// ---------------------------------------------------------------------------

TEST(HiddenTraining, LogisticRegressionLearnsASeparableProblem) {
    // Points (x0, x1) labelled by x0 + x1 > 0; 200 steps of gradient descent
    // on binary cross-entropy must classify them all.
    Generator gen(7);
    Tensor x = randn({64, 2}, gen);
    Tensor labels = empty({64, 1});
    for (int64_t i = 0; i < 64; ++i) labels.at({i, 0}) = x.at({i, 0}) + x.at({i, 1}) > 0 ? 1.0f : 0.0f;
    Tensor w = leaf(zeros({2, 1}));
    Tensor b = leaf(zeros({1}));
    float first_loss = 0.0f, last_loss = 0.0f;
    for (int step = 0; step < 200; ++step) {
        w.zero_grad();
        b.zero_grad();
        Tensor loss = binary_cross_entropy(sigmoid(x.matmul(w) + b), labels);
        loss.backward();
        if (step == 0) first_loss = loss.item();
        last_loss = loss.item();
        NoGradGuard no_grad;
        w.copy_(w - w.grad() * 1.0f);
        b.copy_(b - b.grad() * 1.0f);
    }
    EXPECT_NEAR(first_loss, std::log(2.0f), 1e-5f);
    EXPECT_LT(last_loss, 0.1f);
    NoGradGuard no_grad;
    Tensor predicted = gt(sigmoid(x.matmul(w) + b), scalar_tensor(0.5f));
    EXPECT_TENSOR_EQ(predicted, labels);
}

TEST(HiddenTraining, TwoLayerNetworkGradientsMatchFiniteDifferences) {
    Generator gen(8);
    Tensor x = randn({5, 3}, gen);
    Tensor target = Tensor({0, 2, 1, 1, 0});
    auto f = [x, target](const std::vector<Tensor>& p) {
        Tensor hidden = tanh(x.matmul(p[0]) + p[1]);
        return cross_entropy(hidden.matmul(p[2]) + p[3], target);
    };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({3, 4}, gen)), leaf(randn({4}, gen) * 0.1f),
                               leaf(randn({4, 3}, gen)), leaf(randn({3}, gen) * 0.1f)});
}
