// build.cpp — run cmake and pick the compiler errors out of its output.
#include "build.hpp"

#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "errors.hpp"

namespace tito {

void Builder::ensure_configured() const {
    if (fs::exists(workspace_.build_dir() / "CMakeCache.txt")) return;
    ProcessOptions options;
    options.working_dir = workspace_.root();
    const ProcessResult r = run_process({"cmake", "--preset", "default"}, options);
    if (!r.succeeded())
        throw Error(fmt::format("configuring the build failed ({}):\n{}\nRun `tito system doctor` "
                                "to check the toolchain and dependencies.",
                                r.describe(), r.output));
}

std::optional<BuildFailure> Builder::build(const std::vector<std::string>& targets) const {
    ensure_configured();
    std::vector<std::string> argv = {"cmake", "--build", workspace_.build_dir().string(), "--target"};
    argv.insert(argv.end(), targets.begin(), targets.end());
    ProcessOptions options;
    options.working_dir = workspace_.root();
    const ProcessResult r = run_process(argv, options);
    if (r.succeeded()) return std::nullopt;
    return BuildFailure{first_compiler_errors(r.output, workspace_.root().string()), r.output};
}

std::vector<std::string> first_compiler_errors(const std::string& log, const std::string& root,
                                               size_t limit) {
    static const std::regex compiler_error(R"(^(.+?):(\d+):(\d+): (fatal )?error: .*)");
    static const std::regex linker_error(R"(.*(undefined reference to|multiple definition of).*)");
    std::vector<std::string> errors;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line) && errors.size() < limit;) {
        if (!std::regex_match(line, compiler_error) && !std::regex_match(line, linker_error)) continue;
        const std::string prefix = root + "/";
        for (size_t at; (at = line.find(prefix)) != std::string::npos;) line.erase(at, prefix.size());
        errors.push_back(line);
    }
    if (errors.empty() && !log.empty()) {
        // No recognisable error line: show the end of the log instead.
        const size_t tail = log.size() > 2000 ? log.size() - 2000 : 0;
        errors.push_back(log.substr(tail));
    }
    return errors;
}

}  // namespace tito
