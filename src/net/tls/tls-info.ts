import type { PeerCertificate, TLSSocket } from 'node:tls';

/** What a finished handshake gives: shown by /info, the status line, -v and `--json`. */
export interface TlsInfo {
  role: 'client' | 'server';
  protocol: string;
  cipher: string;
  alpn?: string;
  /** The peer's certificate checked out against the trusted CAs (and the name, for a client). */
  authorized: boolean;
  /** Why it would not check out (an OpenSSL reason, e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  authorizationError?: string;
  /** True when verification was asked for (--ssl-verify): an unauthorized peer was refused. */
  verified: boolean;
  peer?: PeerCertificateInfo;
  /** Our own certificate's SHA-256 fingerprint (a server's generated one, say). */
  localFingerprint?: string;
}

export interface PeerCertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** `CN=example.com, O=Example` from Node's parsed name (values may be arrays). */
export function formatName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function describeTls(socket: TLSSocket, role: TlsInfo['role'], verified: boolean): TlsInfo {
  const cipher = socket.getCipher();
  const peer = socket.getPeerCertificate() as PeerCertificate | Record<string, never>;
  const own = socket.getCertificate() as PeerCertificate | Record<string, never> | null;
  const error = socket.authorizationError as unknown as Error | string | null | undefined;
  const info: TlsInfo = {
    role,
    protocol: socket.getProtocol() ?? '?',
    cipher: cipher?.standardName ?? cipher?.name ?? '?',
    authorized: socket.authorized,
    verified,
  };
  if (socket.alpnProtocol) info.alpn = socket.alpnProtocol;
  if (!socket.authorized && error)
    info.authorizationError = typeof error === 'string' ? error : error.message;
  if (peer && 'subject' in peer && peer.subject) {
    info.peer = {
      subject: formatName(peer.subject as unknown as Record<string, string>),
      issuer: formatName(peer.issuer as unknown as Record<string, string>),
      validFrom: peer.valid_from,
      validTo: peer.valid_to,
      fingerprint256: peer.fingerprint256,
    };
  }
  if (own && 'fingerprint256' in own && own.fingerprint256) info.localFingerprint = own.fingerprint256;
  return info;
}

/** One line for -v and the status line: `TLSv1.3 TLS_AES_256_GCM_SHA384 h2, certificate not verified (...)`. */
export function formatTlsSummary(t: TlsInfo): string {
  const parts = [t.protocol, t.cipher];
  if (t.alpn) parts.push(`ALPN ${t.alpn}`);
  return `${parts.join(' ')}; ${certificateVerdict(t)}`;
}

/** Says plainly whether the peer's certificate was checked, and what a check would say. */
export function certificateVerdict(t: TlsInfo): string {
  if (!t.peer) return t.role === 'server' ? 'no client certificate' : 'the peer sent no certificate';
  if (t.authorized) return 'certificate verified';
  const why = t.authorizationError ? explainVerifyCode(t.authorizationError) : 'not trusted';
  return `certificate NOT verified (a check would fail: ${why}; --ssl-verify to require it)`;
}

/** Lines for /info. */
export function formatTlsInfo(t: TlsInfo): string[] {
  const lines = [
    `  tls      ${t.protocol}  ${t.cipher}${t.alpn ? `  ALPN ${t.alpn}` : ''}  ${certificateVerdict(t)}`,
  ];
  if (t.peer) {
    lines.push(`  peer     ${t.peer.subject || '(no subject)'}  issuer ${t.peer.issuer || '?'}`);
    lines.push(`           valid ${t.peer.validFrom} .. ${t.peer.validTo}`);
    lines.push(`           sha256 ${t.peer.fingerprint256}`);
  }
  if (t.localFingerprint) lines.push(`  own cert sha256 ${t.localFingerprint}`);
  return lines;
}

const VERIFY_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (unknown CA)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown CA (issuer not among the trusted certificates)',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown CA (issuer not found)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown CA (cannot verify the first certificate)',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
  CERT_REVOKED: 'certificate revoked',
};

/** `CERT_HAS_EXPIRED` → `certificate expired (CERT_HAS_EXPIRED)`. */
export function explainVerifyCode(code: string): string {
  const meaning = VERIFY_CODES[code];
  return meaning ? `${meaning} (${code})` : code;
}
