// reset.cpp — backups, the stub, and bringing work back.
#include "reset.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "clock.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "progress.hpp"
#include "solution_blocks.hpp"

namespace tito {

using nlohmann::json;

namespace {

// Copies the module's current student files into a new backup folder.
std::string create_backup(const Workspace& workspace, const Module& module, const std::string& reason) {
    const std::time_t now = std::time(nullptr);
    fs::create_directories(workspace.backups_dir());
    std::string id;
    for (int attempt = 1;; ++attempt) {
        id = fmt::format("{}-{}_{}", compact_utc_stamp(now), module.number, module.name);
        if (attempt > 1) id += fmt::format("-{}", attempt);
        // mkdir, not create_directories: it fails if the folder exists, so two
        // resets in the same second get two folders.
        if (::mkdir((workspace.backups_dir() / id).c_str(), 0755) == 0) break;
        if (errno != EEXIST)
            throw Error(fmt::format("cannot create a backup folder in {}: {}", workspace.backups_dir().string(),
                                    std::strerror(errno)));
    }
    const fs::path folder = workspace.backups_dir() / id;
    std::vector<std::string> saved;
    for (const std::string& file : module.files) {
        const fs::path source = workspace.module_dir(module) / file;
        if (!fs::is_regular_file(source)) continue;
        copy_file_atomically(source, folder / file);
        saved.push_back(file);
    }
    // Written last: a folder without it is a backup that was cut short.
    const json record = {{"module", module.number}, {"name", module.name}, {"created_at", utc_timestamp(now)},
                         {"reason", reason}, {"files", saved}};
    write_file_atomically(folder / "backup.json", record.dump(2) + "\n");
    return id;
}

std::optional<BackupInfo> read_backup(const fs::path& folder) {
    try {
        const json record = json::parse(read_file(folder / "backup.json"));
        BackupInfo info;
        info.id = folder.filename().string();
        info.module = record.at("module").get<std::string>();
        info.created_at = record.at("created_at").get<std::string>();
        info.reason = record.at("reason").get<std::string>();
        info.files = record.at("files").get<std::vector<std::string>>();
        return info;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void mark_incomplete(const Workspace& workspace, const Module& module) {
    ProgressStore(workspace.state_dir()).update([&](Progress& progress) {
        const auto it = progress.modules.find(module.number);
        if (it == progress.modules.end()) return;
        it->second.completed = false;
        it->second.completed_at.clear();
        it->second.files_sha256.clear();
        it->second.tests_passed.reset();
        it->second.tests_total.reset();
    });
}

// The stub of one student file.
std::string stub_of(const Workspace& workspace, const Module& module, const std::string& file) {
    if (workspace.is_instructor_tree()) {
        const fs::path reference = workspace.module_dir(module) / file;
        const std::string relative = module.folder() + "/" + file;
        return make_stub(read_file(reference), relative, module.index());
    }
    const fs::path stub = workspace.stub_of(module, file);
    if (!fs::is_regular_file(stub))
        throw Error(fmt::format("the pristine stub {} is missing, so tito cannot reset {}/{}. It is part "
                                "of the student tree: restore it from your copy of the course (for "
                                "example `git checkout -- .tito/stubs`)",
                                stub.string(), module.folder(), file));
    return read_file(stub);
}

}  // namespace

std::vector<BackupInfo> list_backups(const Workspace& workspace, const Module* module) {
    std::vector<BackupInfo> backups;
    std::error_code ec;
    if (!fs::is_directory(workspace.backups_dir(), ec)) return backups;
    for (const auto& entry : fs::directory_iterator(workspace.backups_dir())) {
        if (!entry.is_directory()) continue;
        auto info = read_backup(entry.path());
        if (info && (module == nullptr || info->module == module->number)) backups.push_back(std::move(*info));
    }
    std::sort(backups.begin(), backups.end(), [](const BackupInfo& a, const BackupInfo& b) { return a.id < b.id; });
    return backups;
}

ResetOutcome reset_module(const Workspace& workspace, const Module& module, bool force) {
    ProgressStore(workspace.state_dir()).load();  // an unusable progress file stops us before any change
    if (workspace.is_instructor_tree() && !force)
        throw UsageError(fmt::format(
            "this is the instructor tree: {}'s student files hold the reference solution, and a reset "
            "would replace it with the stub. Pass --force to do it anyway (the files are backed up "
            "first; `tito module reset {} --restore ID` brings them back)",
            module.folder(), module.number));
    std::vector<std::pair<std::string, std::string>> stubs;
    for (const std::string& file : module.files) stubs.emplace_back(file, stub_of(workspace, module, file));

    ResetOutcome outcome;
    bool differs = false;
    for (const auto& [file, stub] : stubs) {
        const fs::path path = workspace.module_dir(module) / file;
        differs = differs || !fs::is_regular_file(path) || read_file(path) != stub;
    }
    if (differs) {
        outcome.backup_id = create_backup(workspace, module, "reset");
        for (const auto& [file, stub] : stubs) write_file_atomically(workspace.module_dir(module) / file, stub);
    }
    mark_incomplete(workspace, module);
    return outcome;
}

RestoreOutcome restore_backup(const Workspace& workspace, const Module& module, const std::string& id) {
    ProgressStore(workspace.state_dir()).load();
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..")
        throw UsageError(fmt::format("\"{}\" is not a backup id; `tito module reset {} --list-backups` lists them",
                                     id, module.number));
    const fs::path folder = workspace.backups_dir() / id;
    const auto info = fs::is_directory(folder) ? read_backup(folder) : std::nullopt;
    if (!info)
        throw UsageError(fmt::format("there is no backup {} in {}; `tito module reset {} --list-backups` lists them",
                                     id, workspace.backups_dir().string(), module.number));
    if (info->module != module.number)
        throw UsageError(fmt::format("backup {} holds module {}, not module {}; restore it with "
                                     "`tito module reset {} --restore {}`",
                                     id, info->module, module.number, info->module, id));
    for (const std::string& file : info->files)
        if (std::find(module.files.begin(), module.files.end(), file) == module.files.end())
            throw Error(fmt::format("backup {} holds {}, which is not a student file of module {}", id, file,
                                    module.number));

    RestoreOutcome outcome;
    outcome.files = info->files;
    bool differs = false;
    for (const std::string& file : info->files) {
        const fs::path path = workspace.module_dir(module) / file;
        differs = differs || !fs::is_regular_file(path) || read_file(path) != read_file(folder / file);
    }
    if (differs) {
        outcome.replaced_backup_id = create_backup(workspace, module, "restore");
        for (const std::string& file : info->files)
            copy_file_atomically(folder / file, workspace.module_dir(module) / file);
    }
    mark_incomplete(workspace, module);
    return outcome;
}

}  // namespace tito
