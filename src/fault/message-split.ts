import { ByteQueue } from '../plugin/byte-queue.js';
import type { Direction, Framer } from '../plugin/types.js';
import type { FaultEntry } from './fault-entry.js';
import type { PipelineHost } from './pipeline-host.js';

/**
 * With framing on, a `when=`/`count=` fault decides on whole messages, not on chunks: this cuts
 * one direction's bytes into messages with a framer of its own. Only the lengths of the frames
 * the framer finds are used; the bytes handed on are always the input's own, so nothing is lost,
 * altered or reordered whatever the framer does. A partial message is held until it completes;
 * the framer's size limit bounds it (over it, the framer fails). A framer that fails (a stream
 * that is not of its kind, a message over its limit) hands everything it held on as one piece,
 * and the direction goes on chunk by chunk, as without framing.
 */
export class MessageSplitter {
  private readonly queue = new ByteQueue();
  private framer: Framer | undefined;

  /** `onFallback`: the framer failed; says why (once). */
  constructor(
    framer: Framer,
    private readonly onFallback: (why: string) => void,
  ) {
    this.framer = framer;
  }

  /** Bytes of a message not yet complete. */
  get held(): number {
    return this.queue.length;
  }

  /** Whether the direction is still cut into messages (false after the framer failed). */
  get framing(): boolean {
    return this.framer !== undefined;
  }

  /** The next chunk of the stream; returns the messages it completes (possibly none), in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (!this.framer) return chunk.length > 0 ? [chunk] : [];
    this.queue.push(chunk);
    let lengths: number[];
    try {
      lengths = this.framer.decode(chunk).map((f) => f.bytes.length);
    } catch (err) {
      return this.giveUp((err as Error).message);
    }
    const out: Uint8Array[] = [];
    for (const n of lengths) {
      if (n === 0) continue;
      if (n > this.queue.length)
        return [...out, ...this.giveUp('its frames hold more bytes than it was given')];
      out.push(this.queue.take(n));
    }
    return out;
  }

  /** End of the stream (or of the fault): what is left, as one last piece. */
  flush(): Uint8Array[] {
    return this.queue.length > 0 ? [this.queue.takeAll()] : [];
  }

  private giveUp(why: string): Uint8Array[] {
    this.framer = undefined;
    this.onFallback(why);
    return this.flush();
  }
}

/**
 * The splitter for one fault's direction when the host frames its traffic; undefined without
 * framing, on UDP (a datagram is a message already), or when no framer can be made (said once).
 */
export function splitterFor(
  host: PipelineHost,
  entry: FaultEntry,
  dir: Direction,
): MessageSplitter | undefined {
  if (host.proto === 'udp' || !host.messageFramer) return undefined;
  let framer: Framer | undefined;
  try {
    framer = host.messageFramer();
  } catch (err) {
    host.log(entry, `no framer (${(err as Error).message}); matching per chunk (${dir})`);
    return undefined;
  }
  if (!framer) return undefined;
  return new MessageSplitter(framer, (why) =>
    host.log(entry, `framing failed (${why}); matching per chunk from here on (${dir})`),
  );
}
