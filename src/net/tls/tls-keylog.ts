import { appendFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';

/**
 * NSS key log lines (the SSLKEYLOGFILE format Wireshark reads) for every TLS session, appended to
 * the file named by --ssl-keylog, or by the SSLKEYLOGFILE environment variable as browsers and
 * curl honour it. Written at once (a few lines per handshake), so the file is complete as soon
 * as the session's first bytes move.
 */
const failed = new Set<string>();

export function keylogPath(option: string | undefined): string | undefined {
  return option ?? (process.env.SSLKEYLOGFILE || undefined);
}

export function logKeys(socket: TLSSocket, path: string | undefined): void {
  if (!path) return;
  socket.on('keylog', (line: Buffer) => appendKeyLine(path, line));
}

export function appendKeyLine(path: string, line: Buffer): void {
  try {
    appendFileSync(path, line, { mode: 0o600 });
  } catch (err) {
    // A key log that cannot be written must not take the connection down; say so once.
    if (!failed.has(path)) process.emitWarning(`key log ${path}: ${(err as Error).message}`);
    failed.add(path);
  }
}
