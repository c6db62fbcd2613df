// hashing.hpp — SHA-256 and MD5 digests as lowercase hex, through OpenSSL's
// libcrypto. tito hashes student files (progress, submissions) with SHA-256
// and checks downloads against their published MD5 or SHA-256.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tito {

enum class Digest { Sha256, Md5 };

std::string digest_hex(Digest digest, std::string_view data);
// Streams the file; throws tito::Error naming it when it cannot be read.
std::string digest_file_hex(Digest digest, const std::filesystem::path& file);

inline std::string sha256_hex(std::string_view data) { return digest_hex(Digest::Sha256, data); }
inline std::string sha256_file(const std::filesystem::path& file) {
    return digest_file_hex(Digest::Sha256, file);
}

}  // namespace tito
