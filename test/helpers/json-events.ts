import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Parses `--json` output and checks every line against the shipped schema
 * (schema/events.schema.json), so each event type a test produces is validated where it is
 * produced. The check is stricter than the shipped schema: there, objects allow fields they do
 * not list (a consumer's copy keeps working when a later sockrepl adds fields); here every object
 * the schema describes must list every field it has, so a field added to the code without the
 * schema fails the test that prints it. An event type the schema does not describe always fails.
 */

const SCHEMA_PATH = new URL('../../schema/events.schema.json', import.meta.url);

type SchemaNode = Record<string, unknown>;

export function loadEventSchema(): SchemaNode {
  return JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
}

/** The schema with `additionalProperties: false` on every object in `$defs` that lists its properties. */
export function strictEventSchema(schema = loadEventSchema()): SchemaNode {
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (node === null || typeof node !== 'object') return node;
    const out: SchemaNode = {};
    for (const [k, v] of Object.entries(node)) out[k] = close(v);
    if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
    return out;
  };
  return { ...schema, $defs: close(schema.$defs) };
}

let validators: { strict: ValidateFunction; shipped: ValidateFunction } | undefined;

/** Compiled once per test file; ajv's strict mode also checks the schema itself is well formed. */
export function eventValidators(): { strict: ValidateFunction; shipped: ValidateFunction } {
  if (!validators) {
    const schema = loadEventSchema();
    validators = {
      strict: new Ajv2020({ allErrors: true }).compile(strictEventSchema(schema)),
      shipped: new Ajv2020({ allErrors: true }).compile(schema),
    };
  }
  return validators;
}

/** Throws, naming the line and what is wrong with it, unless `event` is one the schema describes. */
export function assertJsonEvent(event: unknown, line = JSON.stringify(event)): void {
  const check = eventValidators().strict;
  if (check(event)) return;
  const why = (check.errors ?? [])
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf')
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  throw new Error(`--json line does not match schema/events.schema.json: ${line}\n  ${why.join('\n  ')}`);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever fields the event they expect has
type AnyEvent = Record<string, any>;

/** Every non-empty line of `--json` output, parsed and checked against the schema. */
export function parseJsonEvents<T = AnyEvent>(output: string | Buffer): T[] {
  const events: T[] = [];
  for (const line of output.toString().split('\n')) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as unknown;
    assertJsonEvent(event, line);
    events.push(event as T);
  }
  return events;
}
