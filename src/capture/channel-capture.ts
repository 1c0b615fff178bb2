import { randomInt } from 'node:crypto';
import type { Channel } from '../net/channel.js';
import type { CaptureFile } from './capture-file.js';
import { nowUs } from './clock.js';
import { Conversation, type Packet, type Side } from './conversation.js';
import { captureEnds } from './endpoints.js';
import type { RelayTapConfig } from './relay-tap.js';

/**
 * `--pcap`: the view that turns channels into packets in a capture file. It is written against
 * the Channel events only (data, sent, end, shutdown, close), so every transport is captured the
 * same way; a channel should be the wire-side one (under any fault wrapper), so that the capture
 * shows what really crossed the socket: a `fragment` fault's pieces as separate segments.
 */

export interface AttachOptions {
  /** Who opened the connection: `out` when we connected, `in` when we accepted. */
  initiator: Side;
  /** What this connection is, for the pcapng interface description. */
  label?: string;
}

/** The module a relay worker loads to write one direction itself (RelayTapSpec of net/). */
const RELAY_TAP_MODULE = new URL('./relay-tap.js', import.meta.url).href;

/** One channel being captured. */
export class CapturedChannel {
  private notes: string[] = [];
  private following = false;

  constructor(
    private readonly file: CaptureFile,
    readonly channel: Channel,
    readonly conv: Conversation,
    readonly iface: number,
    private readonly done: () => void,
  ) {}

  /**
   * A tap for a relay worker moving `side`'s bytes (pipe mode's fast path): the worker writes those
   * packets itself. Undefined when the file cannot take writes from two threads (a FIFO).
   */
  relayTap(side: Side): { module: string; config: RelayTapConfig } | undefined {
    const fd = this.file.descriptor;
    if (fd === undefined || !this.file.sharable || !(this.conv.used.buffer instanceof SharedArrayBuffer))
      return undefined;
    const spec = this.conv.spec;
    return {
      module: RELAY_TAP_MODULE,
      config: {
        fd,
        path: this.file.path,
        format: this.file.format.name,
        iface: this.iface,
        side,
        proto: spec.proto,
        initiator: spec.initiator,
        isn: spec.isn,
        out: spec.out,
        used: this.conv.used.buffer,
      },
    };
  }

  /**
   * Starts following the channel's events; `relayed` directions are written by a relay worker and
   * get no events here (a 'data' listener would even start Node's reading).
   */
  follow(relayed: Partial<Record<Side, boolean>> = {}): void {
    if (this.following) return;
    this.following = true;
    const { channel, conv } = this;
    // First in line: what arrives is written before a relay (the proxy) passes it on.
    if (!relayed.in) channel.prependListener('data', (chunk) => conv.data('in', chunk, nowUs()));
    if (!relayed.out) channel.prependListener('sent', (chunk) => conv.data('out', chunk, nowUs()));
    channel.prependListener('end', () => conv.fin('in', nowUs()));
    channel.on('shutdown', (how) => (how === 'rst' ? conv.abort('out', nowUs()) : conv.fin('out', nowUs())));
    channel.on('close', (reason, error) => {
      const t = nowUs();
      if (reason === 'reset') conv.abort('in', t, error?.message);
      else if (reason === 'error') conv.abort('out', t, error?.message);
      else {
        // Our FIN went at the latest now (for a transport that does not report it); the peer's
        // is shown only when the connection ended by it ('eof').
        conv.fin('out', t);
        if (reason === 'eof') conv.fin('in', t);
      }
      this.done();
    });
  }

  /** A note (a fault that acted): pcapng carries it as a comment on the next packet. */
  note(text: string): void {
    this.notes.push(text);
  }

  put(packets: Packet[]): void {
    if (this.notes.length > 0 && packets[0] && this.file.format.comments) {
      packets[0].comment = [packets[0].comment, ...this.notes].filter(Boolean).join('; ');
      this.notes = [];
    }
    this.file.write(packets, this.iface);
  }
}

export class CaptureWriter {
  private readonly live = new Map<Channel, CapturedChannel>();

  constructor(readonly file: CaptureFile) {}

  get format(): 'pcap' | 'pcapng' {
    return this.file.format.name;
  }

  /** Declares the channel (its interface, its handshake) without following its events yet. */
  begin(channel: Channel, options: AttachOptions): CapturedChannel {
    const known = this.live.get(channel);
    if (known) return known;
    const { ends, mapped } = captureEnds(channel.id, channel.local, channel.remote);
    let captured: CapturedChannel | undefined;
    const conv = new Conversation(
      {
        // A byte stream (a unix socket, a program) is written as TCP between mapped addresses.
        proto: mapped || channel.proto !== 'udp' ? 'tcp' : 'udp',
        out: ends,
        initiator: options.initiator,
        isn: { out: randomInt(2 ** 32), in: randomInt(2 ** 32) },
        // Shared with a relay worker that may write one direction (relayTap).
        used: new Float64Array(new SharedArrayBuffer(16)),
      },
      (packets) => captured?.put(packets),
    );
    const who = `${channel.proto} ${channel.local.address}:${channel.local.port} <-> ${channel.remote.address}:${channel.remote.port}`;
    const description = [
      `connection ${channel.id}: ${who}`,
      options.label,
      mapped ? 'not IP: addresses mapped to 127.0.0.1 (local) and 127.0.0.2 (peer)' : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    const iface = this.file.addInterface(`sockrepl-${channel.id}`, description);
    captured = new CapturedChannel(this.file, channel, conv, iface, () => this.live.delete(channel));
    this.live.set(channel, captured);
    conv.open(nowUs());
    return captured;
  }

  /** Starts capturing `channel` (a second call for the same channel changes nothing). */
  attach(channel: Channel, options: AttachOptions): CapturedChannel {
    const captured = this.begin(channel, options);
    captured.follow();
    return captured;
  }

  /** The capture of a channel (or of the wire-side channel under it), while it is open. */
  find(channel: Channel): CapturedChannel | undefined {
    return this.live.get(channel);
  }

  close(): void {
    this.file.close();
  }
}
