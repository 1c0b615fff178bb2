import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import framing from '../../../plugins/framing/index.js';
import { UsageError } from '../../../src/errors.js';
import { optionName, parseOptions, splitSpec } from '../../../src/plugin/spec.js';
import { describeSpec, specSynopsis } from '../../../src/plugin/spec-help.js';
import type { OptionRow, SpecSchema } from '../../../src/plugin/types.js';

const parse = (spec: string, schema: SpecSchema, extra: readonly OptionRow[] = []) =>
  parseOptions(splitSpec(spec, '--frame'), schema, extra);
const length = framing.framers.length;

/** A schema with one row of every kind, for the parser's own tests. */
const every: SpecSchema = {
  summary: 'test',
  positional: 'count',
  options: [
    { key: 'count', kind: 'int', min: -5, max: 100, summary: 'n' },
    { key: 'limit', kind: 'size', summary: 's' },
    { key: 'wait', kind: 'duration', summary: 'd' },
    { key: 'chance', kind: 'probability', summary: 'p' },
    { key: 'marker', kind: 'bytes', summary: 'b' },
    { key: 'label', kind: 'string', summary: 't' },
    { key: 'mode', kind: 'enum', values: ['fast', 'slow'], summary: 'e' },
    { key: 'verbose', kind: 'flag', summary: 'f' },
    {
      key: 'after',
      kind: 'custom',
      hint: '<n>x',
      parse: (t: string) => Number(t.replace(/x$/, '')),
      summary: 'c',
    },
  ],
};

describe('splitSpec', () => {
  it('splits name, positional and options', () => {
    expect(splitSpec('length:u32be,include-header,adjust=-2')).toEqual({
      text: 'length:u32be,include-header,adjust=-2',
      what: 'spec',
      name: 'length',
      positional: 'u32be',
      options: [{ name: 'include-header' }, { name: 'adjust', value: '-2' }],
    });
  });

  it('keeps escaped commas, and colons and equals signs inside values', () => {
    expect(splitSpec('delim:\\,').positional).toBe('\\,');
    expect(splitSpec('delim::').positional).toBe(':');
    expect(splitSpec('x,sep=a=b').options).toEqual([{ name: 'sep', value: 'a=b' }]);
    expect(splitSpec('x:a\\,b,c').positional).toBe('a\\,b');
  });

  it('trims the spec but keeps an escaped trailing space', () => {
    expect(splitSpec('  lines:crlf  ').text).toBe('lines:crlf');
    expect(splitSpec('delim:\\ ').positional).toBe('\\ ');
    expect(splitSpec('length:u32be, include-header').options).toEqual([{ name: 'include-header' }]);
  });

  it('accepts plugin-qualified names', () => {
    expect(splitSpec('framing/lines:crlf').name).toBe('framing/lines');
    expect(splitSpec('@acme/tlv/tlv').name).toBe('@acme/tlv/tlv');
  });

  it.each([
    ['', "--frame '': is empty"],
    ['  ', "--frame '': is empty"],
    [':u32', "--frame ':u32': has no name before the options"],
    ['fixed:', "--frame 'fixed:': nothing after ':'"],
    ['lines,,max=1', "--frame 'lines,,max=1': an empty option between commas"],
    ['lines,=3', "--frame 'lines,=3': '=3' has no name"],
    ['li nes', "--frame 'li nes': 'li nes' is not a name (letters, digits, - _ . /)"],
  ])('rejects %j', (spec, message) => {
    expect(() => splitSpec(spec, '--frame')).toThrow(new UsageError(message));
  });
});

describe('parseOptions', () => {
  it('turns length:u32be,include-header into typed options', () => {
    expect(parse('length:u32be,include-header', length)).toEqual({
      width: 4,
      endian: 'be',
      includeHeader: true,
      adjust: 0,
      max: 16 * 1024 * 1024,
    });
  });

  it('takes the positional shorthand and the named options alike', () => {
    expect(parse('length,width=u16,endian=le', length)).toEqual(parse('length:u16le', length));
    expect(parse('length:u8', length)).toMatchObject({ width: 1, endian: 'be' });
  });

  it('parses every kind', () => {
    expect(
      parse(
        't:-5,limit=64k,wait=1.5s,chance=2%,marker=\\r\\n,label=hi there,mode=SLOW,verbose,after=3x',
        every,
      ),
    ).toEqual({
      count: -5,
      limit: 65536,
      wait: 1500,
      chance: 0.02,
      marker: Uint8Array.of(13, 10),
      label: 'hi there',
      mode: 'slow',
      verbose: true,
      after: 3,
    });
    expect(parse('t,count=0x10,chance=.5', every)).toMatchObject({ count: 16, chance: 0.5, verbose: false });
  });

  it('reads flags as true/false words and no-<flag>', () => {
    expect(parse('length,include-header=no', length).includeHeader).toBe(false);
    expect(parse('length,include-header=on', length).includeHeader).toBe(true);
    expect(parse('length,no-include-header', length).includeHeader).toBe(false);
    expect(parse('length,includeHeader', length).includeHeader).toBe(true);
  });

  it('adds the caller’s extra rows (a fault pipeline’s dir=)', () => {
    const dir: OptionRow = {
      key: 'dir',
      kind: 'enum',
      values: ['in', 'out', 'both'],
      default: 'both',
      summary: 'd',
    };
    expect(parse('length,dir=out', length, [dir]).dir).toBe('out');
    expect(parse('length', length, [dir]).dir).toBe('both');
  });

  it.each([
    ['length,foo=1', "unknown option 'foo' (valid: width, endian, include-header, adjust, max)"],
    [
      'length,include-headr',
      "unknown option 'include-headr' (did you mean 'include-header'?) (valid: width, endian, include-header, adjust, max)",
    ],
    // A value meant for after the colon, written as an option (a script line's words: `length u16`).
    [
      'length,u16',
      "unknown option 'u16' (did you mean 'length:u16'?) (valid: width, endian, include-header, adjust, max)",
    ],
    ['length:u33be', "'u33be' is not <u8|u16|u32|u64>[le|be]"],
    ['length,width=u24', "width: 'u24' is not one of u8, u16, u32, u64"],
    ['length,adjust', "'adjust' needs a value (adjust=<n>)"],
    ['length,adjust=1.5', "adjust: '1.5' is not a whole number"],
    ['length,max=0', "max: '0' is out of range (must be in 1..2g)"],
    ['length,max=lots', "max: 'lots' is not a size (use e.g. 4096, 64k, 1m)"],
    ['length:u16,width=u32', "'width' is given twice (':u16' and 'width=u32')"],
    ['length,include-header=maybe', "include-header: 'maybe' is not true or false"],
    ['length,no-include-header=1', "'no-include-header' takes no value"],
  ])('rejects %j with one line naming the spec and the part', (spec, why) => {
    expect(() => parse(spec, length)).toThrow(new UsageError(`--frame '${spec}': ${why}`));
  });

  it.each([
    ['t,wait=soon', "wait: 'soon' is not a duration (use e.g. 500ms, 2s, 1m)"],
    ['t,chance=1.5', "chance: '1.5' is out of range (must be between 0 and 1)"],
    ['t,chance=x', "chance: 'x' is not a probability (use e.g. 0.01 or 1%)"],
    [
      't,marker=\\x4',
      "marker: bad escape at column 1: '\\x4' (\\x takes two hex digits, e.g. \\x0a) in '\\x4'",
    ],
    ['t:101', "count: '101' is out of range (must be in -5..100)"],
    ['t,mode', "'mode' needs a value (mode=<fast|slow>)"],
    [
      't,7',
      "unknown option '7' (did you mean 't:7'?) (valid: count, limit, wait, chance, marker, label, mode, verbose, after)",
    ],
    [
      't,1000',
      "unknown option '1000' (valid: count, limit, wait, chance, marker, label, mode, verbose, after)",
    ],
  ])('rejects %j', (spec, why) => {
    expect(() => parse(spec, every)).toThrow(new UsageError(`--frame '${spec}': ${why}`));
  });

  it('names what is missing', () => {
    const schema: SpecSchema = {
      summary: 's',
      positional: 'size',
      options: [
        { key: 'size', kind: 'size', required: true, summary: 'n' },
        { key: 'key', kind: 'string', required: true, summary: 'k' },
      ],
    };
    expect(() => parse('fixed,key=a', schema)).toThrow(
      "--frame 'fixed,key=a': needs a value after ':' (fixed:<size>)",
    );
    expect(() => parse('fixed:1', schema)).toThrow("--frame 'fixed:1': 'key' is required (key=<text>)");
  });

  it('rejects a positional where none is declared', () => {
    expect(() => parse('varint:5', framing.framers.varint)).toThrow(
      "--frame 'varint:5': varint takes nothing after ':' (options: max)",
    );
    expect(() => parse('x:1', { summary: 's' })).toThrow("--frame 'x:1': x takes nothing after ':'");
    expect(() => parse('x,a', { summary: 's' })).toThrow(
      "--frame 'x,a': unknown option 'a' (x takes no options)",
    );
  });

  it('property: every error a spec can cause is a one-line UsageError', () => {
    const piece = fc.constantFrom(
      'length',
      'u32be',
      'u9',
      ':',
      ',',
      '=',
      'include-header',
      'adjust',
      '-3',
      'x',
      '\\',
      'max',
      '1k',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const spec = pieces.join('');
        try {
          parse(spec, length);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          expect((err as Error).message).not.toContain('\n');
          expect((err as Error).message.startsWith(`--frame '${spec.trim()}`)).toBe(true);
        }
      }),
    );
  });
});

describe('help from the schema', () => {
  it('writes a synopsis', () => {
    expect(specSynopsis('length', length)).toBe('length[:<u8|u16|u32|u64>[le|be]][,options]');
    expect(specSynopsis('delim', framing.framers.delim)).toBe('delim:<bytes>[,options]');
    expect(specSynopsis('lines', framing.framers.lines)).toBe('lines[:<lf|crlf>][,options]');
    expect(specSynopsis('bare', { summary: 's' })).toBe('bare');
  });

  it('lists every option with its value, summary and default', () => {
    const help = describeSpec('length', length);
    expect(help[0]).toBe(
      'length[:<u8|u16|u32|u64>[le|be]][,options]  messages after an unsigned length field (the sticky-packet fix)',
    );
    expect(help).toContain('    width=<u8|u16|u32|u64>    size of the length field (default u32)');
    expect(help).toContain('    include-header            the length counts the length field itself');
    expect(help.some((l) => l.includes('max=<size>') && l.includes('(default 16m)'))).toBe(true);
  });

  it('spells keys in kebab-case unless a name is given', () => {
    expect(optionName({ key: 'includeHeader', kind: 'flag', summary: '' })).toBe('include-header');
    expect(optionName({ key: 'x', name: 'why', kind: 'flag', summary: '' })).toBe('why');
  });
});
