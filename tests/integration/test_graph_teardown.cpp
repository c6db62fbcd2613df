// Freeing autograd graphs (graph.hpp, provided with module 01): a node takes
// the chain behind it apart with a loop, so dropping a graph hundreds of
// thousands of ops deep — never run backward, or kept with retain_graph —
// cannot overflow the stack. Built with record() alone, so it tests the
// provided mechanism whatever state the student's modules are in.
#include <memory>

#include "graph.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
// One recorded op on top of `input`, as any op of modules 01-04 would record.
Tensor recorded_op(const Tensor& input) { return record(Op::Neg, empty({1}), {input}); }
}  // namespace

TEST(GraphTeardown, DeepChainIsFreedWithoutRecursion) {
    Tensor x = empty({1});
    x.requires_grad_();
    std::weak_ptr<Node> first;
    {
        Tensor y = recorded_op(x);
        first = y.grad_fn();
        for (int i = 0; i < 300000; ++i) y = recorded_op(y);
    }  // the last handle goes here, and with it 300,001 nodes
    EXPECT_TRUE(first.expired());
}

TEST(GraphTeardown, NodeStillInUseSurvivesTheTeardownAboveIt) {
    Tensor x = empty({1});
    x.requires_grad_();
    Tensor middle = recorded_op(recorded_op(x));
    std::weak_ptr<Node> below = middle.grad_fn()->inputs[0].grad_fn();
    {
        Tensor top = middle;
        for (int i = 0; i < 1000; ++i) top = recorded_op(top);
    }
    ASSERT_NE(middle.grad_fn(), nullptr);
    EXPECT_EQ(middle.grad_fn()->inputs.size(), 1u);
    EXPECT_FALSE(below.expired());  // still reachable from `middle`
}

TEST(GraphTeardown, SharedNodesAreFreedOnce) {
    Tensor x = empty({1});
    x.requires_grad_();
    std::weak_ptr<Node> first;
    {
        Tensor y = recorded_op(x);
        first = y.grad_fn();
        // Each node feeds two inputs of the next: a ladder of shared nodes.
        for (int i = 0; i < 100000; ++i) y = record(Op::Add, empty({1}), {y, y});
    }
    EXPECT_TRUE(first.expired());
}

TEST(GraphTeardown, ReleaseDropsSavedValues) {
    Tensor x = empty({1});
    x.requires_grad_();
    Tensor y = recorded_op(x);
    y.grad_fn()->release();
    EXPECT_TRUE(y.grad_fn()->released());
    EXPECT_TRUE(y.grad_fn()->inputs.empty());
    EXPECT_THROW_WITH(y.grad_fn()->output(), GraphError, "retain_graph");
}
