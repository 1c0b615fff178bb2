import { OPTION_ROWS, type OptionRow } from './option-table.js';

/**
 * A proxy's upstream connections get their own bind address and socket options, one
 * `--upstream-<name>` per row marked `upstream` (a new socket option is a new upstream flag too).
 * Apart from their resolver (upstream-options.ts), so that help text needs no resolver.
 */
export const UPSTREAM_ROWS: readonly OptionRow[] = OPTION_ROWS.filter((r) => r.upstream);

/** `upstream-linger` for `linger`. */
export const upstreamName = (row: OptionRow) => `upstream-${row.name}`;
