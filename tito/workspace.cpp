// workspace.cpp — find the workspace root by walking up to the manifest.
#include "workspace.hpp"

#include <fmt/format.h>

#include "errors.hpp"

namespace tito {

Workspace Workspace::find(const fs::path& start) {
    for (fs::path dir = fs::absolute(start); ; dir = dir.parent_path()) {
        if (fs::is_regular_file(dir / "curriculum.json")) return Workspace(dir);
        if (dir == dir.parent_path()) break;
    }
    throw Error(fmt::format(
        "{} is not inside a TinyTorch workspace (no curriculum.json here or in any parent "
        "folder); cd into your workspace first",
        fs::absolute(start).string()));
}

Workspace::Workspace(fs::path root)
    : root_(fs::canonical(root)), curriculum_(load_curriculum(root_ / "curriculum.json")) {}

}  // namespace tito
