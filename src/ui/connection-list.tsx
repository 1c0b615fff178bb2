import { Box, Text } from 'ink';
import { formatEndpoint, type Session } from '../session/session.js';
import { formatBytes } from './theme.js';

/**
 * Listen mode: one line per client (id, peer, state, bytes); the send target is marked. At most
 * `maxRows` lines, the last saying how many more there are when not all fit.
 */
export function ConnectionList({
  session,
  plain,
  maxRows,
}: {
  session: Session;
  plain: boolean;
  maxRows: number;
}) {
  const conns = [...session.conns.values()];
  // Open ones first, newest closed ones after; only as many as fit.
  const fit = conns.length <= maxRows ? maxRows : maxRows - 1;
  const shown = [...conns.filter((c) => !c.closed), ...conns.filter((c) => c.closed).reverse()].slice(0, fit);
  const hidden = conns.length - shown.length;
  return (
    <Box flexDirection="column">
      {shown.map((c) => {
        const targeted = !c.closed && (session.target === 'all' || session.target === c.id);
        const state = c.closed ? `closed (${c.closed.reason})` : (c.kernel?.state ?? 'open');
        const q =
          c.kernel?.sendQ !== undefined && !c.closed
            ? `  Send-Q ${c.kernel.sendQ} Recv-Q ${c.kernel.recvQ}`
            : '';
        return (
          <Text key={c.id} wrap="truncate-end" dimColor={Boolean(c.closed)}>
            <Text color={plain ? undefined : 'green'} bold>
              {targeted ? '▶' : ' '}
            </Text>
            {` #${c.id}  ${formatEndpoint(c.remote).padEnd(22)} ${state.padEnd(12)} in ${formatBytes(c.channel.stats.bytesIn)}  out ${formatBytes(c.channel.stats.bytesOut)}${q}`}
          </Text>
        );
      })}
      {hidden > 0 ? <Text dimColor>{`  … ${hidden} more`}</Text> : null}
    </Box>
  );
}
