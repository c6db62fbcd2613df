// errors.cpp — message helpers behind errors.hpp. Provided infrastructure.
#include "errors.hpp"

#include <fmt/format.h>

namespace tinytorch {

NotImplemented::NotImplemented(const std::string& function, int module)
    : std::logic_error(fmt::format("not implemented yet: {} (module {:02d})", function, module)),
      function_(function),
      module_(module) {}

void not_implemented(int module, std::source_location where) {
    throw NotImplemented(short_function_name(where.function_name()), module);
}

std::string short_function_name(const std::string& pretty_name) {
    // The parameter list starts at the first '(' that is not the "()" of
    // "operator()"; the name is the word before it.
    size_t open = pretty_name.find('(');
    const std::string call_operator = "operator()";
    size_t call = pretty_name.find(call_operator);
    if (call != std::string::npos && call + call_operator.size() - 2 == open)
        open = call + call_operator.size();
    if (open == std::string::npos) return pretty_name;
    size_t start = pretty_name.rfind(' ', open);
    // "operator+" and friends carry no space; "operator new" would, but no
    // student function is one.
    std::string name = pretty_name.substr(start == std::string::npos ? 0 : start + 1,
                                          open - (start == std::string::npos ? 0 : start + 1));
    const std::string ns = "tinytorch::";
    for (size_t at; (at = name.find(ns)) != std::string::npos;) name.erase(at, ns.size());
    if (name.rfind("{anonymous}::", 0) == 0) name.erase(0, 13);
    return name;
}

std::string format_shape(const Shape& shape) {
    return fmt::format("({})", fmt::join(shape, ", "));
}

int64_t normalize_axis(int64_t axis, int64_t ndim, const char* op) {
    // A scalar behaves as if it had one axis, as in NumPy's reductions.
    const int64_t extent = ndim == 0 ? 1 : ndim;
    TT_CHECK(axis >= -extent && axis < extent, IndexError,
             "{}: axis {} is out of range for a tensor with {} axes (valid: {} to {})", op, axis,
             ndim, -extent, extent - 1);
    return axis < 0 ? axis + extent : axis;
}

}  // namespace tinytorch
