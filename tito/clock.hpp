// clock.hpp — the timestamps tito writes (UTC, ISO 8601) and how it shows
// them ("5 min ago").
#pragma once

#include <ctime>
#include <optional>
#include <string>

namespace tito {

// "2025-03-01T14:05:09Z" for `when` (default: now).
std::string utc_timestamp(std::time_t when = std::time(nullptr));
// The inverse of utc_timestamp; nullopt for anything else.
std::optional<std::time_t> parse_utc_timestamp(const std::string& text);
// "just now", "5 min ago", "3 h ago", "2 days ago"; "-" when `timestamp`
// is empty or not one of ours.
std::string time_ago(const std::string& timestamp, std::time_t now = std::time(nullptr));
// "20250301-140509": sorts in time order, safe in a file name.
std::string compact_utc_stamp(std::time_t when = std::time(nullptr));

}  // namespace tito
