// The release's marker transform: blocks become stubs, mistakes are caught.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "solution_blocks.hpp"

using namespace tito;

namespace {
const std::string kReference =
    "int add(int a, int b) {\n"
    "    // BEGIN SOLUTION\n"
    "    return a + b;\n"
    "    // END SOLUTION\n"
    "}\n"
    "// BEGIN SOLUTION HELPERS\n"
    "static int twice(int x) { return 2 * x; }\n"
    "// END SOLUTION\n";
}  // namespace

TEST(SolutionBlocks, FindsEachBlockWithItsLines) {
    const auto blocks = find_solution_blocks(kReference, "add.cpp");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].begin_line, 2);
    EXPECT_EQ(blocks[0].end_line, 4);
    EXPECT_FALSE(blocks[0].helpers);
    EXPECT_EQ(blocks[0].lines, std::vector<std::string>{"    return a + b;"});
    EXPECT_TRUE(blocks[1].helpers);
}

TEST(SolutionBlocks, BodyBecomesNotImplementedCallWithModuleNumber) {
    EXPECT_EQ(make_stub(kReference, "add.cpp", 3),
              "int add(int a, int b) {\n"
              "    not_implemented(3);  // replace this line with your code\n"
              "}\n"
              "// (your helper functions, if you want any, go here)\n");
}

TEST(SolutionBlocks, UnclosedBlockNamesFileAndLine) {
    try {
        find_solution_blocks("x\n// BEGIN SOLUTION\ny\n", "f.cpp");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "f.cpp:2: BEGIN SOLUTION is never closed by END SOLUTION");
    }
}

TEST(SolutionBlocks, NestedBlockIsRejected) {
    EXPECT_THROW(find_solution_blocks("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n", "f.cpp"),
                 Error);
}

TEST(SolutionBlocks, EndWithoutBeginIsRejected) {
    EXPECT_THROW(find_solution_blocks("a\n// END SOLUTION\n", "f.cpp"), Error);
}

TEST(SolutionBlocks, MisspelledMarkerIsRejected) {
    EXPECT_THROW(find_solution_blocks("// BEGIN SOLUTIONS\n", "f.cpp"), Error);
}
