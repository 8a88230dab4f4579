// A fix for CAF 0.17's openssl module: one stranger's failed TLS handshake must not disconnect
// every other peer.
//
// OpenSSL keeps a per-thread error queue, and SSL_get_error() reports SSL_ERROR_SSL whenever that
// queue is not empty, so "the queue must be empty before a TLS I/O call" (SSL_get_error(3)).
// CAF runs every connection's TLS on one multiplexer thread and never clears the queue
// (caf/openssl/session.cpp, handle_ssl_result). After a refused handshake — a client without a
// certificate, one of another CA, a port scanner — the next SSL_read of any established
// connection that merely has no data yet (WANT_READ) is taken for a fatal error and the
// connection is closed: measured, every refused stranger cost the JobManager its TaskManagers.
//
// These four functions take the place of OpenSSL's for the whole process (the executable and
// libfjord.so come before libssl.so in the dynamic linker's search order) and clear the calling
// thread's queue before handing over to OpenSSL's own, which is what CAF should have done. They
// change nothing else. tests/integration/tls_cluster_test.sh fails without them.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  auto* f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  if (f == nullptr) {
    std::fprintf(stderr, "fjord: cannot find OpenSSL's %s: %s\n", name, dlerror());
    std::abort();
  }
  return f;
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto next = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto next = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto next = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return next(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto next = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return next(ssl);
}

}  // extern "C"

namespace fjord {

/// Referenced by tls_settings::apply so that static links pull this file in.
bool tls_error_queue_fix_linked() {
  return true;
}

}  // namespace fjord
