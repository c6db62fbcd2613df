// Stubs name the function a student has to write, read from the compiler's
// description of the enclosing function.
#include <gtest/gtest.h>

#include "tensor.hpp"  // module 01: errors.hpp (tito has an errors.hpp of its own)

using tinytorch::short_function_name;

TEST(StubNames, MemberFunctionKeepsClassName) {
    EXPECT_EQ(short_function_name(
                  "tinytorch::Tensor tinytorch::Tensor::matmul(const tinytorch::Tensor&) const"),
              "Tensor::matmul");
}

TEST(StubNames, FreeFunctionDropsNamespace) {
    EXPECT_EQ(short_function_name("tinytorch::Tensor tinytorch::relu(const tinytorch::Tensor&)"),
              "relu");
}

TEST(StubNames, ConstructorHasNoReturnType) {
    EXPECT_EQ(short_function_name("tinytorch::Linear::Linear(int64_t, int64_t, bool)"),
              "Linear::Linear");
}

TEST(StubNames, CallOperatorKeepsItsParentheses) {
    EXPECT_EQ(short_function_name(
                  "tinytorch::Tensor tinytorch::ReLU::operator()(const tinytorch::Tensor&) const"),
              "ReLU::operator()");
}

TEST(StubNames, OperatorSymbol) {
    EXPECT_EQ(short_function_name("tinytorch::Tensor tinytorch::operator+(const tinytorch::Tensor&, "
                                  "const tinytorch::Tensor&)"),
              "operator+");
}

TEST(StubNames, TemplateReturnType) {
    EXPECT_EQ(short_function_name("std::vector<long int> tinytorch::broadcast_shapes(const Shape&)"),
              "broadcast_shapes");
}

TEST(StubNames, NotImplementedMessageNamesFunctionAndModule) {
    try {
        tinytorch::not_implemented(7);
    } catch (const tinytorch::NotImplemented& e) {
        EXPECT_STREQ(e.what(),
                     "not implemented yet: StubNames_NotImplementedMessageNamesFunctionAndModule_"
                     "Test::TestBody (module 07)");
        EXPECT_EQ(e.module(), 7);
    }
}
