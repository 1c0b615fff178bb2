/**
 * How plugin messages name a value a hook returned or passed where something else belongs:
 * `null`, `a string`, `a promise`, `an array`... One wording for every "returned X, not Y" line.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isThenable(value)) return 'a promise';
  if (value instanceof Uint8Array) return 'bytes';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

/** A promise, or anything awaitable like one (a plugin may hold its own Promise implementation). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The first line of what was thrown, with its class: `TypeError: x is undefined`. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0] ?? '';
}
