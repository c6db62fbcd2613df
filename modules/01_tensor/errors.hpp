// errors.hpp — the exceptions TinyTorch throws, and the check macro that builds
// their messages. Provided infrastructure: students use it, they do not edit it.
//
// Every message names what was wrong and shows the shapes or values involved,
// e.g. "matmul: inner dimensions differ: (2, 3) @ (4, 5)".
#pragma once

#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace tinytorch {

using Shape = std::vector<int64_t>;

// Base of every error TinyTorch reports on bad input.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
class ShapeError : public Error {  // shapes that do not fit together
public:
    using Error::Error;
};
class IndexError : public Error {  // an index or axis out of range
public:
    using Error::Error;
};
class ValueError : public Error {  // a value outside what the function accepts
public:
    using Error::Error;
};
class FileError : public Error {  // a missing, truncated or corrupt file
public:
    using Error::Error;
};
class GraphError : public Error {  // misuse of the autograd graph
public:
    using Error::Error;
};

// Thrown by the stub of every function a student has not written yet. It is
// deliberately not a tinytorch::Error, so a test that expects an error from
// finished code never mistakes a stub for a pass.
class NotImplemented : public std::logic_error {
public:
    NotImplemented(const std::string& function, int module);
    const std::string& function() const { return function_; }
    int module() const { return module_; }

private:
    std::string function_;
    int module_;
};

// The stub body the release tool writes into student files:
//     not_implemented(1);
// throws NotImplemented("Tensor::matmul", 1) when called from Tensor::matmul.
[[noreturn]] void not_implemented(int module,
                                  std::source_location where = std::source_location::current());

// "tinytorch::Tensor tinytorch::Tensor::matmul(const tinytorch::Tensor&) const"
//   -> "Tensor::matmul". Exposed for tests.
std::string short_function_name(const std::string& pretty_name);

// "(2, 3)"; "()" for a scalar.
std::string format_shape(const Shape& shape);

// Maps a possibly negative axis into [0, ndim); throws IndexError naming `op`.
int64_t normalize_axis(int64_t axis, int64_t ndim, const char* op);

}  // namespace tinytorch

// TT_CHECK(condition, ErrorType, "fmt {} string", args...)
// Throws ErrorType with the formatted message when the condition is false.
#define TT_CHECK(condition, ErrorType, ...)                     \
    do {                                                        \
        if (!(condition)) throw ErrorType(fmt::format(__VA_ARGS__)); \
    } while (false)
