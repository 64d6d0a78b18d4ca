/**
 * Generators of malformed scenario documents, shared by the in-process property tests
 * (load-property.test.ts) and the CLI sample (test/cli/scenario-cli-property.test.ts).
 * Every generated document is guaranteed to be invalid.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { resolveScenario, scenarioToDocument } from '../../src/scenario/load.js';
import { SCENARIO_FIELDS, type Desc } from '../../src/scenario/schema.js';

export type Path = (string | number)[];

function paths(d: Desc, prefix: Path, want: 'leaf' | 'section'): Path[] {
  if (d.kind === 'leaf') return want === 'leaf' ? [prefix] : [];
  const own = want === 'section' ? [prefix] : [];
  return [...own, ...Object.entries(d.fields).flatMap(([k, sub]) => paths(sub, [...prefix, k], want))];
}

export const LEAF_PATHS = paths(SCENARIO_FIELDS, [], 'leaf');
export const SECTION_PATHS = paths(SCENARIO_FIELDS, [], 'section');

/** Values no leaf accepts: wrong types, huge and negative numbers, nested junk. */
export const BAD_VALUES: unknown[] = [null, { x: 1 }, -1.5, -7, 2 ** 60, -(2 ** 60), 1e300, [[1]], [{ a: [] }], 0.5];

/** A valid starting document: the defaults in file form, or an empty mapping. */
const baseDoc = fc.constantFrom<Record<string, unknown>>(scenarioToDocument(resolveScenario({ text: '{}' })), {}, { name: 'x', machine: { cpus: 1 } });

function setIn(doc: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc);
  let o: Record<string, unknown> = copy;
  for (const seg of path.slice(0, -1)) {
    const k = String(seg);
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[String(path[path.length - 1])] = value;
  return copy;
}

export function knownKeysAt(path: Path): string[] {
  let d: Desc = SCENARIO_FIELDS;
  for (const seg of path) if (d.kind === 'section') d = d.fields[String(seg)]!;
  return d.kind === 'section' ? Object.keys(d.fields) : [];
}

/** Malformed documents as text (or bytes), each guaranteed invalid. */
export const malformed: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  // A wrong value at a random field.
  fc.tuple(baseDoc, fc.constantFrom(...LEAF_PATHS), fc.constantFrom(...BAD_VALUES)).map(([d, p, v]) => stringify(setIn(d, p, v))),
  // An unknown field in a random section.
  fc
    .tuple(baseDoc, fc.constantFrom(...SECTION_PATHS), fc.string({ minLength: 0, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }))
    .filter(([, p, k]) => !knownKeysAt(p).includes(k))
    .map(([d, p, k, v]) => stringify(p.length === 0 ? { ...d, [k]: v } : setIn(d, [...p, k], v))),
  // A section that is not a mapping.
  fc.tuple(baseDoc, fc.constantFrom(...SECTION_PATHS.filter((p) => p.length > 0)), fc.constantFrom<unknown>([1], 5, 'x', null, true, [])).map(([d, p, v]) => stringify(setIn(d, p, v))),
  // Deep nesting, flow or block.
  fc.tuple(fc.integer({ min: 33, max: 5000 }), fc.constantFrom('[', '{a: ', '- ', '{? ')).map(([n, open]) => `name: x\nmachine: ${open.repeat(n)}1\n`),
  fc.integer({ min: 201, max: 1200 }).map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'),
  // Alias bombs of random shape.
  fc.tuple(fc.integer({ min: 5, max: 12 }), fc.integer({ min: 4, max: 9 })).map(([fan, levels]) => {
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(fan).fill(`*l${i - 1}`).join(', ')}]`);
    return lines.join('\n') + '\n';
  }),
  // Non-UTF-8 bytes spliced into a valid document.
  fc
    .tuple(baseDoc, fc.nat(), fc.constantFrom([0xff], [0xfe], [0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]))
    .map(([d, at, bad]) => {
      const good = new TextEncoder().encode(stringify(d));
      const i = at % (good.length + 1);
      return new Uint8Array([...good.subarray(0, i), ...bad, ...good.subarray(i)]);
    }),
  // Duplicate keys.
  fc.tuple(baseDoc, fc.constantFrom('name', 'seed', 'profile')).map(([d, k]) => `${k}: a\n${stringify(d)}${k}: b\n`),
  // Syntax errors.
  fc.constantFrom('a: "x\n', 'a: [1, 2\n', '{a: 1\n', 'a: 1\n---\nb: 2\n', 'a:\n\t- x\n', '? [a]\n: 1\n', 'x: !!binary aGk=\n', '- a\n', 'just text\n', '', '\n\n# c\n', '"', '*x\n', 'a: *x\n', '&a a: 1\n'),
);

