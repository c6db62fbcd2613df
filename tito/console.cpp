// console.cpp — ANSI colour codes, applied only when colour is enabled.
#include "console.hpp"

#include <unistd.h>

#include <cstdlib>

namespace tito::console {

bool color_enabled() {
    static const bool enabled = [] {
        const char* no_color = std::getenv("NO_COLOR");
        if (no_color != nullptr && no_color[0] != '\0') return false;
        return ::isatty(STDOUT_FILENO) != 0;
    }();
    return enabled;
}

namespace {
std::string paint(const char* code, const std::string& text) {
    return color_enabled() ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}
}  // namespace

std::string bold(const std::string& text) { return paint("1", text); }
std::string dim(const std::string& text) { return paint("2", text); }
std::string green(const std::string& text) { return paint("32", text); }
std::string red(const std::string& text) { return paint("31", text); }
std::string yellow(const std::string& text) { return paint("33", text); }
std::string cyan(const std::string& text) { return paint("36", text); }

}  // namespace tito::console
