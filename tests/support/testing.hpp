// testing.hpp — assertions for tensors, shared by every test of the course.
//
// Failures print what was expected and what came out, so a failing test
// reads like a diff:
//     Expected: tensor([[1., 2.], [3., 4.]], shape=(2, 2))
//       Actual: tensor([[1., 2.], [3., 5.]], shape=(2, 2))
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>  // mkdtemp

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include "tensor.hpp"

namespace tinytorch::testing {

inline ::testing::AssertionResult tensors_close(const char* actual_expr, const char* expected_expr,
                                                const char* /*tolerance_expr*/,
                                                const Tensor& actual, const Tensor& expected,
                                                float tolerance) {
    if (allclose(actual, expected, tolerance, tolerance)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << actual_expr << " is not close to " << expected_expr << " (tolerance " << tolerance
           << ")\n  Expected: " << expected.to_string() << "\n    Actual: " << actual.to_string();
}

inline ::testing::AssertionResult tensors_equal(const char* actual_expr, const char* expected_expr,
                                                const Tensor& actual, const Tensor& expected) {
    if (allclose(actual, expected, 0.0f, 0.0f)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << actual_expr << " differs from " << expected_expr
           << "\n  Expected: " << expected.to_string() << "\n    Actual: " << actual.to_string();
}

inline ::testing::AssertionResult shape_is(const char* actual_expr, const char* /*expected*/,
                                           const Tensor& actual, const Shape& expected) {
    if (actual.shape() == expected) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << actual_expr << " has the wrong shape\n  Expected: " << format_shape(expected)
           << "\n    Actual: " << format_shape(actual.shape());
}

// A parameter with these values, as a model's parameter would be: a leaf
// that requires a gradient.
inline Tensor parameter(Tensor values) {
    values.requires_grad_();
    return values;
}

// Values drawn uniformly from [low, high) by `gen`, one after another in
// row-major order.
inline Tensor random_tensor(const Shape& shape, Generator& gen, float low = -1.0f, float high = 1.0f) {
    Tensor t = empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = gen.uniform(low, high);
    return t;
}

// A fresh folder under the system's temporary folder, removed with all it
// holds when the test ends.
class TempFolder {
public:
    explicit TempFolder(const std::string& prefix = "tinytorch") {
        std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
        path = pattern;
    }
    ~TempFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    std::filesystem::path path;
};

}  // namespace tinytorch::testing

// Same shape and every element within tolerance (absolute and relative).
#define EXPECT_TENSOR_NEAR(actual, expected, tolerance) \
    EXPECT_PRED_FORMAT3(::tinytorch::testing::tensors_close, actual, expected, tolerance)
#define ASSERT_TENSOR_NEAR(actual, expected, tolerance) \
    ASSERT_PRED_FORMAT3(::tinytorch::testing::tensors_close, actual, expected, tolerance)
// Same shape and bit-for-bit equal values.
#define EXPECT_TENSOR_EQ(actual, expected) \
    EXPECT_PRED_FORMAT2(::tinytorch::testing::tensors_equal, actual, expected)
#define EXPECT_SHAPE(actual, ...) \
    EXPECT_PRED_FORMAT2(::tinytorch::testing::shape_is, actual, (::tinytorch::Shape{__VA_ARGS__}))

// The statement throws `type` and its message contains `fragment`. A stub's
// NotImplemented is not a `type`, so it fails here with its own message.
#define EXPECT_THROW_WITH(statement, type, fragment)                                       \
    do {                                                                                   \
        try {                                                                              \
            statement;                                                                     \
            ADD_FAILURE() << "Expected: " #statement " throws " #type                      \
                          << " mentioning \"" << (fragment) << "\"\n  Actual: no exception"; \
        } catch (const type& error) {                                                      \
            EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)         \
                << "Expected the message of " #type " to mention \"" << (fragment)         \
                << "\"\n  Actual message: " << error.what();                               \
        }                                                                                  \
    } while (false)
