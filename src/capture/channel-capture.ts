import { randomInt } from 'node:crypto';
import type { Channel } from '../net/channel.js';
import type { CaptureFile } from './capture-file.js';
import { Conversation, type Packet, type Side } from './conversation.js';
import { captureEnds } from './endpoints.js';

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
  /** Directions a relay worker writes itself (relay-tap.ts): no events come for them here. */
  tapped?: Partial<Record<Side, boolean>>;
}

/** Microseconds since the epoch, with the clock's sub-millisecond part. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export class CaptureWriter {
  private readonly live = new Map<Channel, { conv: Conversation; iface: number; notes: string[] }>();

  constructor(readonly file: CaptureFile) {}

  get format(): 'pcap' | 'pcapng' {
    return this.file.format.name;
  }

  /** Starts capturing `channel` (a second call for the same channel changes nothing). */
  attach(channel: Channel, options: AttachOptions): Conversation {
    const known = this.live.get(channel);
    if (known) return known.conv;
    const { ends, mapped } = captureEnds(channel.id, channel.local, channel.remote);
    const conv = new Conversation({
      // A byte stream (a unix socket, a program) is written as TCP between mapped addresses.
      proto: mapped || channel.proto !== 'udp' ? 'tcp' : 'udp',
      out: ends,
      initiator: options.initiator,
      isn: { out: randomInt(2 ** 32), in: randomInt(2 ** 32) },
    });
    const who = `${channel.proto} ${channel.local.address}:${channel.local.port} <-> ${channel.remote.address}:${channel.remote.port}`;
    const description = [
      `connection ${channel.id}: ${who}`,
      options.label,
      mapped ? 'addresses mapped to 127.0.0.1/127.0.0.2' : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    const iface = this.file.addInterface(`sockrepl-${channel.id}`, description);
    const entry = { conv, iface, notes: [] as string[] };
    this.live.set(channel, entry);
    const put = (packets: Packet[]) => {
      if (entry.notes.length > 0 && packets[0] && this.file.format.comments) {
        packets[0].comment = [packets[0].comment, ...entry.notes].filter(Boolean).join('; ');
        entry.notes = [];
      }
      this.file.write(packets, iface);
    };
    put(conv.open(nowUs()));
    // First in line: what arrives is written before a relay (the proxy) passes it on.
    if (!options.tapped?.in) channel.prependListener('data', (chunk) => put(conv.data('in', chunk, nowUs())));
    if (!options.tapped?.out)
      channel.prependListener('sent', (chunk) => put(conv.data('out', chunk, nowUs())));
    channel.prependListener('end', () => put(conv.fin('in', nowUs())));
    channel.on('shutdown', (how) =>
      put(how === 'rst' ? conv.abort('out', nowUs()) : conv.fin('out', nowUs())),
    );
    channel.on('close', (reason, error) => {
      const t = nowUs();
      if (reason === 'reset') put(conv.abort('in', t, error?.message));
      else if (reason === 'error') put(conv.abort('out', t, error?.message));
      else {
        // Our FIN went at the latest now (for a transport that does not report it); the peer's
        // is shown only when the connection ended by it ('eof').
        put(conv.fin('out', t));
        if (reason === 'eof') put(conv.fin('in', t));
      }
      this.live.delete(channel);
    });
    return conv;
  }

  /**
   * A note about a connection (a fault that acted): pcapng carries it as a comment on the
   * connection's next packet; classic pcap has nowhere to put it.
   */
  note(channel: Channel, text: string): void {
    this.live.get(channel)?.notes.push(text);
  }

  close(): void {
    this.file.close();
  }
}
