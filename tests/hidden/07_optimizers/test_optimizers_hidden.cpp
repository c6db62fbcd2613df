// Hidden tests of module 07: the same contract as the visible tests, on
// random values against a reference written here in double precision, on
// non-contiguous parameters and gradients, scalars and size-1 axes, and over
// many steps.
#include <cmath>
#include <vector>

#include "optimizers.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::parameter;
using tinytorch::testing::random_tensor;

namespace {

std::vector<double> values_of(const Tensor& t) {
    const Tensor c = t.contiguous();
    return std::vector<double>(c.data(), c.data() + c.numel());
}

Tensor tensor_of(const std::vector<double>& v, const Shape& shape) {
    return Tensor(std::vector<float>(v.begin(), v.end()), shape);
}

// torch.optim.SGD, element by element, in double.
struct ReferenceSGD {
    double lr, momentum, weight_decay;
    bool nesterov;
    std::vector<double> buffer;
    void step(std::vector<double>& p, const std::vector<double>& g) {
        for (size_t i = 0; i < p.size(); ++i) {
            double d = g[i] + weight_decay * p[i];
            if (momentum != 0.0) {
                if (buffer.size() < p.size()) buffer.resize(p.size(), 0.0);
                buffer[i] = started ? momentum * buffer[i] + d : d;
                d = nesterov ? d + momentum * buffer[i] : buffer[i];
            }
            p[i] -= lr * d;
        }
        started = true;
    }
    bool started = false;
};

// torch.optim.Adam / AdamW, element by element, in double.
struct ReferenceAdam {
    double lr, beta1, beta2, eps, weight_decay;
    bool decoupled;
    std::vector<double> m, v;
    int t = 0;
    void step(std::vector<double>& p, const std::vector<double>& grad) {
        if (m.empty()) m.assign(p.size(), 0.0), v.assign(p.size(), 0.0);
        ++t;
        const double bc1 = 1.0 - std::pow(beta1, t), bc2 = 1.0 - std::pow(beta2, t);
        for (size_t i = 0; i < p.size(); ++i) {
            double g = grad[i];
            if (decoupled)
                p[i] *= 1.0 - lr * weight_decay;
            else
                g += weight_decay * p[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
            p[i] -= (lr / bc1) * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + eps);
        }
    }
};


// Steps `optimizer`, whose one parameter is `p`, and the double-precision
// `reference` from the same start with the same random gradients in
// [low, high); returns the parameter the reference ended with.
template <class Reference>
Tensor reference_run(Optimizer& optimizer, Tensor& p, Reference reference, int steps, Generator& gen,
                     float low = -1.0f, float high = 1.0f) {
    std::vector<double> expected = values_of(p);
    for (int step = 0; step < steps; ++step) {
        const Tensor g = random_tensor(p.shape(), gen, low, high);
        p.set_grad(g);
        optimizer.step();
        reference.step(expected, values_of(g));
    }
    return tensor_of(expected, p.shape());
}

}  // namespace

TEST(SGDHidden, MomentumNesterovAndDecayMatchTheReferenceOverTwentySteps) {
    Generator gen(11);
    const Shape shape{4, 3};
    Tensor p = parameter(random_tensor(shape, gen));
    SGD sgd({p}, {.lr = 0.05f, .momentum = 0.8f, .weight_decay = 0.01f, .nesterov = true});
    ReferenceSGD reference{0.05f, 0.8f, 0.01f, true, {}};
    const Tensor expected = reference_run(sgd, p, reference, 20, gen);
    EXPECT_TENSOR_NEAR(p, expected, 1e-5f);
}

TEST(SGDHidden, HeavyBallMomentumMatchesTheReference) {
    Generator gen(12);
    const Shape shape{7};
    Tensor p = parameter(random_tensor(shape, gen));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    ReferenceSGD reference{0.1f, 0.9f, 0.0, false, {}};
    const Tensor expected = reference_run(sgd, p, reference, 15, gen);
    EXPECT_TENSOR_NEAR(p, expected, 1e-5f);
}

TEST(AdamHidden, MatchesTheReferenceOverThirtyStepsWithCoupledDecay) {
    Generator gen(13);
    const Shape shape{2, 5};
    Tensor p = parameter(random_tensor(shape, gen));
    Adam adam({p}, {.lr = 0.01f, .beta1 = 0.8f, .beta2 = 0.99f, .eps = 1e-6f, .weight_decay = 0.05f});
    ReferenceAdam reference{0.01f, 0.8f, 0.99f, 1e-6f, 0.05f, false, {}, {}};
    const Tensor expected = reference_run(adam, p, reference, 30, gen, -3.0f, 3.0f);
    EXPECT_TENSOR_NEAR(p, expected, 2e-5f);
}

TEST(AdamHidden, AdamWMatchesTheReferenceWithDecoupledDecay) {
    Generator gen(14);
    const Shape shape{3, 1, 2};
    Tensor p = parameter(random_tensor(shape, gen));
    AdamW adamw({p}, {.lr = 0.02f, .weight_decay = 0.3f});
    ReferenceAdam reference{0.02f, 0.9f, 0.999f, 1e-8f, 0.3f, true, {}, {}};
    const Tensor expected = reference_run(adamw, p, reference, 30, gen);
    EXPECT_TENSOR_NEAR(p, expected, 2e-5f);
}

TEST(AdamHidden, AdamWWithoutDecayIsAdam) {
    Generator gen(15);
    Tensor a = parameter(random_tensor({6}, gen));
    Tensor b = parameter(untracked(a).clone());
    Adam adam({a}, {.lr = 0.05f});
    AdamW adamw({b}, {.lr = 0.05f, .weight_decay = 0.0f});
    for (int step = 0; step < 5; ++step) {
        const Tensor g = random_tensor({6}, gen);
        a.set_grad(g);
        b.set_grad(g);
        adam.step();
        adamw.step();
    }
    EXPECT_TENSOR_EQ(b, a);
}

TEST(OptimizerHidden, UpdatesANonContiguousParameterThroughItsStrides) {
    // The parameter is the transpose of a (2, 3) block: shape (3, 2), strides (1, 3).
    Tensor storage_owner({{1, 2, 3}, {4, 5, 6}});
    Tensor p = storage_owner.transpose(0, 1);
    p.requires_grad_();
    SGD sgd({p}, 1.0f);
    p.set_grad(Tensor({{1, 0}, {0, 0}, {0, 2}}));  // p[0][0] -= 1, p[2][1] -= 2
    sgd.step();
    EXPECT_TENSOR_EQ(p, Tensor({{0, 4}, {2, 5}, {3, 4}}));
    EXPECT_TENSOR_EQ(storage_owner, Tensor({{0, 2, 3}, {4, 5, 4}}));
}

TEST(OptimizerHidden, ReadsANonContiguousGradientByItsStrides) {
    Tensor p = parameter(zeros({2, 2}));
    Adam adam({p}, {.lr = 0.1f});
    p.set_grad(Tensor({{1, -1}, {1, 1}}).transpose(0, 1));  // {{1, 1}, {-1, 1}}
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({{-0.1f, -0.1f}, {0.1f, -0.1f}}), 1e-6f);
}

TEST(OptimizerHidden, ScalarAndSizeOneParameters) {
    Tensor scalar = parameter(scalar_tensor(3.0f));
    Tensor column = parameter(Tensor({{1.0f}}));
    SGD sgd({scalar, column}, {.lr = 0.5f, .momentum = 0.5f});
    scalar.set_grad(scalar_tensor(2.0f));
    column.set_grad(Tensor({{-2.0f}}));
    sgd.step();  // buf = g: 3 - 1 = 2, 1 + 1 = 2
    sgd.step();  // buf = 0.5 g + g = 1.5 g: 2 - 1.5 = 0.5, 2 + 1.5 = 3.5
    EXPECT_SHAPE(scalar);
    EXPECT_TENSOR_NEAR(scalar, scalar_tensor(0.5f), 1e-6f);
    EXPECT_TENSOR_NEAR(column, Tensor({{3.5f}}), 1e-6f);
}

TEST(OptimizerHidden, ZeroLearningRateChangesNothingButTheMoments) {
    Tensor p = parameter(Tensor({1.0f, 2.0f}));
    Adam adam({p}, {.lr = 0.0f});
    p.set_grad(Tensor({5.0f, -5.0f}));
    adam.step();
    EXPECT_TENSOR_EQ(p, Tensor({1.0f, 2.0f}));
    EXPECT_EQ(adam.state().tensors.size(), 2u);
}

TEST(OptimizerHidden, SetLrMidRunMatchesAReferenceThatChangesItToo) {
    Generator gen(16);
    Tensor p = parameter(random_tensor({5}, gen));
    std::vector<double> expected = values_of(p);
    Adam adam({p}, {.lr = 0.1f});
    ReferenceAdam reference{0.1f, 0.9f, 0.999f, 1e-8f, 0.0, false, {}, {}};
    for (int step = 0; step < 10; ++step) {
        if (step == 5) {
            adam.set_lr(0.01f);
            reference.lr = 0.01f;
        }
        const Tensor g = random_tensor({5}, gen);
        p.set_grad(g);
        adam.step();
        reference.step(expected, values_of(g));
    }
    EXPECT_TENSOR_NEAR(p, tensor_of(expected, {5}), 2e-5f);
}

TEST(OptimizerHidden, ZeroGradLeavesParametersThatHadNoGradientAlone) {
    Tensor a = parameter(Tensor({1.0f}));
    Tensor b = parameter(Tensor({2.0f}));
    SGD sgd({a, b}, 0.1f);
    a.set_grad(Tensor({3.0f}));
    sgd.zero_grad();
    EXPECT_FALSE(a.grad().defined());
    EXPECT_FALSE(b.grad().defined());
    EXPECT_TENSOR_EQ(a, Tensor({1.0f}));
}

TEST(OptimizerHidden, RejectsAFrozenParameterAmongManyNamingItsIndex) {
    std::vector<Tensor> params;
    for (int i = 0; i < 4; ++i) params.push_back(parameter(zeros({i + 1})));
    params.push_back(zeros({2, 1, 4}));
    EXPECT_THROW_WITH(AdamW{params}, ValueError,
                      "AdamW: parameter 4 of shape (2, 1, 4) does not require grad");
}

TEST(OptimizerHidden, RejectsAnInfiniteLearningRate) {
    EXPECT_THROW_WITH(Adam({parameter(zeros({1}))}, {.lr = INFINITY}), ValueError,
                      "learning rate must be a finite number >= 0");
}

TEST(OptimizerHidden, RejectsTheSameTensorUnderTwoHandles) {
    Tensor p = parameter(zeros({2}));
    Tensor same = p;  // another handle to the same tensor
    EXPECT_THROW_WITH(SGD({p, same}, 0.1f), ValueError,
                      "parameter 1 is the same tensor as parameter 0");
}

TEST(OptimizerStateHidden, SGDStateTakenBeforeAnyStepRestoresAFreshBuffer) {
    Tensor a = parameter(Tensor({1.0f}));
    Tensor b = parameter(Tensor({1.0f}));
    SGD fresh({a}, {.lr = 0.1f, .momentum = 0.9f});
    SGD used({b}, {.lr = 0.1f, .momentum = 0.9f});
    b.set_grad(Tensor({4.0f}));
    used.step();
    used.load_state(fresh.state());  // forgets its buffer
    b.copy_(a);
    a.set_grad(Tensor({1.0f}));
    b.set_grad(Tensor({1.0f}));
    fresh.step();
    used.step();
    EXPECT_TENSOR_EQ(b, a);
    EXPECT_EQ(used.step_count(), 1);
}

TEST(OptimizerStateHidden, AdamStateOfSeveralParametersWithSomeUnusedContinuesExactly) {
    Generator gen(17);
    std::vector<Tensor> first_params, second_params;
    for (const Shape& shape : {Shape{3}, Shape{2, 2}, Shape{1}}) {
        first_params.push_back(parameter(random_tensor(shape, gen)));
        second_params.push_back(parameter(untracked(first_params.back()).clone()));
    }
    Adam first(first_params, {.lr = 0.03f, .weight_decay = 0.01f});
    Adam second(second_params, {.lr = 0.5f});
    for (int step = 0; step < 4; ++step) {
        // Parameter 2 gets a gradient only from step 2 on; parameter 1 never before the load.
        first_params[0].set_grad(random_tensor({3}, gen));
        if (step >= 2) first_params[2].set_grad(random_tensor({1}, gen));
        first.step();
    }
    for (size_t i = 0; i < 3; ++i) second_params[i].copy_(first_params[i]);
    second.load_state(first.state());
    for (int step = 0; step < 4; ++step) {
        const std::vector<Tensor> grads{random_tensor({3}, gen), random_tensor({2, 2}, gen),
                                        random_tensor({1}, gen)};
        for (size_t i = 0; i < 3; ++i) {
            first_params[i].set_grad(grads[i]);
            second_params[i].set_grad(grads[i]);
        }
        first.step();
        second.step();
    }
    for (size_t i = 0; i < 3; ++i) EXPECT_TENSOR_EQ(second_params[i], first_params[i]);
}
