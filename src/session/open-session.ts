import { BUILTIN_PLUGINS } from '../../plugins/index.js';
import { UsageError } from '../errors.js';
import { connectTcp } from '../net/tcp-connect.js';
import { listenTcp } from '../net/tcp-listen.js';
import { connectUdp, listenUdp } from '../net/udp.js';
import { PluginRegistry } from '../plugin/registry.js';
import { prepareRecording } from '../record/recorder.js';
import { Session, type SessionConfig } from './session.js';
import type { SessionSpec } from './session-spec.js';
import { textCodec } from './text-port.js';

/**
 * Makes the session for a SessionSpec, checking the display settings first (a bad encoding or
 * frame spec is a usage error before any packet is sent). Views subscribe, then call
 * startSession, so they see the `listening` and `open` events.
 */
export async function createSession(
  spec: SessionSpec,
  config: Pick<SessionConfig, 'decodeText' | 'logLimits' | 'kernelRefreshMs'> = {},
): Promise<Session> {
  const o = spec.options;
  const encoding = textCodec(o.encoding).name;
  if (o.fault.length > 0) throw new UsageError('--fault: fault injection is not available yet');
  const session = new Session({
    mode: spec.kind,
    proto: o.udp ? 'udp' : 'tcp',
    keepOpen: o.keepOpen,
    broker: o.broker,
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
  const plugins = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
  for (const p of o.plugin) await plugins.load(p);
  session.plugins = plugins;
  session.framerFactory = (spec) => plugins.createFramer(spec, '/frame');
  const frame = o.frame.at(-1);
  if (frame !== undefined) {
    // The last --frame wins; checked here so a bad spec is a usage error before connecting.
    plugins.createFramer(frame, '--frame');
    session.setFrame(frame);
  }
  // Last, so that a usage error above leaves no half-written recording behind.
  prepareRecording(session, spec);
  return session;
}

/** Connects or starts listening; on failure the session is closed and the error rethrown. */
export async function startSession(session: Session, spec: SessionSpec): Promise<void> {
  const o = spec.options;
  try {
    if (spec.kind === 'connect') {
      if (!spec.host) throw new UsageError('connect: a host is needed');
      const channel = o.udp
        ? await connectUdp(spec.host, spec.port, o)
        : await connectTcp(spec.host, spec.port, o);
      session.attach(channel);
    } else {
      const listener = o.udp
        ? await listenUdp(spec.host, spec.port, o)
        : await listenTcp(spec.host, spec.port, o);
      session.attachListener(listener);
    }
  } catch (err) {
    await session.close();
    throw err;
  }
}
