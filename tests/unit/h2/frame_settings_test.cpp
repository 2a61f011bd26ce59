// HTTP/2 SETTINGS (src/h2/settings.cpp): initial values, range checks with
// their error codes, and the encoding of the non-default entries.
#include <gtest/gtest.h>

#include "frame_test_support.hpp"

namespace {

using namespace h2_test;

TEST(frame_settings, initial_values_are_the_protocols) {
  const settings s;
  EXPECT_EQ(s.header_table_size, 4096u);
  EXPECT_TRUE(s.enable_push);
  EXPECT_EQ(s.max_concurrent_streams, unlimited);
  EXPECT_EQ(s.initial_window_size, 65535u);
  EXPECT_EQ(s.max_frame_size, 16384u);
  EXPECT_EQ(s.max_header_list_size, unlimited);
  EXPECT_FALSE(s.enable_connect_protocol);
  std::string out;
  s.encode(out);
  EXPECT_TRUE(out.empty());
}

TEST(frame_settings, range_checks) {
  EXPECT_EQ(check_setting(2, 0), error::no_error);
  EXPECT_EQ(check_setting(2, 1), error::no_error);
  EXPECT_EQ(check_setting(2, 2), error::protocol_error);
  EXPECT_EQ(check_setting(4, 0x7fffffff), error::no_error);
  EXPECT_EQ(check_setting(4, 0x80000000), error::flow_control_error);
  EXPECT_EQ(check_setting(5, 16383), error::protocol_error);
  EXPECT_EQ(check_setting(5, 16384), error::no_error);
  EXPECT_EQ(check_setting(5, 16777215), error::no_error);
  EXPECT_EQ(check_setting(5, 16777216), error::protocol_error);
  EXPECT_EQ(check_setting(8, 1), error::no_error);
  EXPECT_EQ(check_setting(8, 2), error::protocol_error);
  EXPECT_EQ(check_setting(1, 0xffffffff), error::no_error);
  EXPECT_EQ(check_setting(0x7777, 0xffffffff), error::no_error);  // unknown: ignored
}

TEST(frame_settings, apply_changes_only_valid_values) {
  settings s;
  EXPECT_EQ(s.apply(4, 0x80000000), error::flow_control_error);
  EXPECT_EQ(s.initial_window_size, 65535u);
  EXPECT_EQ(s.apply(4, 1 << 20), error::no_error);
  EXPECT_EQ(s.initial_window_size, 1u << 20);
  EXPECT_EQ(s.apply(0x7777, 5), error::no_error);
  EXPECT_EQ(s, (settings{.initial_window_size = 1 << 20}));
  EXPECT_EQ(s.apply_payload("12345"), error::frame_size_error);
}

TEST(frame_settings, encode_then_apply_round_trips) {
  const settings ours{.header_table_size = 0,
                      .enable_push = false,
                      .max_concurrent_streams = 100,
                      .initial_window_size = 1 << 24,
                      .max_frame_size = 1 << 20,
                      .max_header_list_size = 65536,
                      .enable_connect_protocol = true};
  std::string payload;
  ours.encode(payload);
  EXPECT_EQ(payload.size(), 7 * setting_entry_size);
  settings peer;
  EXPECT_EQ(peer.apply_payload(payload), error::no_error);
  EXPECT_EQ(peer, ours);
  // Through the reader as well.
  std::string in;
  ASSERT_TRUE(append_settings(in, ours));
  EXPECT_EQ(log_of(in), "SETTINGS ack=0 entries=1:0,2:0,3:100,4:16777216,5:1048576,6:65536,8:1\n");
}

}  // namespace
