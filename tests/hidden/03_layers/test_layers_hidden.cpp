// Module 03, hidden tests: the same contract as the visible tests, checked
// with other values and shapes — initialisation statistics, 1-D and
// non-contiguous inputs against a double-precision product computed here,
// deeper and shared module trees, dropout rates and masks on strided inputs,
// and the registration rules.
#include <cmath>
#include <memory>

#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// x (N, in) W (in, out) + b (out) in double, read through at().
Tensor linear_reference(const Tensor& x, const Linear& layer) {
    const int64_t n = x.size(0), in = layer.in_features, out = layer.out_features;
    std::vector<float> y(static_cast<size_t>(n * out));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < out; ++j) {
            double acc = layer.bias.defined() ? double(layer.bias.at({j})) : 0.0;
            for (int64_t k = 0; k < in; ++k) acc += double(x.at({i, k})) * double(layer.weight.at({k, j}));
            y[static_cast<size_t>(i * out + j)] = static_cast<float>(acc);
        }
    return Tensor(y, {n, out});
}

struct Leaf : Module {
    Tensor w = register_parameter("w", zeros({2, 2}));
    Tensor forward(const Tensor& x) override { return x.matmul(w); }
};

std::vector<std::string> names_of(const Module& m) {
    std::vector<std::string> names;
    for (const auto& [name, tensor] : m.named_parameters()) names.push_back(name);
    return names;
}

}  // namespace

// ---------------------------------------------------------------------------
// Linear
// ---------------------------------------------------------------------------

TEST(HiddenLinear, InitialisationHasKaimingMeanAndVariance) {
    Generator gen(17);
    Linear layer(400, 300, true, gen);
    const Tensor w = layer.weight;
    const double mean = w.mean().item();
    const double variance = pow(w - static_cast<float>(mean), 2.0f).mean().item();
    // U(-b, b) with b^2 = 6 / 400 has variance b^2 / 3 = 2 / 400 = 0.005.
    EXPECT_NEAR(mean, 0.0, 0.001);
    EXPECT_NEAR(variance, 0.005, 0.005 * 0.03);
}

TEST(HiddenLinear, SingleInputFeatureUsesBoundSqrtSix) {
    Generator gen(2);
    Linear layer(1, 2000, true, gen);
    const float largest = abs(layer.weight).max().item();
    EXPECT_LE(largest, std::sqrt(6.0f));
    EXPECT_GT(largest, 0.99f * std::sqrt(6.0f));
}

TEST(HiddenLinear, DrawsComeFromTheGivenGeneratorOnly) {
    Generator gen(3);
    manual_seed(1000);
    Tensor before = rand({4});
    manual_seed(1000);
    Linear layer(3, 3, true, gen);
    EXPECT_TENSOR_EQ(rand({4}), before);  // the default generator was not touched
    Generator other(4);
    EXPECT_FALSE(allclose(layer.weight, Linear(3, 3, true, other).weight));
}

TEST(HiddenLinear, ConsecutiveLayersContinueTheSameStream) {
    Generator gen(6);
    Linear first(2, 3, true, gen);
    Linear second(3, 2, true, gen);
    Generator expected_gen(6);
    for (int i = 0; i < 6; ++i) expected_gen.uniform();  // the first layer's six draws
    const float bound = std::sqrt(2.0f);
    std::vector<float> expected(6);
    for (float& v : expected) v = expected_gen.uniform(-bound, bound);
    EXPECT_TENSOR_NEAR(second.weight, Tensor(expected, {3, 2}), 1e-6f);
}

TEST(HiddenLinear, OneDimensionalInputGivesOneDimensionalOutput) {
    Linear layer(3, 2);
    layer.weight.copy_(Tensor({{1, 0}, {0, 1}, {1, 1}}));
    layer.bias.copy_(Tensor({0.5f, -0.5f}));
    EXPECT_TENSOR_EQ(layer(Tensor({1, 2, 3})), Tensor({4.5f, 4.5f}));
}

TEST(HiddenLinear, LargeBatchMatchesDoubleReference) {
    Generator gen(12);
    Linear layer(100, 30, true, gen);
    layer.bias.copy_(randn({30}, gen));
    Tensor x = randn({64, 100}, gen);
    EXPECT_TENSOR_NEAR(layer(x), linear_reference(x, layer), 1e-4f);
}

TEST(HiddenLinear, NonContiguousInputMatchesDoubleReference) {
    Generator gen(13);
    Linear layer(5, 4, false, gen);
    Tensor x = randn({5, 7}, gen).transpose(0, 1);  // (7, 5), transposed
    ASSERT_FALSE(x.is_contiguous());
    EXPECT_TENSOR_NEAR(layer(x), linear_reference(x, layer), 1e-5f);
}

TEST(HiddenLinear, ScalarInputIsAShapeError) {
    Linear layer(1, 1);
    EXPECT_THROW_WITH(layer(scalar_tensor(1)), ShapeError, "expected 1 input features");
}

TEST(HiddenLinear, NegativeOutputSizeIsAValueError) {
    EXPECT_THROW_WITH(Linear(3, -1), ValueError, "got 3 and -1");
}

TEST(HiddenLinear, WithoutBiasRecordsOnlyTheMatMul) {
    Linear layer(2, 2, false);
    Tensor out = layer(ones({1, 2}));
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->op, Op::MatMul);
}

// ---------------------------------------------------------------------------
// Module trees
// ---------------------------------------------------------------------------

TEST(HiddenModule, ThreeLevelsOfSequentialNames) {
    Sequential model{Sequential{Linear(2, 2), Sequential{ReLU{}, Linear(2, 3, false)}}, Linear(3, 1)};
    EXPECT_EQ(names_of(model),
              (std::vector<std::string>{"0.0.weight", "0.0.bias", "0.1.1.weight", "1.weight", "1.bias"}));
    EXPECT_EQ(count_parameters(model), 4 + 2 + 6 + 3 + 1);
}

TEST(HiddenModule, SharedSubmoduleInTwoBranchesIsCountedOnce) {
    auto shared = std::make_shared<Linear>(4, 4);
    Sequential left{shared};
    Sequential model{std::move(left), Sequential{shared, ReLU{}}, Linear(4, 1)};
    EXPECT_EQ(names_of(model), (std::vector<std::string>{"0.0.weight", "0.0.bias", "2.weight", "2.bias"}));
    EXPECT_EQ(count_parameters(model), 16 + 4 + 4 + 1);
}

TEST(HiddenModule, ParameterTiedAcrossModulesIsListedOnce) {
    struct Pair : Module {
        std::shared_ptr<Leaf> a = register_module("a", std::make_shared<Leaf>());
        std::shared_ptr<Leaf> b = register_module("b", std::make_shared<Leaf>());
        Tensor extra;
        Pair() { extra = register_parameter("extra", a->w); }  // the same tensor as a.w
        Tensor forward(const Tensor& x) override { return (*b)((*a)(x)); }
    } pair;
    // Own parameters come first, so the tied tensor is met as "extra".
    EXPECT_EQ(names_of(pair), (std::vector<std::string>{"extra", "b.w"}));
    EXPECT_EQ(count_parameters(pair), 8);
}

TEST(HiddenModule, ModeSurvivesTrainEvalTrain) {
    auto inner = std::make_shared<Sequential>(Dropout(0.5f));
    Sequential model{Dropout(0.5f), inner};
    model.eval();
    EXPECT_FALSE((*inner)[0].is_training());
    model.train(true);
    EXPECT_TRUE((*inner)[0].is_training());
    inner->eval();
    EXPECT_TRUE(model.is_training());
    EXPECT_TRUE(model[0].is_training());
    EXPECT_FALSE((*inner)[0].is_training());
}

TEST(HiddenModule, ParametersAreTheModulesOwnTensors) {
    Linear layer(2, 3);
    std::vector<Tensor> params = layer.parameters();
    params[0].fill_(7.0f);  // an optimizer updates through these handles
    EXPECT_TENSOR_EQ(layer.weight, full({2, 3}, 7.0f));
}

// ---------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------

TEST(HiddenDropout, SmallPDropsAboutThatFraction) {
    Generator gen(10);
    Dropout dropout(0.1f, gen);
    Tensor out = dropout(ones({100, 100}));
    const double dropped = eq(out, zeros({1})).sum().item();
    EXPECT_NEAR(dropped, 1000.0, 120.0);  // 4 standard deviations of Binomial(10000, 0.1)
}

TEST(HiddenDropout, MaskRunsOverTheLogicalOrderOfAStridedInput) {
    Generator gen(21);
    Dropout dropout(0.5f, gen);
    Tensor base = arange(1, 13).reshape({3, 4});
    Tensor x = base.transpose(0, 1);  // (4, 3), logical order 1, 5, 9, 2, 6, ...
    Tensor out = dropout(x);
    Generator expected_gen(21);
    const Tensor xc = x.contiguous();
    std::vector<float> expected(12);
    for (size_t i = 0; i < 12; ++i)
        expected[i] = expected_gen.bernoulli(0.5f) ? 2.0f * xc.data()[i] : 0.0f;
    EXPECT_TENSOR_EQ(out, Tensor(expected, {4, 3}));
}

TEST(HiddenDropout, EvalDrawsNoRandomNumbers) {
    Generator gen(5);
    Dropout dropout(0.5f, gen);
    dropout.eval();
    dropout(ones({100}));
    Generator fresh(5);
    EXPECT_EQ(gen.next_u64(), fresh.next_u64());
}

TEST(HiddenDropout, EvalOutputIsNotRecordedAsANewOp) {
    Dropout dropout(0.5f);
    dropout.eval();
    Tensor x = ones({3}).requires_grad_();
    Tensor out = dropout(x);
    EXPECT_EQ(out.grad_fn(), nullptr);
    EXPECT_TENSOR_EQ(out, ones({3}));
}

TEST(HiddenDropout, POfOneZeroesNegativeValuesToo) {
    Dropout dropout(1.0f);
    Tensor out = dropout(Tensor({{-3, 2}, {1e30f, -1e30f}}));
    EXPECT_TENSOR_EQ(abs(out), zeros({2, 2}));
}

TEST(HiddenDropout, NaNProbabilityIsRejected) {
    EXPECT_THROW_WITH(Dropout(std::nanf("")), ValueError, "got nan");
}

TEST(HiddenDropout, BoundaryProbabilitiesAreAccepted) {
    Dropout none(0.0f);
    Dropout all(1.0f);
    EXPECT_EQ(none.p, 0.0f);
    EXPECT_TENSOR_EQ(all(ones({2})), zeros({2}));
}

// ---------------------------------------------------------------------------
// Flatten and Sequential
// ---------------------------------------------------------------------------

TEST(HiddenFlatten, FourDimensionalNonContiguousInput) {
    Tensor x = arange(0, 24).reshape({2, 3, 2, 2}).permute({0, 2, 3, 1});  // (2, 2, 2, 3)
    Tensor out = Flatten()(x);
    EXPECT_SHAPE(out, 2, 12);
    EXPECT_TENSOR_EQ(out, x.contiguous().reshape({2, 12}));
}

TEST(HiddenFlatten, OneDimensionalInputHasNoAxisOne) {
    EXPECT_THROW_WITH(Flatten()(ones({5})), IndexError, "axis 1 is out of range");
}

TEST(HiddenSequential, LambdaAndModuleMixMatchesHandComposition) {
    Generator gen(30);
    auto first = std::make_shared<Linear>(3, 4, true, gen);
    auto second = std::make_shared<Linear>(4, 2, true, gen);
    Sequential model{first, GELU{}, second, [](const Tensor& x) { return x * 3.0f; }, Softmax{1}};
    Tensor x = randn({5, 3}, gen);
    EXPECT_TENSOR_NEAR(model(x), softmax((*second)(gelu((*first)(x))) * 3.0f, 1), 1e-6f);
}

TEST(HiddenSequential, AddChainsAndExtendsTheNames) {
    Sequential model;
    model.add(Linear(2, 2)).add(relu).add(Linear(2, 1));  // a plain function too
    EXPECT_EQ(model.size(), 3u);
    EXPECT_EQ(names_of(model).back(), "2.bias");
    EXPECT_SHAPE(model(ones({4, 2})), 4, 1);
}

TEST(HiddenSequential, MovedSequentialStillRuns) {
    Sequential original{Linear(2, 3), ReLU{}};
    Sequential moved(std::move(original));
    EXPECT_SHAPE(moved(ones({1, 2})), 1, 3);
    EXPECT_EQ(moved.parameters().size(), 2u);
}

// ---------------------------------------------------------------------------
// Registration (provided) and Sequential indexing
// ---------------------------------------------------------------------------

TEST(HiddenRegistration, RejectedNamesLeaveTheModuleUnchanged) {
    struct Bad : Module {
        Tensor forward(const Tensor& x) override { return x; }
        void add_parameter(const std::string& name, Tensor t) { register_parameter(name, t); }
    } bad;
    bad.add_parameter("w", ones({1}));
    EXPECT_THROW_WITH(bad.add_parameter("w", ones({1})), ValueError,
                      "already has a parameter, buffer or submodule named \"w\"");
    EXPECT_THROW_WITH(bad.add_parameter("a.b", ones({1})), ValueError, "must not contain '.'");
    EXPECT_THROW_WITH(bad.add_parameter("", ones({1})), ValueError, "must not be empty");
    EXPECT_THROW_WITH(bad.add_parameter("u", Tensor()), ValueError, "undefined");
    EXPECT_EQ(names_of(bad), std::vector<std::string>{"w"});
}

TEST(HiddenRegistration, SequentialIndexReachesTheLayersAndStopsAtTheEnd) {
    Sequential model{Linear(2, 2)};
    EXPECT_EQ(model[0].parameters().size(), 2u);
    EXPECT_TRUE(model[0].parameters()[0].is_same(model.parameters()[0]));
    EXPECT_THROW_WITH(model[1], IndexError, "layer 1 requested, it has 1 layers");
}
