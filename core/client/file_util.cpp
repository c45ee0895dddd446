// SPDX-License-Identifier: Apache-2.0
#include "core/client/file_util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "core/util/log.hpp"

namespace multisched::client {
namespace {

error read_error(const std::string& path, int err) {
    return error{boost::system::error_code(err, boost::system::generic_category()),
                 fmt::format("cannot read {}: {}", path, std::strerror(err))};
}

}  // namespace

result<std::string> read_whole_file(const std::string& path) {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!f) {
        return read_error(path, errno);
    }
    std::string out;
    char buf[16 * 1024];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
        out.append(buf, n);
        if (n < sizeof buf) {
            break;
        }
    }
    if (std::ferror(f.get())) {
        return read_error(path, errno != 0 ? errno : EIO);
    }
    return out;
}

token_source::token_source(std::string token, std::string file, std::chrono::seconds reload)
    : token_(std::move(token)),
      file_(std::move(file)),
      reload_(reload),
      // Without a token yet, the first call reads the file.
      read_at_(token_.empty() ? std::chrono::steady_clock::time_point{}
                              : std::chrono::steady_clock::now()) {}

const std::string& token_source::current(std::chrono::steady_clock::time_point now) {
    if (file_.empty() || now - read_at_ < reload_) {
        return token_;
    }
    read_at_ = now;
    auto contents = read_whole_file(file_);
    if (!contents) {
        MS_LOG_WARN("bearer token: {}; keeping the previous token", contents.error().message);
        return token_;
    }
    std::string token = trim_token(*contents);
    if (token.empty()) {
        MS_LOG_WARN("bearer token: {} is empty; keeping the previous token", file_);
        return token_;
    }
    token_ = std::move(token);
    return token_;
}

std::string trim_token(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(kSpace);
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace multisched::client
