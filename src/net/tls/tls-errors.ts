import { NetError } from '../../errors.js';
import { errorCode } from '../errno.js';
import { explainVerifyCode } from './tls-info.js';

/**
 * A failed handshake as one line that says what went wrong, in the terms of the usual causes:
 * unknown CA, hostname mismatch, expired, no shared cipher or version, the peer speaks plaintext.
 */

const OPENSSL_REASONS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the peer does not speak TLS (plaintext on that port?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the peer does not speak TLS (plaintext on that port?)',
  ERR_SSL_HTTP_REQUEST: 'the peer sent a plaintext HTTP request, not a TLS handshake',
  ERR_SSL_UNEXPECTED_EOF_WHILE_READING: 'the peer closed the connection during the handshake',
  ERR_SSL_NO_SHARED_CIPHER: 'no shared cipher (check --ssl-ciphers on both sides)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
    'the peer refused the handshake (no shared cipher or protocol, or a client certificate is required)',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no shared TLS version (check --ssl-min/--ssl-max)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the peer refused our TLS version (check --ssl-min/--ssl-max)',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'no TLS version left between --ssl-min and --ssl-max',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the peer does not trust our certificate (unknown CA)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the peer rejected our certificate',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the peer requires a client certificate (--ssl-cert/--ssl-key)',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'the client sent no certificate, and --ssl-verify requires one',
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'no shared ALPN protocol (check --ssl-alpn)',
  ERR_SSL_NO_APPLICATION_PROTOCOL: 'no shared ALPN protocol (check --ssl-alpn)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
  ECONNRESET: 'the peer closed the connection during the handshake',
};

/** `what` says which handshake: `TLS handshake with 127.0.0.1:443`. */
export function handshakeError(what: string, err: unknown): NetError {
  const code = errorCode(err) || 'ETLS';
  const message = err instanceof Error ? err.message : String(err);
  let why = OPENSSL_REASONS[code];
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    why = `hostname mismatch: ${message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')} (--ssl-servername names the host to check)`;
  } else if (!why && isVerifyCode(code)) {
    // An X.509 verify result (CERT_HAS_EXPIRED, SELF_SIGNED_CERT_IN_CHAIN...).
    why = `${explainVerifyCode(code)}; --ssl-trustfile names the CA to trust, or leave out --ssl-verify`;
  }
  const text = why ?? message.replace(/^.*?:error:[0-9A-F]+:[^:]*:[^:]*:/, '').trim();
  return new NetError(`${what}: ${code}: ${text}`, code, { cause: err });
}

function isVerifyCode(code: string): boolean {
  return /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|INVALID_CA|HOSTNAME_MISMATCH)/.test(code);
}
