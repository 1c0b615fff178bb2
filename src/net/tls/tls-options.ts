/**
 * What the TLS transport takes, in the net layer's own words (no flag names): the option
 * vocabulary (options/tls-rows.ts) fills it from `--ssl-*` flags, script words and library keys.
 */
export interface TlsOptions {
  /**
   * TLS from the first byte (--ssl). When false the other settings wait for a STARTTLS
   * (`/starttls`, a script's `starttls`, `tube.startTls()`).
   */
  enabled?: boolean;
  /** Check the peer's certificate (client: against the CAs; server: ask for a client certificate). */
  verify: boolean;
  /** PEM file of CA certificates to trust instead of the system's. */
  trustFile?: string;
  /** SNI and the name checked against the certificate; the host name connected to by default. */
  serverName?: string;
  /** Protocols offered (client) or accepted (server) by ALPN, in order of preference. */
  alpn?: string[];
  /** PEM certificate (chain) and key: the server's own, or a client certificate. */
  certFile?: string;
  keyFile?: string;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** OpenSSL cipher list (TLS 1.2 and below; TLS 1.3 suites are always on in Node). */
  ciphers?: string;
  /** NSS key log file (SSLKEYLOGFILE format) for Wireshark. */
  keylogFile?: string;
}

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Which side of the handshake this end plays. */
export type TlsRole = 'client' | 'server';
