// Tests for the Sec-WebSocket-Extensions parser and permessage-deflate
// negotiation (src/ws/extensions.cpp, src/ws/deflate_offer.cpp): table
// tests of offers and responses, and every legal offer combination.
#include "ws/deflate_offer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace lwspp::ws;

TEST(extensions, grammar) {
  auto e = parse_extensions("permessage-deflate; client_max_window_bits, foo;a=1;b=\"x\" , , bar");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 3u);
  EXPECT_EQ((*e)[0].name, "permessage-deflate");
  ASSERT_EQ((*e)[0].params.size(), 1u);
  EXPECT_FALSE((*e)[0].params[0].has_value);
  EXPECT_EQ((*e)[1].params[1].value, "x");
  EXPECT_EQ((*e)[2].name, "bar");
  EXPECT_TRUE(parse_extensions("") && parse_extensions("")->empty());
  for (const char* bad : {"permessage-deflate;", "a b", "a;=1", "a;b=", "a;b=\"\"", "a;b=\"x y\"",
                          "a;b=\"x", "a;b = 1", "a,;", "\"q\"", "a;b=1 2"}) {
    EXPECT_FALSE(parse_extensions(bad)) << bad;
  }
}

struct server_row {
  const char* offer;
  deflate_server_settings settings;
  const char* response;  // nullptr: declined
};

TEST(deflate_negotiation, server_table) {
  const deflate_server_settings defaults;
  const server_row rows[] = {
      {"permessage-deflate", defaults, "permessage-deflate"},
      {"permessage-deflate; client_max_window_bits", defaults, "permessage-deflate"},
      {"permessage-deflate; client_max_window_bits=10", defaults,
       "permessage-deflate; client_max_window_bits=10"},
      {"permessage-deflate; server_max_window_bits=8", defaults,
       "permessage-deflate; server_max_window_bits=8"},
      {"permessage-deflate; server_max_window_bits=12; client_max_window_bits=9", defaults,
       "permessage-deflate; server_max_window_bits=12; client_max_window_bits=9"},
      {"permessage-deflate; server_no_context_takeover", defaults,
       "permessage-deflate; server_no_context_takeover"},
      {"permessage-deflate; client_no_context_takeover", defaults,
       "permessage-deflate; client_no_context_takeover"},
      {"permessage-deflate;server_no_context_takeover;client_no_context_takeover", defaults,
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
      {"Permessage-Deflate; Client_Max_Window_Bits", defaults, "permessage-deflate"},
      {"permessage-deflate; client_max_window_bits=\"11\"", defaults,
       "permessage-deflate; client_max_window_bits=11"},
      // Our settings.
      {"permessage-deflate; client_max_window_bits",
       {.server_max_window_bits = 10,
        .client_max_window_bits = 9,
        .server_no_context_takeover = true,
        .client_no_context_takeover = true},
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=10; client_max_window_bits=9"},
      {"permessage-deflate; server_max_window_bits=9",
       {.server_max_window_bits = 12},
       "permessage-deflate; server_max_window_bits=9"},
      {"permessage-deflate; client_max_window_bits=12",
       {.client_max_window_bits = 10},
       "permessage-deflate; client_max_window_bits=10"},
      // A client that cannot be limited, when we need it limited: declined.
      {"permessage-deflate", {.client_max_window_bits = 10}, nullptr},
      // Illegal offers.
      {"permessage-deflate; server_max_window_bits", defaults, nullptr},
      {"permessage-deflate; server_max_window_bits=7", defaults, nullptr},
      {"permessage-deflate; server_max_window_bits=16", defaults, nullptr},
      {"permessage-deflate; server_max_window_bits=08", defaults, nullptr},
      {"permessage-deflate; client_max_window_bits=0", defaults, nullptr},
      {"permessage-deflate; client_max_window_bits=abc", defaults, nullptr},
      {"permessage-deflate; server_no_context_takeover=1", defaults, nullptr},
      {"permessage-deflate; client_no_context_takeover=\"x\"", defaults, nullptr},
      {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", defaults,
       nullptr},
      {"permessage-deflate; client_max_window_bits; client_max_window_bits=10", defaults, nullptr},
      {"permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", defaults,
       nullptr},
      {"permessage-deflate; unknown_param", defaults, nullptr},
      {"permessage-deflate; x=1", defaults, nullptr},
      {"x-webkit-deflate-frame", defaults, nullptr},
      {"permessage-deflate; client_max_window_bits; ,", defaults, nullptr},  // grammar
      {"", defaults, nullptr},
      // The first acceptable offer wins.
      {"permessage-deflate; bad, permessage-deflate; client_max_window_bits=11, permessage-deflate",
       defaults, "permessage-deflate; client_max_window_bits=11"},
      {"foo, permessage-deflate; server_max_window_bits=20, permessage-deflate; "
       "server_no_context_takeover",
       defaults, "permessage-deflate; server_no_context_takeover"},
      {"permessage-deflate, permessage-deflate; client_max_window_bits=9", defaults,
       "permessage-deflate"},
  };
  for (const server_row& row : rows) {
    const auto a = negotiate_deflate(row.offer, row.settings);
    if (row.response == nullptr) {
      EXPECT_FALSE(a) << row.offer;
    } else {
      ASSERT_TRUE(a) << row.offer;
      EXPECT_EQ(format_deflate_response(*a), row.response) << row.offer;
    }
  }
}

// Every legal offer: each flag on or off, server_max_window_bits absent or
// 8-15, client_max_window_bits absent, without value or 8-15. The server
// accepts each, answers within what was offered, and the client side
// accepts that answer and agrees on the same parameters.
TEST(deflate_negotiation, every_legal_combination_round_trips) {
  int combinations = 0;
  for (int flags = 0; flags < 4; ++flags) {
    for (int smwb = 7; smwb <= 15; ++smwb) {    // 7: absent
      for (int cmwb = 6; cmwb <= 15; ++cmwb) {  // 6: absent, 7: without value
        std::string offer = "permessage-deflate";
        if (flags & 1) offer += "; server_no_context_takeover";
        if (flags & 2) offer += "; client_no_context_takeover";
        if (smwb >= 8) offer += "; server_max_window_bits=" + std::to_string(smwb);
        if (cmwb == 7) offer += "; client_max_window_bits";
        if (cmwb >= 8) offer += "; client_max_window_bits=" + std::to_string(cmwb);
        for (int our = 9; our <= 15; our += 3) {
          const deflate_server_settings s{.server_max_window_bits = our,
                                          .client_max_window_bits = cmwb >= 7 ? our : 15};
          const auto a = negotiate_deflate(offer, s);
          ASSERT_TRUE(a) << offer;
          ++combinations;
          EXPECT_EQ(a->server_no_context_takeover, (flags & 1) != 0);
          EXPECT_EQ(a->client_no_context_takeover, (flags & 2) != 0);
          if (smwb >= 8) {
            EXPECT_LE(a->server_max_window_bits, smwb);
          }
          EXPECT_LE(a->server_max_window_bits, our);
          if (cmwb >= 8) {
            EXPECT_LE(a->client_max_window_bits, cmwb);
          }
          // The response parses as a valid response to the same offer made
          // by our client code.
          const deflate_client_settings c{.client_max_window_bits = cmwb >= 8 ? cmwb : 15,
                                          .server_max_window_bits = smwb >= 8 ? smwb : 15,
                                          .client_no_context_takeover = (flags & 2) != 0,
                                          .server_no_context_takeover = (flags & 1) != 0};
          if (cmwb == 6) continue;  // our client always offers client_max_window_bits
          const auto back = accept_deflate_response(format_deflate_response(*a), c);
          ASSERT_TRUE(back.ok()) << offer << " -> " << format_deflate_response(*a) << ": "
                                 << back.error().message();
          EXPECT_EQ(back->server_max_window_bits, a->server_max_window_bits);
          EXPECT_EQ(back->client_max_window_bits, a->client_max_window_bits);
          EXPECT_EQ(back->server_no_context_takeover, a->server_no_context_takeover);
          EXPECT_EQ(back->client_no_context_takeover, a->client_no_context_takeover);
        }
      }
    }
  }
  EXPECT_EQ(combinations, 4 * 9 * 10 * 3);
}

TEST(deflate_negotiation, client_offer_and_response_checks) {
  const deflate_client_settings defaults;
  EXPECT_EQ(format_deflate_offer(defaults), "permessage-deflate; client_max_window_bits");
  const deflate_client_settings tight{.client_max_window_bits = 10,
                                      .server_max_window_bits = 11,
                                      .client_no_context_takeover = true,
                                      .server_no_context_takeover = true};
  EXPECT_EQ(format_deflate_offer(tight),
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
            "server_max_window_bits=11; client_max_window_bits=10");

  auto ok = accept_deflate_response("permessage-deflate", defaults);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->client_max_window_bits, 15);
  ok = accept_deflate_response("permessage-deflate; client_max_window_bits=8", defaults);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->client_max_window_bits, 8);
  EXPECT_EQ(deflater_for(*ok, endpoint::client).window_bits, 8);
  EXPECT_EQ(inflater_for(*ok, endpoint::client).window_bits, 15);
  ok = accept_deflate_response("permessage-deflate; server_max_window_bits=9", defaults);
  ASSERT_TRUE(ok.ok()) << "a server may limit its own window unasked";
  EXPECT_EQ(inflater_for(*ok, endpoint::client).window_bits, 9);
  EXPECT_EQ(deflater_for(*ok, endpoint::server).window_bits, 9);

  const char* refused_default[] = {
      "permessage-deflate; client_max_window_bits",  // needs a value in a response
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; foo",
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      "permessage-deflate, permessage-deflate",
      "x-other",
      "permessage-deflate;",
      "",
  };
  for (const char* r : refused_default) {
    const auto res = accept_deflate_response(r, defaults);
    EXPECT_FALSE(res.ok()) << r;
    if (!res.ok()) {
      EXPECT_TRUE(res.error().is(lwspp::error::protocol_error));
    }
  }
  // Against the tight offer: what the server must honour.
  EXPECT_FALSE(accept_deflate_response(
                   "permessage-deflate; server_no_context_takeover; server_max_window_bits=12",
                   tight)
                   .ok());  // above our server_max_window_bits=11
  EXPECT_FALSE(accept_deflate_response("permessage-deflate; server_max_window_bits=11", tight)
                   .ok());  // server_no_context_takeover missing
  EXPECT_FALSE(accept_deflate_response("permessage-deflate; server_no_context_takeover", tight)
                   .ok());  // server_max_window_bits missing
  EXPECT_FALSE(accept_deflate_response("permessage-deflate; server_no_context_takeover; "
                                       "server_max_window_bits=11; client_max_window_bits=12",
                                       tight)
                   .ok());  // client window above our offer
  const auto t = accept_deflate_response(
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=8; "
      "client_max_window_bits=9",
      tight);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->client_no_context_takeover) << "we said we would";
  EXPECT_EQ(t->client_max_window_bits, 9);
  EXPECT_EQ(t->server_max_window_bits, 8);
}

}  // namespace
