// tito_test_support.cpp — see tito_test_support.hpp.
#include "tito_test_support.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "curriculum.hpp"

namespace tito::testing {

fs::path source_dir() { return TINYTORCH_SOURCE_DIR; }
fs::path tito_binary() { return TITO_BINARY; }

TempDir::TempDir(const std::string& name) {
    // Under the instructor tree's build/ so a tree built inside sits at the
    // same depth as build/release, and ccache (base_dir=/) finds its objects.
    const fs::path base = source_dir() / "build" / "tmp";
    fs::create_directories(base);
    std::string pattern = (base / (name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    if (std::getenv("TITO_KEEP_TEMP") == nullptr) {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
}

ProcessResult run_tito(const fs::path& cwd, const std::vector<std::string>& args,
                       double timeout_seconds) {
    std::vector<std::string> argv = {tito_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.working_dir = cwd;
    options.timeout_seconds = timeout_seconds;
    return run_process(argv, options);
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
}

void copy_reference_files(const std::string& number, const fs::path& tree) {
    const Curriculum curriculum = load_curriculum(source_dir() / "curriculum.json");
    const Module& m = curriculum.module(number);
    for (const std::string& file : m.files)
        fs::copy_file(source_dir() / m.folder() / file, tree / m.folder() / file,
                      fs::copy_options::overwrite_existing);
}

}  // namespace tito::testing
