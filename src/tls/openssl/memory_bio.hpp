// The BIO between an SSL and a session's buffers.
//
// Reads come straight from the span the caller passed to feed() (no copy of
// the ciphertext: OpenSSL copies it once, into its record buffer); writes
// append to the session's output string, which the transport sends from or
// takes by move. An empty input is "retry later", unless end of input was
// seen, which OpenSSL then reads as EOF.
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace lwspp::tls::ossl {

struct bio_buffers {
  std::string_view in;  // unread ciphertext of the current feed()
  bool eof = false;
  std::string out;  // ciphertext to send: [out_offset, size)
  std::size_t out_offset = 0;
};

// A BIO over `buffers` (which must outlive it); nullptr when out of memory.
BIO* new_memory_bio(bio_buffers* buffers);

}  // namespace lwspp::tls::ossl
