import { UsageError } from '../errors.js';
import type { CommandOutcome } from './interpreter.js';
import type { DataEvent } from './session-events.js';
import type { Settings } from './settings.js';

// Backed by the codec module's struct and inspector once they land.
export function packValues(_fmt: string, _values: string[], _endian: Settings['endian']): Buffer {
  throw new UsageError('/pack: struct packing is not available yet');
}

export function inspectLines(_msg: DataEvent, _settings: Settings): Partial<CommandOutcome> {
  throw new UsageError('/inspect: the inspector is not available yet');
}
