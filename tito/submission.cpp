// submission.cpp — locate, read and check a submission's student files.
#include "submission.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "archive.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "hashing.hpp"
#include "solution_blocks.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxStudentFileBytes = 1u << 20;
constexpr const char* kMetadataFile = ".tito/submission.json";

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* archive_extension(const std::string& name) {
    for (const char* ext : {".tar.gz", ".tgz", ".tar", ".zip"})
        if (ends_with(name, ext) && name.size() > std::strlen(ext)) return ext;
    return nullptr;
}

bool is_real_folder(const fs::path& path) {
    std::error_code ec;
    return fs::symlink_status(path, ec).type() == fs::file_type::directory;
}

struct ReadResult {
    bool found = false;
    std::string content;
    std::string problem;  // found but refused
};

// root/relative, following no link at any level; FIFOs and devices are not
// opened for reading (O_NONBLOCK, then fstat).
ReadResult read_without_links(const fs::path& root, const std::string& relative) {
    ReadResult result;
    int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return result;
    std::vector<std::string> parts;
    std::istringstream in(relative);
    for (std::string part; std::getline(in, part, '/');)
        if (!part.empty()) parts.push_back(part);
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        const int next = ::openat(dir, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int err = errno;
        ::close(dir);
        if (next < 0) {
            if (err != ENOENT) {
                result.found = true;
                result.problem = fmt::format("{} is a link or not a folder", parts[i]);
            }
            return result;
        }
        dir = next;
    }
    const int fd = ::openat(dir, parts.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    const int err = errno;
    ::close(dir);
    if (fd < 0) {
        if (err != ENOENT) {
            result.found = true;
            result.problem = err == ELOOP ? "it is a link; only regular files are graded"
                                          : fmt::format("it cannot be read: {}", std::strerror(err));
        }
        return result;
    }
    result.found = true;
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        result.problem = "it is not a regular file";
    } else if (static_cast<uint64_t>(info.st_size) > kMaxStudentFileBytes) {
        result.problem = fmt::format("it is {} bytes, more than the {} a student file may have", info.st_size,
                                     kMaxStudentFileBytes);
    } else {
        char buffer[65536];
        for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
            result.content.append(buffer, static_cast<size_t>(n));
            if (result.content.size() > kMaxStudentFileBytes) {
                result.problem = "it grew beyond 1 MB while being read";
                break;
            }
        }
    }
    ::close(fd);
    return result;
}

enum class Layout { Workspace, Flat };

struct Located {
    fs::path root;
    Layout layout = Layout::Flat;
};

// Where the student files are: see submission.hpp.
Located locate(const fs::path& dir, const fs::path& scratch, const std::set<std::string>& student_names,
               bool may_open_archive, Submission& submission) {
    if (is_real_folder(dir / "modules")) return {dir, Layout::Workspace};
    std::vector<fs::path> folders, archives;
    bool flat_files = false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || name == "__MACOSX") continue;
        const fs::file_type type = entry.symlink_status(ec).type();
        if (type == fs::file_type::directory) folders.push_back(entry.path());
        else if (type == fs::file_type::regular && archive_extension(name)) archives.push_back(entry.path());
        else if (student_names.count(name)) flat_files = true;
    }
    if (!flat_files && folders.size() == 1 && is_real_folder(folders.front() / "modules"))
        return {folders.front(), Layout::Workspace};
    if (!flat_files && archives.size() == 1 && may_open_archive) {
        const fs::path inner = scratch / "extracted-inner";
        fs::create_directories(inner);
        extract_archive(archives.front(), inner);
        submission.notes.push_back(fmt::format("graded the archive {}", archives.front().filename().string()));
        return locate(inner, scratch, student_names, false, submission);
    }
    return {dir, Layout::Flat};
}

// Notes from the metadata `tito submit` writes: files changed since, and a
// declared name different from the one the grade goes under.
void read_metadata(const fs::path& root, Submission& submission,
                   const std::map<std::string, std::string>& submitted_hashes) {
    const ReadResult metadata = read_without_links(root, kMetadataFile);
    if (!metadata.found || !metadata.problem.empty()) return;
    const nlohmann::json doc = nlohmann::json::parse(metadata.content, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        submission.notes.push_back(fmt::format("{} is not valid JSON; ignored", kMetadataFile));
        return;
    }
    if (doc.contains("student") && doc["student"].is_string()) {
        const std::string declared = doc["student"].get<std::string>();
        if (!declared.empty() && declared != submission.student)
            submission.notes.push_back(fmt::format("the submission names its student \"{}\"", declared));
    }
    if (!doc.contains("files") || !doc["files"].is_array()) return;
    for (const auto& entry : doc["files"]) {
        if (!entry.is_object() || !entry.contains("path") || !entry.contains("sha256")) continue;
        if (!entry["path"].is_string() || !entry["sha256"].is_string()) continue;
        const auto it = submitted_hashes.find(entry["path"].get<std::string>());
        if (it != submitted_hashes.end() && it->second != entry["sha256"].get<std::string>())
            submission.notes.push_back(fmt::format("{} changed after `tito submit` recorded it", it->first));
    }
}

}  // namespace

std::string student_name_of(const fs::path& source) {
    fs::path path = source.lexically_normal();
    std::string name = path.filename().string();
    if (name.empty() || name == ".") name = path.parent_path().filename().string();
    if (const char* ext = archive_extension(name)) name.erase(name.size() - std::strlen(ext));
    std::string clean;
    for (char c : name) clean.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    return clean.empty() ? "submission" : clean;
}

std::set<std::string> includable_headers(const Workspace& workspace, const Module& module) {
    std::set<std::string> headers;
    std::vector<const Module*> pending = {&module};
    std::set<std::string> visited;
    while (!pending.empty()) {
        const Module* m = pending.back();
        pending.pop_back();
        if (!visited.insert(m->number).second) continue;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(workspace.module_dir(*m), ec))
            if (entry.path().extension() == ".hpp") headers.insert(entry.path().filename().string());
        for (const std::string& number : m->prerequisites) pending.push_back(&workspace.curriculum().module(number));
    }
    return headers;
}

std::vector<std::string> Submission::problems_of(const Module& module) const {
    if (!refused.empty()) return {refused};
    std::vector<std::string> problems;
    for (const SubmittedFile& f : files) {
        if (f.module != &module || f.status == FileStatus::Submitted) continue;
        if (f.issues.empty()) problems.push_back(fmt::format("{}: {}", f.path, f.problem));
        for (const SourceIssue& issue : f.issues)
            problems.push_back(fmt::format("{}:{}: {}", f.path, issue.line, issue.message));
    }
    return problems;
}

Submission load_submission(const Workspace& workspace, const fs::path& source, const fs::path& scratch) {
    Submission submission;
    submission.source = source;
    submission.student = student_name_of(source);
    submission.files_root = scratch / "tito-submission";

    // Where the files are.
    std::set<std::string> student_names;
    std::map<std::string, int> name_count;
    for (const Module& m : workspace.curriculum().modules)
        for (const std::string& file : m.files) {
            student_names.insert(file);
            ++name_count[file];
        }
    std::optional<Located> located;
    try {
        std::error_code ec;
        const fs::file_type type = fs::symlink_status(source, ec).type();
        if (type == fs::file_type::directory) {
            located = locate(source, scratch, student_names, true, submission);
        } else if (type == fs::file_type::regular) {
            const fs::path extracted = scratch / "extracted";
            fs::create_directories(extracted);
            extract_archive(source, extracted);
            located = locate(extracted, scratch, student_names, false, submission);
        } else {
            submission.refused = fmt::format("{} is neither a folder nor an archive", source.string());
        }
    } catch (const Error& e) {
        submission.refused = fmt::format("the submission was refused: {}", e.what());
    }

    // Every student file: the submitted one when it is acceptable, else the stub.
    std::map<std::string, std::string> submitted_hashes;
    for (const Module& m : workspace.curriculum().modules) {
        const std::set<std::string> headers = includable_headers(workspace, m);
        for (const std::string& file : m.files) {
            SubmittedFile f;
            f.module = &m;
            f.file = file;
            f.path = m.folder() + "/" + file;
            std::string content;
            if (located) {
                const bool ambiguous = located->layout == Layout::Flat && name_count[file] > 1;
                const ReadResult read =
                    ambiguous ? ReadResult{} : read_without_links(located->root, located->layout == Layout::Workspace ? f.path : file);
                if (ambiguous) {
                    f.problem = fmt::format("several modules have a file named {}; submit the archive "
                                            "`tito submit` writes", file);
                } else if (!read.found) {
                    f.problem = "it is missing from the submission; its stub was graded";
                } else if (!read.problem.empty()) {
                    f.status = FileStatus::Refused;
                    f.problem = read.problem + "; its stub was graded";
                } else {
                    submitted_hashes[f.path] = sha256_hex(read.content);
                    f.issues = check_student_source(read.content, headers);
                    if (f.issues.empty()) {
                        f.status = FileStatus::Submitted;
                        content = read.content;
                    } else {
                        f.status = FileStatus::Refused;
                        f.problem = "refused by the source check";
                    }
                }
            }
            if (f.status != FileStatus::Submitted) {
                const fs::path reference = workspace.module_dir(m) / file;
                content = make_stub(read_file(reference), f.path, m.index());
            }
            write_file_atomically(submission.files_root / f.path, content);
            submission.files.push_back(std::move(f));
        }
    }
    if (located) read_metadata(located->root, submission, submitted_hashes);
    return submission;
}

}  // namespace tito
