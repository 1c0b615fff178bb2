/** Microseconds since the epoch, with the clock's sub-millisecond part (also right in a worker). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
