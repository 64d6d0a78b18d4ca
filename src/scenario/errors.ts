/**
 * ScenarioError: a user error in a scenario file, a --set override or a scenario that cannot work.
 *
 * The message is always ONE line of the form
 *   <file>:<line>: <field path>: expected <what>, got <found>
 * (or "--set <path>: ..." for overrides, or "<file>: ..." when no line applies). The CLI prints it
 * as "reclaimsim: <message>" and exits 1. Newlines and control characters in anything quoted from
 * the input are escaped so the one-line guarantee holds for hostile input too.
 */
export interface ScenarioErrorLocation {
  /** File label as the user gave it (path, bundled name, "--set" or "<scenario>"). */
  file?: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** Dotted field path ("swap.size", "workload.file_size_mix[2].weight"), when the error has one. */
  path?: string;
}

export class ScenarioError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly path: string | undefined;
  constructor(message: string, where: ScenarioErrorLocation = {}) {
    super(oneLine(message));
    this.name = 'ScenarioError';
    this.file = where.file;
    this.line = where.line;
    this.path = where.path;
  }
}

/** Collapses whitespace runs containing line breaks and escapes other control characters. */
export function oneLine(s: string): string {
  return s
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
    .trim()
    .replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
