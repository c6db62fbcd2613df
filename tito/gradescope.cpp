// gradescope.cpp — the Gradescope autograder package and its two scripts.
#include "gradescope.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.hpp"
#include "errors.hpp"
#include "files.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTreeFolder = "tinytorch";

std::string shell_quote(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/=:")
                             == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') quoted.append("'\\''");
        else quoted.push_back(c);
    }
    quoted.push_back('\'');
    return quoted;
}

std::string shell_words(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) {
        out.push_back(' ');
        out.append(shell_quote(w));
    }
    return out;
}

// Build trees, version control and tito's own state never go into the package.
bool is_left_out(const fs::path& relative, const fs::path& absolute) {
    const std::string first = relative.begin()->string();
    if (first == ".git" || first == ".tito" || first == ".cache" || first == "build") return true;
    std::error_code ec;
    return fs::is_directory(absolute, ec) && fs::exists(absolute / "CMakeCache.txt", ec);
}

}  // namespace

std::string gradescope_setup_script(const std::vector<std::string>& grade_arguments) {
    return fmt::format(R"SH(#!/usr/bin/env bash
# setup.sh — Gradescope runs this once, as root, while it builds the
# autograder image (written by `tito grade --gradescope-package`).
#
#   1. installs the packages tools/dependencies.txt lists;
#   2. builds the instructor tree: tito and every module's libraries and tests;
#   3. makes the tree readable by root only (hidden tests, reference solutions);
#   4. grades the reference solution as a submission: it must score 100%,
#      which also proves the sandbox works on this image.
#
# TITO_AUTOGRADER_ROOT replaces /autograder (the tests use a temporary folder).
set -euo pipefail
root="${{TITO_AUTOGRADER_ROOT:-/autograder}}"
tree="$root/source/{tree}"

echo "==> Installing dependencies"
"$tree/tools/setup.sh" --deps-only

version=$(cmake --version 2>/dev/null | head -n 1 | awk '{{print $3}}')
if [ -z "$version" ] || [ "$(printf '%s\n' 3.25 "$version" | sort -V | head -n 1)" != 3.25 ]; then
    echo "TinyTorch needs CMake 3.25 or newer; this image has ${{version:-none}}." >&2
    echo "Choose the Ubuntu 24.04 base image in the assignment's autograder settings." >&2
    exit 1
fi

echo "==> Building the instructor tree"
export CCACHE_BASEDIR=/
cd "$tree"
cmake --preset default >/dev/null
cmake --build --preset default --target tito library_tests

chmod 700 "$root/source"

echo "==> Self-check: the reference solution graded as a submission"
build/release/bin/tito grade "$tree" --fail-under 100 --json "$root/reference-results.json"{args}
)SH",
                       fmt::arg("tree", kTreeFolder), fmt::arg("args", shell_words(grade_arguments)));
}

std::string gradescope_run_script(const std::vector<std::string>& grade_arguments) {
    return fmt::format(R"SH(#!/usr/bin/env bash
# run_autograder — Gradescope runs this for every submission: it grades
# /autograder/submission into /autograder/results/results.json (written by
# `tito grade --gradescope-package`). What it prints is shown to the
# instructor only; students see results.json.
#
# TITO_AUTOGRADER_ROOT replaces /autograder (the tests use a temporary folder).
set -uo pipefail
root="${{TITO_AUTOGRADER_ROOT:-/autograder}}"
tree="$root/source/{tree}"
results="$root/results/results.json"
mkdir -p "$root/results"
rm -f "$results"

export CCACHE_BASEDIR=/
cd "$tree" || exit 1
build/release/bin/tito grade "$root/submission" --json "$results"{args}
status=$?
if [ ! -s "$results" ]; then
    # tito could not even start: still give the student an answer.
    cat > "$results" <<'JSON'
{{"score": 0, "output": "The autograder could not grade this submission because of a problem on the grading side, not in your code. Your instructor can see the details.", "tests": []}}
JSON
fi
exit "$status"
)SH",
                       fmt::arg("tree", kTreeFolder), fmt::arg("args", shell_words(grade_arguments)));
}

PackageSummary write_gradescope_package(const Workspace& workspace, const fs::path& zip,
                                        const std::vector<std::string>& grade_arguments) {
    PackageSummary summary;
    summary.zip = fs::absolute(zip);
    const fs::path root = workspace.root();
    if (!workspace.is_instructor_tree())
        throw UsageError("--gradescope-package needs the instructor tree: the package holds the hidden tests");

    // The scripts are written to a scratch folder, then archived with the tree.
    fs::create_directories(root / "build");
    std::string pattern = (root / "build" / "gradescope-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a scratch folder in build/");
    const fs::path scratch = pattern;
    std::vector<ArchiveMember> members;
    try {
        write_file_atomically(scratch / "setup.sh", gradescope_setup_script(grade_arguments));
        write_file_atomically(scratch / "run_autograder", gradescope_run_script(grade_arguments));
        ::chmod((scratch / "setup.sh").c_str(), 0755);
        ::chmod((scratch / "run_autograder").c_str(), 0755);
        members.push_back({"setup.sh", scratch / "setup.sh"});
        members.push_back({"run_autograder", scratch / "run_autograder"});
        for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
            const fs::path relative = fs::relative(it->path(), root);
            if (it->path() == summary.zip || is_left_out(relative, it->path())) {
                if (it->is_directory()) it.disable_recursion_pending();
                continue;
            }
            if (it->is_symlink() || !it->is_regular_file()) continue;
            members.push_back({fmt::format("{}/{}", kTreeFolder, relative.generic_string()), it->path()});
            ++summary.tree_files;
        }
        write_archive(summary.zip, members, ArchiveFormat::Zip);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(scratch, ec);
        throw;
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    return summary;
}

}  // namespace tito
