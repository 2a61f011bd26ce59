// Benchmark peer: a WebSocket echo and broadcast server on Boost.Beast
// (Debian's libboost-dev; Beast and Asio are header-only), for
// bench/ws_run.sh. Asynchronous, one io_context run by one thread.
//
//   ws_beast_server PORT
//
// Listens on 127.0.0.1:PORT. Each connection's upgrade request is read with
// beast::http first, so that the path can choose the endpoint:
//   /echo    every message comes back as it came (text as text, binary as binary)
//   /fanout  a message from any client goes to every client connected to
//            /fanout (the sender too): one shared copy, queued on each member,
//            each member writing one message at a time
// The subprotocols "echo" and "fanout" are accepted when offered. The socket
// is a plain tcp::socket (no beast::tcp_stream timers): Beast's own defaults
// otherwise (auto-fragment on, no compression, no pings). SIGINT/SIGTERM stop it.
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including
// <utility>, which C++20's headers no longer pull in on their own.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class session;

// Whether a Sec-WebSocket-Protocol value ("a, b, c") lists `name`.
bool offers(beast::string_view list, beast::string_view name) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == name) return true;
    if (comma == beast::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The members of /fanout (one thread: no lock).
struct fanout_room {
  std::unordered_set<session*> members;
  void publish(const std::shared_ptr<const std::string>& msg, bool binary);
};

fanout_room room;

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket s) : ws_(std::move(s)) {}
  ~session() { room.members.erase(this); }

  void start() { read_request(); }

  // Queues a published message; one write is in flight at a time.
  void send(std::shared_ptr<const std::string> msg, bool binary) {
    queue_.push_back({std::move(msg), binary});
    if (queue_.size() == 1) write_next();
  }

 private:
  struct outgoing {
    std::shared_ptr<const std::string> msg;
    bool binary;
  };

  void read_request() {
    req_.emplace();
    http::async_read(ws_.next_layer(), buffer_, *req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->accept();
                     });
  }

  void accept() {
    if (!websocket::is_upgrade(*req_)) return;  // not a WebSocket: drop the connection
    const auto target = req_->target();
    if (target == "/echo") {
      fanout_ = false;
    } else if (target == "/fanout") {
      fanout_ = true;
    } else {
      return;
    }
    const std::string want = fanout_ ? "fanout" : "echo";
    const bool agree = offers(req_->base()[http::field::sec_websocket_protocol], want);
    ws_.set_option(websocket::stream_base::decorator([agree, want](websocket::response_type& res) {
      if (agree) res.set(http::field::sec_websocket_protocol, want);
    }));
    buffer_.consume(buffer_.size());
    ws_.async_accept(*req_, [self = shared_from_this()](beast::error_code ec) {
      self->req_.reset();
      if (ec) return;
      if (self->fanout_) room.members.insert(self.get());
      self->read_message();
    });
  }

  void read_message() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        room.members.erase(self.get());
        return;
      }
      self->on_message();
    });
  }

  void on_message() {
    const bool binary = ws_.got_binary();
    if (fanout_) {
      auto msg = std::make_shared<const std::string>(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      room.publish(msg, binary);
      read_message();
      return;
    }
    // Echo: write the message back, then read the next one.
    ws_.binary(binary);
    ws_.async_write(buffer_.data(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buffer_.consume(self->buffer_.size());
      self->read_message();
    });
  }

  void write_next() {
    ws_.binary(queue_.front().binary);
    ws_.async_write(asio::buffer(*queue_.front().msg),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) {
                        self->queue_.clear();
                        return;
                      }
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::optional<http::request<http::string_body>> req_;
  std::deque<outgoing> queue_;
  bool fanout_ = false;
};

void fanout_room::publish(const std::shared_ptr<const std::string>& msg, bool binary) {
  for (session* s : members)
    s->send(msg, binary);
}

void do_accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<session>(std::move(s))->start();
    }
    do_accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ws_beast_server PORT\n");
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  beast::error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "ws_beast_server: %s\n", ec.message().c_str());
    return 1;
  }
  do_accept(acceptor);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
  ioc.run();
  return 0;
}
