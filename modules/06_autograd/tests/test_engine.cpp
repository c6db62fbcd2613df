// Module 06 — the backward engine: seeding, the graph's shapes (several
// parents, shared nodes, one leaf used twice), accumulation, broadcasting,
// no-grad, detach, retain_graph, freeing, deep graphs, and its checks.
#include <pthread.h>

#include <cmath>
#include <exception>
#include <functional>
#include <vector>

#include "autograd.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

Tensor leaf(Tensor t) { return t.requires_grad_(); }

// Runs `work` on a thread with a 1 MiB stack and rethrows what it throws. A
// backward pass that recursed once per node of a 100,000-node chain would
// need several MiB (even 16 bytes a call is 1.6 MiB) and crash here, instead
// of passing by luck on a large main-thread stack.
void on_small_stack(const std::function<void()>& work) {
    struct Job {
        const std::function<void()>* work;
        std::exception_ptr error;
    } job{&work, nullptr};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 1 << 20);
    pthread_t thread;
    const int created = pthread_create(
        &thread, &attributes,
        [](void* argument) -> void* {
            auto* j = static_cast<Job*>(argument);
            try {
                (*j->work)();
            } catch (...) {
                j->error = std::current_exception();
            }
            return nullptr;
        },
        &job);
    pthread_attr_destroy(&attributes);
    ASSERT_EQ(created, 0) << "could not start a thread";
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

// A custom node (as module 09 makes them) that multiplies by 2 and counts
// how often its backward function runs.
Tensor doubled_and_counted(const Tensor& x, int& calls) {
    Tensor out = untracked(x) * 2.0f;
    return record_custom("Doubled", out, {x}, [&calls](const Tensor& grad) {
        ++calls;
        return std::vector<Tensor>{grad * 2.0f};
    });
}

}  // namespace

// ---------------------------------------------------------------------------
// Starting a backward pass
// ---------------------------------------------------------------------------

TEST(Backward, ScalarNeedsNoSeedGradient) {
    Tensor x = leaf(Tensor({1, 2, 3}));
    (x * x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({2, 4, 6}));
}

TEST(Backward, OneElementTensorOfAnyShapeNeedsNoSeed) {
    Tensor x = leaf(Tensor({{3}}));
    (x * x).backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{6}}));
}

TEST(Backward, NonScalarWithoutGradientThrows) {
    Tensor x = leaf(Tensor({1, 2}));
    EXPECT_THROW_WITH((x * 2.0f).backward(), GraphError,
                      "a tensor of shape (2) needs a gradient of its shape");
}

TEST(Backward, GivenGradientSeedsThePass) {
    Tensor x = leaf(Tensor({1, 2}));
    (x * 3.0f).backward(Tensor({10, 100}));
    EXPECT_TENSOR_EQ(x.grad(), Tensor({30, 300}));
}

TEST(Backward, GradientOfTheWrongShapeThrows) {
    Tensor x = leaf(Tensor({1, 2}));
    EXPECT_THROW_WITH((x * 3.0f).backward(ones({3})), ShapeError,
                      "the gradient has shape (3) but the tensor has shape (2)");
}

TEST(Backward, TensorThatDoesNotRequireGradThrows) {
    Tensor x = Tensor({1, 2});
    EXPECT_THROW_WITH(x.sum().backward(), GraphError, "does not require grad");
}

TEST(Backward, OnALeafAccumulatesTheSeed) {
    Tensor x = leaf(Tensor({1, 2}));
    x.backward(Tensor({5, 6}));
    EXPECT_TENSOR_EQ(x.grad(), Tensor({5, 6}));
}

// ---------------------------------------------------------------------------
// The shape of the graph
// ---------------------------------------------------------------------------

TEST(Graph, NodeWithSeveralParentsGetsEachGradient) {
    // out = a * b + c: the Add node has two parents, the Mul node two.
    Tensor a = leaf(Tensor({2}));
    Tensor b = leaf(Tensor({3}));
    Tensor c = leaf(Tensor({4}));
    (a * b + c).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({3}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({2}));
    EXPECT_TENSOR_EQ(c.grad(), Tensor({1}));
}

TEST(Graph, ResultUsedByTwoOpsSumsBothGradients) {
    // y = 2x is used twice: z = y^2 + 3y, dz/dx = (2y + 3) * 2 = 8x + 6.
    Tensor x = leaf(Tensor({1, -2}));
    Tensor y = x * 2.0f;
    (y * y + y * 3.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({14, -10}));
}

TEST(Graph, ResultUsedAtDifferentDepthsWaitsForAllItsGradients) {
    // y reaches the Add directly and through two Muls: its rule may run only
    // after both paths have delivered (1 + 3 * 4 = 13), so dx = 2 * 13.
    Tensor x = leaf(Tensor({1}));
    Tensor y = x * 2.0f;
    (y + (y * 3.0f) * 4.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({26}));
}

TEST(Graph, SameLeafUsedTwiceInOneOp) {
    Tensor x = leaf(Tensor({3, -1}));
    (x * x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({6, -2}));
}

TEST(Graph, SameLeafAddedToItself) {
    Tensor x = leaf(Tensor({3}));
    (x + x + x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({3}));
}

TEST(Graph, SharedSubgraphIsRunOnce) {
    // The custom node's output feeds two ops; its rule must run once, with
    // the sum of both gradients (1 + 1), giving dx = 2 * 2.
    int calls = 0;
    Tensor x = leaf(Tensor({1, 2}));
    Tensor shared = doubled_and_counted(x, calls);
    (shared + shared * 1.0f).sum().backward();
    EXPECT_EQ(calls, 1);
    EXPECT_TENSOR_EQ(x.grad(), Tensor({4, 4}));
}

TEST(Graph, DiamondGivesTheSumOfBothPaths) {
    // x -> a = 3x, b = x^2 -> a * b = 3x^3; d/dx = 9x^2.
    Tensor x = leaf(Tensor({2}));
    Tensor a = x * 3.0f;
    Tensor b = x * x;
    (a * b).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({36}));
}

TEST(Graph, CustomNodeReceivesTheOutputGradient) {
    int calls = 0;
    Tensor x = leaf(Tensor({1, 2}));
    doubled_and_counted(x, calls).backward(Tensor({10, 20}));
    EXPECT_EQ(calls, 1);
    EXPECT_TENSOR_EQ(x.grad(), Tensor({20, 40}));
}

TEST(Graph, OnlyLeavesKeepAGradient) {
    Tensor x = leaf(Tensor({1}));
    Tensor y = x * 2.0f;
    (y * 3.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({6}));
    EXPECT_FALSE(y.grad().defined());
}

TEST(Graph, ConstantsGetNoGradient) {
    Tensor x = leaf(Tensor({1}));
    Tensor c = Tensor({5});
    (x * c).sum().backward();
    EXPECT_FALSE(c.grad().defined());
}

TEST(Graph, InputARuleGivesNoGradientPassesNothingOn) {
    // The target of a loss gets no gradient, even when an op computed it
    // from a leaf that requires grad: that leaf gets none either.
    Tensor p = leaf(Tensor({0.5f}));
    Tensor z = leaf(Tensor({0.0f}));
    Tensor target = z * 1.0f;
    mse_loss(p, target).backward();
    EXPECT_TENSOR_EQ(p.grad(), Tensor({1.0f}));  // 2 (0.5 - 0)
    EXPECT_FALSE(z.grad().defined());
}

// ---------------------------------------------------------------------------
// Accumulation
// ---------------------------------------------------------------------------

TEST(Accumulation, RepeatedBackwardAddsToGrad) {
    Tensor x = leaf(Tensor({1, 2}));
    (x * 3.0f).sum().backward();
    (x * x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({5, 7}));  // 3 + 2x
}

TEST(Accumulation, ZeroGradStartsAfresh) {
    Tensor x = leaf(Tensor({1, 2}));
    (x * 3.0f).sum().backward();
    x.zero_grad();
    EXPECT_FALSE(x.grad().defined());
    (x * 5.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({5, 5}));
}

TEST(Accumulation, LeafGradientsDoNotShareMemory) {
    // Add hands the same gradient to both operands; the leaves' .grad must
    // still be independent tensors, and independent of the seed.
    Tensor a = leaf(zeros({2}));
    Tensor b = leaf(zeros({2}));
    Tensor seed = Tensor({1, 2});
    (a + b).backward(seed);
    a.grad().fill_(7.0f);
    seed.fill_(9.0f);
    EXPECT_TENSOR_EQ(b.grad(), Tensor({1, 2}));
}

TEST(Accumulation, BroadcastingInBothOperandsSumsBackToEachShape) {
    // a (2, 1) * b (1, 3) -> (2, 3); a's gradient sums over the 3 columns of
    // b's values, b's over the 2 rows of a's.
    Tensor a = leaf(Tensor({{1}, {2}}));
    Tensor b = leaf(Tensor({{10, 20, 30}}));
    (a * b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({{60}, {60}}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({{3, 3, 3}}));
}

TEST(Accumulation, BroadcastingAddsLeadingAxes) {
    Tensor bias = leaf(Tensor({0, 0, 0}));
    (ones({2, 4, 3}) + bias).sum().backward();
    EXPECT_TENSOR_EQ(bias.grad(), Tensor({8, 8, 8}));
}

// ---------------------------------------------------------------------------
// sum_to_shape
// ---------------------------------------------------------------------------

TEST(SumToShape, SumsLeadingAndStretchedAxes) {
    Tensor g = arange(0, 24).reshape({4, 2, 3});
    // (4, 2, 3) -> (2, 1): over axis 0 and axis 2.
    Tensor expected({{0 + 1 + 2 + 6 + 7 + 8 + 12 + 13 + 14 + 18 + 19 + 20},
                     {3 + 4 + 5 + 9 + 10 + 11 + 15 + 16 + 17 + 21 + 22 + 23}});
    EXPECT_TENSOR_EQ(sum_to_shape(g, {2, 1}), expected);
}

TEST(SumToShape, ToAScalar) {
    EXPECT_TENSOR_EQ(sum_to_shape(Tensor({{1, 2}, {3, 4}}), {}), scalar_tensor(10));
}

TEST(SumToShape, SameShapeReturnsTheGradientItself) {
    Tensor g = ones({2, 3});
    EXPECT_TRUE(sum_to_shape(g, {2, 3}).is_same(g));
}

TEST(SumToShape, ShapeThatDoesNotBroadcastThrows) {
    EXPECT_THROW_WITH(sum_to_shape(ones({2, 3}), {4}), ShapeError,
                      "a gradient of shape (2, 3) cannot be summed to shape (4)");
}

// ---------------------------------------------------------------------------
// No-grad and detach
// ---------------------------------------------------------------------------

TEST(NoGrad, GuardStopsRecording) {
    Tensor x = leaf(Tensor({1, 2}));
    Tensor y;
    {
        NoGradGuard no_grad;
        y = relu(x * 2.0f + 1.0f).sum();
    }
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_NE((x * 2.0f).grad_fn(), nullptr);  // recording is back after the scope
}

TEST(NoGrad, GuardsNestAndRestoreThePreviousMode) {
    {
        NoGradGuard outer;
        {
            NoGradGuard inner;
            EXPECT_FALSE(grad_mode_enabled());
        }
        EXPECT_FALSE(grad_mode_enabled());  // still inside outer
    }
    EXPECT_TRUE(grad_mode_enabled());
}

TEST(NoGrad, BackwardInsideANoGradRegionStillWorks) {
    // The graph was recorded before; only new ops go unrecorded.
    Tensor x = leaf(Tensor({2}));
    Tensor y = x * x;
    {
        NoGradGuard no_grad;
        y.backward(Tensor({1}));
        EXPECT_FALSE(grad_mode_enabled());  // backward restores the caller's mode
    }
    EXPECT_TENSOR_EQ(x.grad(), Tensor({4}));
}

TEST(NoGrad, RulesRecordNoGraphOfTheirOwn) {
    Tensor x = leaf(Tensor({1, 2}));
    (x * x).sum().backward();
    EXPECT_EQ(x.grad().grad_fn(), nullptr);
    EXPECT_FALSE(x.grad().requires_grad());
    EXPECT_TRUE(grad_mode_enabled());
}

TEST(Detach, SharesValuesButNoHistory) {
    Tensor x = leaf(Tensor({1, 2}));
    Tensor y = x * 2.0f;
    Tensor d = y.detach();
    EXPECT_EQ(d.grad_fn(), nullptr);
    EXPECT_FALSE(d.requires_grad());
    EXPECT_EQ(d.data(), y.data());
}

TEST(Detach, StopsTheGradient) {
    // x * detach(x): the detached factor is a constant, so d/dx = x, not 2x.
    Tensor x = leaf(Tensor({3}));
    (x * x.detach()).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({3}));
}

// ---------------------------------------------------------------------------
// Freeing the graph, retain_graph
// ---------------------------------------------------------------------------

TEST(RetainGraph, SecondBackwardThroughAFreedGraphThrows) {
    Tensor x = leaf(Tensor({1}));
    Tensor loss = (x * x).sum();
    loss.backward();
    EXPECT_THROW_WITH(loss.backward(), GraphError, "retain_graph");
}

TEST(RetainGraph, KeptGraphCanBeRunAgain) {
    Tensor x = leaf(Tensor({1, 2}));
    Tensor loss = (x * x).sum();
    loss.backward(Tensor(), /*retain_graph=*/true);
    loss.backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({4, 8}));
}

TEST(RetainGraph, BackwardFreesTheSavedValues) {
    Tensor x = leaf(Tensor({1}));
    Tensor y = x * x;
    Tensor loss = y.sum();
    loss.backward();
    ASSERT_NE(y.grad_fn(), nullptr);
    EXPECT_TRUE(y.grad_fn()->released());
    EXPECT_TRUE(y.grad_fn()->inputs.empty());
    EXPECT_TRUE(loss.grad_fn()->released());
}

TEST(RetainGraph, NewGraphOverAFreedPartThrowsNamingTheNode) {
    Tensor x = leaf(Tensor({1}));
    Tensor y = x * 2.0f;
    (y * 3.0f).sum().backward();
    EXPECT_THROW_WITH((y * 4.0f).sum().backward(), GraphError, "MulBackward");
}

TEST(RetainGraph, FailedSecondPassLeavesGradUnchanged) {
    Tensor x = leaf(Tensor({1}));
    Tensor y = x * 2.0f;
    (y * 3.0f).sum().backward();
    EXPECT_THROW_WITH((x * 5.0f + y).sum().backward(), GraphError, "already run backward");
    EXPECT_TENSOR_EQ(x.grad(), Tensor({6}));  // nothing of the failed pass was added
}

// ---------------------------------------------------------------------------
// Deep graphs: no recursion, so no stack overflow
// ---------------------------------------------------------------------------

TEST(DeepGraph, ChainOfAHundredThousandOps) {
    const int depth = 100000;
    const Tensor factor = scalar_tensor(1.00001f);
    Tensor x = leaf(Tensor({1}));
    Tensor y = x;
    for (int i = 0; i < depth; ++i) y = y * factor;
    on_small_stack([&] { y.sum().backward(); });
    // d/dx of x * c^depth is c^depth (about e).
    const double expected = std::pow(static_cast<double>(1.00001f), depth);
    EXPECT_NEAR(x.grad().item(), expected, 1e-3 * expected);
}

TEST(DeepGraph, KeptChainIsFreedWithoutRecursion) {
    Tensor x = leaf(Tensor({1}));
    {
        Tensor y = x;
        for (int i = 0; i < 100000; ++i) y = y + 1.0f;
        on_small_stack([&] { y.sum().backward(Tensor(), /*retain_graph=*/true); });
    }  // the whole retained chain is destroyed here
    EXPECT_TENSOR_EQ(x.grad(), Tensor({1}));
}

// ---------------------------------------------------------------------------
// The engine checks what rules return
// ---------------------------------------------------------------------------

TEST(RuleChecks, GradientOfTheWrongShapeNamesTheNodeAndBothShapes) {
    Tensor x = leaf(ones({2, 3}));
    Tensor out = record_custom("Forgetful", untracked(x) * 1.0f, {x}, [](const Tensor&) {
        return std::vector<Tensor>{ones({3})};  // e.g. a broadcast gradient not summed back
    });
    EXPECT_THROW_WITH(out.sum().backward(), ShapeError,
                      "ForgetfulBackward returned a gradient of shape (3) for input 0 of shape (2, 3)");
}

TEST(RuleChecks, WrongNumberOfGradientsThrows) {
    Tensor x = leaf(ones({2}));
    Tensor out = record_custom("Greedy", untracked(x) * 1.0f, {x}, [](const Tensor& g) {
        return std::vector<Tensor>{g, g};
    });
    EXPECT_THROW_WITH(out.sum().backward(), GraphError,
                      "GreedyBackward returned 2 gradients for its 1 inputs");
}
