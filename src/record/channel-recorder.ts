import type { Channel } from '../net/channel.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { endpointLine } from './recorder.js';
import { ScriptRecording } from './script-recording.js';

/**
 * `--record` in pipe mode, where there is no session: records the first channel (a connection,
 * or a listener's first client) straight from its events. The file is opened at once, so a path
 * that cannot be written is a usage error before anything connects.
 */

export interface RecordedEndpoint {
  kind: 'connect' | 'listen';
  /** As the user wrote it (a name stays a name); undefined: listen on all addresses. */
  host?: string;
  port: number;
  options: ConnectionOptions;
}

export interface ChannelRecorder {
  /** Records this channel (the first one given; later ones get a comment). */
  attach(channel: Channel): void;
  /** Finishes the file (also done when the recorded channel closes). */
  stop(): void;
}

export function channelRecorder(
  file: string,
  target: RecordedEndpoint,
  onFail?: (message: string) => void,
): ChannelRecorder {
  const rec = new ScriptRecording(file, onFail);
  let recorded: Channel | undefined;
  return {
    attach(channel) {
      if (recorded) {
        rec.line(
          `# connection ${channel.id} (from ${channel.remote.address}:${channel.remote.port}) is not recorded`,
        );
        return;
      }
      recorded = channel;
      const port = target.kind === 'listen' ? channel.local.port : target.port;
      rec.line(
        endpointLine(target.kind, target.host, port, { ...target.options, udp: channel.proto === 'udp' }),
      );
      rec.setEncoding(target.options.encoding);
      // A half-close leaves no event of its own: it shows as the write side being closed.
      const noteShutdown = () => {
        if (channel.writeClosed && !channel.closed && !rec.shutdownDone) rec.shutdown();
      };
      channel.on('sent', (chunk) => {
        noteShutdown();
        rec.sent(chunk);
      });
      // Pipe mode may lend its read buffer for the event only: the recording copies what it keeps.
      channel.on('data', (chunk) => {
        noteShutdown();
        rec.received(chunk);
      });
      channel.on('end', () => {
        noteShutdown();
        rec.peerEof();
      });
      channel.on('close', (reason, error) => rec.closed(reason, error?.message));
    },
    stop: () => rec.stop(),
  };
}
