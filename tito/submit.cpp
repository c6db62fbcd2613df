// submit.cpp — pack the student files, the progress file and the metadata.
#include "submit.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "archive.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "hashing.hpp"

#ifndef TITO_VERSION
#define TITO_VERSION "unknown"
#endif

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr const char* kProgressFile = ".tito/progress.json";
constexpr const char* kMetadataFile = ".tito/submission.json";

SubmittedEntry entry_of(const fs::path& root, const std::string& relative) {
    const fs::path file = root / relative;
    return {relative, fs::file_size(file), sha256_file(file)};
}

}  // namespace

fs::path default_submission_path(const Workspace& workspace) {
    return workspace.root() / "tinytorch-submission.tar.gz";
}

SubmitSummary write_submission(const Workspace& workspace, const fs::path& out, const std::string& student) {
    SubmitSummary summary;
    summary.archive = fs::absolute(out);
    const fs::path root = workspace.root();
    std::vector<ArchiveMember> members;
    nlohmann::json files = nlohmann::json::array();
    for (const Module& m : workspace.curriculum().modules) {
        for (const std::string& file : m.files) {
            const std::string relative = m.folder() + "/" + file;
            if (!fs::is_regular_file(root / relative)) {
                summary.missing.push_back(relative);
                continue;
            }
            summary.entries.push_back(entry_of(root, relative));
            members.push_back({relative, root / relative});
            files.push_back({{"path", relative}, {"sha256", summary.entries.back().sha256},
                             {"bytes", summary.entries.back().bytes}});
        }
    }
    if (members.empty())
        throw Error(fmt::format("{} holds none of the student files curriculum.json lists; run `tito submit` "
                                "inside your workspace", root.string()));
    if (fs::is_regular_file(root / kProgressFile)) {
        summary.entries.push_back(entry_of(root, kProgressFile));
        members.push_back({kProgressFile, root / kProgressFile});
        files.push_back({{"path", kProgressFile}, {"sha256", summary.entries.back().sha256},
                         {"bytes", summary.entries.back().bytes}});
    }
    nlohmann::json metadata = {
        {"format", 1},
        {"tool", std::string("tito ") + TITO_VERSION},
        {"course", workspace.curriculum().course},
        {"submitted_at", fmt::format("{:%FT%TZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(
                                                      std::chrono::system_clock::now())))},
        {"files", files},
    };
    if (!student.empty()) metadata["student"] = student;
    write_file_atomically(root / kMetadataFile, metadata.dump(2) + "\n");
    summary.entries.push_back(entry_of(root, kMetadataFile));
    members.push_back({kMetadataFile, root / kMetadataFile});
    if (fs::path parent = summary.archive.parent_path(); !fs::is_directory(parent))
        throw Error(fmt::format("cannot write {}: the folder {} does not exist", summary.archive.string(),
                                parent.string()));
    write_archive(summary.archive, members, ArchiveFormat::TarGz);
    return summary;
}

}  // namespace tito
