// What a submitted student file may include and contain (source_check.hpp):
// the reference files pass; every way to make the compiler read an
// instructor file is refused with the line and a reason.
#include <gtest/gtest.h>

#include "curriculum.hpp"
#include "source_check.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

const std::set<std::string> kLocal = {"activations.hpp", "tensor.hpp", "errors.hpp"};

std::vector<SourceIssue> check(const std::string& text) { return check_student_source(text, kLocal); }

// The one issue of `text`, or a failure naming what was found.
SourceIssue only_issue(const std::string& text) {
    const std::vector<SourceIssue> issues = check(text);
    EXPECT_EQ(issues.size(), 1u) << text;
    return issues.empty() ? SourceIssue{} : issues.front();
}

}  // namespace

TEST(SourceCheck, EveryReferenceStudentFilePasses) {
    const Curriculum curriculum = load_curriculum(source_dir() / "curriculum.json");
    for (const Module& m : curriculum.modules) {
        std::set<std::string> headers;
        for (const Module& other : curriculum.modules)
            for (const auto& entry : fs::directory_iterator(source_dir() / other.folder()))
                if (entry.path().extension() == ".hpp") headers.insert(entry.path().filename().string());
        for (const std::string& file : m.files) {
            const auto issues = check_student_source(read_text(source_dir() / m.folder() / file), headers);
            for (const SourceIssue& issue : issues) ADD_FAILURE() << file << ":" << issue.line << ": " << issue.message;
        }
    }
}

TEST(SourceCheck, AllowsStandardHeadersFmtOmpAndLocalHeaders) {
    EXPECT_TRUE(check("#include <vector>\n#include <cmath>\n#include <math.h>\n#include <fmt/format.h>\n"
                      "#include <omp.h>\n#include <immintrin.h>\n#include \"activations.hpp\"\n"
                      "  #  include   \"tensor.hpp\"  // comment\n")
                    .empty());
}

TEST(SourceCheck, RefusesNonStandardSystemHeaders) {
    const SourceIssue issue = only_issue("#include <vector>\n#include <unistd.h>\n");
    EXPECT_EQ(issue.line, 2);
    EXPECT_NE(issue.message.find("#include <unistd.h> is not allowed"), std::string::npos) << issue.message;
    EXPECT_EQ(only_issue("#include <gtest/gtest.h>\n").line, 1);
    EXPECT_EQ(only_issue("#include <fmt/../../etc/passwd>\n").line, 1);
}

TEST(SourceCheck, RefusesQuotedIncludesWithPathsOrOfOtherFiles) {
    EXPECT_NE(only_issue("#include \"../../tests/hidden/02_activations/test_activations_hidden.cpp\"\n")
                  .message.find("bare file name"),
              std::string::npos);
    EXPECT_EQ(only_issue("#include \"/etc/passwd\"\n").line, 1);
    EXPECT_EQ(only_issue("#include \"sub\\\\file.hpp\"\n").line, 1);
    EXPECT_NE(only_issue("#include \"layers.hpp\"\n").message.find("not a header of this module"),
              std::string::npos);
}

TEST(SourceCheck, RefusesIncludesThroughMacros) {
    EXPECT_NE(only_issue("#define HIDDEN \"../../x.cpp\"\n#include HIDDEN\n").message.find("not through a macro"),
              std::string::npos);
}

TEST(SourceCheck, SeesDirectivesSplitAcrossLinesAndAfterComments) {
    EXPECT_EQ(only_issue("int a;\n#inc\\\nlude <unistd.h>\n").line, 2);
    EXPECT_EQ(only_issue("/* a comment */ #include <sys/stat.h>\n").line, 1);
    EXPECT_EQ(only_issue("%:include <unistd.h>\n").line, 1);
}

TEST(SourceCheck, RefusesOtherFileReadingDirectives) {
    EXPECT_NE(only_issue("#include_next <vector>\n").message.find("#include_next"), std::string::npos);
    EXPECT_NE(only_issue("#embed \"data.bin\"\n").message.find("#embed"), std::string::npos);
    EXPECT_NE(only_issue("#line 10 \"tensor.hpp\"\n").message.find("#line"), std::string::npos);
    EXPECT_NE(only_issue("# 10 \"tensor.hpp\"\n").message.find("line markers"), std::string::npos);
    EXPECT_NE(only_issue("#pragma GCC dependency \"x.cpp\"\n").message.find("dependency"), std::string::npos);
}

TEST(SourceCheck, RefusesInlineAssemblyAndTokenPasting) {
    EXPECT_NE(only_issue("asm(\".incbin \\\"/etc/passwd\\\"\");\n").message.find("inline assembly"),
              std::string::npos);
    EXPECT_NE(only_issue("void f() { __asm__ volatile(\"nop\"); }\n").message.find("__asm__"), std::string::npos);
    EXPECT_NE(only_issue("#define PASTE(a, b) a##b\n").message.find("token pasting"), std::string::npos);
}

TEST(SourceCheck, IgnoresLookalikesInCommentsStringsAndNumbers) {
    EXPECT_TRUE(check("// #include <unistd.h> and asm and ##\n"
                      "/* #include \"../x\" */\n"
                      "const char* s = \"#include <unistd.h> asm ##\";\n"
                      "const char* r = R\"x(\n#include <unistd.h>\nasm)\")x\";\n"
                      "const char c = '#';\n"
                      "const int n = 1'000'000;\n"
                      "#define STR(x) #x\n")
                    .empty());
}
