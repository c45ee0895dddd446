// SPDX-License-Identifier: Apache-2.0
// Internal to core/snapshot: sorts the objects of a snapshot file, given one at a time in file
// order, into a cluster_snapshot: kind dispatch, metadata defaults (uid, namespace), decoding,
// duplicate checks, and in finish() the pod checks that need every node. Each object skipped
// becomes one problem line (formats in snapshot.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json/json.hpp"
#include "core/snapshot/snapshot.hpp"

namespace multisched::snapshot::detail {

struct kind_info;

class collector {
  public:
    // One item of the file. `where` names its place ("items[3]"); `list_item_kind` is the kind of
    // a typed list's items ("Pod" in a PodList), used when the item names none; may be "".
    void add(std::string where, json::value obj, std::string_view list_item_kind);
    // An item that could not be read at all; `line` is the whole problem line.
    void problem(std::string line);
    // The snapshot; problems in file order. Call once.
    load_result finish();

  private:
    struct item {
        std::size_t seq = 0;
        std::string where;
        std::string label;  // "Pod default/web-1", "Node n1"
        const kind_info* info = nullptr;
    };
    struct staged_pod {
        item at;
        api::pod pod;
    };

    void decode(const item& it, json::value obj);
    template <class T>
    bool accept(const item& it, const result<T>& r);
    template <class T>
    void keep(const item& it, result<T> r, std::vector<std::shared_ptr<const T>>& out);
    void stage_pod(const item& it, result<api::pod> r);
    void push_problem(std::size_t seq, std::string line);

    load_result out_;
    std::vector<staged_pod> staged_pods_;
    std::vector<std::pair<std::size_t, std::string>> problems_;  // (seq, line)
    // "Kind\nnamespace\nname" and pod uids -> "items[2] (Pod default/a)".
    std::unordered_map<std::string, std::string> names_;
    std::unordered_map<std::string, std::string> pod_uids_;
    std::size_t next_seq_ = 0;
};

}  // namespace multisched::snapshot::detail
