/**
 * Loading a scenario: bytes -> YAML document -> validated, defaulted, unit-converted ResolvedScenario.
 *
 * `resolveScenario` is pure (the CLI reads files and hands us their bytes) and every failure is a
 * ScenarioError with ONE line naming the file, line and field path, what was expected and what was
 * found:
 *   scenario.yaml:7: swap.size: expected a size such as 2GiB, got "two"
 *   --set machine.rma: unknown field; did you mean machine.ram?
 *
 * Order of checks, cheapest and most protective first:
 *   1. size (before decoding: a 100 MB file costs nothing);
 *   2. UTF-8 (fatal decoder; the line of the first bad byte is reported);
 *   3. nesting depth, measured on the lexer's token stream (the yaml composer recurses, and a few
 *      thousand levels exhaust the stack or the regexp compiler);
 *   4. YAML syntax, duplicate keys, unknown tags, non-string keys (yaml's own checks);
 *   5. alias expansion bounded by MAX_ALIAS_COUNT while converting to plain data;
 *   6. --set overrides applied to the plain data (each path checked against the field tree);
 *   7. the zod schema (types, ranges, unknown fields), reporting the earliest problem in the file;
 *   8. cross-field rules (scenarioProblems): scenarios that validate but cannot work.
 */
import { CST, isMap, isPair, isScalar, LineCounter, Lexer, parseDocument, stringify, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { oneLine, ScenarioError } from './errors.js';
import {
  closest,
  describeFound,
  editDistance,
  scenarioProblems,
  scenarioSchema,
  SCENARIO_FIELDS,
  toInputOf,
  type Desc,
  type LeafDesc,
  type ResolvedScenario,
  type SectionDesc,
} from './schema.js';
import { MAX_ALIAS_COUNT, MAX_NESTING, MAX_SCENARIO_BYTES, MAX_SETS } from './schema-limits.js';
import { formatSize } from './units.js';

export type { ResolvedScenario } from './schema.js';
export { estimateHostBytes } from './schema-limits.js';

export interface ScenarioInput {
  /** Scenario text: the file's bytes (preferred: size and UTF-8 are checked here) or a string. Omit for defaults only. */
  text?: string | Uint8Array;
  /** The file's path as the user gave it, used in messages ("scenario.yaml:7: ..."). */
  file?: string;
  /** The bundled scenario's name, used in messages when `file` is absent. */
  name?: string;
  /** `path=value` overrides (the CLI's --set), applied in order after the file. */
  sets?: readonly string[];
}

/** Block nesting estimate (indent columns + indicators on a line) beyond which a document is refused. */
const MAX_BLOCK_NESTING = 200;

type Path = (string | number)[];

/** "workload.file_size_mix[2].size" */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    // Odd keys (from unknown fields) are quoted so the path stays readable: machine["#*"].
    else if (typeof seg !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) s += `[${JSON.stringify(String(seg).slice(0, 40))}]`;
    else s += s === '' ? seg : `.${seg}`;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Bytes -> text.

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function lineOfByte(b: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < b.length; i++) if (b[i] === 0x0a) line++;
  return line;
}

function tooBig(label: string, bytes: number): ScenarioError {
  return new ScenarioError(`${label}: file is ${formatSize(bytes)} (${bytes} bytes); scenario files are limited to ${formatSize(MAX_SCENARIO_BYTES)}`, { file: label });
}

/** Size check, then strict UTF-8 decoding. */
function decode(text: string | Uint8Array, label: string): string {
  if (typeof text === 'string') {
    // A string's UTF-8 length is between its length and 3x its length; measure only when it matters.
    if (text.length > MAX_SCENARIO_BYTES) throw tooBig(label, text.length);
    if (text.length * 3 > MAX_SCENARIO_BYTES) {
      const n = new TextEncoder().encode(text).length;
      if (n > MAX_SCENARIO_BYTES) throw tooBig(label, n);
    }
    return text;
  }
  if (text.byteLength > MAX_SCENARIO_BYTES) throw tooBig(label, text.byteLength);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    const at = firstInvalidUtf8(text);
    const where = at >= 0 ? `${label}:${lineOfByte(text, at)}` : label;
    const byte = at >= 0 ? ` (byte 0x${text[at]!.toString(16).padStart(2, '0')} at offset ${at})` : '';
    throw new ScenarioError(`${where}: not valid UTF-8 text${byte}; scenario files must be UTF-8`, { file: label });
  }
}

// ---------------------------------------------------------------------------------------------
// Text -> plain data.

function lineAt(src: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Refuses documents nested deeper than MAX_NESTING flow levels or MAX_BLOCK_NESTING block levels,
 * using the lexer (iterative, constant stack) before the composer (recursive) sees them.
 * Block depth is over-estimated as indentation columns plus block indicators on the line.
 */
function checkNesting(src: string, label: string): void {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let atLineStart = true;
  let offset = 0;
  for (const tok of new Lexer().lex(src)) {
    const type = CST.tokenType(tok);
    switch (type) {
      case 'newline':
        indent = 0;
        indicators = 0;
        atLineStart = true;
        break;
      case 'space':
        if (atLineStart && !tok.includes('\n')) indent = tok.length;
        atLineStart = false;
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        flow++;
        atLineStart = false;
        if (flow > MAX_NESTING) throw new ScenarioError(`${label}:${lineAt(src, offset)}: nested more than ${MAX_NESTING} levels deep`, { file: label });
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        atLineStart = false;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        indicators++;
        atLineStart = false;
        break;
      default:
        atLineStart = false;
    }
    if (indent + indicators > MAX_BLOCK_NESTING) {
      throw new ScenarioError(`${label}:${lineAt(src, offset)}: nested or indented too deeply (more than ${MAX_BLOCK_NESTING} levels)`, { file: label });
    }
    offset += tok.length;
  }
}

const YAML_OPTIONS = {
  prettyErrors: false,
  strict: true,
  uniqueKeys: true,
  stringKeys: true,
  // 'error' keeps warnings off the console (we report them) but still reports a second document.
  logLevel: 'error',
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
} as const;

interface Parsed {
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

function yamlMessage(e: { code: string; message: string }, src: string, pos: number): string {
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^\s:#,[\]{}]+|^"[^"\n]*"|^'[^'\n]*'/.exec(src.slice(pos, pos + 80))?.[0];
    return key ? `duplicate field ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}` : 'duplicate field';
  }
  if (e.code === 'MULTIPLE_DOCS') return 'more than one YAML document; a scenario file holds one';
  if (/stringKeys/.test(e.message)) return 'field names must be plain strings, not lists or mappings';
  const msg = e.message.replace(/ at line \d+, column \d+.*$/s, '');
  return `invalid YAML: ${msg}`;
}

/** Parses one YAML document into plain data, enforcing every input limit. */
function parseYaml(src: string, label: string): Parsed {
  checkNesting(src, label);
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(src, { ...YAML_OPTIONS, lineCounter: lines });
  } catch (e) {
    throw new ScenarioError(`${label}: could not parse YAML: ${e instanceof Error ? e.message : String(e)}`, { file: label });
  }
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new ScenarioError(`${label}:${line}: ${yamlMessage(first, src, first.pos[0])}`, { file: label, line });
  }
  // Aliases: remember where the first one is, for the message if expansion is refused.
  let firstAlias = -1;
  visit(doc, {
    Alias(_, node) {
      if (firstAlias < 0 && node.range) firstAlias = node.range[0];
    },
  });
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const line = firstAlias >= 0 ? lines.linePos(firstAlias).line : 1;
    if (e instanceof ReferenceError && /unresolved alias/i.test(e.message)) {
      const name = /:\s*(\S+)\s*$/.exec(e.message)?.[1];
      throw new ScenarioError(`${label}:${line}: alias *${name ?? '?'} has no anchor before it; define it with &${name ?? 'name'} first, or write the value itself`, { file: label, line });
    }
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new ScenarioError(`${label}:${line}: aliases expand too much (more than ${MAX_ALIAS_COUNT} alias uses); refusing a possible alias bomb`, { file: label, line });
    }
    if (e instanceof RangeError) throw new ScenarioError(`${label}: nested too deeply`, { file: label });
    throw new ScenarioError(`${label}:${line}: invalid YAML: ${e instanceof Error ? e.message : String(e)}`, { file: label, line });
  }
  return { doc, lines, data };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// ---------------------------------------------------------------------------------------------
// Field tree lookups.

/** The descriptor at an input path (through sections and list elements), or undefined. */
function descAt(path: readonly PropertyKey[]): Desc | undefined {
  let d: Desc | undefined = SCENARIO_FIELDS;
  for (const seg of path) {
    if (d === undefined) return undefined;
    if (d.kind === 'section') {
      d = typeof seg === 'string' && Object.hasOwn(d.fields, seg) ? d.fields[seg] : undefined;
    } else if (d.element !== undefined && typeof seg === 'number') {
      d = d.element;
    } else {
      return undefined;
    }
  }
  return d;
}

/** Every field path in the tree (sections included): ["name", "machine", "machine.ram", ...]. */
function allPaths(d: SectionDesc = SCENARIO_FIELDS, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, sub] of Object.entries(d.fields)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    if (sub.kind === 'section') out.push(...allPaths(sub, p));
  }
  return out;
}

/** "; did you mean machine.ram?" for an unknown key `key` inside the section at `parent`. */
function suggestion(parent: readonly PropertyKey[], key: string): string {
  const d = descAt(parent);
  const prefix = formatPath(parent);
  const paths = allPaths();
  const near = d?.kind === 'section' ? closest(key, Object.keys(d.fields)) : undefined;
  const nearSibling = near ? `${prefix ? `${prefix}.` : ''}${near}` : undefined;
  // The right name in the wrong place (`ram:` at the top level) beats a loose typo match.
  const elsewhere = paths.find((p) => p.split('.').pop() === key);
  if (nearSibling && (!elsewhere || editDistance(key, near!) <= 1)) return `; did you mean ${nearSibling}?`;
  if (elsewhere) return `; did you mean ${elsewhere}?`;
  const nearAnywhere = closest(
    key,
    paths.map((p) => p.split('.').pop()!),
  );
  if (nearAnywhere) return `; did you mean ${paths.find((p) => p.split('.').pop() === nearAnywhere)!}?`;
  if (d?.kind === 'section') return `; expected one of ${Object.keys(d.fields).join(', ')}`;
  return '';
}

function getAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainObject(v) && typeof seg === 'string' && Object.hasOwn(v, seg)) v = v[seg];
    else return undefined;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// --set overrides.

interface SetOverride {
  path: string[];
  value: unknown;
}

/** Parses "machine.ram=2GiB" into a checked path and a YAML-parsed value. */
export function parseSet(arg: string): SetOverride {
  const eq = arg.indexOf('=');
  const clip = (t: string): string => (t.length > 80 ? `${t.slice(0, 80)}...` : t);
  if (eq <= 0) throw new ScenarioError(`--set ${clip(arg)}: expected path=value, such as machine.ram=2GiB`);
  const pathText = clip(arg.slice(0, eq).trim());
  const valueText = arg.slice(eq + 1);
  const path = pathText.split('.');
  for (let i = 0; i < path.length; i++) {
    const parent = path.slice(0, i);
    const d = descAt(parent);
    if (d?.kind !== 'section' || !Object.hasOwn(d.fields, path[i]!)) {
      if (d?.kind === 'leaf') throw new ScenarioError(`--set ${pathText}: ${formatPath(parent)} is a single value with no fields`, { file: '--set', path: pathText });
      throw new ScenarioError(`--set ${pathText}: unknown field${suggestion(parent, path[i]!)}`, { file: '--set', path: pathText });
    }
  }
  const d = descAt(path)!;
  if (d.kind === 'section') {
    const firstField = Object.keys(d.fields)[0]!;
    throw new ScenarioError(`--set ${pathText}: ${pathText} is a section; set one of its fields, such as ${pathText}.${firstField}`, { file: '--set', path: pathText });
  }
  let value: unknown;
  if (valueText.trim() === '') {
    value = '';
  } else {
    const label = `--set ${pathText}`;
    value = parseYaml(valueText, label).data;
  }
  // A single value for a list field means a list of one: --set variants=noop-ctor.
  if (d.element !== undefined && value !== null && !Array.isArray(value)) value = [value];
  return { path, value };
}

/** Writes `value` at `path` in `data`, creating sections as needed; leaves malformed sections for the schema to report. */
function applySet(data: Record<string, unknown>, set: SetOverride): void {
  let obj: Record<string, unknown> = data;
  for (const seg of set.path.slice(0, -1)) {
    if (!Object.hasOwn(obj, seg) || obj[seg] === undefined) obj[seg] = {};
    const next = obj[seg];
    if (!isPlainObject(next)) return;
    obj = next;
  }
  obj[set.path[set.path.length - 1]!] = set.value;
}

// ---------------------------------------------------------------------------------------------
// Issues -> one line.

interface Located {
  /** 0: in the file (has a line), 1: from --set, 2: neither (defaults). */
  origin: number;
  line: number;
  text: string;
  path: string;
}

class Locator {
  constructor(
    private readonly label: string,
    private readonly parsed: Parsed | undefined,
    private readonly setPaths: readonly string[][],
  ) {}

  fromSet(path: readonly PropertyKey[]): boolean {
    return this.setPaths.some((sp) => sp.length <= path.length && sp.every((seg, i) => path[i] === seg));
  }

  /** Offset in the file of the value at `path`, or of its nearest written ancestor; key offset if `key`. */
  private offset(path: readonly PropertyKey[], key?: string): { offset: number; exact: boolean } | undefined {
    if (!this.parsed) return undefined;
    const doc = this.parsed.doc;
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as Path, true);
      if (!node || typeof node !== 'object') continue;
      if (key !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
        if (pair && isScalar(pair.key) && pair.key.range) return { offset: pair.key.range[0], exact: true };
      }
      const range = (node as { range?: [number, number, number] | null }).range;
      if (range) return { offset: range[0], exact: n === path.length };
    }
    return undefined;
  }

  /** Places `text` at `path` (or at the key `key` inside it); `shown` is the path printed, if not `path`. */
  locate(path: readonly PropertyKey[], text: string, key?: string, shown?: readonly PropertyKey[]): Located {
    const full = key === undefined ? path : [...path, key];
    const p = formatPath(shown ?? full);
    const head = p ? `${p}: ` : '';
    if (this.fromSet(full)) {
      const setPath = formatPath(full);
      return { origin: 1, line: 0, text: setPath === p ? `--set ${p}: ${text}` : `--set ${setPath}: ${head}${text}`, path: p };
    }
    const at = this.offset(path, key);
    if (at && this.parsed) {
      const line = this.parsed.lines.linePos(at.offset).line;
      return { origin: at.exact ? 0 : 2, line, text: `${this.label}:${line}: ${head}${text}`, path: p };
    }
    return { origin: 2, line: 0, text: `${this.label}: ${head}${text}`, path: p };
  }

  /** Whether the user wrote `path` (in the file or with --set). */
  written(path: readonly PropertyKey[]): boolean {
    if (this.fromSet(path)) return true;
    const at = this.offset(path);
    return at?.exact === true;
  }
}

function issueText(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === 'custom') return issue.message;
  const found = getAt(data, issue.path);
  const d = descAt(issue.path);
  if (d === undefined) return `unexpected value ${describeFound(found)}`;
  if (d.kind === 'section') {
    return `expected a mapping with fields such as ${Object.keys(d.fields).slice(0, 3).join(', ')}, got ${describeFound(found)}`;
  }
  const leaf: LeafDesc = d;
  const hint = leaf.explain?.(found) ?? '';
  const why = issue.code === 'too_small' && leaf.minWhy && !Array.isArray(found) ? ` (${leaf.minWhy})` : hint ? ` (${hint})` : '';
  return `expected ${leaf.expect}, got ${describeFound(found)}${why}`;
}

function pickFirst(located: Located[]): Located {
  return located.reduce((best, l) => (l.origin < best.origin || (l.origin === best.origin && l.line < best.line) ? l : best));
}

// ---------------------------------------------------------------------------------------------
// The entry point.

/**
 * Loads, validates, applies overrides and defaults, and returns the fully resolved scenario.
 * Throws ScenarioError (one line) on any problem.
 */
export function resolveScenario(input: ScenarioInput): ResolvedScenario {
  const label = oneLine(input.file ?? input.name ?? '<scenario>');
  const sets = input.sets ?? [];
  if (sets.length > MAX_SETS) throw new ScenarioError(`--set: at most ${MAX_SETS} overrides, got ${sets.length}`);

  let parsed: Parsed | undefined;
  let data: Record<string, unknown> = {};
  if (input.text !== undefined) {
    const src = decode(input.text, label);
    parsed = parseYaml(src, label);
    if (parsed.data === null || parsed.data === undefined) {
      throw new ScenarioError(`${label}: empty scenario; expected a mapping of fields such as "profile: 2.6.25"`, { file: label });
    }
    if (!isPlainObject(parsed.data)) {
      throw new ScenarioError(`${label}:1: expected a mapping of scenario fields such as "profile: 2.6.25", got ${describeFound(parsed.data)}`, { file: label, line: 1 });
    }
    data = parsed.data;
  }

  const overrides = sets.map(parseSet);
  for (const o of overrides) applySet(data, o);
  const locator = new Locator(label, parsed, overrides.map((o) => o.path));

  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    const located: Located[] = [];
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) located.push(locator.locate(issue.path, `unknown field${suggestion(issue.path, k)}`, k));
      } else {
        located.push(locator.locate(issue.path, issueText(issue, data)));
      }
    }
    const first = pickFirst(located);
    throw new ScenarioError(first.text, { file: first.origin === 1 ? '--set' : label, line: first.line || undefined, path: first.path });
  }

  const s = result.data;
  const problems = scenarioProblems(s);
  if (problems.length > 0) {
    const p = problems[0]!;
    // Blame what the user changed on the command line first, then what the file says.
    const involved = [p.path, ...p.also];
    const blame = involved.find((q) => locator.fromSet(q)) ?? involved.find((q) => locator.written(q)) ?? p.path;
    // The message names the rule's own field; the location is the first related field the user wrote.
    const l = locator.locate(blame, p.message, undefined, p.path);
    throw new ScenarioError(l.text, { file: l.origin === 1 ? '--set' : label, line: l.line || undefined, path: formatPath(p.path) });
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Resolved -> file form.

/** The resolved scenario in the form a file uses (sizes as "1GiB", durations as "4ms"); every field present. */
export function scenarioToDocument(s: ResolvedScenario): Record<string, unknown> {
  return toInputOf(SCENARIO_FIELDS, s) as Record<string, unknown>;
}

/** The resolved scenario as a YAML scenario file, which resolves back to the same scenario. */
export function scenarioToYaml(s: ResolvedScenario, header = ''): string {
  const body = stringify(scenarioToDocument(s), { lineWidth: 0, version: '1.2' });
  return header ? `${header.replace(/\n?$/, '\n')}${body}` : body;
}
