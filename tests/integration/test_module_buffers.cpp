// Module buffers (provided with module 03): state that belongs to a model but
// is not trained by gradients, such as BatchNorm's running statistics.
#include "layers.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
// A module with one parameter and one buffer, as BatchNorm will have.
struct Stats : Module {
    Stats() {
        scale = register_parameter("scale", ones({2}));
        running = register_buffer("running", zeros({2}));
    }
    Tensor forward(const Tensor& input) override { return input; }
    Tensor scale, running;
};

struct Net : Module {
    Net() {
        first = register_module("first", std::make_shared<Stats>());
        second = register_module("second", std::make_shared<Stats>());
        register_buffer("steps", zeros({1}));
    }
    Tensor forward(const Tensor& input) override { return input; }
    std::shared_ptr<Stats> first, second;
};

std::vector<std::string> names(const std::vector<std::pair<std::string, Tensor>>& entries) {
    std::vector<std::string> out;
    for (const auto& entry : entries) out.push_back(entry.first);
    return out;
}
}  // namespace

TEST(ModuleBuffers, AreNamedWithDotsOwnFirstThenSubmodules) {
    Net net;
    EXPECT_EQ(names(net.named_buffers()),
              (std::vector<std::string>{"steps", "first.running", "second.running"}));
}

TEST(ModuleBuffers, AreTheRegisteredTensorsAndDoNotRequireGrad) {
    Net net;
    const auto buffers = net.named_buffers();
    ASSERT_EQ(buffers.size(), 3u);
    EXPECT_TRUE(buffers[1].second.is_same(net.first->running));
    EXPECT_FALSE(buffers[1].second.requires_grad());
}

TEST(ModuleBuffers, AreNotParameters) {
    Stats stats;
    const auto own = stats.named_own_parameters();
    ASSERT_EQ(own.size(), 1u);
    EXPECT_EQ(own[0].first, "scale");
}

TEST(ModuleBuffers, OfASharedSubmoduleAppearOnce) {
    struct Shared : Module {
        Shared() {
            auto stats = std::make_shared<Stats>();
            register_module("a", stats);
            register_module("b", stats);
        }
        Tensor forward(const Tensor& input) override { return input; }
    } shared;
    EXPECT_EQ(names(shared.named_buffers()), (std::vector<std::string>{"a.running"}));
}

TEST(ModuleBuffers, NameAlreadyUsedByAParameterIsRefused) {
    struct Clash : Module {
        Clash() {
            register_parameter("w", ones({1}));
            register_buffer("w", zeros({1}));
        }
        Tensor forward(const Tensor& input) override { return input; }
    };
    EXPECT_THROW_WITH(Clash{}, ValueError, "already has a parameter, buffer or submodule named \"w\"");
}

TEST(ModuleBuffers, UndefinedTensorIsRefused) {
    struct Empty : Module {
        Empty() { register_buffer("b", Tensor()); }
        Tensor forward(const Tensor& input) override { return input; }
    };
    EXPECT_THROW_WITH(Empty{}, ValueError, "register_buffer: the tensor for \"b\" is undefined");
}
