// SPDX-License-Identifier: Apache-2.0
#include "core/client/http_watch.hpp"

#include <optional>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

namespace multisched::client {
namespace {

namespace http = beast::http;

// Bytes asked of the parser per read; a read returns as soon as some body bytes arrived.
constexpr std::size_t kReadChunk = 64 * 1024;

class http_watch_stream final : public watch_stream {
  public:
    http_watch_stream(std::unique_ptr<connection> conn,
                      std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                      std::string what, std::chrono::milliseconds idle_timeout,
                      std::size_t max_event)
        : conn_(std::move(conn)),
          parser_(std::move(parser)),
          what_(std::move(what)),
          idle_timeout_(idle_timeout),
          max_event_(max_event) {}

    task<result<std::optional<std::string>>> next() override;

  private:
    std::optional<std::string> pop_line();
    std::optional<std::string> pop_tail();
    void compact();
    error fail(error e) {
        failed_ = e;
        return e;
    }

    std::unique_ptr<connection> conn_;
    std::unique_ptr<http::response_parser<http::buffer_body>> parser_;
    std::string what_;
    std::chrono::milliseconds idle_timeout_;
    std::size_t max_event_;
    // Body bytes not yet returned start at head_; bytes before scanned_ hold no newline.
    std::string pending_;
    std::size_t head_ = 0;
    std::size_t scanned_ = 0;
    std::optional<error> failed_;  // sticky: the connection is unusable after any failure
};

std::optional<std::string> http_watch_stream::pop_line() {
    for (;;) {
        const std::size_t newline = pending_.find('\n', std::max(head_, scanned_));
        if (newline == std::string::npos) {
            scanned_ = pending_.size();
            return std::nullopt;
        }
        std::string_view line(pending_.data() + head_, newline - head_);
        head_ = newline + 1;
        scanned_ = head_;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!line.empty()) {
            return std::string(line);
        }
    }
}

// The last event when the body did not end with a newline.
std::optional<std::string> http_watch_stream::pop_tail() {
    std::string_view tail(pending_.data() + head_, pending_.size() - head_);
    head_ = scanned_ = pending_.size();
    while (!tail.empty() && (tail.back() == '\r' || tail.back() == ' ')) {
        tail.remove_suffix(1);
    }
    if (tail.empty()) {
        return std::nullopt;
    }
    return std::string(tail);
}

void http_watch_stream::compact() {
    if (head_ == 0) {
        return;
    }
    pending_.erase(0, head_);
    scanned_ -= head_;
    head_ = 0;
}

task<result<std::optional<std::string>>> http_watch_stream::next() {
    for (;;) {
        if (auto line = pop_line()) {
            co_return std::move(line);
        }
        if (failed_) {
            co_return *failed_;
        }
        if (pending_.size() - head_ > max_event_) {
            co_return fail(
                error{http::error::body_limit,
                      fmt::format("{}: watch event larger than {} bytes", what_, max_event_)});
        }
        if (parser_->is_done()) {
            co_return pop_tail();  // nullopt once everything was returned
        }
        compact();
        const std::size_t old_size = pending_.size();
        pending_.resize(old_size + kReadChunk);
        auto& body = parser_->get().body();
        body.data = pending_.data() + old_size;
        body.size = kReadChunk;
        conn_->tcp().expires_after(idle_timeout_);
        connection& c = *conn_;
        auto& parser = *parser_;
        auto [ec, read] = co_await c.with_stream([&c, &parser](auto& stream) {
            return http::async_read_some(stream, c.buffer(), parser, use_task);
        });
        (void)read;
        pending_.resize(old_size + (kReadChunk - body.size));
        body.data = nullptr;
        body.size = 0;
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec == beast::error::timeout) {
            co_return fail(error{
                ec, fmt::format("{}: watch idle: no data for {}ms", what_, idle_timeout_.count())});
        }
        if (ec) {
            co_return fail(error{ec, fmt::format("{}: watch read: {}", what_, ec.message())});
        }
    }
}

}  // namespace

std::unique_ptr<watch_stream> make_http_watch(
    std::unique_ptr<connection> conn,
    std::unique_ptr<http::response_parser<http::buffer_body>> parser, std::string what,
    std::chrono::milliseconds idle_timeout, std::size_t max_event) {
    return std::make_unique<http_watch_stream>(std::move(conn), std::move(parser), std::move(what),
                                               idle_timeout, max_event);
}

}  // namespace multisched::client
