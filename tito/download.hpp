// download.hpp — fetch a file over HTTP(S) with libcurl: a progress bar,
// resume of an interrupted download, and retries when the connection drops.
//
// The bytes go to a ".partial" file. When it already holds some, the request
// asks for the rest (Range: bytes=N-); a server that answers with the whole
// file instead (200) starts it over, one that answers 416 (nothing left)
// leaves it as it is. A lost connection is retried from where it stopped, a
// few times; after that the partial file stays for the next run to resume.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace tito {

struct DownloadOptions {
    int max_attempts = 4;          // a dropped connection is retried, resuming, up to this many times in all
    bool progress = true;          // draw a progress bar on stderr (a bar on a terminal, else a line per 10 %)
    long connect_timeout_seconds = 30;
    long stall_seconds = 60;       // no byte for this long counts as a dropped connection
};

// Downloads `url` into `partial` (created or resumed). Throws tito::Error
// naming the URL (the partial file kept, the message says to run again) or
// tito::Interrupted on Ctrl-C (the partial file kept too).
void download_resuming(const std::string& url, const std::filesystem::path& partial,
                       const DownloadOptions& options = {});

}  // namespace tito
