// SPDX-License-Identifier: Apache-2.0
#include "core/util/file_watcher.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/inotify.h>
#include <system_error>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace multisched {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kEvents = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO |
                                  IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr int kMaxSymlinkHops = 16;

error errno_error(std::string what) {
    const int e = errno;
    return error{std::error_code(e, std::generic_category()), what + ": " + std::strerror(e)};
}

// The directory holding `p`, made absolute and canonical where it exists.
std::string directory_of(const fs::path& p) {
    std::error_code ec;
    fs::path dir = p.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    fs::path canonical = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    return ec ? dir.string() : canonical.string();
}

}  // namespace

file_watcher::file_watcher(asio::any_io_executor ex, int fd, std::string path)
    : path_(std::move(path)), fd_(fd), stream_(ex, fd) {}

file_watcher::~file_watcher() = default;  // the stream closes the inotify descriptor

result<std::unique_ptr<file_watcher>> file_watcher::create(asio::any_io_executor ex,
                                                           std::string path) {
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return errno_error("inotify_init1");
    }
    std::unique_ptr<file_watcher> w(new file_watcher(std::move(ex), fd, std::move(path)));
    if (auto ok = w->watch_chain(); !ok) {
        return ok.error();
    }
    return w;
}

result<void> file_watcher::watch_chain() {
    std::set<std::string> dirs;
    fs::path p = path_;
    for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
        dirs.insert(directory_of(p));
        std::error_code ec;
        if (!fs::is_symlink(p, ec)) {
            break;
        }
        fs::path target = fs::read_symlink(p, ec);
        if (ec) {
            break;
        }
        p = target.is_absolute() ? target : p.parent_path() / target;
    }
    for (const auto& dir : dirs) {
        // Watching a directory again is harmless: the kernel returns the same descriptor.
        if (inotify_add_watch(fd_, dir.c_str(), kEvents) < 0) {
            if (dir == *dirs.begin() && dirs_.empty()) {
                return errno_error("watch " + dir);
            }
            continue;  // a directory of the chain vanished meanwhile: the next event re-resolves
        }
    }
    dirs_ = std::move(dirs);
    return {};
}

std::size_t file_watcher::drain() {
    alignas(inotify_event) std::array<char, 16 * 1024> buf;
    std::size_t total = 0;
    for (;;) {
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n <= 0) {
            return total;  // EAGAIN: nothing more queued (errors surface on the next wait)
        }
        total += static_cast<std::size_t>(n);
    }
}

task<result<void>> file_watcher::changed(std::chrono::milliseconds quiet) {
    for (;;) {
        auto [ec] =
            co_await stream_.async_wait(asio::posix::stream_descriptor::wait_read, use_task);
        if (ec) {
            co_return error{ec, "inotify: " + ec.message()};
        }
        if (drain() > 0) {
            break;
        }
    }
    asio::steady_timer quiet_timer(co_await asio::this_coro::executor);
    for (;;) {
        quiet_timer.expires_after(quiet);
        if (auto [ec] = co_await quiet_timer.async_wait(use_task); ec) {
            co_return error{ec, "cancelled"};
        }
        if (drain() == 0) {
            break;
        }
    }
    if (auto ok = watch_chain(); !ok) {
        co_return ok.error();
    }
    co_return result<void>{};
}

}  // namespace multisched
