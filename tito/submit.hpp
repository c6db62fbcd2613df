// submit.hpp — `tito submit`: the student packs what is graded.
//
// One .tar.gz holding the manifest's student files (modules/NN_name/...),
// the progress file (.tito/progress.json, packed as it is) and a metadata
// file (.tito/submission.json: tool version, time, course, optional student
// name, and the SHA-256 of every file). `tito grade` takes only the student
// files from it; the metadata lets it note files changed after submitting.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "workspace.hpp"

namespace tito {

struct SubmittedEntry {
    std::string path;
    uint64_t bytes = 0;
    std::string sha256;
};

struct SubmitSummary {
    std::filesystem::path archive;
    std::vector<SubmittedEntry> entries;  // what went in, in order
    std::vector<std::string> missing;     // student files the workspace lacks
};

// The archive's default path: tinytorch-submission.tar.gz in the workspace root.
std::filesystem::path default_submission_path(const Workspace& workspace);

// Throws tito::Error when nothing could be written or no student file exists.
SubmitSummary write_submission(const Workspace& workspace, const std::filesystem::path& out,
                               const std::string& student);

}  // namespace tito
