import type { Socket } from 'node:net';
import { prepareServerTls, type Secured, secureClient, secureServer } from './tls-handshake.js';
import type { TlsOptions, TlsRole } from './tls-options.js';

/** How long a STARTTLS handshake may take: the peer is there, it answered the negotiation. */
const HANDSHAKE_MS = 30_000;

/**
 * STARTTLS: the handshake over a connection that has been plaintext so far. The protocol's own
 * negotiation (SMTP's STARTTLS, IMAP's, PostgreSQL's SSLRequest) is the user's send/expect
 * before this; here only the handshake. A failure leaves the connection closed, as the peer
 * cannot go back to plaintext either.
 */
export async function upgradeToTls(
  socket: Socket,
  given: Partial<TlsOptions>,
  role: TlsRole,
  host: string,
  label: string,
): Promise<Secured> {
  const options: TlsOptions = { verify: false, ...given };
  if (role === 'client') return secureClient(socket, options, host, label, HANDSHAKE_MS);
  // An accepted connection plays the server: its certificate from the options, or a fresh one.
  const server = await prepareServerTls(options);
  return secureServer(socket, server, label, HANDSHAKE_MS);
}
