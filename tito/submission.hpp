// submission.hpp — take a submission apart, trusting nothing in it.
//
// A submission is a folder or an archive (.tar.gz, .tgz, .tar or .zip, as
// `tito submit` writes or a student zips by hand). Archives are extracted
// into the scratch folder with every entry checked (archive.hpp: absolute
// paths, "..", links, devices and oversized entries refuse the whole
// submission, with the reason). Inside, the files may sit as in a workspace
// (modules/NN_name/file.cpp, possibly below one top folder), or flat (just
// tensor.cpp, activations.cpp, ... as Gradescope receives uploaded files); a
// folder holding only one archive is that archive.
//
// Only the manifest's student files are taken, each a regular file (no
// link) of at most 1 MB, and each is checked with check_student_source().
// Everything is copied into `files_root`, laid out like modules/; a missing
// or refused file gets its stub (so that module scores 0 and the others
// build).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "source_check.hpp"
#include "workspace.hpp"

namespace tito {

enum class FileStatus { Submitted, Missing, Refused };

struct SubmittedFile {
    const Module* module = nullptr;
    std::string file;     // "tensor.cpp"
    std::string path;     // "modules/01_tensor/tensor.cpp"
    FileStatus status = FileStatus::Missing;
    std::string problem;  // why it is missing or refused (a sentence)
    std::vector<SourceIssue> issues;  // the source check's findings, when refused for them
};

struct Submission {
    std::string student;        // from the folder or archive name
    std::filesystem::path source;
    std::string refused;        // the whole submission was refused: why
    std::vector<SubmittedFile> files;
    std::vector<std::string> notes;
    std::filesystem::path files_root;  // TINYTORCH_SUBMISSION_DIR

    // The problems that make `module` score zero before anything is built:
    // its files missing or refused.
    std::vector<std::string> problems_of(const Module& module) const;
};

// Reads `source` into `scratch` (which must exist and be private).
Submission load_submission(const Workspace& workspace, const std::filesystem::path& source,
                           const std::filesystem::path& scratch);

// "alice" for alice.tar.gz, alice.zip or a folder named alice.
std::string student_name_of(const std::filesystem::path& source);

// The headers a student file of `module` may include: those of the module
// and of the modules it builds on.
std::set<std::string> includable_headers(const Workspace& workspace, const Module& module);

}  // namespace tito
