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
    // (directory, entry) pairs whose change can change what `path_` reads: each hop of the
    // symlink chain, and every symlinked directory on the way (the ConfigMap's `..data`).
    std::map<std::string, std::set<std::string>> entries;
    const auto note = [&](const fs::path& p) {
        entries[directory_of(p)].insert(p.filename().string());
    };
    std::error_code ec;
    fs::path p = fs::absolute(path_, ec).lexically_normal();
    for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
        note(p);
        fs::path prefix = p.root_path();
        for (const auto& part : p.parent_path().relative_path()) {
            prefix /= part;
            if (fs::is_symlink(prefix, ec)) {
                note(prefix);
            }
        }
        if (!fs::is_symlink(p, ec)) {
            break;
        }
        const fs::path target = fs::read_symlink(p, ec);
        if (ec) {
            break;
        }
        p = (target.is_absolute() ? target : p.parent_path() / target).lexically_normal();
    }
    std::set<std::string> dirs;
    for (const auto& [dir, names] : entries) {
        // Watching a directory again is harmless: the kernel returns the same descriptor.
        const int wd = inotify_add_watch(fd_, dir.c_str(), kEvents);
        if (wd < 0) {
            if (dir == directory_of(fs::absolute(path_, ec)) && dirs_.empty()) {
                return errno_error("watch " + dir);
            }
            continue;  // a directory of the chain vanished meanwhile: the next event re-resolves
        }
        dir_of_watch_[wd] = dir;
        dirs.insert(dir);
    }
    dirs_ = std::move(dirs);
    entries_ = std::move(entries);
    return {};
}

bool file_watcher::drain_relevant() {
    alignas(inotify_event) std::array<char, 16 * 1024> buf;
    bool relevant = false;
    for (;;) {
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n <= 0) {
            return relevant;  // EAGAIN: nothing more queued (errors surface on the next wait)
        }
        for (ssize_t at = 0; at + ssize_t(sizeof(inotify_event)) <= n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf.data() + at);
            at += ssize_t(sizeof(inotify_event)) + ssize_t(ev->len);
            if ((ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
                relevant = true;
                continue;
            }
            const auto dir = dir_of_watch_.find(ev->wd);
            if (dir == dir_of_watch_.end() || ev->len == 0) {
                continue;
            }
            const auto names = entries_.find(dir->second);
            relevant = relevant || (names != entries_.end() && names->second.contains(ev->name));
        }
    }
}

task<result<void>> file_watcher::changed(std::chrono::milliseconds quiet) {
    // Drain before waiting: the descriptor is edge-triggered, so events queued before the wait
    // began would not wake it.
    while (!drain_relevant()) {
        auto [ec] =
            co_await stream_.async_wait(asio::posix::stream_descriptor::wait_read, use_task);
        if (ec) {
            co_return error{ec, "inotify: " + ec.message()};
        }
    }
    asio::steady_timer quiet_timer(co_await asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + 10 * quiet;
    for (;;) {
        quiet_timer.expires_after(quiet);
        if (auto [ec] = co_await quiet_timer.async_wait(use_task); ec) {
            co_return error{ec, "cancelled"};
        }
        if (!drain_relevant() || std::chrono::steady_clock::now() >= give_up) {
            break;
        }
    }
    if (auto ok = watch_chain(); !ok) {
        co_return ok.error();
    }
    co_return result<void>{};
}

}  // namespace multisched
