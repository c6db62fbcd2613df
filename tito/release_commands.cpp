// release_commands.cpp — `tito release --out DIR` (instructor).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "release.hpp"

namespace tito {

void add_release_commands(CLI::App& app) {
    auto out = std::make_shared<std::string>();
    auto* release = app.add_subcommand("release", "Instructor: write the student tree");
    release->add_option("--out", *out, "Folder to create (must be new or empty)")->required();
    release->callback([out] {
        const Workspace workspace = Workspace::find();
        const ReleaseSummary s = write_release(workspace, *out);
        std::cout << fmt::format("Wrote the student tree to {}: {} files copied, {} student files "
                                 "stubbed ({} solution blocks).\n",
                                 *out, s.files_copied, s.stubbed_files.size(), s.solution_blocks);
    });
}

}  // namespace tito
