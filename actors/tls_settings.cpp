#include "actors/tls_settings.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include <caf/actor_system_config.hpp>
#include <caf/openssl/manager.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "fjord/configuration.hpp"

namespace fjord {

bool tls_error_queue_fix_linked();  // actors/tls_error_queue.cpp

namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const { Free(p); }
};
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr =
  std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

void free_chain(STACK_OF(X509) * chain) {
  sk_X509_pop_free(chain, X509_free);
}
using chain_ptr = std::unique_ptr<STACK_OF(X509), openssl_deleter<STACK_OF(X509), free_chain>>;

/// The newest OpenSSL error of this thread as text (and the queue cleared), or `fallback`.
std::string openssl_error(const char* fallback) {
  auto code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0)
    return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

/// Opens `path` (the value of `key`) for OpenSSL; throws config_error naming both.
bio_ptr open_file(const char* key, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw config_error(std::string{key} + ": cannot read " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    throw config_error(std::string{key} + ": " + path + " is not a regular file");
  bio_ptr bio{BIO_new_file(path.c_str(), "r")};
  if (!bio)
    throw config_error(std::string{key} + ": cannot read " + path + ": "
                       + openssl_error("cannot open"));
  return bio;
}

/// True if the PEM file at `path` holds an encrypted key (PKCS#8 or the traditional format).
bool is_encrypted_pem(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line))
    if (line.find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos
        || line.find("Proc-Type: 4,ENCRYPTED") != std::string::npos)
      return true;
  return false;
}

/// Hands OpenSSL the key password; never prompts on a terminal.
int password_callback(char* buf, int size, int, void* user) {
  const auto& password = *static_cast<const std::string*>(user);
  if (password.empty() || static_cast<int>(password.size()) > size)
    return 0;
  std::memcpy(buf, password.data(), password.size());
  return static_cast<int>(password.size());
}

/// Verifies `cert` (with the intermediates in `chain`) against `store` for one TLS role.
void verify_for(X509_STORE* store, X509* cert, STACK_OF(X509) * chain, int purpose,
                const char* role, const tls_settings& s) {
  store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, cert, chain) != 1)
    throw config_error("security.ssl: " + openssl_error("cannot set up certificate checks"));
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) != 1) {
    auto why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    throw config_error("security.ssl.certificate: " + s.certificate + " is not valid as a TLS "
                       + role + " certificate of security.ssl.cafile " + s.cafile + ": " + why);
  }
}

}  // namespace

tls_settings tls_settings::from_config(const configuration& config) {
  tls_settings s;
  s.enabled = config.get_bool("security.ssl.enabled", false);
  s.certificate = config.get_string("security.ssl.certificate", "");
  s.key = config.get_string("security.ssl.key", "");
  s.cafile = config.get_string("security.ssl.cafile", "");
  auto password = config.find("security.ssl.key-password");
  auto password_file = config.find("security.ssl.key-password-file");
  if (password && password_file)
    throw config_error(
      "security.ssl.key-password and security.ssl.key-password-file are both set: use one");
  if (password)
    s.key_password = *password;
  if (!s.enabled)
    return s;
  // Without all three CAF would run anonymous TLS, or abort: refuse both.
  for (auto [key, value] : {std::pair{"security.ssl.certificate", &s.certificate},
                            std::pair{"security.ssl.key", &s.key},
                            std::pair{"security.ssl.cafile", &s.cafile}})
    if (value->empty())
      throw config_error(std::string{key}
                         + ": required with security.ssl.enabled (a TLS node needs its "
                           "certificate, its key and the cluster's CA)");
  if (password_file) {
    std::ifstream in{*password_file};
    if (!in)
      throw config_error("security.ssl.key-password-file: cannot read " + *password_file + ": "
                         + std::strerror(errno));
    std::getline(in, s.key_password);
    if (!s.key_password.empty() && s.key_password.back() == '\r')
      s.key_password.pop_back();
    if (s.key_password.empty())
      throw config_error("security.ssl.key-password-file: " + *password_file
                         + " holds no password on its first line");
  }
  return s;
}

void tls_settings::validate() const {
  if (!enabled)
    return;
  ERR_clear_error();
  auto cert_file = open_file("security.ssl.certificate", certificate);
  x509_ptr cert{PEM_read_bio_X509(cert_file.get(), nullptr, nullptr, nullptr)};
  if (!cert)
    throw config_error("security.ssl.certificate: " + certificate
                       + " holds no PEM certificate: " + openssl_error("unreadable"));
  chain_ptr chain{sk_X509_new_null()};
  while (auto* next = PEM_read_bio_X509(cert_file.get(), nullptr, nullptr, nullptr))
    sk_X509_push(chain.get(), next);
  ERR_clear_error();  // the end of the file ends the loop with an error

  auto key_file = open_file("security.ssl.key", key);
  auto* password = const_cast<std::string*>(&key_password);
  pkey_ptr pkey{PEM_read_bio_PrivateKey(key_file.get(), nullptr, password_callback, password)};
  if (!pkey) {
    auto why = openssl_error("unreadable");
    if (is_encrypted_pem(key))
      throw config_error("security.ssl.key: cannot decrypt " + key + " ("
                         + (key_password.empty() ? "it is encrypted and no "
                                                   "security.ssl.key-password is set"
                                                 : "wrong security.ssl.key-password")
                         + ")");
    throw config_error("security.ssl.key: " + key + " holds no usable PEM private key: " + why);
  }
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    ERR_clear_error();
    throw config_error("security.ssl.key: " + key + " is not the key of security.ssl.certificate "
                       + certificate);
  }

  open_file("security.ssl.cafile", cafile);
  store_ptr store{X509_STORE_new()};
  if (!store || X509_STORE_load_file(store.get(), cafile.c_str()) != 1)
    throw config_error("security.ssl.cafile: " + cafile + " holds no PEM CA certificate: "
                       + openssl_error("unreadable"));
  // CAF uses each node's certificate for both roles: it accepts and it connects.
  verify_for(store.get(), cert.get(), chain.get(), X509_PURPOSE_SSL_SERVER, "server", *this);
  verify_for(store.get(), cert.get(), chain.get(), X509_PURPOSE_SSL_CLIENT, "client", *this);
}

void tls_settings::apply(caf::actor_system_config& cfg) const {
  // Plain TCP on a random port of every interface, even with TLS: never.
  cfg.set("middleman.enable-automatic-connections", false);
  if (!enabled || !tls_error_queue_fix_linked())
    return;
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = certificate;
  cfg.openssl_key = key;
  cfg.openssl_passphrase = key_password;
  cfg.openssl_cafile = cafile;
}

}  // namespace fjord
