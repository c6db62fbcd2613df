// release.cpp — copy the tree, stubbing student files on the way.
#include "release.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "errors.hpp"
#include "solution_blocks.hpp"

namespace tito {

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read {}", path.string()));
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

// Never part of a release, whatever the manifest says: version control,
// build trees, tito's own state (progress, backups) and milestone runs.
bool is_build_or_state(const fs::path& relative, const fs::path& absolute) {
    const std::string first = relative.begin()->string();
    if (first == ".git" || first == ".tito" || first == ".cache" || first == "build" || first == "runs") return true;
    return fs::is_directory(absolute) && fs::exists(absolute / "CMakeCache.txt");
}

}  // namespace

ReleaseSummary write_release(const Workspace& workspace, const fs::path& out_arg) {
    const fs::path root = workspace.root();
    const fs::path out = fs::weakly_canonical(fs::absolute(out_arg));
    if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out)))
        throw Error(fmt::format("{} already exists and is not empty; release into a new folder",
                                out.string()));

    // Student files and their module numbers, to stub on the way.
    std::map<fs::path, int> student_files;
    for (const Module& m : workspace.curriculum().modules)
        for (const std::string& file : m.files)
            student_files[fs::path(m.folder()) / file] = m.index();
    std::set<fs::path> excluded;
    for (const std::string& path : workspace.curriculum().release_exclude) excluded.insert(path);

    ReleaseSummary summary;
    fs::create_directories(out);
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path source = it->path();
        const fs::path relative = fs::relative(source, root);
        if (source == out || excluded.count(relative) || is_build_or_state(relative, source)) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        const fs::path target = out / relative;
        if (it->is_symlink()) {
            fs::copy_symlink(source, target);
        } else if (it->is_directory()) {
            fs::create_directories(target);
        } else if (auto student = student_files.find(relative); student != student_files.end()) {
            const std::string reference = read_file(source);
            const auto blocks = find_solution_blocks(reference, relative.string());
            if (blocks.empty())
                throw Error(fmt::format("{} has no solution block; releasing it would hand out "
                                        "the reference. Mark the student's part with "
                                        "// BEGIN SOLUTION ... // END SOLUTION",
                                        relative.string()));
            summary.solution_blocks += static_cast<int>(blocks.size());
            const std::string stub = make_stub(reference, relative.string(), student->second);
            write_file(target, stub);
            write_file(out / ".tito" / "stubs" / relative, stub);
            summary.stubbed_files.push_back(relative.string());
        } else {
            fs::copy_file(source, target, fs::copy_options::overwrite_existing);
            ++summary.files_copied;
        }
    }
    for (const auto& [relative, number] : student_files)
        if (!fs::exists(out / relative))
            throw Error(fmt::format("curriculum.json lists {}, which does not exist", relative.string()));

    const nlohmann::json record = {
        {"released_at", fmt::format("{:%FT%TZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(
                                                     std::chrono::system_clock::now())))},
        {"stubbed_files", summary.stubbed_files},
    };
    write_file(out / ".tito" / "release.json", record.dump(2) + "\n");
    return summary;
}

}  // namespace tito
