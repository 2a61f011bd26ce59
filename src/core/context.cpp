// The context: its loops and threads, vhosts and listeners, client connects,
// adoption of fds, graceful stop and the signals that ask for it.
#include "lwspp/context.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "core/connector.hpp"
#include "core/listener.hpp"
#include "core/role_factory.hpp"
#include "core/signal_watcher.hpp"
#include "core/tls_port.hpp"
#include "net/resolver.hpp"
#include "net/socket.hpp"
#include "tls/context.hpp"

namespace lwspp {
namespace {

// A write to a socket whose peer has gone must be an error value, never a
// process-killing SIGPIPE (pipes adopted into a loop have no MSG_NOSIGNAL).
void ignore_sigpipe() {
  static const bool done = [] {
    struct sigaction sa {};
    sa.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &sa, nullptr);
    return true;
  }();
  (void)done;
}

// Runs fn on l's thread: at once if we are on it, else posted (before run(),
// posted tasks run as soon as the loop starts).
void on_loop(loop& l, unique_function<void()> fn) {
  if (l.in_loop_thread())
    fn();
  else
    l.post(std::move(fn));
}

}  // namespace

struct context::internals {
  detail::resolver dns;
  std::unique_ptr<detail::signal_watcher> signals;
  // Client TLS contexts by option set: loading a trust store costs
  // milliseconds, and the session cache (resumption) lives in the context.
  std::mutex tls_clients_mutex;
  std::vector<std::pair<std::string, std::shared_ptr<tls::client_context>>> tls_clients;
};

namespace {

// Every field of the options, in one string: equal keys, equal contexts.
std::string client_key(const tls_client_options& o) {
  std::string k;
  for (const std::string* f :
       {&o.ca_file, &o.ca_pem, &o.server_name, &o.ciphers, &o.ciphersuites, &o.groups,
        &o.certificate.cert_file, &o.certificate.cert_pem, &o.certificate.key_file,
        &o.certificate.key_pem, &o.certificate.key_password}) {
    k += std::to_string(f->size());
    k += ':';
    k += *f;
  }
  for (const std::string& a : o.alpn) {
    k += std::to_string(a.size());
    k += 'a';
    k += a;
  }
  k += static_cast<char>('0' + static_cast<int>(o.min_version));
  k += static_cast<char>('0' + static_cast<int>(o.max_version));
  k += o.session_resumption ? 'r' : '-';
  k += o.insecure_skip_verify ? 'i' : '-';
  return k;
}

}  // namespace

result<std::shared_ptr<tls::client_context>> context::client_tls(const tls_client_options& o) {
  std::string key = client_key(o);
  std::lock_guard lock(in_->tls_clients_mutex);
  for (auto& [k, ctx] : in_->tls_clients)
    if (k == key) return ctx;
  auto made = tls::client_context::create(o, &log_);
  if (!made) return made.error();
  // A small cache: programs use a handful of client configurations.
  if (in_->tls_clients.size() >= 16) in_->tls_clients.erase(in_->tls_clients.begin());
  in_->tls_clients.emplace_back(std::move(key), *made);
  return *made;
}

result<void> vhost::reload_tls() {
  if (!tls_) return error_info(error::invalid_argument, "vhost " + name() + " has no TLS");
  return tls_->reload();
}

context::context(context_options opts)
    : opts_(std::move(opts)), log_(opts_.level, opts_.sink), in_(std::make_unique<internals>()) {
  ignore_sigpipe();
  const unsigned n = std::max(1u, opts_.loops);
  for (unsigned i = 0; i < n; ++i) {
    loops_.push_back(std::make_unique<loop>(&log_));
    loops_.back()->context_ = this;
    loops_.back()->context_index_ = i;
  }
}

void* context::lookup_extension(const void* key) const noexcept {
  const std::size_t n = extension_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i)
    if (extension_keys_[i] == key) return extensions_[i].get();
  return nullptr;
}

void* context::find_extension(const void* key, std::shared_ptr<void> (*make)(context&)) {
  if (void* p = lookup_extension(key)) return p;
  std::lock_guard lock(extensions_mutex_);
  if (void* p = lookup_extension(key)) return p;  // made meanwhile
  const std::size_t n = extension_count_.load(std::memory_order_relaxed);
  if (n == max_extensions) {
    // A programming error (a new kind of extension without raising the
    // cap), and no exception may cross the loop: say so and stop.
    std::fputs("lwspp: context::extension: more than max_extensions kinds\n", stderr);
    std::abort();
  }
  extensions_[n] = make(*this);
  extension_keys_[n] = key;
  extension_count_.store(n + 1, std::memory_order_release);
  return extensions_[n].get();
}

context::~context() {
  stop_now();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  // The loops no longer run: close what is left on this thread and let the
  // deferred on_close callbacks run before anything they touch goes away.
  for (auto& l : loops_) {
    l->close_all();
    for (int i = 0; i < 3; ++i)
      l->run_once(std::chrono::milliseconds(0));
  }
  in_->signals.reset();
  listeners_.clear();
}

result<vhost*> context::add_vhost(vhost_options opts, role_factory roles) {
  if (running_.load()) return error_info(error::invalid_argument, "add_vhost after run()");
  auto where = address::parse(opts.listen);
  if (!where) {
    // Not an IP literal: a host name such as "localhost:7681".
    auto hp = split_host_port(opts.listen);
    if (!hp) return hp.error();
    auto addrs = detail::resolve_now(hp->host, hp->port);
    if (!addrs) return addrs.error();
    where = addrs->front();
  }
  auto vh = std::make_unique<vhost>();
  vh->opts_ = std::move(opts);
  vh->roles_ = std::move(roles);
  if (vh->opts_.tls) {
    auto tls = tls::server_context::create(*vh->opts_.tls);
    if (!tls) return tls.error();
    vh->tls_ = std::move(*tls);
    // A TLS vhost on the address of another one shares its port: SNI picks.
    for (auto& other : vhosts_) {
      if (!other->port_ || where->port() == 0 || !(other->bound_ == *where)) continue;
      if (auto r = other->port_->join(*vh); !r) return r.error();
      vh->port_ = other->port_;
      vh->bound_ = other->bound_;
      LWSPP_LOG(log_, notice, "vhost ", vh->name(), " shares ", vh->bound_.to_string(),
                " with vhost ", other->name(), " (chosen by SNI)");
      vhosts_.push_back(std::move(vh));
      return vhosts_.back().get();
    }
    auto port = detail::tls_port::create(*vh);
    if (!port) return port.error();
    vh->port_ = std::move(*port);
  }
  address bind_to = *where;
  // TCP: one SO_REUSEPORT socket per loop. Unix: one socket, on loop 0.
  const std::size_t sockets = bind_to.is_ip() ? loops_.size() : 1;
  if (sockets > 1 && bind_to.port() != 0) {
    // SO_REUSEPORT would let us join another process's listener group on
    // this port without an error; a plain trial bind reports "in use".
    auto probe = detail::listen_socket(bind_to, 1, false, false);
    if (!probe) return probe.error();
    detail::close_fd(*probe);
  }
  std::vector<std::unique_ptr<detail::listener>> made;
  for (std::size_t i = 0; i < sockets; ++i) {
    auto fd = detail::listen_socket(bind_to, vh->opts_.backlog, loops_.size() > 1,
                                    vh->opts_.unlink_stale_socket);
    if (!fd) return fd.error();
    if (i == 0) {
      vh->bound_ = bind_to.is_ip() ? detail::local_address(*fd) : bind_to;
      bind_to = vh->bound_;  // the real port, when port 0 was asked
    }
    made.push_back(std::make_unique<detail::listener>(*loops_[i], *vh, *fd));
  }
  for (std::size_t i = 0; i < made.size(); ++i) {
    detail::listener* l = made[i].get();
    on_loop(*loops_[i], [l] { l->start(); });
    listeners_.push_back(std::move(made[i]));
  }
  LWSPP_LOG(log_, notice, "vhost ", vh->name(), " listening on ", vh->bound_.to_string(),
            vh->port_ ? " (TLS)" : "",
            sockets > 1 ? " (" + std::to_string(sockets) + " loops)" : std::string());
  vhosts_.push_back(std::move(vh));
  return vhosts_.back().get();
}

connection_handle context::connect(std::string_view target, role_factory roles,
                                   connect_options opts) {
  loop& l = *loops_.at(std::min<std::size_t>(opts.loop_index, loops_.size() - 1));
  auto c = detail::make_connection(l, -1, roles, opts.connection);
  connection_handle h = c->handle();
  std::optional<close_reason> setup_error;
  std::unique_ptr<tunnel> tun;
  if (opts.make_tunnel) {
    tun = opts.make_tunnel();
    if (!tun) setup_error = close_reason(error::invalid_argument, "make_tunnel made no tunnel");
  }
  if (opts.tls && !setup_error) {
    // Through a tunnel the name to verify is the destination's, not the proxy's.
    std::string host = tun ? std::string(tun->destination_host()) : std::string();
    if (!tun && !target.starts_with("unix:")) {
      if (auto hp = split_host_port(target)) host = std::move(hp->host);
    }
    if (auto s = client_session(*opts.tls, host)) {
      c->set_tls(std::move(*s), opts.tls_handshake_timeout);
    } else {
      setup_error = close_reason(s.error());
    }
  }
  // Every reference moves to the loop thread: connection_ref counts are not
  // atomic, so this thread must hold none once the job is posted.
  auto job = std::make_shared<detail::connector>(std::move(c), std::string(target), opts,
                                                 std::move(setup_error), std::move(tun));
  on_loop(l, [job = std::move(job), this] { job->start(in_->dns); });
  return h;
}

result<std::unique_ptr<tls::session>> context::client_session(const tls_client_options& o,
                                                              std::string_view host) {
  auto ctx = client_tls(o);
  if (!ctx) return ctx.error();
  // The name to verify and send as SNI: the option, else the target's host.
  return (*ctx)->new_session(o.server_name.empty() ? std::string(host) : o.server_name);
}

result<connection_handle> context::adopt(int fd, role_factory roles, connection_options opts,
                                         unsigned loop_index) {
  if (fd < 0) return error_info(error::invalid_argument, "adopt: invalid fd");
  if (!detail::set_nonblocking(fd)) return detail::errno_error(errno, "adopt: fcntl");
  loop& l = *loops_.at(std::min<std::size_t>(loop_index, loops_.size() - 1));
  auto c = detail::make_connection(l, fd, roles, opts);
  connection_handle h = c->handle();
  on_loop(l, [c = std::move(c)] { c->start(); });
  return h;
}

int context::run() {
  running_.store(true);
  for (std::size_t i = 1; i < loops_.size(); ++i)
    threads_.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  // Loop 0 has finished; on a graceful stop the others finish on their own.
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  running_.store(false);
  LWSPP_LOG(log_, notice, "stopped");
  return 0;
}

void context::stop() {
  if (stopping_.exchange(true)) return;
  const auto drain = opts_.drain_timeout;
  LWSPP_LOG(log_, notice, "stopping: draining for up to ", drain.count(), " ms");
  for (auto& l : loops_) {
    loop* lp = l.get();
    lp->post([lp, drain] { lp->shutdown(drain); });
  }
}

void context::stop_now() noexcept {
  for (auto& l : loops_)
    l->stop();
}

void context::handle_signals(std::function<void()> on_hangup) {
  if (in_->signals) return;
  in_->signals = std::make_unique<detail::signal_watcher>(
      *loops_[0],
      [this](int signo, int count) {
        if (count > 1) {
          LWSPP_LOG(log_, warn, "signal ", signo, " again: stopping now");
          stop_now();
          return;
        }
        LWSPP_LOG(log_, notice, "signal ", signo, ": graceful stop");
        stop();
      },
      std::move(on_hangup));
}

}  // namespace lwspp
