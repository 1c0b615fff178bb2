import type { Writable } from 'node:stream';
import { formatDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { handOver } from '../modes/interactive.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { Session } from '../session/session.js';
import { lendTube } from '../tube/interactive.js';
import type { Tube } from '../tube/tube.js';
import type { InteractiveStatement } from './ast.js';
import type { ScriptConnections } from './script-connections.js';
import type { Variables } from './variables.js';

/**
 * The script's `interactive [id]`: a script logs in, then the user gets the connection — the
 * screen on a terminal, else stdin/stdout relayed as netcat does — and the script goes on with
 * its next step once they quit (or, off a terminal, once the peer closed).
 */

export interface InteractiveStepContext {
  session: Session;
  connections: ScriptConnections;
  vars: Variables;
  cli: ConnectionOptions;
  /** --json: standard output carries events, so there is no room for the connection's bytes. */
  json: boolean;
  /** Where relayed bytes go (standard output unless a test says otherwise). */
  output?: Writable;
  /** The default expect timeout: how long a listening script waits for its client. */
  waitMs: number;
}

/** Hands the connection over and resolves with the transcript's note once it is back. */
export async function runInteractive(s: InteractiveStatement, ctx: InteractiveStepContext): Promise<string> {
  if (ctx.json)
    throw new UsageError('interactive: --json output carries events only; run the script without --json');
  const tube = await targetTube(s, ctx);
  const screen = Boolean(process.stdin.isTTY && process.stdout.isTTY) && ctx.output === undefined;
  const started = performance.now();
  const s0 = ctx.session.settings;
  const display: Partial<ConnectionOptions> = { encoding: s0.encoding, endian: s0.endian, eol: s0.eol };
  if (ctx.cli.plugin.length > 0) display.plugin = ctx.cli.plugin;
  await lendTube(tube, (loan, o) => handOver(loan, o, display), {
    screen,
    ...(ctx.output ? { output: ctx.output } : {}),
  });
  const took = formatDuration(performance.now() - started);
  return screen ? `back from the screen after ${took}` : `relayed stdin and stdout for ${took}`;
}

async function targetTube(s: InteractiveStatement, ctx: InteractiveStepContext): Promise<Tube> {
  if (s.conn === undefined)
    return (await ctx.connections.target('interactive', performance.now() + ctx.waitMs)).tube;
  const text = ctx.vars.expand(s.conn).trim();
  const tube = /^\d+$/.test(text) ? ctx.connections.session.conns.get(Number(text))?.tube : undefined;
  if (!tube) {
    const ids = [...ctx.connections.session.conns.keys()].join(', ');
    throw new UsageError(`interactive: no connection '${text}'${ids ? ` (there are: ${ids})` : ''}`);
  }
  return tube;
}
