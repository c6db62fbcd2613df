// reset.hpp — `tito module reset NN`: back to the stub, never losing work.
//
// Before a student file is overwritten, by a reset or by a restore, its
// current content is copied into a new backup folder
//     .tito/backups/<YYYYmmdd-HHMMSS>-<NN>_<name>/   (the files, and backup.json)
// whose name is the backup's id. `--list-backups` lists them and
// `--restore ID` brings one back (after backing up what it replaces).
//
// The stub comes from the release's own copy in .tito/stubs/ (written by
// `tito release`). In the instructor tree, where the student file is the
// reference solution, a reset is refused unless forced, and the stub is made
// from the reference the way the release makes it.
#pragma once

#include <string>
#include <vector>

#include "workspace.hpp"

namespace tito {

struct BackupInfo {
    std::string id;            // the folder name under .tito/backups
    std::string module;        // "01"
    std::string created_at;    // timestamp
    std::string reason;        // "reset" or "restore"
    std::vector<std::string> files;
};

// Newest last; of one module, or of all when `module` is null. Folders
// without a readable backup.json (a backup cut short) are left out.
std::vector<BackupInfo> list_backups(const Workspace& workspace, const Module* module);

struct ResetOutcome {
    std::string backup_id;  // empty when the files already were the stub
};
// Throws tito::UsageError in the instructor tree without `force`;
// tito::Error when a stub is missing; ProgressError (before touching any
// file) when the progress file is unusable. Marks the module incomplete.
ResetOutcome reset_module(const Workspace& workspace, const Module& module, bool force);

struct RestoreOutcome {
    std::string replaced_backup_id;  // the backup of what the restore replaced; empty if nothing changed
    std::vector<std::string> files;
};
// Throws tito::UsageError for an unknown id or a backup of another module.
RestoreOutcome restore_backup(const Workspace& workspace, const Module& module, const std::string& id);

}  // namespace tito
