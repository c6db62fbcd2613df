// Digests against the published test vectors.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "hashing.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

TEST(Hashing, Sha256OfAbc) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hashing, Sha256OfNothing) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Hashing, Md5OfAbc) {
    EXPECT_EQ(digest_hex(Digest::Md5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Hashing, FileDigestEqualsDigestOfItsBytes) {
    TempDir dir("hashing");
    const std::string content(200000, 'z');  // more than one read buffer
    write_text(dir.path() / "f.bin", content);
    EXPECT_EQ(sha256_file(dir.path() / "f.bin"), sha256_hex(content));
}

TEST(Hashing, MissingFileNamesIt) {
    try {
        sha256_file("/nonexistent/file.cpp");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/file.cpp"), std::string::npos);
    }
}
