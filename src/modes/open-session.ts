import { UsageError } from '../errors.js';
import { FaultController } from '../fault/fault-controller.js';
import type { Endpoint } from '../net/channel.js';
import { openConnection, openListener, openProgram } from '../net/open.js';
import { describeArgv } from '../net/program.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { exposureWarning } from '../options/exposure.js';
import { dialerFor, startProxy } from '../proxy/proxy.js';
import { ProxyLink } from '../proxy/proxy-link.js';
import { prepareRecording } from '../record/recorder.js';
import { Interpreter, type InterpreterOptions } from '../session/interpreter.js';
import { oneWayOf, Session, type SessionConfig } from '../session/session.js';
import type { SessionSpec } from '../session/session-spec.js';
import { textCodec } from '../session/text-port.js';
import { execWarning } from './exec-warning.js';
import { loadPlugins } from './plugin-registry.js';
import { servedProgram } from './program-spec.js';
import { registerSessionCommands } from './session-commands.js';

/**
 * Makes the session for a SessionSpec, checking the display settings first (a bad encoding or
 * frame spec is a usage error before any packet is sent). Views subscribe, then call
 * startSession, so they see the `listening` and `open` events.
 */
export async function createSession(
  spec: SessionSpec,
  config: Pick<
    SessionConfig,
    'decodeText' | 'logLimits' | 'kernelRefreshMs' | 'receive' | 'keepConnections'
  > = {},
): Promise<Session> {
  const o = spec.options;
  const encoding = textCodec(o.encoding).name;
  // A unix datagram socket (-u -U) has UDP's semantics: datagrams, no FIN.
  const proto = spec.kind === 'exec' ? 'exec' : o.udp ? 'udp' : o.unix !== undefined ? 'unix' : 'tcp';
  const session = new Session({
    // A program is the one connection, as a connect's socket is.
    mode: spec.kind === 'exec' ? 'connect' : spec.kind,
    proto,
    // A proxy serves client after client, as `listen -k` does.
    keepOpen: o.keepOpen || spec.kind === 'proxy',
    // As ncat's broker: send-only or receive-only passes nothing between clients.
    broker: o.broker && !o.sendOnly && !o.recvOnly,
    oneWay: oneWayOf(o),
    settings: {
      encoding,
      endian: o.endian,
      eol: o.eol,
      view: 'both',
      inspectOffset: 0,
      inspectFormat: undefined,
    },
    ...config,
  });
  const plugins = await loadPlugins(o.plugin);
  session.plugins = plugins;
  // Every connection is wrapped, so /fault can switch faults on at any time; --fault specs are checked now.
  session.faults = new FaultController(plugins, {
    proto,
    seed: o.seed,
    log: (text, level, conn) => session.notice(conn === undefined ? text : `fault: ${text}`, level, conn),
    onChange: () => session.emit('change'),
    onAction: (a) => session.record({ type: 'fault', time: Date.now(), ...a }),
    // With framing on, when=/count= decide on whole messages (a spec /frame took cannot fail here).
    messageFramer: () => (session.frameSpec ? plugins.createFramer(session.frameSpec, '/frame') : undefined),
  });
  for (const f of o.fault) session.faults.add(f, '--fault');
  session.framerFactory = (spec) => plugins.createFramer(spec, '/frame');
  const frame = o.frame.at(-1);
  if (frame !== undefined) {
    // The last --frame wins; checked here so a bad spec is a usage error before connecting.
    plugins.createFramer(frame, '--frame');
    session.setFrame(frame);
  }
  // Last, so that a usage error above leaves no half-written recording behind.
  prepareRecording(session, spec);
  if (o.pcap) {
    const { startCapture } = await import('./session-capture.js');
    startCapture(session, o.pcap, (text) => session.notice(text, 'error'));
  }
  return session;
}

/** Connects or starts listening; on failure the session is closed and the error rethrown. */
export async function startSession(session: Session, spec: SessionSpec): Promise<void> {
  const o = spec.options;
  const faults = session.faults;
  try {
    const served = servedProgram(o);
    if (spec.kind === 'exec') {
      if (!spec.program) throw new UsageError('exec: which program?');
      const channel = await openProgram({ ...spec.program, stderr: spec.program.stderr ?? 'mark' });
      session.attach(faults ? faults.wrap(channel) : channel);
    } else if (spec.kind === 'connect') {
      if (!spec.host) throw new UsageError('connect: a host is needed');
      const channel = await openConnection(spec.host, spec.port, o);
      const conn = session.attach(faults ? faults.wrap(channel) : channel);
      if (served) {
        session.upstream = `exec ${describeArgv(served.argv)}`;
        const link = new ProxyLink(conn.channel, dialerFor({ program: served }), (text, level, id) =>
          session.notice(text, level, id),
        );
        await link.start();
      }
    } else if (spec.kind === 'proxy' || served) {
      // listen -e/-c: a proxy whose every client gets its own program instead of an upstream.
      const upstream = served ? { program: served } : spec.upstream;
      if (!upstream) throw new UsageError('proxy: an upstream host and port are needed');
      const proxy = await startProxy({
        host: spec.host,
        port: spec.port,
        listen: o,
        upstream,
        faults,
        log: (text, level, conn) => session.notice(text, level, conn),
      });
      session.upstream = served
        ? `exec ${describeArgv(served.argv)}`
        : `${spec.upstream!.host}:${spec.upstream!.port}`;
      session.attachListener(proxy);
      const warning = execWarning(proxy.address, o);
      if (warning) session.notice(warning, 'warn');
      else if (!served) warnIfExposed(session, proxy.addresses, o, spec.upstream);
    } else {
      const listener = await openListener(spec.host, spec.port, o);
      session.attachListener(faults ? faults.wrapListener(listener) : listener);
      warnIfExposed(session, listener.addresses, o);
    }
    if (faults && faults.active.length > 0)
      session.notice(`faults on: ${faults.summary()}; ${faults.seedLine()}`);
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** The session's interpreter, with /fault, /record and the plugins' commands registered. */
export function createInterpreter(session: Session, options: InterpreterOptions = {}): Interpreter {
  const interpreter = new Interpreter(session, options);
  registerSessionCommands(interpreter, session);
  return interpreter;
}

/** The open-relay / every-interface warning, next to the listening event. */
function warnIfExposed(
  session: Session,
  addresses: readonly Endpoint[],
  o: ConnectionOptions,
  upstream?: { host: string; port: number },
): void {
  // --allow/--allowfile already say who may connect.
  if (o.allow?.length || o.allowFiles?.length) return;
  const exposed = exposureWarning(
    addresses.map((a) => a.address),
    upstream,
  );
  if (exposed) session.notice(exposed, 'warn');
}
