// layers_base.cpp — the provided parts of module 03: registering parameters
// and submodules, and the plumbing of Sequential. The tree walks that use
// these registries (parameters, named_parameters, train) are yours, in
// layers.cpp.
#include <algorithm>

#include "layers.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Module registration
// ---------------------------------------------------------------------------

void Module::check_new_name(const std::string& name, const char* what) const {
    TT_CHECK(!name.empty(), ValueError, "{}: the name must not be empty", what);
    TT_CHECK(name.find('.') == std::string::npos, ValueError,
             "{}: the name \"{}\" must not contain '.' (dots join the names of nested modules)",
             what, name);
    const auto same_name = [&name](const auto& entry) { return entry.first == name; };
    TT_CHECK(std::none_of(own_parameters_.begin(), own_parameters_.end(), same_name) &&
                 std::none_of(own_buffers_.begin(), own_buffers_.end(), same_name) &&
                 std::none_of(children_.begin(), children_.end(), same_name),
             ValueError,
             "{}: this module already has a parameter, buffer or submodule named \"{}\"", what,
             name);
}

Tensor Module::register_parameter(std::string name, Tensor value) {
    check_new_name(name, "register_parameter");
    TT_CHECK(value.defined(), ValueError,
             "register_parameter: the tensor for \"{}\" is undefined", name);
    value.requires_grad_(true);
    own_parameters_.emplace_back(std::move(name), value);
    return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
    check_new_name(name, "register_buffer");
    TT_CHECK(value.defined(), ValueError, "register_buffer: the tensor for \"{}\" is undefined",
             name);
    value.requires_grad_(false);
    own_buffers_.emplace_back(std::move(name), value);
    return value;
}

namespace {
// Depth first, own buffers before the submodules', each tensor and each
// module once (a module shared between two places is walked the first time).
void collect_buffers(const Module& module, const std::string& prefix,
                     std::vector<std::pair<std::string, Tensor>>& out,
                     std::vector<const Module*>& visited) {
    if (std::find(visited.begin(), visited.end(), &module) != visited.end()) return;
    visited.push_back(&module);
    for (const auto& [name, buffer] : module.named_own_buffers()) {
        const auto same = [&buffer](const auto& entry) { return entry.second.is_same(buffer); };
        if (std::none_of(out.begin(), out.end(), same)) out.emplace_back(prefix + name, buffer);
    }
    for (const auto& [name, child] : module.named_children())
        collect_buffers(*child, prefix + name + ".", out, visited);
}
}  // namespace

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
    std::vector<std::pair<std::string, Tensor>> out;
    std::vector<const Module*> visited;
    collect_buffers(*this, "", out, visited);
    return out;
}

void Module::register_child(std::string name, std::shared_ptr<Module> module) {
    check_new_name(name, "register_module");
    TT_CHECK(module != nullptr, ValueError, "register_module: the module for \"{}\" is null", name);
    children_.emplace_back(std::move(name), std::move(module));
}

// ---------------------------------------------------------------------------
// Sequential plumbing
// ---------------------------------------------------------------------------

Sequential& Sequential::add_module(std::shared_ptr<Module> module) {
    register_module(std::to_string(size()), std::move(module));
    return *this;
}

Module& Sequential::operator[](size_t index) const {
    TT_CHECK(index < size(), IndexError, "Sequential: layer {} requested, it has {} layers", index,
             size());
    return *named_children()[index].second;
}

}  // namespace tinytorch
