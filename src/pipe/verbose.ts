import type { Writable } from 'node:stream';
import type { CloseReason, Endpoint } from '../net/channel.js';
import { formatTlsSummary, type TlsInfo } from '../net/tls/tls-info.js';

/**
 * `-v` lines on standard error, worded as OpenBSD nc words them where nc has a line for it,
 * so users (and their scripts) recognise them.
 */
export class VerboseLog {
  constructor(
    private readonly stderr: Writable,
    private readonly enabled: boolean,
  ) {}

  line(text: string): void {
    if (this.enabled) this.stderr.write(`${text}\n`);
  }

  connected(host: string, port: number, proto: string): void {
    if (proto === 'unix') this.line(`Connection to ${host} succeeded!`);
    else this.line(`Connection to ${host} ${port} port [${proto}/*] succeeded!`);
  }

  listening(local: Endpoint): void {
    this.line(
      local.family === 'unix'
        ? `Listening on ${local.address}`
        : `Listening on ${local.address} ${local.port}`,
    );
  }

  /** A unix listener found a socket file nobody listened on, and removed it. */
  removedStale(local: Endpoint, removed: boolean | undefined): void {
    if (removed) this.line(`Removed the stale socket file ${local.address} (nothing listened on it)`);
  }

  received(peer: Endpoint): void {
    this.line(`Connection received on ${peer.address}${peer.family === 'unix' ? '' : ` ${peer.port}`}`);
  }

  closed(peer: Endpoint, reason: CloseReason): void {
    const who = peer.family === 'unix' ? peer.address : `${peer.address} ${peer.port}`;
    this.line(`Connection with ${who} closed: ${REASONS[reason]}`);
  }

  /** The handshake's outcome, and plainly whether the peer's certificate was checked. */
  secured(peer: Endpoint, tls: TlsInfo | undefined): void {
    if (!tls) return;
    this.line(`TLS with ${peer.address} ${peer.port}: ${formatTlsSummary(tls)}`);
    if (tls.peer)
      this.line(
        `  peer certificate: ${tls.peer.subject}, issuer ${tls.peer.issuer}, SHA-256 ${tls.peer.fingerprint256}`,
      );
  }

  /** A listener serving a certificate it made: its fingerprint, for the client to pin or compare. */
  generatedCertificate(fingerprint: string | undefined): void {
    if (fingerprint) this.line(`TLS: serving a self-signed certificate made now, SHA-256 ${fingerprint}`);
  }

  refused(peer: Endpoint, why: string): void {
    this.line(`Refused connection from ${peer.address} ${peer.port}: ${why}`);
  }
}

const REASONS: Record<CloseReason, string> = {
  eof: 'peer closed (FIN)',
  reset: 'reset by peer (RST)',
  timeout: 'idle timeout',
  local: 'closed here',
  error: 'socket error',
};
