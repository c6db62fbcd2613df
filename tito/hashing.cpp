// hashing.cpp — digests through OpenSSL's EVP interface.
#include "hashing.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "errors.hpp"

namespace tito {

namespace {

// One digest computation: init, update any number of times, then hex().
class Hasher {
public:
    explicit Hasher(Digest digest) : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        const EVP_MD* md = digest == Digest::Sha256 ? EVP_sha256() : EVP_md5();
        if (!context_ || EVP_DigestInit_ex(context_.get(), md, nullptr) != 1)
            throw Error("cannot initialise a digest (libcrypto failed)");
    }
    void update(const void* data, size_t size) {
        if (EVP_DigestUpdate(context_.get(), data, size) != 1) throw Error("digest update failed");
    }
    std::string hex() {
        unsigned char bytes[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        if (EVP_DigestFinal_ex(context_.get(), bytes, &size) != 1) throw Error("digest failed");
        std::string out;
        out.reserve(2 * size);
        for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

}  // namespace

std::string digest_hex(Digest digest, std::string_view data) {
    Hasher hasher(digest);
    hasher.update(data.data(), data.size());
    return hasher.hex();
}

std::string digest_file_hex(Digest digest, const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
    Hasher hasher(digest);
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) throw Error(fmt::format("error while reading {}", file.string()));
    return hasher.hex();
}

}  // namespace tito
