// lwspp-test-labels: threads
// server_context::reload() on one thread while another makes sessions and
// completes handshakes: every handshake succeeds with one of the two
// certificates, never a mix, and nothing races (run under TSan by the tsan
// preset).
#include <atomic>
#include <thread>

#include "tls_test_support.hpp"

namespace {

using namespace tls_test;

TEST(TlsReloadThreads, ReloadWhileHandshaking) {
  auto ctx = server(localhost_server());
  auto sel = lwspp::tls::sni_selector::create(ctx).value();
  auto cc = client(trusting_ca());
  std::atomic<bool> stop{false};
  std::atomic<int> reloads{0};
  std::thread reloader([&] {
    const lwspp::tls_server_options opts[2] = {
        {.certificates = {in_memory(test_pki().localhost_rsa)}}, localhost_server()};
    for (int i = 0; !stop.load(); ++i) {
      EXPECT_TRUE(ctx->reload(opts[i % 2]).ok());
      reloads.fetch_add(1);
    }
  });
  int done = 0;
  while (done < 40 || reloads.load() < 4) {
    pair p;
    p.handshake(*cc, *sel);
    ASSERT_TRUE(p.ok());
    const auto cn = p.c->peer_identity().common_name;
    EXPECT_TRUE(cn == "localhost" || cn == "localhost rsa") << cn;
    ++done;
  }
  stop.store(true);
  reloader.join();
  EXPECT_GE(ctx->generation(), 4u);
}

}  // namespace
