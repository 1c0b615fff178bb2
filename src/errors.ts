/**
 * A small error hierarchy with stable codes. Every failure a user can cause is one of these,
 * printed as one line; anything else is a bug and keeps its stack trace.
 */
export const EXIT = { ok: 0, network: 1, usage: 2, expectFailed: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class SockreplError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(message: string, code: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad option, bad spec, bad script syntax, plugin failed to load: exit 2. */
export class UsageError extends SockreplError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'EUSAGE', EXIT.usage, options);
  }
}

/** Refused, reset, timed out, unreachable, address in use...: exit 1. `code` is the errno name. */
export class NetError extends SockreplError {
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, code, EXIT.network, options);
  }
}

export function isSockreplError(err: unknown): err is SockreplError {
  return err instanceof SockreplError;
}
