import { BUILTIN_INSPECTOR_ROWS, type InspectorRow, inspect } from '../codec/inspector.js';
import { packValues as packTyped } from '../codec/pack-values.js';
import { compile, type StructValue } from '../codec/struct.js';
import { UsageError } from '../errors.js';
import type { CommandOutcome } from './command-outcome.js';
import type { DataEvent } from './session-events.js';
import type { Settings } from './settings.js';

/** /pack and /inspect over the codecs: struct packing, inspector rows, a struct applied to a message. */

export function packValues(
  fmt: string,
  values: string[],
  endian: Settings['endian'],
  encoding?: string,
): Buffer {
  return packTyped(fmt, values, { endian, encoding });
}

export interface InspectorView {
  offset: number;
  length: number;
  /** Set when offsets count from a frame's payload: where the payload starts in the frame, if known. */
  payload?: { at: number | undefined };
  rows: { name: string; value: string; le?: string; be?: string; fits: boolean }[];
  /** The struct format applied at the offset, or why it does not fit. */
  struct?: { format: string; values?: string[]; error?: string };
}

/** The inspector for one message at the settings' offset (clamped into the message). */
export function inspectMessage(
  bytes: Uint8Array,
  settings: Settings,
  rows?: readonly InspectorRow[],
): InspectorView {
  const offset = Math.max(0, Math.min(settings.inspectOffset, Math.max(bytes.length - 1, 0)));
  const found = bytes.length === 0 ? [] : inspect(bytes, offset, { endian: settings.endian, rows });
  const view: InspectorView = {
    offset,
    length: bytes.length,
    rows: found.map((r) => ({ name: r.name, value: r.value, le: r.le, be: r.be, fits: r.fits })),
  };
  if (settings.inspectFormat)
    view.struct = applyStruct(settings.inspectFormat, bytes, offset, settings.endian);
  return view;
}

export function applyStruct(format: string, bytes: Uint8Array, offset: number, endian: Settings['endian']) {
  try {
    const s = compile(format, { endian });
    return { format, values: s.unpackFrom(bytes, offset).map(showValue) };
  } catch (err) {
    if (err instanceof UsageError) return { format, error: err.message };
    throw err;
  }
}

export function showValue(v: StructValue): string {
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('latin1'));
  return String(v);
}

/**
 * The inspector for a message: over its payload when the settings say so and it is a frame
 * (offsets then count from the payload's first byte), else over all its bytes.
 */
export function inspectData(
  msg: DataEvent,
  settings: Settings,
  rows?: readonly InspectorRow[],
): InspectorView {
  if (settings.inspectFrom !== 'payload' || !msg.payload) return inspectMessage(msg.bytes, settings, rows);
  return { ...inspectMessage(msg.payload, settings, rows), payload: { at: msg.payloadOffset } };
}

/** /inspect's output lines (and data for --json). */
export function inspectLines(
  msg: DataEvent,
  settings: Settings,
  pluginRows: readonly InspectorRow[] = [],
): Partial<CommandOutcome> {
  const view = inspectData(msg, settings, withPluginRows(pluginRows));
  const what = view.payload
    ? `payload of frame ${msg.frame}, ${view.length} bytes${view.payload.at === undefined ? '' : ` from frame byte ${view.payload.at}`}`
    : `${msg.bytes.length} bytes`;
  const lines = [`message: connection ${msg.conn} ${msg.dir}, ${what}; offset ${view.offset}`];
  for (const r of view.rows) {
    if (!r.fits) continue;
    lines.push(`  ${r.name.padEnd(10)} ${r.le !== undefined ? `le ${r.le.padEnd(22)} be ${r.be}` : r.value}`);
  }
  if (view.struct) {
    lines.push(
      view.struct.error
        ? `  struct ${view.struct.format}: ${view.struct.error}`
        : `  struct ${view.struct.format}: ${view.struct.values!.join(', ')}`,
    );
  }
  return { lines, data: view };
}

/** The built-in rows, then any plugin's (design section 5: `decoders`). */
export function withPluginRows(extra: readonly InspectorRow[]): readonly InspectorRow[] | undefined {
  return extra.length === 0 ? undefined : [...BUILTIN_INSPECTOR_ROWS, ...extra];
}
