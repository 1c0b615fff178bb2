import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../plugins/index.js';
import { parseEscapes } from '../../src/codec/escapes.js';
import { compile } from '../../src/codec/struct.js';
import { parseDuration, parseInteger, parsePort, parseSize } from '../../src/codec/units.js';
import { UsageError } from '../../src/errors.js';
import { PluginRegistry } from '../../src/plugin/registry.js';
import { parseHexBytes } from '../../src/script/hex-literal.js';
import { parseScript } from '../../src/script/parse.js';
import { parseExpectArgs } from '../../src/session/expect.js';
import { textCodec } from '../../src/session/text-port.js';

/**
 * Every parser a user reaches, fed what a user (or an attacker writing a script) could type: the
 * only failure allowed is a UsageError of one line; anything else (a TypeError, a RangeError from
 * the stack or an allocation) is a crash with a stack trace for the user.
 */
function onlyUsageErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // A list of syntax errors is one line per error; any other message is one line.
    for (const line of err.message.split('\n')) expect(line.length).toBeGreaterThan(0);
  }
}

const typed = (chars: string, maxLength = 40) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength });

const RUNS = { numRuns: 400 };

describe('fuzz: numbers, sizes, durations, ports', () => {
  it('never throws anything but a usage error', () => {
    fc.assert(
      fc.property(fc.oneof(typed('0123456789xXabcdefkKmMgGiIbBsShH.-+e _'), fc.string()), (s) => {
        onlyUsageErrors(() => parseDuration(s));
        onlyUsageErrors(() => parseSize(s));
        onlyUsageErrors(() => parseInteger(s, 'n', 0, 2 ** 31 - 1));
        onlyUsageErrors(() => parsePort(s));
      }),
      RUNS,
    );
  });
});

describe('fuzz: byte input (hex, escapes of every dialect)', () => {
  it('never throws anything but a usage error', () => {
    fc.assert(
      fc.property(fc.oneof(typed('0123456789abcdefABCDEFxX\\ ,:\n\t"\'{}uU$'), fc.string()), (s) => {
        onlyUsageErrors(() => parseHexBytes(s));
        for (const d of ['text', 'spec', 'script'] as const) onlyUsageErrors(() => parseEscapes(s, d));
      }),
      RUNS,
    );
  });
});

describe('fuzz: struct formats', () => {
  it('compile, pack and unpack throw only usage errors, and never allocate past the bound', () => {
    const format = fc.oneof(
      typed('@=<>!xcbB?hHiIlLqQnNefdspP0123456789 ', 20),
      fc
        .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.constantFrom('x', 's', 'B', 'Q', 'd'))
        .map(([n, c]) => `${n}${c}`),
    );
    fc.assert(
      fc.property(format, fc.array(fc.oneof(fc.integer(), fc.boolean()), { maxLength: 8 }), (f, values) => {
        onlyUsageErrors(() => {
          const s = compile(f);
          onlyUsageErrors(() => s.pack(...values));
          onlyUsageErrors(() => s.unpack(new Uint8Array(Math.min(s.size, 4096))));
        });
      }),
      RUNS,
    );
  });
});

describe('fuzz: fault and frame specs', () => {
  const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
  const spec = fc.oneof(
    typed('abcdelmnoprstuwxy:,=\\-0123456789.%kms ', 40),
    fc
      .tuple(
        fc.constantFrom(...registry.names('faults'), ...registry.names('framers'), 'nope'),
        typed(':,=-0123456789.%kmsabcdelirnoutw\\ ', 30),
      )
      .map(([name, rest]) => `${name}${rest}`),
  );
  it('never throws anything but a usage error', () => {
    fc.assert(
      fc.property(spec, (s) => {
        onlyUsageErrors(() => registry.parseFault(s));
        onlyUsageErrors(() => registry.createFramer(s));
      }),
      RUNS,
    );
  });
});

describe('fuzz: /expect arguments', () => {
  it('never throws anything but a usage error', () => {
    const codec = textCodec('utf8');
    fc.assert(
      fc.property(fc.oneof(typed('/"\'\\hex:0a()[]*+?{}^$ 5sms|', 40), fc.string()), (s) => {
        onlyUsageErrors(() => parseExpectArgs(s, codec));
      }),
      RUNS,
    );
  });
});

describe('fuzz: the script language', () => {
  it('random text parses or gives syntax errors, nothing else', () => {
    const src = fc.oneof(
      typed('ab /"\'#{};$\\\n->:=x0-', 80),
      fc
        .array(
          fc.constantFrom(
            'send "x"\n',
            'expect /a+/ 1s\n',
            'expect-any {',
            'repeat 3 {',
            '}',
            '"A" -> ',
            'set X ${Y:-',
            'connect 127.0.0.1 1 nodelay\n',
            'listen 0 ',
            ' or fail "m"',
            'timeout 5s\n',
            'hex:"de ad"',
            '\\x',
            '$',
            '\n',
          ),
          { maxLength: 30 },
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(src, (s) => {
        const { errors } = parseScript(s, { file: 'fuzz.srs' });
        for (const e of errors) expect(e.message).toMatch(/^fuzz\.srs:\d+:\d+: /);
      }),
      RUNS,
    );
  });

  it('deep nesting is a syntax error, never a stack overflow', () => {
    const deep = [
      'repeat 1 {\n'.repeat(2000),
      'expect-any { "a" -> '.repeat(3000),
      `send "\${X:-${'${X:-'.repeat(5000)}"`,
      `send \${X:-${'${X:-'.repeat(5000)}`,
    ];
    for (const s of deep) {
      const { errors } = parseScript(s, { file: 'deep.srs' });
      expect(errors.map((e) => e.message)).toContainEqual(
        expect.stringMatching(/nested more than 100 deep$/),
      );
    }
    // Braces that open no block are plain errors, however many.
    expect(parseScript('{'.repeat(10_000)).errors.length).toBeGreaterThan(0);
  });

  it('nesting up to the limit still parses', () => {
    const ok = `${'repeat 1 {\n'.repeat(100)}send "x"\n${'}\n'.repeat(100)}`;
    expect(parseScript(ok).errors).toEqual([]);
  });
});
