// A BIO method over bio_buffers (see memory_bio.hpp).
#include "tls/openssl/memory_bio.hpp"

#include <cstring>

namespace lwspp::tls::ossl {
namespace {

bio_buffers* buffers_of(BIO* b) {
  return static_cast<bio_buffers*>(BIO_get_data(b));
}

int bio_write(BIO* b, const char* data, std::size_t len, std::size_t* written) {
  BIO_clear_retry_flags(b);
  *written = 0;
  try {  // no exception may cross OpenSSL's C frames
    buffers_of(b)->out.append(data, len);
  } catch (...) {
    return 0;
  }
  *written = len;
  return 1;
}

int bio_read(BIO* b, char* data, std::size_t len, std::size_t* read) {
  BIO_clear_retry_flags(b);
  bio_buffers* io = buffers_of(b);
  *read = 0;
  if (io->in.empty()) {
    if (!io->eof) BIO_set_retry_read(b);
    return 0;
  }
  const std::size_t n = len < io->in.size() ? len : io->in.size();
  std::memcpy(data, io->in.data(), n);
  io->in.remove_prefix(n);
  *read = n;
  return 1;
}

long bio_ctrl(BIO* b, int cmd, long, void*) {
  bio_buffers* io = buffers_of(b);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // everything written is already in `out`
    case BIO_CTRL_PENDING:
      return static_cast<long>(io->in.size());
    case BIO_CTRL_WPENDING:
      return static_cast<long>(io->out.size() - io->out_offset);
    case BIO_CTRL_EOF:
      return io->eof && io->in.empty();
    default:
      return 0;
  }
}

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

const BIO_METHOD* method() {
  // Made once, kept for the life of the process.
  static BIO_METHOD* const m = [] {
    BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lwspp memory");
    if (bm) {
      BIO_meth_set_write_ex(bm, bio_write);
      BIO_meth_set_read_ex(bm, bio_read);
      BIO_meth_set_ctrl(bm, bio_ctrl);
      BIO_meth_set_create(bm, bio_create);
    }
    return bm;
  }();
  return m;
}

}  // namespace

BIO* new_memory_bio(bio_buffers* buffers) {
  const BIO_METHOD* m = method();
  if (!m) return nullptr;
  BIO* b = BIO_new(m);
  if (b) BIO_set_data(b, buffers);
  return b;
}

}  // namespace lwspp::tls::ossl
