import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TcpChannel } from '../../../src/net/tcp-channel.js';
import type { BorrowedReads } from '../../../src/net/tcp-channel-options.js';
import { BUSY_BYTES } from '../../../src/net/tcp-channel-options.js';
import { LISTEN_BACKLOG, listenTcp } from '../../../src/net/tcp-listen.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { sleep } from '../../helpers/cli.js';
import { listenOptions } from '../../helpers/listen-options.js';
import { collect, connectTo } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function listener(borrowedReads: BorrowedReads) {
  const l = await listenTcp('127.0.0.1', 0, listenOptions({ borrowedReads }));
  cleanups.push(() => l.close());
  return l;
}

/** `count` clients of a fresh listener, each with the channel it was accepted as. */
async function pairs(
  borrowedReads: BorrowedReads,
  count = 1,
): Promise<{ peer: Socket; channel: TcpChannel }[]> {
  const l = await listener(borrowedReads);
  const channels: TcpChannel[] = [];
  l.on('channel', (c) => channels.push(c as TcpChannel));
  const peers: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const peer = await connectTo(l.address.port);
    peer.on('error', () => {});
    cleanups.push(() => peer.destroy());
    peers.push(peer);
  }
  for (let i = 0; i < 2000 && channels.length < count; i++) await sleep(10);
  expect(channels).toHaveLength(count);
  // Accepted in order of connecting: match them by the client's port.
  return peers.map((peer) => ({
    peer,
    channel: channels.find((c) => c.remote.port === peer.localPort)!,
  }));
}

async function onePair(): Promise<{ peer: Socket; channel: TcpChannel }> {
  const [pair] = await pairs('when-busy');
  return pair!;
}

/** What a channel receives until its peer's FIN, copied (chunks may be borrowed views). */
function received(channel: TcpChannel, pauseEvery = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  return new Promise((resolve) => {
    channel.on('data', (chunk) => {
      parts.push(Buffer.from(chunk));
      // A reader that falls behind now and then: the move must keep a pause() in force.
      if (pauseEvery && ++n % pauseEvery === 0) {
        channel.pause();
        setTimeout(() => channel.resume(), 2);
      }
    });
    channel.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** Writes `data` in pieces of varied sizes, minding backpressure, then FIN. */
async function sendInPieces(peer: Socket, data: Buffer): Promise<void> {
  let at = 0;
  let size = 1000;
  while (at < data.length) {
    size = (size * 7919 + 4099) % 65_536 || 1;
    const piece = data.subarray(at, at + size);
    at += piece.length;
    if (!peer.write(piece)) await new Promise((r) => peer.once('drain', r));
  }
  peer.end();
}

describe("'when-busy' borrowed reads (listen -k)", () => {
  it('a busy client moves onto the reused buffer mid-stream: every byte both ways arrives once, in order', async () => {
    const { peer, channel } = await onePair();
    const accepted = channel.socket;
    const inbound = randomBytes(4 * BUSY_BYTES + 12_345);
    const outbound = randomBytes(24 * 1024 * 1024);
    const got = received(channel, 7);
    // The peer reads nothing at first, so that what the channel sends stays queued in Node.
    peer.pause();
    let blocked = false;
    const sending = (async () => {
      for (let at = 0; at < outbound.length; at += 65_536) {
        if (channel.send(outbound.subarray(at, at + 65_536))) continue;
        blocked = true;
        await new Promise<void>((r) => channel.once('drain', () => r()));
      }
    })();
    for (let i = 0; i < 2000 && !blocked; i++) await sleep(10);
    expect(blocked).toBe(true);
    const half = 2 * BUSY_BYTES;
    let at = 0;
    while (at < half) {
      const piece = inbound.subarray(at, Math.min(half, at + 10_000));
      at += piece.length;
      if (!peer.write(piece)) await new Promise((r) => peer.once('drain', r));
    }
    for (let i = 0; i < 2000 && channel.stats.bytesIn < half; i++) await sleep(10);
    // Past the threshold, but bytes of ours wait in Node: the move waits too.
    expect(channel.stats.bytesIn).toBe(half);
    expect(channel.socket).toBe(accepted);
    // Once everything queued has gone, the next chunk moves it.
    const echoed = collect(peer);
    peer.resume();
    await sending;
    await sendInPieces(peer, inbound.subarray(half));
    const bytes = await got;
    await channel.close();
    expect(bytes.length).toBe(inbound.length);
    expect(sha(bytes)).toBe(sha(inbound));
    const back = await echoed;
    expect(back.data.length).toBe(outbound.length);
    expect(sha(back.data)).toBe(sha(outbound));
    expect(channel.socket).not.toBe(accepted);
    expect(channel.stats.bytesIn).toBe(inbound.length);
  });

  it('a client that stays below the threshold keeps the socket it was accepted on', async () => {
    const { peer, channel } = await onePair();
    const accepted = channel.socket;
    const got = received(channel);
    peer.end('a line or two\n'.repeat(100));
    expect((await got).toString()).toBe('a line or two\n'.repeat(100));
    expect(channel.socket).toBe(accepted);
  });

  it('a channel that moved still sees its peer end, and closes with eof', async () => {
    const { peer, channel } = await onePair();
    const closed = new Promise<string>((resolve) => channel.once('close', (reason) => resolve(reason)));
    const got = received(channel);
    await sendInPieces(peer, randomBytes(2 * BUSY_BYTES));
    expect((await got).length).toBe(2 * BUSY_BYTES);
    await channel.close();
    expect(await closed).toBe('eof');
  });
});

describe('borrowed reads share one buffer', () => {
  it('twenty clients sending at once: each channel gets exactly its own bytes', async () => {
    const all = await pairs(true, 20);
    const sent = all.map(() => randomBytes(512 * 1024));
    const got = all.map(({ channel }) => received(channel));
    await Promise.all(all.map(({ peer }, i) => sendInPieces(peer, sent[i]!)));
    const bytes = await Promise.all(got);
    for (let i = 0; i < all.length; i++) expect(sha(bytes[i]!), `client ${i}`).toBe(sha(sent[i]!));
  });
});

describe('the listening socket', () => {
  it('asks for a deep accept queue, so that a burst of connects is not met with SYN cookies', async () => {
    const l = await listener(false);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    const out = execFileSync('ss', ['-Hltn', `sport = :${l.address.port}`], { encoding: 'utf8' });
    // For a listening socket, ss's Send-Q is the backlog.
    const backlog = Number(/^\S+\s+\d+\s+(\d+)/.exec(out)?.[1]);
    expect(backlog).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
  });
});
