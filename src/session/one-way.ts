/** `--send-only` or `--recv-only`: the one direction this session's traffic goes. */
export type OneWay = 'send' | 'recv';

/** The direction the options ask for, if only one. */
export function oneWayOf(options: { sendOnly: boolean; recvOnly: boolean }): OneWay | undefined {
  return options.recvOnly ? 'recv' : options.sendOnly ? 'send' : undefined;
}

/** Why every send fails in a `--recv-only` session (the session goes on). */
export const RECV_ONLY_REFUSAL =
  '--recv-only: this session sends nothing (typed lines, /send, /hex, /pack and /file are off)';
