import type { CaptureWriter } from '../capture/channel-capture.js';
import type { Channel } from '../net/channel.js';
import { ProxyListener } from '../proxy/proxy.js';
import { formatEndpoint } from '../session/conn.js';
import type { Session } from '../session/session.js';
import type { SessionEvent } from '../session/session-events.js';
import { openModeCapture } from './capture-mode.js';
import { wireChannel } from './wire-channel.js';

/**
 * `--pcap FILE` and `/pcap FILE` for a session (the screen, `--json`, scripts, the proxy): every
 * connection of the session, from the moment capturing starts, into one file. A proxy's capture
 * holds both legs of each client: the client's connection and its own upstream connection.
 */

interface Running {
  writer: CaptureWriter;
  stop: () => void;
}

const running = new WeakMap<Session, Running>();

export function currentCapture(session: Session): CaptureWriter | undefined {
  return running.get(session)?.writer;
}

export function startCapture(
  session: Session,
  path: string,
  onFailure: (text: string) => void,
): CaptureWriter {
  stopCapture(session);
  const writer = openModeCapture(path, session.mode, onFailure);
  const attach = (channel: Channel, label: string, started: boolean) => {
    const wire = wireChannel(channel);
    if (wire.closed) return;
    // Accepted connections (the listener's port is theirs) were opened by the peer; a script may
    // both connect and listen in one session.
    const l = session.listening;
    const accepted = l !== undefined && channel.local.port === l.port;
    writer.attach(wire, {
      initiator: accepted ? 'in' : 'out',
      label: started ? `${label}; capture started while it was open` : label,
    });
  };
  for (const conn of session.openConns())
    attach(conn.channel, `${session.mode} ${formatEndpoint(conn.remote)}`, true);
  const onEvent = (e: SessionEvent) => {
    if (e.type !== 'open') return;
    const conn = session.conns.get(e.conn);
    if (conn) attach(conn.channel, `${session.mode} ${formatEndpoint(conn.remote)}`, false);
  };
  session.on('event', onEvent);
  // The proxy's other leg: each client's upstream connection (we connected it: `out`).
  const proxy = session.listener instanceof ProxyListener ? session.listener : undefined;
  const onUpstream = (client: Channel, upstream: Channel) =>
    writer.attach(wireChannel(upstream), {
      initiator: 'out',
      label: `upstream of client connection ${client.id}`,
    });
  if (proxy) {
    for (const [client, upstream] of proxy.upstreams()) onUpstream(client, upstream);
    proxy.upstreamWatchers.add(onUpstream);
  }
  running.set(session, {
    writer,
    stop: () => {
      session.off('event', onEvent);
      proxy?.upstreamWatchers.delete(onUpstream);
      writer.close();
    },
  });
  return writer;
}

/** Stops capturing; the writer that stopped, if one ran. */
export function stopCapture(session: Session): CaptureWriter | undefined {
  const r = running.get(session);
  if (!r) return undefined;
  running.delete(session);
  r.stop();
  return r.writer;
}

/** `/pcap <file>` starts capturing, `/pcap off` stops, a bare `/pcap` says whether one runs. */
export function pcapCommand(session: Session, rest: string): { lines: string[]; data?: unknown } {
  const arg = rest.trim();
  if (arg === '') {
    const w = currentCapture(session);
    return {
      lines: [
        w
          ? `capturing to ${w.file.path} (${w.format}, ${w.file.packets} packets so far)`
          : 'not capturing; /pcap <file> starts',
      ],
      data: { pcap: w ? w.file.path : null },
    };
  }
  if (/^(off|stop)$/i.test(arg)) {
    const w = stopCapture(session);
    if (!w) return { lines: ['not capturing'], data: { pcap: null } };
    return {
      lines: [`wrote ${w.file.packets} packets to ${w.file.path}; open it with wireshark or tcpdump -r`],
      data: { stopped: w.file.path, packets: w.file.packets },
    };
  }
  const path = unquote(arg);
  const w = startCapture(session, path, (text) => session.notice(text, 'error'));
  return {
    lines: [`capturing to ${path} (${w.format}); /pcap off stops`],
    data: { pcap: path, format: w.format },
  };
}

function unquote(word: string): string {
  const m = /^(["'])(.*)\1$/.exec(word);
  return m ? m[2]! : word;
}
