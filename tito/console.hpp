// console.hpp — terminal output: colour only on a terminal and never when
// NO_COLOR is set (https://no-color.org/ convention).
#pragma once

#include <string>

namespace tito::console {

bool color_enabled();  // decided once per run from isatty(stdout) and NO_COLOR

std::string bold(const std::string& text);
std::string dim(const std::string& text);
std::string green(const std::string& text);
std::string red(const std::string& text);
std::string yellow(const std::string& text);
std::string cyan(const std::string& text);

}  // namespace tito::console
