// SPDX-License-Identifier: Apache-2.0
// Notices that a file may have changed, the way a config file is replaced in practice: edited in
// place, written to a temporary and renamed over (editors, `kubectl cp`), or swapped by the
// kubelet's ConfigMap volume (`config.yaml -> ..data/config.yaml`, `..data` renamed atomically to
// a new timestamped directory). It watches, with inotify, the directory that holds the path and,
// when the path or one of its directories is a symlink, the directories along the resolved chain,
// and counts only events that name an entry of that chain (`config.yaml`, `..data`): a busy
// directory (logs next to the config) does not wake it. Events are coalesced: changed() completes
// once the chain has been quiet for the debounce interval (or after ten intervals of constant
// change). It says "something may have changed", never what: callers re-read the file and compare
// contents.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched {

class file_watcher {
  public:
    // Starts watching the directories of `path` (which need not exist yet; its directory must).
    // Errors: inotify unavailable, the directory cannot be watched.
    static result<std::unique_ptr<file_watcher>> create(asio::any_io_executor ex, std::string path);
    ~file_watcher();
    file_watcher(const file_watcher&) = delete;
    file_watcher& operator=(const file_watcher&) = delete;

    // Completes after at least one event and then `quiet` without any. An error when the inotify
    // descriptor fails or the wait was cancelled (operation_aborted). Re-resolves the symlink
    // chain before returning, so a swap that points the path at a new directory is followed.
    task<result<void>> changed(std::chrono::milliseconds quiet);

    // The directories currently watched (tests, logs).
    const std::set<std::string>& directories() const { return dirs_; }

  private:
    file_watcher(asio::any_io_executor ex, int fd, std::string path);
    // Watches every directory of the path's symlink chain and records the entry names that
    // matter in each.
    result<void> watch_chain();
    // Reads every queued event; true if one of them concerns the chain (or the queue overflowed,
    // or a watched directory went away).
    bool drain_relevant();

    std::string path_;
    int fd_ = -1;
    asio::posix::stream_descriptor stream_;
    std::set<std::string> dirs_;
    std::map<int, std::string> dir_of_watch_;               // inotify watch descriptor -> dir
    std::map<std::string, std::set<std::string>> entries_;  // dir -> entry names that matter
};

}  // namespace multisched
