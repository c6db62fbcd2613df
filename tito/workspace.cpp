// workspace.cpp — find the workspace root by walking up to the manifest.
#include "workspace.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "files.hpp"
#include "hashing.hpp"

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

std::string Workspace::student_files_sha256(const Module& module) const {
    std::string all;
    for (const std::string& file : module.files) {
        const fs::path path = module_dir(module) / file;
        std::error_code ec;
        const std::string content = fs::is_regular_file(path, ec) ? read_file(path) : std::string();
        // name, a separator, the length, the bytes: no two file sets collide
        all += fmt::format("{}\n{}\n", file, fs::is_regular_file(path, ec) ? std::to_string(content.size()) : "missing");
        all += content;
    }
    return sha256_hex(all);
}

}  // namespace tito
