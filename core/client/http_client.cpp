// SPDX-License-Identifier: Apache-2.0
// The production api_client: HTTP/1.1 over Beast, TLS per rest_config, a keep-alive pool for
// request/response exchanges and one dedicated connection per watch.
#include <charconv>
#include <stdexcept>

#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "core/client/api_client.hpp"
#include "core/client/connection.hpp"
#include "core/client/connection_slots.hpp"
#include "core/client/file_util.hpp"
#include "core/client/http_watch.hpp"
#include "core/client/tls_context.hpp"
#include "core/util/log.hpp"

namespace multisched::client {
namespace {

namespace http = beast::http;

constexpr std::uint64_t kMaxResponseBody = std::uint64_t{256} << 20;
constexpr std::uint32_t kMaxHeader = 256 * 1024;
constexpr std::uint64_t kMaxErrorBody = 1 << 20;
constexpr std::size_t kErrorExcerpt = 1024;
// Connect, handshake, request and response header of a watch.
constexpr std::chrono::seconds kWatchOpenTimeout{30};

// "host:port", with brackets around an IPv6 address.
std::string endpoint_text(const std::string& host, const std::string& port) {
    if (host.find(':') != std::string::npos) {
        return fmt::format("[{}]:{}", host, port);
    }
    return fmt::format("{}:{}", host, port);
}

// Retry-After as delay-seconds; the HTTP-date form is ignored.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    while (!value.empty() && value.back() == ' ') {
        value.remove_suffix(1);
    }
    long long seconds = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || ec != std::errc{} || ptr != value.data() + value.size() || seconds < 0) {
        return std::nullopt;
    }
    return std::chrono::seconds(seconds);
}

// A body as one printable line of at most kErrorExcerpt characters.
std::string excerpt(std::string_view body) {
    std::string out(body.substr(0, kErrorExcerpt));
    for (char& c : out) {
        if (c == '\n' || c == '\r' || c == '\t') {
            c = ' ';
        }
    }
    if (body.size() > kErrorExcerpt) {
        out += "...";
    }
    return out;
}

// The transport failure of `what` ("GET /x (host:port)"), with the deadline when it expired.
error failure(std::string_view what, const error& e, std::chrono::milliseconds timeout) {
    if (e.code == beast::error::timeout) {
        return error{e.code,
                     fmt::format("{}: {} (deadline {}ms)", what, e.message, timeout.count())};
    }
    return error{e.code, fmt::format("{}: {}", what, e.message)};
}

error stage_failure(std::string_view what, std::string_view stage,
                    const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
    return failure(what, error{ec, fmt::format("{}: {}", stage, ec.message())}, timeout);
}

// What one exchange on one connection gave; the connection comes back for reuse.
struct exchange_outcome {
    std::unique_ptr<connection> conn;
    boost::system::error_code ec;
    const char* stage = "";
    std::size_t written = 0;  // request bytes handed to the connection
    bool got_bytes = false;   // any response byte arrived
    bool reusable = false;
    http::response<http::string_body> response;
};

// Writes `req` and reads the whole response on `conn`, within the expiry already set on it.
task<exchange_outcome> round_trip(std::unique_ptr<connection> conn,
                                  http::request<http::string_body> req) {
    exchange_outcome out;
    out.conn = std::move(conn);
    connection& c = *out.conn;
    auto [wec, written] = co_await c.with_stream(
        [&req](auto& stream) { return http::async_write(stream, req, use_task); });
    out.written = written;
    if (wec) {
        out.ec = wec;
        out.stage = "write";
        co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeader);
    parser.body_limit(kMaxResponseBody);
    if (req.method() == http::verb::head) {
        parser.skip(true);
    }
    auto [rec, read] = co_await c.with_stream([&c, &parser](auto& stream) {
        return http::async_read(stream, c.buffer(), parser, use_task);
    });
    (void)read;
    out.got_bytes = parser.got_some() || c.buffer().size() != 0;
    if (rec) {
        out.ec = rec;
        out.stage = "read";
        co_return out;
    }
    out.reusable = parser.get().keep_alive() && !parser.need_eof();
    out.response = parser.release();
    co_return out;
}

// HTTP methods a server may receive twice with the effect of once (RFC 9110 9.2.2).
bool idempotent(http::verb method) {
    switch (method) {
        case http::verb::get:
        case http::verb::head:
        case http::verb::options:
        case http::verb::put:
        case http::verb::delete_:
            return true;
        default:
            return false;
    }
}

// Whether a request that failed on a reused keep-alive connection may be sent again on a fresh
// one, as Go's transport decides (shouldRetryRequest): the connection was closed under us
// (stale keep-alive), not timed out or cancelled, and either not a byte of the request reached
// it, or the method is idempotent and not a byte of response came back. A POST (a Binding, an
// Event) that was written may have been acted on: sending it again could bind twice, so it is not.
bool retry_on_fresh_connection(const exchange_outcome& out, http::verb method) {
    if (out.ec == beast::error::timeout || out.ec == asio::error::operation_aborted) {
        return false;
    }
    if (out.written == 0) {
        return true;
    }
    return idempotent(method) && !out.got_bytes;
}

class http_client final : public api_client {
  public:
    http_client(asio::any_io_executor ex, rest_config config,
                std::shared_ptr<asio::ssl::context> tls)
        : ex_(std::move(ex)),
          config_(std::move(config)),
          tls_(std::move(tls)),
          endpoint_(endpoint_text(config_.host, config_.port)),
          host_header_(url_host(config_)),
          token_(config_.token, config_.token_file, config_.token_reload),
          slots_(config_.max_connections) {
        target_.host = config_.host;
        target_.port = config_.port;
        target_.tls = tls_ != nullptr;
        target_.verify = !config_.insecure_skip_tls_verify;
        target_.server_name =
            config_.tls_server_name.empty() ? config_.host : config_.tls_server_name;
    }

    task<result<http_response>> send(http_request req) override;
    task<result<std::unique_ptr<watch_stream>>> watch(
        std::string target, std::chrono::milliseconds idle_timeout) override;

  private:
    std::string describe(http::verb method, std::string_view target) const {
        return fmt::format("{} {} ({})", http::to_string(method), target, endpoint_);
    }
    http::request<http::string_body> make_request(http::verb method, std::string_view target,
                                                  std::string body, std::string_view content_type);
    task<error> watch_refused(std::unique_ptr<connection> conn,
                              std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                              std::string target);

    asio::any_io_executor ex_;
    rest_config config_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::string endpoint_;
    std::string host_header_;
    dial_target target_;
    token_source token_;
    connection_pool pool_;
    connection_slots slots_;
};

http::request<http::string_body> http_client::make_request(http::verb method,
                                                           std::string_view target,
                                                           std::string body,
                                                           std::string_view content_type) {
    http::request<http::string_body> msg{method, config_.base_path + std::string(target), 11};
    msg.set(http::field::host, host_header_);
    msg.set(http::field::user_agent, config_.user_agent);
    msg.set(http::field::accept, "application/json");
    const std::string& token = token_.current(steady_clock::now());
    if (!token.empty()) {
        msg.set(http::field::authorization, "Bearer " + token);
    }
    if (!body.empty()) {
        msg.set(http::field::content_type, content_type);
        msg.body() = std::move(body);
    }
    msg.prepare_payload();
    return msg;
}

task<result<http_response>> http_client::send(http_request req) {
    const auto deadline = steady_clock::now() + req.timeout;
    const std::string what = describe(req.method, req.target);
    const auto msg = make_request(req.method, req.target, std::move(req.body), req.content_type);
    // Held until this exchange ends; its connection then goes back to the idle pool.
    const std::optional<connection_slots::slot> slot = co_await slots_.acquire(deadline);
    if (!slot) {
        co_return error{kNotSent, fmt::format("{}: not sent: all {} connections stayed busy "
                                              "for the deadline ({}ms)",
                                              what, config_.max_connections, req.timeout.count())};
    }
    for (int attempt = 0;; ++attempt) {
        std::unique_ptr<connection> conn = pool_.take(steady_clock::now());
        const bool reused = conn != nullptr;
        if (!reused) {
            auto dialed = co_await dial(ex_, tls_, target_, deadline);
            if (!dialed) {
                co_return failure(what, dialed.error(), req.timeout);
            }
            conn = std::move(*dialed);
        }
        conn->tcp().expires_at(deadline);
        exchange_outcome out = co_await round_trip(std::move(conn), msg);
        if (out.ec) {
            const auto cs = co_await asio::this_coro::cancellation_state;
            const bool cancelled = cs.cancelled() != asio::cancellation_type::none;
            if (reused && attempt == 0 && !cancelled &&
                retry_on_fresh_connection(out, req.method)) {
                MS_LOG_V(4, "{}: reused connection failed ({}: {}), retrying on a new one", what,
                         out.stage, out.ec.message());
                continue;
            }
            co_return stage_failure(what, out.stage, out.ec, req.timeout);
        }
        http_response response;
        response.status = out.response.result_int();
        response.retry_after = parse_retry_after(out.response[http::field::retry_after]);
        response.body = std::move(out.response.body());
        if (out.reusable) {
            out.conn->tcp().expires_never();
            pool_.put(std::move(out.conn), steady_clock::now());
        }
        co_return response;
    }
}

task<result<std::unique_ptr<watch_stream>>> http_client::watch(
    std::string target, std::chrono::milliseconds idle_timeout) {
    const auto deadline = steady_clock::now() + kWatchOpenTimeout;
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kWatchOpenTimeout);
    const std::string what = describe(http::verb::get, target);
    auto dialed = co_await dial(ex_, tls_, target_, deadline);
    if (!dialed) {
        co_return failure(what, dialed.error(), timeout);
    }
    std::unique_ptr<connection> conn = std::move(*dialed);
    connection& c = *conn;
    c.tcp().expires_at(deadline);
    const auto msg = make_request(http::verb::get, target, {}, {});
    auto [wec, written] = co_await c.with_stream(
        [&msg](auto& stream) { return http::async_write(stream, msg, use_task); });
    (void)written;
    if (wec) {
        co_return stage_failure(what, "write", wec, timeout);
    }
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    parser->header_limit(kMaxHeader);
    parser->body_limit(boost::none);  // a watch body is unbounded; each event is capped
    auto [hec, read] = co_await c.with_stream([&c, &parser](auto& stream) {
        return http::async_read_header(stream, c.buffer(), *parser, use_task);
    });
    (void)read;
    if (hec) {
        co_return stage_failure(what, "read header", hec, timeout);
    }
    const unsigned status = parser->get().result_int();
    if (status < 200 || status >= 300) {
        co_return co_await watch_refused(std::move(conn), std::move(parser), std::move(target));
    }
    co_return make_http_watch(std::move(conn), std::move(parser), what, idle_timeout);
}

task<error> http_client::watch_refused(
    std::unique_ptr<connection> conn,
    std::unique_ptr<http::response_parser<http::buffer_body>> parser, std::string target) {
    const unsigned status = parser->get().result_int();
    http::response_parser<http::string_body> body_parser(std::move(*parser));
    body_parser.body_limit(kMaxErrorBody);
    connection& c = *conn;
    auto [ec, read] = co_await c.with_stream([&c, &body_parser](auto& stream) {
        return http::async_read(stream, c.buffer(), body_parser, use_task);
    });
    (void)read;
    const std::string body =
        ec ? fmt::format("(body unreadable: {})", ec.message()) : excerpt(body_parser.get().body());
    co_return error{{}, fmt::format("GET {}: {} {}", target, status, body), status};
}

}  // namespace

result<std::unique_ptr<api_client>> create_api_client(asio::any_io_executor ex,
                                                      rest_config config) {
    if (config.host.empty()) {
        return error{{}, "api client: no apiserver host configured"};
    }
    std::shared_ptr<asio::ssl::context> tls;
    if (config.scheme == "https") {
        auto ctx = make_tls_context(config);
        if (!ctx) {
            return ctx.error();
        }
        tls = std::move(*ctx);
    } else if (config.scheme != "http") {
        return error{{}, fmt::format("api client: unsupported scheme \"{}\"", config.scheme)};
    }
    return std::unique_ptr<api_client>(
        std::make_unique<http_client>(std::move(ex), std::move(config), std::move(tls)));
}

std::unique_ptr<api_client> make_api_client(asio::any_io_executor ex, rest_config config) {
    auto client = create_api_client(std::move(ex), std::move(config));
    if (!client) {
        throw std::runtime_error(client.error().message);
    }
    return std::move(*client);
}

}  // namespace multisched::client
