// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandStatement, ExpectStatement, Template } from '../../../src/script/ast.js';
import { parseScriptOrThrow } from '../../../src/script/parse.js';
import { ScriptRuntimeError } from '../../../src/script/script-errors.js';
import { escapeRegExp, parseVarAssignment, Variables } from '../../../src/script/variables.js';

/** The raw argument template of `send <rest>`. */
const tpl = (rest: string): Template =>
  (parseScriptOrThrow(`send ${rest}`, { file: 'v.srs' }).statements[0] as CommandStatement).raw;

describe('Variables', () => {
  it('looks up captures, then set/--var, then the environment', () => {
    const v = new Variables({ vars: { A: 'var' }, env: { A: 'env', B: 'env-b', user: 'env-user' } });
    expect(v.expand(tpl('$A ${B}'))).toBe('var env-b');
    v.set('B', 'set-b');
    expect(v.expand(tpl('${B}'))).toBe('set-b');
    v.setCaptures(Object.assign(['OK alice 7', 'alice', '7'], { groups: { user: 'alice' } }));
    expect(v.expand(tpl('$0|$1|$2|${user}'))).toBe('OK alice 7|alice|7|alice');
    v.setCaptures(['x']);
    expect(v.expand(tpl('${user}'))).toBe('env-user');
  });

  it('uses the default when unset or empty, and defaults may hold variables', () => {
    const v = new Variables({ vars: { EMPTY: '', D: 'dflt' } });
    expect(v.expand(tpl('${NOPE:-a b}'))).toBe('a b');
    expect(v.expand(tpl('${EMPTY:-x}'))).toBe('x');
    expect(v.expand(tpl('${EMPTY}'))).toBe('');
    expect(v.expand(tpl('${NOPE:-${D}}'))).toBe('dflt');
    expect(v.expand(tpl('"${NOPE:-tab\\there}"'))).toBe('"tab\there"');
  });

  it('keeps $$ as a literal $ and a lone $ as itself', () => {
    expect(new Variables().expand(tpl('cost $$5 and $ sign'))).toBe('cost $5 and $ sign');
  });

  it('names an undefined variable and where it is used', () => {
    const v = new Variables({ file: 'v.srs' });
    expect(() => v.expand(tpl('hi ${WHO}'))).toThrow(
      "v.srs:1:9: undefined variable 'WHO' (pass --var WHO=..., assign it with set WHO ..., or give a default: ${WHO:-value})",
    );
    expect(() => v.expand(tpl('$1'))).toThrow("v.srs:1:6: '$1' is not set: no expect has matched yet");
    v.setCaptures(['a', 'b']);
    expect(() => v.expand(tpl('$3'))).toThrow("'$3' is not set: the last expect captured 1 group");
    v.setCaptures(['a', undefined]);
    expect(() => v.expand(tpl('$1'))).toThrow("'$1' is not set: group 1 did not take part in the last match");
    expect(v.expand(tpl('${1:-none}'))).toBe('none');
    try {
      v.expand(tpl('${X}'));
    } catch (err) {
      expect(err).toBeInstanceOf(ScriptRuntimeError);
      expect((err as ScriptRuntimeError).exitCode).toBe(2);
    }
  });

  it('expands to bytes: text encoded, \\xNN exact', () => {
    const v = new Variables({ vars: { N: 'é' } });
    const t = (parseScriptOrThrow('send "\\xff${N}\\x00"').statements[0] as CommandStatement).args[0]!.value;
    expect(v.expandBytes(t, (s) => Buffer.from(s, 'utf8')).toString('hex')).toBe('ffc3a900');
    expect(v.expandBytes(t, (s) => Buffer.from(s, 'latin1')).toString('hex')).toBe('ffe900');
  });

  it('inserts values into a regex escaped, so they match literally', () => {
    const e = parseScriptOrThrow('expect /^${P}+$/').statements[0] as ExpectStatement;
    if (e.pattern.kind !== 'regex') throw new Error('not a regex');
    const v = new Variables({ vars: { P: 'a.b(c)' } });
    const re = new RegExp(v.expand(e.pattern.source));
    expect(re.test('a.b(c)a.b(c)')).toBe(false);
    expect(re.test('a.b(c))))')).toBe(true);
    expect(re.test('axb(c)')).toBe(false);
  });

  it('escapeRegExp makes any text match itself, also with the u flag (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        expect(new RegExp(`^${escapeRegExp(s)}$`).test(s)).toBe(true);
        expect(new RegExp(`^${escapeRegExp(s)}$`, 'u').test(s)).toBe(true);
      }),
    );
  });

  it('expands any value verbatim (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (value) => {
        const v = new Variables({ vars: { X: value } });
        expect(v.expand(tpl('<${X}>'))).toBe(`<${value}>`);
      }),
    );
  });
});

describe('parseVarAssignment', () => {
  it('splits at the first =', () => {
    expect(parseVarAssignment('HOST=10.0.0.5')).toEqual(['HOST', '10.0.0.5']);
    expect(parseVarAssignment('Q=a=b')).toEqual(['Q', 'a=b']);
    expect(parseVarAssignment('E=')).toEqual(['E', '']);
  });

  it('rejects a missing = or a bad name', () => {
    expect(() => parseVarAssignment('HOST')).toThrow('--var HOST: expected NAME=value');
    expect(() => parseVarAssignment('1X=a')).toThrow("'1X' is not a variable name");
  });
});
