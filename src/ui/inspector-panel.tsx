import { Box, Text } from 'ink';
import type { InspectorView } from '../session/inspect.js';
import type { DataEvent } from '../session/session-events.js';

/** Rows the panel takes: its border, the title, two cells a line, and the struct line if any. */
export function inspectorHeight(view: InspectorView): number {
  return 3 + Math.ceil(view.rows.filter((r) => r.fits).length / 2) + (view.struct ? 1 : 0);
}

/** The data inspector for the selected message at the current offset (ImHex style rows). */
export function InspectorPanel({
  view,
  message,
  endian,
  width,
  plain,
}: {
  view: InspectorView;
  message: DataEvent;
  endian: 'le' | 'be';
  width: number;
  plain: boolean;
}) {
  const rows = view.rows.filter((r) => r.fits);
  const cellWidth = Math.max(30, Math.floor((width - 2) / 2));
  const cells = rows.map((r) =>
    `${r.name.padEnd(8)} ${r.le !== undefined ? `${endian === 'le' ? r.le : r.be}` : r.value}`
      .slice(0, cellWidth - 1)
      .padEnd(cellWidth),
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 2) lines.push(cells[i]! + (cells[i + 1] ?? ''));
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={plain ? undefined : 'gray'} paddingX={0}>
      <Text bold wrap="truncate-end">
        {`inspector  #${message.conn} ${message.dir} ${view.payload ? `payload${view.payload.at === undefined ? '' : ` (frame +${view.payload.at})`} ` : ''}${view.length} B  offset ${view.offset} (0x${view.offset.toString(16)})  ${endian.toUpperCase()}  Shift-←/→ move  /endian  /inspect <off> <fmt>`}
      </Text>
      {lines.map((l) => (
        <Text key={l} wrap="truncate-end">
          {l}
        </Text>
      ))}
      {view.struct ? (
        <Text wrap="truncate-end" color={plain ? undefined : view.struct.error ? 'red' : 'cyan'}>
          {view.struct.error
            ? `struct ${view.struct.format}: ${view.struct.error}`
            : `struct ${view.struct.format}: ${view.struct.values!.join(', ')}`}
        </Text>
      ) : null}
    </Box>
  );
}
