// doctor.cpp — toolchain, dependencies, build tree, progress file.
#include "doctor.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "console.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "process.hpp"
#include "progress.hpp"

namespace tito {

namespace {

struct Dependency {
    std::string kind;     // tool, package, optional
    std::string name;     // command or find_package name
    std::string package;  // the Debian package
    std::string why;
};

// tools/dependencies.txt: "kind name package why..." lines.
std::vector<Dependency> read_dependencies(const fs::path& file) {
    std::vector<Dependency> list;
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        Dependency d;
        if (!(words >> d.kind >> d.name >> d.package) || d.kind.front() == '#') continue;
        if (d.kind != "tool" && d.kind != "package" && d.kind != "optional") continue;
        std::getline(words >> std::ws, d.why);
        list.push_back(d);
    }
    return list;
}

// Runs a short command and returns its output, or nullopt if it cannot run.
std::optional<std::string> output_of(const std::vector<std::string>& argv) {
    try {
        ProcessOptions options;
        options.timeout_seconds = 20;
        const ProcessResult r = run_process(argv, options);
        if (!r.succeeded()) return std::nullopt;
        return r.output;
    } catch (const Error&) {
        return std::nullopt;
    }
}

// The first "N.N[.N]" in a tool's --version output.
std::string version_in(const std::string& text) {
    static const std::regex version(R"((\d+)\.(\d+)(\.\d+)?)");
    std::smatch m;
    // GCC prints "g++ (Debian 12.2.0-14) 12.2.0": the last version on the first line is its own.
    const std::string first_line = text.substr(0, text.find('\n'));
    std::string found;
    for (auto it = std::sregex_iterator(first_line.begin(), first_line.end(), version); it != std::sregex_iterator(); ++it)
        found = it->str();
    return found;
}

bool at_least(const std::string& version, int major, int minor) {
    int a = 0, b = 0;
    if (std::sscanf(version.c_str(), "%d.%d", &a, &b) < 1) return false;
    return a > major || (a == major && b >= minor);
}

// The CMake cache of the build tree, as NAME -> value.
std::map<std::string, std::string> read_cmake_cache(const fs::path& file) {
    std::map<std::string, std::string> cache;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        const size_t colon = line.find(':'), equals = line.find('=');
        if (line.empty() || line[0] == '#' || line[0] == '/' || colon == std::string::npos || equals == std::string::npos ||
            colon > equals)
            continue;
        cache[line.substr(0, colon)] = line.substr(equals + 1);
    }
    return cache;
}

class Report {
public:
    explicit Report(std::ostream& out) : out_(out) {}
    void section(const std::string& title) { out_ << "\n" << console::bold(title) << "\n"; }
    void ok(const std::string& what, const std::string& detail = "") { line(console::green("✓"), what, detail); }
    void warn(const std::string& what, const std::string& detail = "") { line(console::yellow("!"), what, detail); }
    void fail(const std::string& what, const std::string& detail = "") {
        line(console::red("✗"), what, detail);
        healthy_ = false;
    }
    bool healthy() const { return healthy_; }

private:
    void line(const std::string& mark, const std::string& what, const std::string& detail) {
        out_ << "  " << mark << " " << what << "\n";
        if (!detail.empty()) out_ << console::dim("      " + detail) << "\n";
    }
    std::ostream& out_;
    bool healthy_ = true;
};

// Debian's view of which packages are installed, in one dpkg-query call.
std::map<std::string, std::string> installed_packages(const std::vector<Dependency>& deps, bool& available) {
    std::vector<std::string> argv = {"dpkg-query", "-W", "-f=${Package} ${Status} ${Version}\\n"};
    for (const Dependency& d : deps) argv.push_back(d.package);
    std::map<std::string, std::string> versions;
    available = false;
    try {
        ProcessOptions options;
        options.timeout_seconds = 20;
        const ProcessResult r = run_process(argv, options);  // exits 1 when some are unknown: still useful
        available = true;
        std::istringstream in(r.output);
        for (std::string line; std::getline(in, line);) {
            std::istringstream words(line);
            std::string package, want, error, status, version;
            if (words >> package >> want >> error >> status >> version && status == "installed") {
                versions[package.substr(0, package.find(':'))] = version;
            }
        }
    } catch (const Error&) {
    }
    return versions;
}

void check_toolchain(const Workspace& workspace, const std::vector<Dependency>& deps, Report& report) {
    report.section("Toolchain");
    const auto cache = read_cmake_cache(workspace.build_dir() / "CMakeCache.txt");
    for (const Dependency& d : deps) {
        if (d.kind != "tool") continue;
        std::string command = d.name;
        // The compiler CMake chose, once configured, is the one that matters.
        if (d.name == "g++" && cache.count("CMAKE_CXX_COMPILER")) command = cache.at("CMAKE_CXX_COMPILER");
        const auto text = output_of({command, "--version"});
        if (!text) {
            report.fail(fmt::format("{}: not found ({})", d.name, d.why),
                        fmt::format("install it with: sudo apt-get install {}", d.package));
            continue;
        }
        const std::string version = version_in(*text);
        if (d.name == "cmake" && !at_least(version, 3, 25))
            report.fail(fmt::format("cmake {}: 3.25 or newer is needed", version),
                        "install a newer CMake (Debian 12 has 3.25)");
        else if (d.name == "g++" && !at_least(version, 11, 0))
            report.fail(fmt::format("{} {}: GCC 11 or newer is needed for C++20", command, version),
                        "install a newer g++ (Debian 12 has GCC 12)");
        else
            report.ok(fmt::format("{} {}{}", d.name, version, command == d.name ? "" : " (" + command + ")"), d.why);
    }
}

void check_packages(const std::vector<Dependency>& deps, Report& report) {
    report.section("Libraries (Debian packages)");
    bool dpkg = false;
    const auto installed = installed_packages(deps, dpkg);
    for (const Dependency& d : deps) {
        if (d.kind == "tool") continue;
        const bool optional = d.kind == "optional";
        const auto it = installed.find(d.package);
        const std::string what = fmt::format("{} ({})", d.name, d.package);
        if (!dpkg) {
            report.warn(what + ": cannot check (dpkg-query is not available)", d.why);
        } else if (it != installed.end()) {
            report.ok(fmt::format("{} {}", what, it->second), d.why);
        } else if (optional) {
            report.warn(what + ": missing, optional", fmt::format("{}; install with: sudo apt-get install {}", d.why, d.package));
        } else {
            report.fail(what + ": missing", fmt::format("{}; install with: sudo apt-get install {}", d.why, d.package));
        }
    }
}

void check_build_tree(const Workspace& workspace, Report& report) {
    report.section("Build tree");
    const fs::path cache_file = workspace.build_dir() / "CMakeCache.txt";
    const std::string where = fs::relative(workspace.build_dir(), workspace.root()).string();
    if (!fs::exists(cache_file)) {
        report.warn(where + ": not configured yet",
                    "`tito module test 01` configures it, or run: cmake --preset default");
        return;
    }
    const auto cache = read_cmake_cache(cache_file);
    auto get = [&](const char* key) { return cache.count(key) ? cache.at(key) : std::string("?"); };
    const std::string home = get("CMAKE_HOME_DIRECTORY");
    if (home != "?" && fs::weakly_canonical(home) != workspace.root())
        report.fail(fmt::format("{} was configured for another folder ({})", where, home),
                    fmt::format("remove it (rm -rf {}) and let tito configure it again", where));
    else
        report.ok(fmt::format("{}: configured ({}, {})", where, get("CMAKE_GENERATOR"), get("CMAKE_BUILD_TYPE")),
                  "compiler " + get("CMAKE_CXX_COMPILER"));
    int built = 0;
    for (const Module& m : workspace.curriculum().modules)
        built += fs::exists(workspace.binary("test_" + m.number + "_" + m.name)) ? 1 : 0;
    report.ok(fmt::format("module tests built: {} of {}", built, workspace.curriculum().modules.size()));
}

void check_progress(const Workspace& workspace, Report& report) {
    report.section("Progress");
    const ProgressStore store(workspace.state_dir());
    const std::string file = fs::relative(store.file(), workspace.root()).string();
    const std::string backup = fs::relative(store.backup(), workspace.root()).string();
    if (!fs::exists(store.file())) {
        report.ok(file + ": none yet (a fresh start)");
    } else if (const auto problem = store.problem()) {
        report.fail(file + ": unusable: " + *problem,
                    "tito will not overwrite it; see `tito module status` for the way out");
    } else {
        const Progress progress = store.load();
        int completed = 0;
        for (const Module& m : workspace.curriculum().modules) completed += progress.module_completed(m.number) ? 1 : 0;
        report.ok(fmt::format("{}: healthy, {} of {} modules completed", file, completed,
                              workspace.curriculum().modules.size()));
    }
    if (!fs::exists(store.backup())) return;
    if (const auto problem = store.backup_problem()) report.warn(backup + ": unusable: " + *problem);
    else report.ok(backup + ": a usable copy of the previous version");
}

}  // namespace

bool run_doctor(const Workspace& workspace, std::ostream& out) {
    out << console::bold("tito system doctor") << fmt::format(" — {} ({} tree)\n", workspace.root().string(),
                                                               workspace.is_instructor_tree() ? "instructor" : "student");
    Report report(out);
    const fs::path deps_file = workspace.root() / "tools" / "dependencies.txt";
    std::vector<Dependency> deps;
    if (fs::exists(deps_file)) deps = read_dependencies(deps_file);
    else report.fail("tools/dependencies.txt is missing, so the dependencies cannot be checked");
    check_toolchain(workspace, deps, report);
    check_packages(deps, report);
    check_build_tree(workspace, report);
    check_progress(workspace, report);
    out << "\n";
    if (report.healthy())
        out << console::green("✓ ") << "Everything tito needs is here.\n";
    else
        out << console::red("✗ ") << "Fix the items marked ✗ above; each says how (`tools/setup.sh` installs every missing package).\n";
    return report.healthy();
}

}  // namespace tito
