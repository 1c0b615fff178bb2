import type { Inspection } from '../../codec/inspector.js';

/** The inspector as a table: the chosen byte order first, the other next to it. */
export function formatInspection(
  offset: number,
  left: number,
  endian: 'le' | 'be',
  rows: Inspection[],
): string {
  const first = endian;
  const second = endian === 'le' ? 'be' : 'le';
  const name = (e: string) => (e === 'le' ? 'little-endian' : 'big-endian');
  const body = rows.map((r) => {
    if (!r.fits || r.le === undefined || r.be === undefined) return [r.name, r.value, ''] as const;
    return [r.name, r[first]!, r[second]!] as const;
  });
  const header = `offset ${offset} (0x${offset.toString(16)}), ${left} byte${left === 1 ? '' : 's'} from there\n`;
  return header + table(['type', name(first), name(second)], body);
}

/** Left-aligned columns two spaces apart; trailing blanks trimmed. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => [...(r[c] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell + ' '.repeat(widths[c]! - [...cell].length)))
      .join('  ')
      .trimEnd()}\n`;
  return line(head) + rows.map(line).join('');
}
