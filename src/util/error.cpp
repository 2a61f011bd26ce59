// The "lwspp" error category and the text of error_info.
#include "lwspp/error.hpp"

namespace lwspp {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::closed_locally:
        return "closed locally";
      case error::aborted:
        return "aborted locally";
      case error::peer_closed:
        return "closed by peer";
      case error::peer_reset:
        return "connection reset by peer";
      case error::dns_failed:
        return "name resolution failed";
      case error::connection_refused:
        return "connection refused";
      case error::unreachable:
        return "network unreachable";
      case error::connect_timeout:
        return "connect timed out";
      case error::idle_timeout:
        return "idle timeout";
      case error::write_buffer_full:
        return "write buffer limit reached";
      case error::server_stopping:
        return "server stopping";
      case error::invalid_address:
        return "invalid address";
      case error::io_error:
        return "I/O error";
      case error::too_many_connections:
        return "too many connections";
      case error::protocol_error:
        return "protocol error";
      case error::invalid_argument:
        return "invalid argument";
      case error::flush_timeout:
        return "close timed out with unsent data";
      case error::out_of_memory:
        return "out of memory";
      case error::handler_threw:
        return "a handler threw an exception";
    }
    return "unknown lwspp error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::string error_info::message() const {
  std::string text = code ? code.message() : std::string("no error");
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

}  // namespace lwspp
