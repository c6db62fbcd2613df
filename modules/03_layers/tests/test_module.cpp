// Module 03 — the Module base: parameters, dotted names, train/eval, counts.
#include <memory>

#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// A leaf with two parameters of its own and no submodules.
struct Leaf : Module {
    Tensor w, b;
    Leaf(Shape w_shape, Shape b_shape) {
        w = register_parameter("w", zeros(w_shape));
        b = register_parameter("b", zeros(b_shape));
    }
    Tensor forward(const Tensor& x) override { return x * w + b; }
};

// One parameter of its own and two submodules.
struct Tree : Module {
    Tensor scale;
    std::shared_ptr<Leaf> left, right;
    Tree() {
        scale = register_parameter("scale", ones({1}));
        left = register_module("left", std::make_shared<Leaf>(Shape{2, 3}, Shape{3}));
        right = register_module("right", std::make_shared<Leaf>(Shape{4}, Shape{1}));
    }
    Tensor forward(const Tensor& x) override { return (*right)((*left)(x)) * scale; }
};

std::vector<std::string> names_of(const Module& m) {
    std::vector<std::string> names;
    for (const auto& [name, tensor] : m.named_parameters()) names.push_back(name);
    return names;
}

}  // namespace

TEST(Module, ParametersListOwnFirstThenEachChildInOrder) {
    Tree tree;
    const std::vector<Tensor> params = tree.parameters();
    ASSERT_EQ(params.size(), 5u);
    EXPECT_TRUE(params[0].is_same(tree.scale));
    EXPECT_TRUE(params[1].is_same(tree.left->w));
    EXPECT_TRUE(params[2].is_same(tree.left->b));
    EXPECT_TRUE(params[3].is_same(tree.right->w));
    EXPECT_TRUE(params[4].is_same(tree.right->b));
}

TEST(Module, NamedParametersJoinNamesWithDots) {
    Tree tree;
    EXPECT_EQ(names_of(tree),
              (std::vector<std::string>{"scale", "left.w", "left.b", "right.w", "right.b"}));
}

TEST(Module, DeeperNestingGivesLongerNames) {
    struct Outer : Module {
        std::shared_ptr<Tree> tree = register_module("tree", std::make_shared<Tree>());
        Tensor forward(const Tensor& x) override { return (*tree)(x); }
    } outer;
    const auto named = outer.named_parameters();
    ASSERT_EQ(named.size(), 5u);
    EXPECT_EQ(named[1].first, "tree.left.w");
    EXPECT_TRUE(named[1].second.is_same(outer.tree->left->w));
}

TEST(Module, SharedSubmoduleIsListedOnceUnderItsFirstName) {
    struct Twice : Module {
        std::shared_ptr<Leaf> leaf = std::make_shared<Leaf>(Shape{2}, Shape{2});
        Twice() {
            register_module("first", leaf);
            register_module("second", leaf);
        }
        Tensor forward(const Tensor& x) override { return x; }
    } twice;
    EXPECT_EQ(names_of(twice), (std::vector<std::string>{"first.w", "first.b"}));
}

TEST(Module, TiedParameterIsListedOnce) {
    struct Tied : Module {
        Tensor shared = zeros({3});
        Tied() {
            register_parameter("encode", shared);
            register_parameter("decode", shared);
        }
        Tensor forward(const Tensor& x) override { return x; }
    } tied;
    EXPECT_EQ(tied.parameters().size(), 1u);
    EXPECT_EQ(names_of(tied), std::vector<std::string>{"encode"});
}

TEST(Module, ModuleWithoutParametersHasNone) {
    Lambda identity([](const Tensor& x) { return x; });
    EXPECT_TRUE(identity.parameters().empty());
}

TEST(Module, EvalAndTrainReachEverySubmodule) {
    Tree tree;
    tree.eval();
    EXPECT_FALSE(tree.is_training());
    EXPECT_FALSE(tree.left->is_training());
    EXPECT_FALSE(tree.right->is_training());
    tree.train();
    EXPECT_TRUE(tree.is_training());
    EXPECT_TRUE(tree.left->is_training());
    EXPECT_TRUE(tree.right->is_training());
}

TEST(Module, TrainFalseIsEval) {
    Tree tree;
    tree.train(false);
    EXPECT_FALSE(tree.left->is_training());
}

TEST(CountParameters, SumsTheElementsOfEveryParameter) {
    Tree tree;
    EXPECT_EQ(count_parameters(tree), 1 + (6 + 3) + (4 + 1));
}

TEST(CountParameters, LinearIsInTimesOutPlusOut) {
    EXPECT_EQ(count_parameters(Linear(784, 128)), 784 * 128 + 128);
    EXPECT_EQ(count_parameters(Linear(784, 128, /*bias=*/false)), 784 * 128);
}

TEST(CountParameters, MultilayerPerceptron) {
    Sequential mlp{Linear(784, 128), ReLU{}, Linear(128, 10)};
    EXPECT_EQ(count_parameters(mlp), 101770);
}
