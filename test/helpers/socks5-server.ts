import * as net from 'node:net';

/**
 * A small SOCKS5 server (RFC 1928, RFC 1929 user/password) for tests: CONNECT to IPv4, IPv6 or a
 * domain name, reply 5 when the destination refuses. It records what each client asked for, so a
 * test can tell remote DNS (a name reached the proxy) from local (an address did).
 */
export interface Socks5Server {
  port: number;
  requests: { host: string; port: number; kind: 'ipv4' | 'ipv6' | 'domain' }[];
  close(): Promise<void>;
}

export async function socks5Server(auth?: { user: string; password: string }): Promise<Socks5Server> {
  const requests: Socks5Server['requests'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buf = Buffer.alloc(0);
    let stage: 'hello' | 'auth' | 'request' | 'done' = 'hello';
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (stage === 'hello') {
          if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
          const methods = [...buf.subarray(2, 2 + buf[1]!)];
          buf = buf.subarray(2 + buf[1]!);
          const want = auth ? 2 : 0;
          if (!methods.includes(want)) {
            client.end(Buffer.from([5, 0xff]));
            return;
          }
          client.write(Buffer.from([5, want]));
          stage = auth ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (buf.length < 2) return;
          const ulen = buf[1]!;
          if (buf.length < 3 + ulen) return;
          const plen = buf[2 + ulen]!;
          if (buf.length < 3 + ulen + plen) return;
          const user = buf.subarray(2, 2 + ulen).toString();
          const password = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
          buf = buf.subarray(3 + ulen + plen);
          const ok = user === auth!.user && password === auth!.password;
          client.write(Buffer.from([1, ok ? 0 : 1]));
          if (!ok) return void client.end();
          stage = 'request';
        } else if (stage === 'request') {
          if (buf.length < 5) return;
          const atyp = buf[3]!;
          const len = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
          if (buf.length < 4 + len + 2) return;
          const raw = buf.subarray(4, 4 + len);
          const host = atyp === 1 ? [...raw].join('.') : atyp === 4 ? ipv6(raw) : raw.subarray(1).toString();
          const port = buf.readUInt16BE(4 + len);
          const rest = buf.subarray(4 + len + 2);
          stage = 'done';
          client.off('data', onData);
          requests.push({ host, port, kind: atyp === 1 ? 'ipv4' : atyp === 4 ? 'ipv6' : 'domain' });
          const upstream = net.connect({
            host: host === 'localhost' ? '127.0.0.1' : host,
            port,
            allowHalfOpen: true,
          });
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          upstream.once('connect', () => {
            client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
            if (rest.length) upstream.write(rest);
            client.pipe(upstream);
            upstream.pipe(client);
          });
          upstream.once('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
          return;
        } else return;
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function ipv6(raw: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(raw.readUInt16BE(i).toString(16));
  return parts.join(':');
}
