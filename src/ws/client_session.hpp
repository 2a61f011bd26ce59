// The WebSocket client role: the session core (ws/session.hpp) as the
// client end, with the opening handshake in front. One per connection
// attempt, made with the connection by context::connect:
//
//   on_open (TCP, and TLS when wss, are up) → the upgrade request goes out,
//   the handshake timeout starts → the response head is parsed and checked
//   → 101: begin() (handlers::open), the bytes after the head are fed
//   → a redirect: the client core starts the next attempt
//   → anything else: the connection closes with the reason
//
// What only the handshake needs (the parser, the key) is a separate block,
// freed at the 101. The client core (ws/client_core.hpp) outlives the
// attempt and decides what follows a close.
#pragma once
#include <memory>
#include <string>

#include "h1/response_parser.hpp"
#include "ws/session.hpp"

namespace lwspp::ws::detail {

class client_core;

class client_session final : public session {
 public:
  client_session(std::shared_ptr<client_core> core, connection& c);
  ~client_session() override;

  void on_open(connection& c) override;
  void on_data(connection& c, std::string_view bytes) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_peer_eof(connection& c) override;

 private:
  struct handshake {
    h1::response_parser parser;
    std::string key;
    std::size_t received = 0;  // bytes of the answer so far
  };

  void on_opening_timeout() override;
  void on_head(std::string_view rest);
  void fail_handshake(close_reason why);

  std::shared_ptr<client_core> core_;
  std::unique_ptr<handshake> hs_;  // until the 101
};

}  // namespace lwspp::ws::detail
