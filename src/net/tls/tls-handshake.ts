import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { formatDuration } from '../../codec/units.js';
import { NetError } from '../../errors.js';
import { handshakeError } from './tls-errors.js';
import { readPem } from './tls-files.js';
import { describeTls, type TlsInfo } from './tls-info.js';
import { keylogPath, logKeys } from './tls-keylog.js';
import type { TlsOptions } from './tls-options.js';

/**
 * Runs a TLS handshake over a connected socket, as the client or the server: at connect and
 * accept time, and later for STARTTLS. Resolves with the TLS socket and what the handshake gave;
 * a failure is one line naming its cause (tls-errors.ts), and the socket is destroyed.
 */

export interface Secured {
  socket: tls.TLSSocket;
  info: TlsInfo;
}

/** The client side. `host` is the name connected to: SNI and the name checked, unless serverName says otherwise. */
export function secureClient(
  socket: Socket,
  options: TlsOptions,
  host: string,
  label: string,
  timeoutMs?: number,
): Promise<Secured> {
  const name = options.serverName ?? host;
  const secure = tls.connect({
    socket,
    host: name,
    // RFC 6066 allows no IP addresses in SNI.
    servername: isIP(name) ? undefined : name,
    rejectUnauthorized: options.verify,
    ca: options.trustFile ? readPem(options.trustFile, 'CA file') : undefined,
    cert: options.certFile ? readPem(options.certFile, 'certificate') : undefined,
    key: options.keyFile
      ? readPem(options.keyFile, 'key')
      : options.certFile
        ? readPem(options.certFile, 'key')
        : undefined,
    ALPNProtocols: options.alpn,
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    ciphers: options.ciphers,
  });
  logKeys(secure, keylogPath(options.keylogFile));
  return settle(secure, 'secureConnect', 'client', options.verify, label, timeoutMs);
}

/** A server's TLS setup, made once per listener (or once per STARTTLS on an accepted connection). */
export interface ServerTls {
  context: tls.SecureContext;
  options: TlsOptions;
  /** The SHA-256 fingerprint of the certificate served, when it was generated here. */
  generatedFingerprint?: string;
}

/** The server's secure context from its files, or from a certificate made in memory. */
export async function prepareServerTls(options: TlsOptions, hostName?: string): Promise<ServerTls> {
  let cert: string | Buffer;
  let key: string | Buffer;
  let generatedFingerprint: string | undefined;
  if (options.certFile) {
    cert = readPem(options.certFile, 'certificate');
    key = readPem(options.keyFile ?? options.certFile, 'key');
  } else {
    if (options.keyFile) throw new NetError('a key was given without its certificate', 'EUSAGE');
    const { selfSignedCertificate } = await import('./certificates.js');
    const made = await selfSignedCertificate(hostName);
    cert = made.certPem;
    key = made.keyPem;
    generatedFingerprint = made.fingerprint256;
  }
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({
      cert,
      key,
      ca: options.trustFile ? readPem(options.trustFile, 'CA file') : undefined,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ciphers: options.ciphers,
    });
  } catch (err) {
    throw new NetError(
      `TLS setup: ${(err as Error).message} (do the certificate and key belong together?)`,
      'ETLSSETUP',
      {
        cause: err,
      },
    );
  }
  return { context, options, generatedFingerprint };
}

/** The server side, over an accepted socket. */
export function secureServer(
  socket: Socket,
  server: ServerTls,
  label: string,
  timeoutMs?: number,
): Promise<Secured> {
  const { options } = server;
  const secure = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: server.context,
    requestCert: options.verify,
    rejectUnauthorized: options.verify,
    ALPNProtocols: options.alpn,
  });
  logKeys(secure, keylogPath(options.keylogFile));
  return settle(secure, 'secure', 'server', options.verify, label, timeoutMs, server.generatedFingerprint);
}

function settle(
  secure: tls.TLSSocket,
  done: 'secureConnect' | 'secure',
  role: TlsInfo['role'],
  verified: boolean,
  label: string,
  timeoutMs?: number,
  generatedFingerprint?: string,
): Promise<Secured> {
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            secure.destroy();
            reject(
              new NetError(
                `TLS handshake with ${label}: ETIMEDOUT after ${formatDuration(timeoutMs)}: the peer never finished the handshake (does it speak TLS?)`,
                'ETIMEDOUT',
              ),
            );
          }, timeoutMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(handshakeError(`TLS handshake with ${label}`, err));
    };
    // A peer that closes before finishing: Node reports ECONNRESET, or only 'close'.
    const closed = () => failed(Object.assign(new Error('closed'), { code: 'ECONNRESET' }));
    secure.once('error', failed);
    secure.once('close', closed);
    secure.once(done, () => {
      clearTimeout(timer);
      secure.off('error', failed);
      secure.off('close', closed);
      const info = describeTls(secure, role, verified);
      if (generatedFingerprint) info.localFingerprint = generatedFingerprint;
      resolve({ socket: secure, info });
    });
  });
}
