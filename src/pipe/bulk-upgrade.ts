import { fstatSync } from 'node:fs';
import type { Channel } from '../net/channel.js';
import { bootRelay, type FdRelay } from '../net/fd-relay.js';
import type { RelayMethod } from '../net/fd-relay-protocol.js';
import { TcpChannel } from '../net/tcp-channel.js';
import type { PipeInput } from './input.js';
import type { PipeOutput } from './output.js';
import { type RelayPlan, startReceived, startStdin, type TapsFor } from './relay-path.js';
import { drained, type PipeIo } from './stdio.js';

/** Bytes through JavaScript after which a worker boots, so that it is up when BULK_BYTES is reached. */
export const WARM_BYTES = 256 * 1024;
/** Bytes through JavaScript after which a transfer counts as bulk and moves onto the worker. */
export const BULK_BYTES = 1024 * 1024;

/**
 * A client connection's directions start on the ordinary path ('data' events, PipeInput) and move
 * onto a relay worker (relay-path.ts) once BULK_BYTES have gone that way: a one-shot
 * (`echo hi | sockrepl -N host port`) starts no thread, while a bulk transfer still gets the
 * worker for all but its first MiB. Each direction moves between two chunks, once everything
 * Node took is where it belongs, so no byte is reordered, doubled or lost.
 */
export interface BulkUpgrades {
  /** Call with each chunk written to standard output the ordinary way. */
  received?: (bytes: number) => void;
  /** Wraps the `done` of each standard input chunk handed to the connection the ordinary way. */
  stdin?: (bytes: number, done: () => void) => () => void;
  /** Stops a worker booted for a transfer that ended before it took over. */
  dispose(): void;
}

export function bulkUpgrades(
  plan: RelayPlan,
  channel: Channel,
  io: PipeIo,
  out: PipeOutput,
  input: () => PipeInput | undefined,
  stdinEnded: () => void,
  tapsFor?: TapsFor,
): BulkUpgrades {
  const idle = new Set<FdRelay>();
  const boot = (method: RelayMethod) => {
    const relay = bootRelay(method);
    if (relay) idle.add(relay);
    return relay;
  };
  const started = (relay: FdRelay) => idle.delete(relay);
  const dispose = () => {
    for (const relay of idle) void relay.stop();
  };
  if (!(channel instanceof TcpChannel) || channel.tls || !channel.borrowsReads) return { dispose };
  return {
    received: plan.received ? receivedUpgrade(channel, io, out, boot, started, tapsFor) : undefined,
    stdin: plan.stdin ? stdinUpgrade(channel, io, input, stdinEnded, boot, started, tapsFor) : undefined,
    dispose,
  };
}

/**
 * Counts bytes; boots the worker at WARM_BYTES and calls `moveOver` with it at BULK_BYTES, or at
 * the first chunk after that when `ready` says the channel can hand over (unless no worker can run
 * here: the direction stays on the ordinary path).
 */
function threshold(
  boot: () => FdRelay | undefined,
  moveOver: (relay: FdRelay) => void,
  ready: () => boolean = () => true,
): (bytes: number) => void {
  let passed = 0;
  let relay: FdRelay | undefined;
  let settled = false;
  return (bytes) => {
    if (settled) return;
    passed += bytes;
    if (passed >= WARM_BYTES) relay ??= boot();
    if (passed < BULK_BYTES) return;
    relay ??= boot();
    if (!relay) settled = true;
    else if (ready()) {
      settled = true;
      moveOver(relay);
    }
  };
}

function receivedUpgrade(
  channel: TcpChannel,
  io: PipeIo,
  out: PipeOutput,
  boot: (method: RelayMethod) => FdRelay | undefined,
  started: (relay: FdRelay) => void,
  tapsFor: TapsFor | undefined,
): (bytes: number) => void {
  let ended = false;
  channel.once('end', () => {
    ended = true;
  });
  return threshold(
    () => boot('splice'),
    (relay) => {
      const moveOver = () => {
        if (ended || channel.closed) return;
        channel.pause();
        // What Node queued for standard output goes first: the worker writes the descriptor itself.
        if (io.stdout.writableLength > 0) return void drained(io.stdout).then(moveOver);
        started(relay);
        startReceived(channel, relay, out, io, tapsFor, ', a bulk transfer from here on');
      };
      moveOver();
    },
    // A 'when-busy' channel hands its reads over once it reads into the reused buffer.
    () => channel.lending,
  );
}

function stdinUpgrade(
  channel: TcpChannel,
  io: PipeIo,
  input: () => PipeInput | undefined,
  stdinEnded: () => void,
  boot: (method: RelayMethod) => FdRelay | undefined,
  started: (relay: FdRelay) => void,
  tapsFor: TapsFor | undefined,
): (bytes: number, done: () => void) => () => void {
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  const count = threshold(
    () => boot('copy'),
    (relay) => {
      const reader = input();
      if (!reader?.ownsDescriptor) return;
      reader.handOver();
      // Chunks Node already handed to the socket are written first: the worker writes it itself.
      waiting = () => {
        waiting = undefined;
        if (channel.writeClosed) return;
        started(relay);
        startStdin(channel, relay, io, stdinEnded, tapsFor, ', a bulk transfer from here on');
      };
      if (inFlight === 0) waiting();
    },
  );
  return (bytes, done) => {
    inFlight++;
    count(bytes);
    return () => {
      done();
      if (--inFlight === 0) waiting?.();
    };
  };
}

/**
 * Standard input is a regular file of at least BULK_BYTES: read through Node's stream, which reads
 * ahead, it could not move over later, but its size says now that a worker pays for itself.
 */
export function stdinIsBulkFile(io: PipeIo): boolean {
  if (io.stdin !== process.stdin) return false;
  try {
    const st = fstatSync(0);
    return st.isFile() && st.size >= BULK_BYTES;
  } catch {
    return false;
  }
}
