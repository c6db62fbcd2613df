// Storage (module 01, provided): large blocks are recycled by exact size, so
// a training loop that frees and reallocates the same tensors every step
// does not pay for fresh pages each time. Under AddressSanitizer nothing is
// recycled, so that use-after-free stays detectable.
#include <cstdint>

#include "tensor.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRecycled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kRecycled = false;
#else
constexpr bool kRecycled = true;
#endif
#else
constexpr bool kRecycled = true;
#endif
constexpr int64_t kLarge = 1 << 20;  // 4 MB of floats
}  // namespace

TEST(StorageRecycling, AFreedLargeBlockServesTheNextRequestOfItsSize) {
    const float* first = nullptr;
    {
        Tensor a = empty({kLarge});
        first = a.data();
    }
    Tensor b = empty({kLarge});
    EXPECT_EQ(b.data() == first, kRecycled);
}

TEST(StorageRecycling, RecycledBlocksAreStill64ByteAligned) {
    { Tensor a = empty({kLarge + 3}); }
    Tensor b = empty({kLarge + 3});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 64, 0u);
}

TEST(StorageRecycling, ZerosOnARecycledBlockAreZeros) {
    { Tensor dirty = full({kLarge}, 7.0f); }
    Tensor clean = zeros({kLarge});
    EXPECT_EQ(clean.sum().item(), 0.0f);
}

TEST(StorageRecycling, ALiveBlockIsNeverHandedOutTwice) {
    Tensor a = empty({kLarge}), b = empty({kLarge});
    EXPECT_NE(a.data(), b.data());
    { Tensor c = empty({kLarge}); }
    Tensor d = empty({kLarge});
    EXPECT_NE(d.data(), a.data());
    EXPECT_NE(d.data(), b.data());
}
