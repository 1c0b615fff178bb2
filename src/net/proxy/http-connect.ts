import type { Socket } from 'node:net';
import { NetError } from '../../errors.js';
import type { ProxyOptions } from './proxy-options.js';

/** The most a proxy's reply header may be before it is not believed. */
const MAX_HEADER = 64 * 1024;

/**
 * HTTP CONNECT (RFC 9110 §9.3.6) over a connected socket to the proxy: asks for a tunnel to
 * host:port, with Basic authentication when given; resolves once the proxy answered 2xx. Bytes the
 * proxy already passed on after its header are put back into the socket.
 */
export function httpConnect(
  socket: Socket,
  proxy: ProxyOptions,
  host: string,
  port: number,
  label: string,
): Promise<void> {
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (proxy.auth) {
    const token = Buffer.from(`${proxy.auth.user}:${proxy.auth.password}`).toString('base64');
    lines.push(`Proxy-Authorization: Basic ${token}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const fail = (err: NetError) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) {
        if (got.length > MAX_HEADER)
          fail(new NetError(`${label}: EPROTO: the proxy's reply header never ended`, 'EPROTO'));
        return;
      }
      cleanup();
      const status = got.subarray(0, got.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(status);
      if (!m)
        return fail(
          new NetError(
            `${label}: EPROTO: not an HTTP proxy (it answered ${JSON.stringify(status.slice(0, 60))})`,
            'EPROTO',
          ),
        );
      const code = Number(m[1]);
      if (code < 200 || code > 299) {
        const hint =
          code === 407 ? (proxy.auth ? ' (the credentials were refused)' : ' (--proxy-auth user:pass)') : '';
        return fail(new NetError(`${label}: the proxy refused the tunnel: ${status}${hint}`, 'EPROXY'));
      }
      const rest = got.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      socket.pause();
      resolve();
    };
    const onEnd = () =>
      fail(
        new NetError(`${label}: ECONNRESET: the proxy closed the connection before answering`, 'ECONNRESET'),
      );
    const onError = (err: Error) =>
      fail(new NetError(`${label}: ${(err as NodeJS.ErrnoException).code ?? 'EIO'}: ${err.message}`, 'EIO'));
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
  });
}
