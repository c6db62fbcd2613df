// clock.cpp — formatting and parsing UTC timestamps.
#include "clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>

namespace tito {

std::string utc_timestamp(std::time_t when) { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(when)); }

std::string compact_utc_stamp(std::time_t when) { return fmt::format("{:%Y%m%d-%H%M%S}", fmt::gmtime(when)); }

std::optional<std::time_t> parse_utc_timestamp(const std::string& text) {
    std::tm tm{};
    char zone = 0;
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &zone, &consumed) != 7 ||
        zone != 'Z' || static_cast<size_t>(consumed) != text.size())
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return ::timegm(&tm);
}

std::string time_ago(const std::string& timestamp, std::time_t now) {
    const auto when = parse_utc_timestamp(timestamp);
    if (!when) return "-";
    const long long seconds = static_cast<long long>(now - *when);
    if (seconds < 60) return "just now";
    if (seconds < 3600) return fmt::format("{} min ago", seconds / 60);
    if (seconds < 86400) return fmt::format("{} h ago", seconds / 3600);
    const long long days = seconds / 86400;
    return fmt::format("{} {} ago", days, days == 1 ? "day" : "days");
}

}  // namespace tito
