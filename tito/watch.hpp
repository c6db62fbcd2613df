// watch.hpp — `tito module watch NN`: run the module's tests again each
// time one of its student files is saved, until Ctrl-C.
//
// Changes are seen through inotify on the module folder (so editors that
// save by writing a new file and renaming it are seen too); where inotify
// is unavailable, or with --poll, the files' modification times are polled
// twice a second. Touching a file (`touch modules/01_tensor/tensor.cpp`)
// counts as a save.
#pragma once

#include "workspace.hpp"

namespace tito {

struct WatchOptions {
    bool poll = false;      // poll modification times instead of inotify
    bool verbose = false;   // stream the test program's own output
};

// Returns when interrupted (Ctrl-C, SIGTERM).
void watch_module(const Workspace& workspace, const Module& module, const WatchOptions& options);

}  // namespace tito
