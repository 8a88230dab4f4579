// Mutual TLS between Fjord processes (security.ssl.*), through CAF's openssl module.
//
//   security.ssl.enabled: true
//   security.ssl.certificate: /etc/fjord/tls/node.pem     # this node's certificate (PEM chain)
//   security.ssl.key: /etc/fjord/tls/node.key             # its private key (PEM)
//   security.ssl.key-password-file: /etc/fjord/tls/pass   # or security.ssl.key-password
//   security.ssl.cafile: /etc/fjord/tls/ca.pem            # the cluster's CA: the only one trusted
//
// Every process of a cluster (JobManagers, TaskManagers, clients) uses the same keys, each with
// its own certificate from the cluster's CA; each one is both a TLS server and a TLS client, and
// a peer without a certificate from that CA is refused during the handshake, before any BASP
// byte is read (so a forged BASP header can no longer make a process allocate gigabytes).
//
// CAF's module has three traps, and from_config/validate close each one:
// - with no openssl.* key set it runs anonymous TLS that authenticates nobody: enabled requires
//   certificate, key and cafile, all three;
// - a wrong key password makes a connection attempt hang: the key is decrypted here, at start-up;
// - automatic connections are plain TCP on a random port: they stay off (apply() says so).
// validate() also checks that the key belongs to the certificate and that the certificate is
// valid today and signed by the CA, so a misconfigured node fails at start with one line instead
// of being refused by every peer.
#pragma once

#include <string>

#include <caf/fwd.hpp>

namespace fjord {

class configuration;

struct tls_settings {
  bool enabled = false;
  std::string certificate;
  std::string key;
  std::string key_password;  ///< from security.ssl.key-password or the first line of its file
  std::string cafile;

  /// Reads security.ssl.*; throws config_error naming the key for a missing or unreadable file
  /// or a contradiction (both a password and a password file).
  static tls_settings from_config(const configuration& config);

  /// With enabled: loads the certificate, the key (with its password) and the CA, and checks
  /// they fit together; throws config_error naming the key and what OpenSSL said.
  void validate() const;

  /// Loads CAF's openssl module into `cfg` and hands it the files (does nothing if !enabled).
  void apply(caf::actor_system_config& cfg) const;
};

}  // namespace fjord
