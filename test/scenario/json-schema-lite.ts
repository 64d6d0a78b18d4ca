/**
 * A tiny JSON Schema checker for the keywords our generated scenario schema uses (draft-07 subset:
 * type, enum, const, anyOf, pattern, min/max, min/maxLength, min/maxItems, items, properties,
 * additionalProperties, required). Enough to prove the committed schema accepts the bundled
 * scenarios and rejects obvious mistakes, without a validator dependency. Returns the problems.
 */
type Schema = Record<string, unknown>;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      throw new Error(`json-schema-lite: unsupported type ${t}`);
  }
}

const KNOWN = new Set([
  '$schema', 'title', 'description', 'default', 'type', 'enum', 'const', 'anyOf', 'pattern', 'minimum', 'maximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'items', 'properties', 'additionalProperties', 'required',
]);

export function checkJsonSchema(schema: Schema, v: unknown, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`json-schema-lite: unsupported keyword ${k} at ${path}`);
  const errs: string[] = [];
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => typeOk(t, v))) return [`${path}: expected ${types.join('|')}`];
  }
  if (schema['enum'] !== undefined && !(schema['enum'] as unknown[]).some((e) => e === v)) errs.push(`${path}: not in enum`);
  if ('const' in schema && schema['const'] !== v) errs.push(`${path}: not const`);
  if (schema['anyOf'] !== undefined && !(schema['anyOf'] as Schema[]).some((s) => checkJsonSchema(s, v, path).length === 0)) errs.push(`${path}: no anyOf branch`);
  if (typeof v === 'string') {
    if (schema['pattern'] !== undefined && !new RegExp(schema['pattern'] as string, 'u').test(v)) errs.push(`${path}: pattern`);
    if (schema['minLength'] !== undefined && [...v].length < (schema['minLength'] as number)) errs.push(`${path}: minLength`);
    if (schema['maxLength'] !== undefined && [...v].length > (schema['maxLength'] as number)) errs.push(`${path}: maxLength`);
  }
  if (typeof v === 'number') {
    if (schema['minimum'] !== undefined && v < (schema['minimum'] as number)) errs.push(`${path}: minimum`);
    if (schema['maximum'] !== undefined && v > (schema['maximum'] as number)) errs.push(`${path}: maximum`);
  }
  if (Array.isArray(v)) {
    if (schema['minItems'] !== undefined && v.length < (schema['minItems'] as number)) errs.push(`${path}: minItems`);
    if (schema['maxItems'] !== undefined && v.length > (schema['maxItems'] as number)) errs.push(`${path}: maxItems`);
    if (schema['items'] !== undefined) v.forEach((x, i) => errs.push(...checkJsonSchema(schema['items'] as Schema, x, `${path}[${i}]`)));
  }
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const r of (schema['required'] ?? []) as string[]) if (!(r in o)) errs.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (Object.hasOwn(props, k)) errs.push(...checkJsonSchema(props[k]!, x, `${path}.${k}`));
      else if (schema['additionalProperties'] === false) errs.push(`${path}.${k}: additional property`);
    }
  }
  return errs;
}
