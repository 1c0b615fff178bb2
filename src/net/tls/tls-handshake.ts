import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { formatDuration } from '../../codec/units.js';
import { NetError } from '../../errors.js';
import { handshakeError } from './tls-errors.js';
import { readPem } from './tls-files.js';
import { describeTls, type TlsInfo } from './tls-info.js';
import { appendKeyLine, keylogPath, logKeys } from './tls-keylog.js';
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

/**
 * A server's TLS setup, made once per listener (or per STARTTLS on an accepted connection): a
 * tls.Server that never listens; each accepted socket is handed to it as its 'connection' (the
 * documented way to serve TLS on a socket accepted elsewhere), so Node's own server logic checks
 * client certificates.
 */
export interface ServerTls {
  server: tls.Server;
  options: TlsOptions;
  /** The SHA-256 fingerprint of the certificate served, when it was generated here. */
  generatedFingerprint?: string;
}

/** The server from its files, or with a certificate made in memory. */
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
  let server: tls.Server;
  try {
    server = tls.createServer({
      // As the plain listener: the peer's FIN (close_notify) ends only its direction.
      allowHalfOpen: true,
      cert,
      key,
      ca: options.trustFile ? readPem(options.trustFile, 'CA file') : undefined,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ciphers: options.ciphers,
      ALPNProtocols: options.alpn,
      requestCert: options.verify,
      // Checked in secureServer, so that a refusal can say why.
      rejectUnauthorized: false,
    });
  } catch (err) {
    throw new NetError(
      `TLS setup: ${(err as Error).message} (do the certificate and key belong together?)`,
      'ETLSSETUP',
      { cause: err },
    );
  }
  const path = keylogPath(options.keylogFile);
  if (path) server.on('keylog', (line: Buffer) => appendKeyLine(path, line));
  return { server, options, generatedFingerprint };
}

/** The server side, over an accepted socket. */
export function secureServer(
  socket: Socket,
  tlsServer: ServerTls,
  label: string,
  timeoutMs?: number,
): Promise<Secured> {
  const { server, options } = tlsServer;
  const key = `${socket.remoteAddress}|${socket.remotePort}`;
  return new Promise<Secured>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      server.off('secureConnection', onSecure);
      server.off('tlsClientError', onFailed);
      socket.off('close', onClosed);
    };
    const fail = (err: unknown) => {
      done();
      socket.destroy();
      reject(err instanceof NetError ? err : handshakeError(`TLS handshake with ${label}`, err));
    };
    const mine = (t: tls.TLSSocket) => `${t.remoteAddress}|${t.remotePort}` === key;
    const onSecure = (t: tls.TLSSocket) => {
      if (!mine(t)) return;
      done();
      const info = describeTls(t, 'server', options.verify);
      if (tlsServer.generatedFingerprint) info.localFingerprint = tlsServer.generatedFingerprint;
      if (options.verify && !t.authorized) {
        t.destroy();
        const why = info.peer
          ? (info.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
          : 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE';
        reject(handshakeError(`TLS handshake with ${label}`, Object.assign(new Error(why), { code: why })));
        return;
      }
      resolve({ socket: t, info });
    };
    const onFailed = (err: Error, t: tls.TLSSocket) => {
      if (mine(t)) fail(err);
    };
    const onClosed = () => fail(Object.assign(new Error('closed'), { code: 'ECONNRESET' }));
    server.on('secureConnection', onSecure);
    server.on('tlsClientError', onFailed);
    socket.once('close', onClosed);
    if (timeoutMs !== undefined)
      timer = setTimeout(
        () =>
          fail(
            new NetError(
              `TLS handshake with ${label}: ETIMEDOUT after ${formatDuration(timeoutMs)}: the client never finished the handshake (does it speak TLS?)`,
              'ETIMEDOUT',
            ),
          ),
        timeoutMs,
      );
    server.emit('connection', socket);
  });
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
