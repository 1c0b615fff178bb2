import { Box, Text } from 'ink';
import { describeArgv, describeExit, type ProgramControl } from '../net/program.js';
import { type Conn, formatEndpoint, type Session } from '../session/session.js';
import { formatBytes } from './theme.js';

/** `running  pty 120x40 /dev/pts/3`, `exited with code 0`, `killed by SIGTERM`. */
function programState(p: ProgramControl): string {
  if (p.exit) return describeExit(p.exit);
  return p.pty ? `running  pty ${p.pty.cols}x${p.pty.rows} ${p.pty.tty}` : 'running';
}

/** Mode, addresses, kernel state and queues, bytes, framing, encoding and byte order. */
export function StatusLine({ session, plain, width }: { session: Session; plain: boolean; width: number }) {
  const s = session;
  const open = s.openConns();
  const focus: Conn | undefined =
    s.target !== 'all'
      ? s.conns.get(s.target)
      : open.length === 1
        ? open[0]
        : open.length === 0
          ? [...s.conns.values()].at(-1)
          : undefined;
  const program = focus?.channel.program;
  const where =
    program && s.mode === 'connect'
      ? `${describeArgv(program.argv)}  pid ${program.pid}`
      : s.mode !== 'connect'
        ? `${s.mode} ${s.listening ? `${s.listening.address}:${s.listening.port}` : '…'}${s.upstream ? ` → ${s.upstream}` : ''}  ${open.length} client${open.length === 1 ? '' : 's'}`
        : focus
          ? `${formatEndpoint(focus.local)} → ${formatEndpoint(focus.remote)}`
          : 'connecting…';
  const k = focus?.kernel;
  const state = program
    ? programState(program)
    : focus
      ? focus.closed
        ? `closed (${focus.closed.reason})`
        : [
            k?.state ?? 'open',
            k?.sendQ !== undefined ? `Send-Q ${k.sendQ} Recv-Q ${k.recvQ ?? '?'}` : '',
            k?.rttMs !== undefined ? `rtt ${k.rttMs < 10 ? k.rttMs.toFixed(2) : Math.round(k.rttMs)}ms` : '',
            k?.totalRetrans ? `retrans ${k.totalRetrans}` : '',
          ]
            .filter(Boolean)
            .join('  ')
      : '';
  const target = s.mode !== 'connect' ? `  → ${s.target === 'all' ? 'all' : `#${s.target}`}` : '';
  // Shown only while some fault is on: the line is short of room, and no fault is the usual case.
  const faults = s.faults?.active.length ? ` │ fault ${s.faults.summary()}` : '';
  const dropped = s.log.dropped > 0 ? `  dropped ${s.log.dropped}` : '';
  const oneWay = s.oneWay ? ` │ ${s.oneWay}-only` : '';
  const set = s.settings;
  const right = ` in ${formatBytes(s.totals.bytesIn)} out ${formatBytes(s.totals.bytesOut)} │ ${set.encoding} ${set.endian} ${set.eol} │ frame ${s.frameSpec ?? 'off'}${faults}${oneWay}${dropped} `;
  // The right side (counters, settings) always shows; the addresses give way on a narrow screen.
  const leftWidth = Math.max(0, width - right.length);
  let left = ` ${s.proto} ${where}${target}  ${state}`;
  left = left.length > leftWidth ? `${left.slice(0, Math.max(0, leftWidth - 1))}…` : left.padEnd(leftWidth);
  return (
    <Box width={width} flexDirection="column">
      <Text wrap="truncate-end" inverse={!plain} bold={plain}>
        {left}
        {right}
      </Text>
    </Box>
  );
}
