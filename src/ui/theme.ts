import type { SegStyle } from './traffic-rows.js';

/** Text props per style. Colours go when NO_COLOR is set (no-color.org); dim and bold stay. */

export interface StyleProps {
  color?: string;
  dimColor?: boolean;
  bold?: boolean;
  inverse?: boolean;
}

const COLORS: Record<SegStyle, StyleProps> = {
  dim: { dimColor: true },
  in: { color: 'green' },
  out: { color: 'yellow' },
  offset: { dimColor: true },
  null: { dimColor: true },
  printable: { color: 'cyan' },
  whitespace: { color: 'green' },
  'ascii-other': { color: 'magenta' },
  'non-ascii': { color: 'yellow' },
  info: { color: 'blue' },
  warn: { color: 'yellow' },
  error: { color: 'red', bold: true },
  ok: { color: 'green' },
  command: { bold: true },
};

export function noColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

export function styleProps(style: SegStyle | undefined, plain: boolean): StyleProps {
  if (!style) return {};
  const p = COLORS[style];
  if (!plain) return p;
  const { color: _color, ...rest } = p;
  return rest;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
