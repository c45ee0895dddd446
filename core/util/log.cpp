// SPDX-License-Identifier: Apache-2.0
#include "core/util/log.hpp"

#include <atomic>
#include <cstdlib>
#include <unistd.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "core/util/check.hpp"

namespace multisched::log {
namespace {

// The one piece of process-wide state: read on every MS_LOG_V, written once by init().
std::atomic<int> verbosity_level{0};

// klog's severity letters: I, W, E, F.
class klog_severity final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        char letter = 'I';
        switch (msg.level) {
            case spdlog::level::warn:
                letter = 'W';
                break;
            case spdlog::level::err:
                letter = 'E';
                break;
            case spdlog::level::critical:
                letter = 'F';
                break;
            default:
                break;
        }
        dest.push_back(letter);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<klog_severity>();
    }
};

}  // namespace

void init(int verbosity, format fmt) {
    verbosity_level.store(verbosity, std::memory_order_relaxed);
    auto logger = std::make_shared<spdlog::logger>(
        "multisched", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>(
        fmt == format::json ? spdlog::pattern_time_type::utc : spdlog::pattern_time_type::local);
    if (fmt == format::json) {
        formatter->add_flag<klog_severity>('*').set_pattern(
            R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","v":0,"severity":"%*","caller":"%s:%#","msg":"%v"})");
    } else {
        formatter->add_flag<klog_severity>('*').set_pattern("%*%m%d %H:%M:%S.%f %7P %s:%#] %v");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

void set_verbosity(int v) {
    verbosity_level.store(v, std::memory_order_relaxed);
}

int verbosity() {
    return verbosity_level.load(std::memory_order_relaxed);
}

void flush_and_exit(int code) {
    spdlog::default_logger_raw()->flush();
    std::_Exit(code);
}

}  // namespace multisched::log

namespace multisched {

void check_failed(std::string_view condition, std::string_view message, const char* file, int line,
                  const char* function) {
    spdlog::default_logger_raw()->log(spdlog::source_loc{file, line, function},
                                      spdlog::level::critical, "check failed: {}: {}", condition,
                                      message);
    spdlog::default_logger_raw()->flush();
    std::abort();
}

}  // namespace multisched
