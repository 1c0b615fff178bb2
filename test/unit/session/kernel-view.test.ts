import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  decodeProcAddress,
  findProcEntry,
  parseProcNet,
  parseTcpInfoLinux,
  readKernelView,
} from '../../../src/net/kernel-view.js';

const SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 08 00000010:00000200 00:00000000 00000000  1000        0 5151 1 0000000000000000 20 4 30 10 -1
`;

describe('kernel view parsing', () => {
  it('decodes /proc/net addresses in host byte order', () => {
    expect(decodeProcAddress('0100007F', true)).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000001000000', true)).toBe('::1');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F', true)).toBe('::ffff:127.0.0.1');
    expect(decodeProcAddress('7F000001', false)).toBe('127.0.0.1');
  });

  it('parses state, queues and inode', () => {
    const rows = parseProcNet(SAMPLE);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      state: 'LISTEN',
      inode: 4242,
      local: { address: '127.0.0.1', port: 8080 },
    });
    expect(rows[1]).toMatchObject({ state: 'CLOSE_WAIT', sendQ: 16, recvQ: 512, remote: { port: 8080 } });
    expect(findProcEntry(rows, 5151)?.state).toBe('CLOSE_WAIT');
    const byTuple = findProcEntry(
      rows,
      undefined,
      { address: '127.0.0.1', port: 40000, family: 'IPv4' },
      { address: '::ffff:127.0.0.1', port: 8080, family: 'IPv6' },
    );
    expect(byTuple?.inode).toBe(5151);
  });

  it('parses struct tcp_info', () => {
    const b = Buffer.alloc(232);
    b.writeUInt8(1, 0);
    b.writeUInt8(2, 2);
    b.writeUInt32LE(1448, 16);
    b.writeUInt32LE(1500, 68);
    b.writeUInt32LE(250, 72);
    b.writeUInt32LE(10, 80);
    b.writeUInt32LE(7, 100);
    expect(parseTcpInfoLinux(b)).toMatchObject({
      state: 'ESTABLISHED',
      retransmits: 2,
      mss: 1448,
      rttMs: 1.5,
      rttVarMs: 0.25,
      cwnd: 10,
      totalRetrans: 7,
    });
    expect(parseTcpInfoLinux(Buffer.alloc(50))).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('kernel view of real sockets', () => {
  it('sees ESTABLISHED, Recv-Q growing while nobody reads, and CLOSE_WAIT after the peer FIN', async () => {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const peer = await accepted;
    client.pause();
    const fd = (client as unknown as { _handle: { fd: number } })._handle.fd;
    try {
      const q = { proto: 'tcp' as const, fd };
      const first = readKernelView(q);
      expect(first.state).toBe('ESTABLISHED');
      expect(first.recvQ).toBe(0);
      expect(first.rttMs).toBeGreaterThanOrEqual(0);
      expect(first.cwnd).toBeGreaterThan(0);
      peer.write(Buffer.alloc(1000, 1));
      const deadline = Date.now() + 2000;
      while (readKernelView(q).recvQ !== 1000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(readKernelView(q).recvQ).toBe(1000);
      peer.end();
      while (readKernelView(q).state !== 'CLOSE_WAIT' && Date.now() < deadline + 2000)
        await new Promise((r) => setTimeout(r, 20));
      expect(readKernelView(q).state).toBe('CLOSE_WAIT');
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
    }
  });
});
