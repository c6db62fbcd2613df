// build.cpp — run cmake and pick the compiler errors out of its output.
#include "build.hpp"

#include <fmt/format.h>

#include <iostream>
#include <regex>
#include <sstream>

#include "console.hpp"
#include "errors.hpp"
#include "file_lock.hpp"
#include "interrupt.hpp"

namespace tito {

void Builder::ensure_configured() const {
    // Both: a configure cut short leaves a cache without the build files.
    const fs::path dir = workspace_.build_dir();
    if (fs::exists(dir / "CMakeCache.txt") && (fs::exists(dir / "build.ninja") || fs::exists(dir / "Makefile"))) return;
    std::cout << console::dim("Configuring the build (cmake --preset default), once…") << std::endl;
    configure();
}

void Builder::configure() const {
    ProcessOptions options;
    options.working_dir = workspace_.root();
    const ProcessResult r = run_process({"cmake", "--preset", "default"}, options);
    if (r.interrupted) throw Interrupted{};
    if (!r.succeeded()) {
        // CMake's own message says what is missing; the lines before it are noise.
        const size_t at = r.output.find("CMake Error");
        std::string shown = r.output.substr(at == std::string::npos ? 0 : at);
        if (shown.size() > 4000) shown = shown.substr(0, 4000) + "\n…";
        throw Error(fmt::format("configuring the build failed ({}):\n{}\nRun `tito system doctor` "
                                "to check the toolchain and dependencies.",
                                r.describe(), shown));
    }
}

namespace {

bool unknown_target(const std::string& log) {
    return log.find("unknown target") != std::string::npos ||       // ninja
           log.find("No rule to make target") != std::string::npos;  // make
}

}  // namespace

std::optional<BuildFailure> Builder::build(const std::vector<std::string>& targets) const {
    const FileLock lock(workspace_.build_dir().parent_path() / ".tito-build-release.lock", 0, [] {
        std::cout << console::dim("Waiting for another tito build of this workspace to finish…") << std::endl;
    });
    ensure_configured();
    std::vector<std::string> argv = {"cmake", "--build", workspace_.build_dir().string(), "--target"};
    argv.insert(argv.end(), targets.begin(), targets.end());
    ProcessOptions options;
    options.working_dir = workspace_.root();
    ProcessResult r = run_process(argv, options);
    if (r.interrupted) throw Interrupted{};
    if (!r.succeeded() && unknown_target(r.output)) {
        configure();
        r = run_process(argv, options);
        if (r.interrupted) throw Interrupted{};
    }
    if (r.succeeded()) return std::nullopt;
    return BuildFailure{first_compiler_errors(r.output, workspace_.root(), workspace_.build_dir()), r.output};
}

std::vector<std::string> first_compiler_errors(const std::string& log, const fs::path& root,
                                               const fs::path& build_dir, size_t limit) {
    static const std::regex compiler_error(R"(^(.+?):(\d+):(\d+): (fatal )?error: .*)");
    static const std::regex linker_error(R"(.*(undefined reference to|multiple definition of).*)");
    // GCC's excerpt of the source below an error: "   42 |     return x" and the caret line.
    static const std::regex source_excerpt(R"(^ *[0-9]* \|.*)");
    const std::string prefix = root.string() + "/";
    auto relative = [&](std::string line) {
        std::smatch m;
        if (std::regex_match(line, m, compiler_error)) {
            const fs::path file = m[1].str();
            if (file.is_relative()) {
                const fs::path resolved = (build_dir / file).lexically_normal();
                line = resolved.lexically_relative(root).string() + line.substr(m[1].length());
            }
        }
        for (size_t at; (at = line.find(prefix)) != std::string::npos;) line.erase(at, prefix.size());
        return line;
    };
    std::vector<std::string> errors;
    std::istringstream in(log);
    bool in_error = false;
    for (std::string line; std::getline(in, line);) {
        if (in_error && std::regex_match(line, source_excerpt)) {
            errors.back() += "\n" + line;
            continue;
        }
        in_error = false;
        if (!std::regex_match(line, compiler_error) && !std::regex_match(line, linker_error)) continue;
        if (errors.size() == limit) break;
        errors.push_back(relative(line));
        in_error = true;
    }
    if (errors.empty() && !log.empty()) {
        // No recognisable error line: show the end of the log instead.
        const size_t tail = log.size() > 2000 ? log.size() - 2000 : 0;
        errors.push_back(log.substr(tail));
    }
    return errors;
}

}  // namespace tito
