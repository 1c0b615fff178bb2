// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
import { describe, expect, it } from 'vitest';
import type {
  ConnectStatement,
  ExpectStatement,
  ListenStatement,
  RepeatStatement,
  SleepStatement,
} from '../../../src/script/ast.js';
import { parseScriptOrThrow } from '../../../src/script/parse.js';
import {
  resolveCount,
  resolveDuration,
  resolveEndpoints,
  resolvePattern,
} from '../../../src/script/resolve.js';
import { ScriptRuntimeError } from '../../../src/script/script-errors.js';
import { Variables } from '../../../src/script/variables.js';

const first = <T>(src: string) => parseScriptOrThrow(src, { file: 'r.srs' }).statements[0] as T;
const pattern = (src: string, vars: Record<string, string> = {}, encoding = 'utf8') =>
  resolvePattern(
    first<ExpectStatement>(`expect ${src}`).pattern,
    new Variables({ vars, file: 'r.srs' }),
    encoding,
  );

describe('resolvePattern', () => {
  it('gives the tube text, regexes, bytes and eof', () => {
    expect(pattern('"OK ${N}"', { N: '7' })).toBe('OK 7');
    expect(pattern('"\\xffOK"')).toEqual(Buffer.from([0xff, 0x4f, 0x4b]));
    expect(pattern('"é\\x00"', {}, 'latin1')).toEqual(Buffer.from([0xe9, 0]));
    const re = pattern('/^OK (\\d+)/i') as RegExp;
    expect([re.source, re.flags]).toEqual(['^OK (\\d+)', 'i']);
    expect(pattern('hex:"de ${B}"', { B: 'ad' })).toEqual(Uint8Array.of(0xde, 0xad));
    expect(pattern('eof')).toBe('eof');
    // Quoted, eof is text: the tube's string 'eof' would wait for the end of input.
    expect(pattern('"eof"')).toEqual(Buffer.from('eof'));
    expect(pattern("'eof'")).toEqual(Buffer.from('eof'));
    expect(pattern('"$X"', { X: 'eof' })).toEqual(Buffer.from('eof'));
    expect(pattern('frame')).toBeUndefined();
  });

  it('reports values that are bad once expanded at the pattern, as a usage error', () => {
    let err: ScriptRuntimeError | undefined;
    try {
      pattern('hex:${B}', { B: 'xyz' });
    } catch (e) {
      err = e as ScriptRuntimeError;
    }
    expect(err).toBeInstanceOf(ScriptRuntimeError);
    expect(err?.message).toBe("r.srs:1:8: bad hex at column 1: 'x'");
    expect(err?.exitCode).toBe(2);
    expect(() => pattern('/a${X:-}(/')).toThrow('r.srs:1:8: bad regex: /a(/: Unterminated group');
  });
});

describe('resolveDuration and resolveCount', () => {
  it('expand then check', () => {
    const v = new Variables({ vars: { T: '250ms', N: '3', BAD: 'x' }, file: 'r.srs' });
    expect(resolveDuration(first<SleepStatement>('sleep ${T}').duration, v, 'sleep')).toBe(250);
    expect(resolveCount(first<RepeatStatement>('repeat $N { close }').count, v)).toBe(3);
    expect(() => resolveDuration(first<SleepStatement>('sleep $BAD').duration, v, 'sleep')).toThrow(
      "r.srs:1:7: sleep: 'x' is not a duration",
    );
    expect(() => resolveCount(first<RepeatStatement>('repeat $BAD { close }').count, v)).toThrow(
      "r.srs:1:8: repeat: 'x'",
    );
  });
});

describe('resolveEndpoints', () => {
  it('gives host, port and the CLI options', () => {
    const v = new Variables({ vars: { P: '40000' }, env: { HOST: '::1' }, file: 'r.srs' });
    const c = resolveEndpoints(first<ConnectStatement>('connect [${HOST}] 8888 nodelay source-port=$P'), v);
    expect([c.host, c.port, c.options.sourcePort, c.options.socket]).toEqual([
      '::1',
      8888,
      40000,
      { nodelay: true },
    ]);
    const l = resolveEndpoints(first<ListenStatement>('listen 0 udp'), v);
    expect([l.host, l.port, l.options.udp]).toEqual([undefined, 0, true]);
  });

  it('reports bad expanded values at their place', () => {
    const v = new Variables({ vars: { P: 'http', L: 'soon' }, file: 'r.srs' });
    expect(() => resolveEndpoints(first<ConnectStatement>('connect h $P'), v)).toThrow(
      "r.srs:1:11: port: 'http' is not a whole number",
    );
    expect(() => resolveEndpoints(first<ConnectStatement>('connect h 1 linger=$L'), v)).toThrow(
      "r.srs:1:1: linger: 'soon' is not a duration",
    );
  });
});
