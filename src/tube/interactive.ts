import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { Channel } from '../net/channel.js';
import type { ReceiveBuffer } from './receive-buffer.js';

/**
 * pwntools' interactive(): a live connection is lent to the person at the keyboard (the screen
 * on a terminal, stdin/stdout otherwise), then given back. The tube owns the loan; the code that
 * shows the screen or relays stdio lives in modes/ and is installed here by the library entry,
 * so tube/ never loads a view.
 */

export interface InteractiveOptions {
  /** true: the screen even off a terminal; false: relay stdin/stdout even on one. Default: the screen when stdin and stdout are terminals. */
  screen?: boolean;
  /** Relay: read what to send from here instead of process.stdin. */
  input?: Readable;
  /** Relay: write what arrives here instead of process.stdout. */
  output?: Writable;
}

/**
 * A connection on loan. `take()` stops the owner reading (in the same tick, so no data event is
 * seen by both) and returns the bytes it had received and not consumed; the borrower shows them
 * first. `giveBack()` makes the owner read again (what the borrower showed is consumed).
 */
export interface Loan {
  readonly channel: Channel;
  take(): Buffer;
  giveBack(): void;
}

/** What hands a loan to a person: resolves once they are done with it. */
export type HandOver = (loan: Loan, options: InteractiveOptions) => Promise<void>;

/** The part of a tube a loan needs (structural: no import of tube.ts, no cycle). */
export interface Lender {
  readonly channel: Channel;
  readonly buffer: ReceiveBuffer;
  detach(): void;
  attach(): void;
}

const HANDOVER = Symbol.for('sockrepl.handOver');

/** Installed by the library entry (modes/library.ts). On globalThis: a script's copy of the library shares it. */
export function setHandOver(handOver: HandOver): void {
  (globalThis as { [HANDOVER]?: HandOver })[HANDOVER] = handOver;
}

/** tube.interactive(): lends the tube's connection to the installed hand-over. */
export async function lendInteractive(tube: Lender, options: InteractiveOptions): Promise<void> {
  const handOver = (globalThis as { [HANDOVER]?: HandOver })[HANDOVER];
  if (!handOver)
    throw new UsageError('interactive: load sockrepl through its entry (import from "sockrepl")');
  await lendTube(tube, handOver, options);
}

/** Lends the tube's connection for the time of one hand-over; the tube reads again afterwards. */
export async function lendTube(tube: Lender, handOver: HandOver, options: InteractiveOptions): Promise<void> {
  let taken = false;
  const loan: Loan = {
    channel: tube.channel,
    take() {
      if (taken) return Buffer.alloc(0);
      taken = true;
      tube.detach();
      return tube.buffer.takeAll();
    },
    giveBack() {
      if (!taken) return;
      taken = false;
      tube.attach();
    },
  };
  try {
    await handOver(loan, options);
  } finally {
    loan.giveBack();
  }
}
