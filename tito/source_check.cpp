// source_check.cpp — a small C++ preprocessing-token lexer, enough to find
// directives, include operands and identifiers the way the compiler will:
// line splices joined first, comments skipped, string, character and raw
// string literals skipped whole (so "asm" in a string is not inline
// assembly), digit separators (1'000) kept inside their number.
#include "source_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace tito {

namespace {

// The headers of the C++ standard library (C++23) and the C headers it
// keeps, plus the compiler's intrinsics headers. A closed list on purpose:
// a name not on it is refused rather than guessed at.
constexpr std::array kStandardHeaders = {
    "algorithm", "any", "array", "atomic", "barrier", "bit", "bitset", "cassert", "ccomplex",
    "cctype", "cerrno", "cfenv", "cfloat", "charconv", "chrono", "cinttypes", "ciso646",
    "climits", "clocale", "cmath", "codecvt", "compare", "complex", "concepts",
    "condition_variable", "coroutine", "csetjmp", "csignal", "cstdalign", "cstdarg", "cstdbool",
    "cstddef", "cstdint", "cstdio", "cstdlib", "cstring", "ctgmath", "ctime", "cuchar", "cwchar",
    "cwctype", "deque", "exception", "execution", "expected", "filesystem", "flat_map",
    "flat_set", "format", "forward_list", "fstream", "functional", "future", "generator",
    "initializer_list", "iomanip", "ios", "iosfwd", "iostream", "istream", "iterator", "latch",
    "limits", "list", "locale", "map", "mdspan", "memory", "memory_resource", "mutex", "new",
    "numbers", "numeric", "optional", "ostream", "print", "queue", "random", "ranges", "ratio",
    "regex", "scoped_allocator", "semaphore", "set", "shared_mutex", "source_location", "span",
    "spanstream", "sstream", "stack", "stacktrace", "stdexcept", "stdfloat", "stop_token",
    "streambuf", "string", "string_view", "strstream", "syncstream", "system_error", "thread",
    "tuple", "type_traits", "typeindex", "typeinfo", "unordered_map", "unordered_set", "utility",
    "valarray", "variant", "vector", "version",
    // C standard library headers
    "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h", "iso646.h",
    "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h", "stdarg.h",
    "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h", "tgmath.h", "time.h",
    "uchar.h", "wchar.h", "wctype.h",
    // SIMD intrinsics and OpenMP
    "immintrin.h", "x86intrin.h", "xmmintrin.h", "emmintrin.h", "pmmintrin.h", "tmmintrin.h",
    "smmintrin.h", "nmmintrin.h", "wmmintrin.h", "arm_neon.h", "omp.h"};

// Directives a student file may use; #include is checked separately.
constexpr std::array kAllowedDirectives = {"define", "undef", "if", "ifdef", "ifndef",
                                           "elif", "elifdef", "elifndef", "else", "endif",
                                           "pragma", "error", "warning"};

enum class Kind { Identifier, Number, String, Char, HeaderName, Punct };

struct Token {
    Kind kind;
    std::string text;   // for String: the contents between the quotes (no prefix)
    int line = 0;
    bool line_start = false;  // first token of its (logical or physical) line
    bool prefixed = false;    // String/Char with an encoding prefix or raw
};

// Joins backslash-newline splices; line_of[i] is the source line of out[i].
struct Spliced {
    std::string text;
    std::vector<int> line_of;
};

Spliced splice_lines(const std::string& source) {
    Spliced s;
    s.text.reserve(source.size());
    s.line_of.reserve(source.size());
    int line = 1;
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\\') {
            // GCC accepts trailing blanks between the backslash and the newline.
            size_t j = i + 1;
            while (j < source.size() && (source[j] == ' ' || source[j] == '\t' || source[j] == '\r')) ++j;
            if (j < source.size() && source[j] == '\n') {
                ++line;
                i = j;
                continue;
            }
        }
        s.text.push_back(source[i]);
        s.line_of.push_back(line);
        if (source[i] == '\n') ++line;
    }
    return s;
}

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool is_encoding_prefix(std::string_view id) {
    return id == "L" || id == "u" || id == "U" || id == "u8" || id == "R" || id == "LR" ||
           id == "uR" || id == "UR" || id == "u8R";
}

class Lexer {
public:
    explicit Lexer(const std::string& source) : s_(splice_lines(source)) {}

    std::vector<Token> tokens() {
        std::vector<Token> out;
        bool line_start = true;
        bool after_include = false;  // the previous tokens were `# include`
        while (at_ < text().size()) {
            const char c = text()[at_];
            if (c == '\n') {
                line_start = true;
                after_include = false;
                ++at_;
                continue;
            }
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++at_;
                continue;
            }
            if (starts_with("//")) {
                while (at_ < text().size() && text()[at_] != '\n') ++at_;
                continue;
            }
            if (starts_with("/*")) {
                const size_t end = text().find("*/", at_ + 2);
                const size_t stop = end == std::string::npos ? text().size() : end + 2;
                if (text().find('\n', at_) < stop) line_start = true;  // see the file comment
                at_ = stop;
                continue;
            }
            Token t{Kind::Punct, "", line(), line_start, false};
            line_start = false;
            if (after_include && c == '<') {
                const size_t end = text().find_first_of(">\n", at_ + 1);
                const size_t stop = end == std::string::npos ? text().size() : end;
                t.kind = Kind::HeaderName;
                t.text = text().substr(at_ + 1, stop - at_ - 1);
                at_ = stop < text().size() && text()[stop] == '>' ? stop + 1 : stop;
            } else if (is_ident_start(c)) {
                const size_t start = at_;
                while (at_ < text().size() && is_ident_char(text()[at_])) ++at_;
                t.kind = Kind::Identifier;
                t.text = text().substr(start, at_ - start);
                if (at_ < text().size() && is_encoding_prefix(t.text) &&
                    (text()[at_] == '"' || (text()[at_] == '\'' && t.text.back() != 'R'))) {
                    const bool raw = t.text.back() == 'R';
                    t.prefixed = true;
                    if (text()[at_] == '"') {
                        t.kind = Kind::String;
                        t.text = raw ? raw_string() : quoted('"');
                    } else {
                        t.kind = Kind::Char;
                        t.text = quoted('\'');
                    }
                }
            } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                       (c == '.' && at_ + 1 < text().size() &&
                        std::isdigit(static_cast<unsigned char>(text()[at_ + 1])))) {
                t.kind = Kind::Number;
                t.text = number();
            } else if (c == '"') {
                t.kind = Kind::String;
                t.text = quoted('"');
            } else if (c == '\'') {
                t.kind = Kind::Char;
                t.text = quoted('\'');
            } else if (starts_with("##") || starts_with("%:%:")) {
                t.text = "##";
                at_ += text()[at_] == '#' ? 2 : 4;
            } else if (c == '#' || starts_with("%:")) {
                t.text = "#";
                at_ += c == '#' ? 1 : 2;
            } else {
                t.text = std::string(1, c);
                ++at_;
            }
            // `#` then `include` (or `import`): a <...> operand follows.
            after_include = !out.empty() && out.back().text == "#" && out.back().line_start &&
                            t.kind == Kind::Identifier &&
                            (t.text == "include" || t.text == "include_next" || t.text == "import");
            out.push_back(std::move(t));
        }
        return out;
    }

private:
    const std::string& text() const { return s_.text; }
    int line() const { return at_ < s_.line_of.size() ? s_.line_of[at_] : s_.line_of.empty() ? 1 : s_.line_of.back(); }
    bool starts_with(std::string_view what) const {
        return text().compare(at_, what.size(), what) == 0;
    }

    // A "..." or '...' literal starting at at_; returns its contents.
    std::string quoted(char quote) {
        const size_t start = ++at_;
        while (at_ < text().size() && text()[at_] != quote && text()[at_] != '\n') {
            if (text()[at_] == '\\') ++at_;
            ++at_;
        }
        const std::string contents = text().substr(start, std::min(at_, text().size()) - start);
        if (at_ < text().size() && text()[at_] == quote) ++at_;
        return contents;
    }

    // R"delim( ... )delim" starting at the opening quote.
    std::string raw_string() {
        const size_t open = text().find('(', at_);
        if (open == std::string::npos) return quoted('"');
        std::string delimiter = ")";
        delimiter.append(text(), at_ + 1, open - at_ - 1);
        delimiter.push_back('"');
        const size_t close = text().find(delimiter, open + 1);
        const size_t stop = close == std::string::npos ? text().size() : close;
        const std::string contents = text().substr(open + 1, stop - open - 1);
        at_ = close == std::string::npos ? text().size() : close + delimiter.size();
        return contents;
    }

    // A preprocessing number: digits, letters, '.', exponent signs, and
    // digit separators ('), which must not start a character literal.
    std::string number() {
        const size_t start = at_;
        while (at_ < text().size()) {
            const char c = text()[at_];
            const char prev = at_ > start ? text()[at_ - 1] : '\0';
            if (is_ident_char(c) || c == '.') {
                ++at_;
            } else if ((c == '+' || c == '-') && at_ > start &&
                       (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P')) {
                ++at_;
            } else if (c == '\'' && at_ + 1 < text().size() && is_ident_char(text()[at_ + 1])) {
                at_ += 2;
            } else {
                break;
            }
        }
        return text().substr(start, at_ - start);
    }

    Spliced s_;
    size_t at_ = 0;
};

template <class List>
bool contains(const List& list, std::string_view name) {
    return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

std::string allowed_local(const std::set<std::string>& local_headers) {
    std::vector<std::string> names(local_headers.begin(), local_headers.end());
    return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

bool is_allowed_system_header(const std::string& name) {
    if (contains(kStandardHeaders, name)) return true;
    // fmt's headers: <fmt/format.h>, <fmt/ranges.h>, ... and nothing that climbs out.
    if (name.rfind("fmt/", 0) == 0 && name.size() > 4 && name.find("..") == std::string::npos &&
        name.find('/', 4) == std::string::npos) {
        return std::all_of(name.begin() + 4, name.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; });
    }
    return false;
}

std::vector<SourceIssue> check_student_source(const std::string& text,
                                              const std::set<std::string>& local_headers) {
    std::vector<SourceIssue> issues;
    const std::vector<Token> tokens = Lexer(text).tokens();
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.kind == Kind::Identifier && (t.text == "asm" || t.text == "__asm" || t.text == "__asm__")) {
            issues.push_back({t.line, fmt::format("inline assembly ({}) is not allowed in a submission", t.text)});
            continue;
        }
        if (t.kind == Kind::Punct && t.text == "##") {
            issues.push_back({t.line, "token pasting (##) is not allowed in a submission"});
            continue;
        }
        if (t.kind == Kind::Identifier && t.text == "_Pragma" && i + 2 < tokens.size() &&
            tokens[i + 2].kind == Kind::String && tokens[i + 2].text.find("dependency") != std::string::npos) {
            issues.push_back({t.line, "_Pragma(\"GCC dependency ...\") is not allowed in a submission"});
            continue;
        }
        if (!(t.kind == Kind::Punct && t.text == "#" && t.line_start)) continue;

        // A directive: `#` first on its line, then its name on the same line.
        const Token* name = i + 1 < tokens.size() && !tokens[i + 1].line_start ? &tokens[i + 1] : nullptr;
        if (name == nullptr) continue;  // the null directive
        if (name->kind == Kind::Number) {
            issues.push_back({t.line, "line markers (# <number> \"file\") are not allowed in a submission"});
            continue;
        }
        if (name->kind != Kind::Identifier) {
            issues.push_back({t.line, fmt::format("unknown directive #{} in a submission", name->text)});
            continue;
        }
        if (name->text == "include") {
            const Token* operand = i + 2 < tokens.size() && !tokens[i + 2].line_start ? &tokens[i + 2] : nullptr;
            if (operand != nullptr && operand->kind == Kind::HeaderName) {
                if (!is_allowed_system_header(operand->text))
                    issues.push_back({t.line, fmt::format(
                        "#include <{}> is not allowed in a submission: only the standard C++ "
                        "headers, <omp.h>, <fmt/...> and the headers of this module and the "
                        "modules it builds on ({}) may be included",
                        operand->text, allowed_local(local_headers))});
            } else if (operand != nullptr && operand->kind == Kind::String && !operand->prefixed) {
                const std::string& file = operand->text;
                if (file.find('/') != std::string::npos || file.find('\\') != std::string::npos ||
                    file.find("..") != std::string::npos)
                    issues.push_back({t.line, fmt::format(
                        "#include \"{}\" is not allowed in a submission: a quoted include names "
                        "a header of this module or the modules it builds on by its bare file "
                        "name ({})", file, allowed_local(local_headers))});
                else if (!local_headers.count(file))
                    issues.push_back({t.line, fmt::format(
                        "#include \"{}\" is not allowed in a submission: it is not a header of "
                        "this module or the modules it builds on ({})", file, allowed_local(local_headers))});
            } else {
                issues.push_back({t.line, "#include must name its header directly (\"name.hpp\" or "
                                          "<name>) in a submission, not through a macro"});
            }
            continue;
        }
        if (name->text == "pragma") {
            const bool gcc = i + 2 < tokens.size() && !tokens[i + 2].line_start && tokens[i + 2].text == "GCC";
            if (gcc && i + 3 < tokens.size() && !tokens[i + 3].line_start &&
                tokens[i + 3].text == "dependency")
                issues.push_back({t.line, "#pragma GCC dependency is not allowed in a submission"});
            continue;
        }
        if (!contains(kAllowedDirectives, name->text))
            issues.push_back({t.line, fmt::format("#{} is not allowed in a submission", name->text)});
    }
    return issues;
}

}  // namespace tito
