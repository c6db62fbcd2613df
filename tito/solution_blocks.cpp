// solution_blocks.cpp — find marker blocks and write stubs.
#include "solution_blocks.hpp"

#include <fmt/format.h>

#include <sstream>

#include "errors.hpp"

namespace tito {

namespace {

enum class Marker { None, Begin, BeginHelpers, End };

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

Marker marker_of(const std::string& line) {
    const std::string t = trim(line);
    if (t == "// BEGIN SOLUTION") return Marker::Begin;
    if (t == "// BEGIN SOLUTION HELPERS") return Marker::BeginHelpers;
    if (t == "// END SOLUTION") return Marker::End;
    return Marker::None;
}

std::vector<std::string> split_lines(const std::string& source) {
    std::vector<std::string> lines;
    std::istringstream in(source);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

std::vector<SolutionBlock> find_solution_blocks(const std::string& source,
                                                const std::string& file_name) {
    std::vector<SolutionBlock> blocks;
    bool inside = false;
    SolutionBlock current;
    int number = 0;
    for (const std::string& line : split_lines(source)) {
        ++number;
        const Marker marker = marker_of(line);
        if (marker == Marker::Begin || marker == Marker::BeginHelpers) {
            if (inside)
                throw Error(fmt::format("{}:{}: BEGIN SOLUTION inside the block opened at line {}",
                                        file_name, number, current.begin_line));
            inside = true;
            current = SolutionBlock{number, 0, marker == Marker::BeginHelpers, {}};
        } else if (marker == Marker::End) {
            if (!inside)
                throw Error(fmt::format("{}:{}: END SOLUTION without a BEGIN SOLUTION", file_name,
                                        number));
            inside = false;
            current.end_line = number;
            blocks.push_back(current);
        } else if (inside) {
            current.lines.push_back(line);
        } else if (line.find("SOLUTION") != std::string::npos &&
                   (line.find("BEGIN") != std::string::npos || line.find("END") != std::string::npos)) {
            throw Error(fmt::format("{}:{}: malformed solution marker \"{}\" (write exactly "
                                    "\"// BEGIN SOLUTION\" or \"// END SOLUTION\" on its own line)",
                                    file_name, number, trim(line)));
        }
    }
    if (inside)
        throw Error(fmt::format("{}:{}: BEGIN SOLUTION is never closed by END SOLUTION", file_name,
                                current.begin_line));
    return blocks;
}

std::string make_stub(const std::string& source, const std::string& file_name, int module_number) {
    find_solution_blocks(source, file_name);  // validates the markers first
    std::string out;
    bool inside = false;
    for (const std::string& line : split_lines(source)) {
        const Marker marker = marker_of(line);
        if (marker == Marker::Begin || marker == Marker::BeginHelpers) {
            inside = true;
            const std::string indent = line.substr(0, line.find_first_not_of(" \t"));
            if (marker == Marker::Begin)
                out += fmt::format("{}not_implemented({});  // replace this line with your code\n",
                                   indent, module_number);
            else
                out += indent + "// (your helper functions, if you want any, go here)\n";
        } else if (marker == Marker::End) {
            inside = false;
        } else if (!inside) {
            out += line + "\n";
        }
    }
    return out;
}

}  // namespace tito
