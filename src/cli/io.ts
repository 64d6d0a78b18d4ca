/**
 * Host I/O helpers for the CLI: atomic file writes (temp file + rename) and output streams.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './exit.js';

/**
 * Creates `dir` and its missing parents, one at a time. Node 20's `mkdirSync(dir, { recursive: true })`
 * never returns for some paths it cannot create (under /proc, for one), so the walk is our own:
 * the first directory that cannot be made fails with its own error.
 */
function mkdirs(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]!);
}

/** The one-line error for an output that cannot be written, naming the flag that asked for it. */
function outputError(flag: string, path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  return new UsageError(`${flag} ${path}: cannot write it${code !== undefined ? ` (${code})` : ''}; choose a path in a directory you can write to`);
}

/**
 * Writes `data` to `path` atomically: a temp file beside it, then rename. Never leaves a
 * half-written file. Missing directories are created; a path that cannot be written is a one-line
 * error naming `flag`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, flag = 'output'): void {
  const abs = resolve(path);
  const tmp = `${abs}.${process.pid}.tmp`;
  try {
    mkdirs(dirname(abs));
    writeFileSync(tmp, data);
    renameSync(tmp, abs);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The temp file could not even be made (a path under a regular file): nothing to remove.
    }
    throw outputError(flag, path, e);
  }
}

/**
 * Creates the directory a file is to go in, as output files get theirs (sweep's --db, and every
 * output before a run, so that a bad path fails before the work rather than after it).
 */
export function ensureParentDir(path: string, flag: string): void {
  try {
    mkdirs(dirname(resolve(path)));
  } catch (e) {
    throw outputError(flag, path, e);
  }
}

/** Streams whose reader has gone (EPIPE): further output to them is dropped. */
const closedStreams = new Set<NodeJS.WriteStream>();

/**
 * A reader that stops early (`reclaimsim run | head -3`) closes the pipe: the next write fails
 * with EPIPE, which Node reports as an 'error' event and, unhandled, as a stack trace. This drops
 * further output to that stream instead; the command runs to its end and exits with its own code.
 * Any other stream error (a full disk behind a redirection, ENOSPC) ends the command with one line
 * on stderr and exit 1, not a stack trace.
 */
export function guardPipes(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        closedStreams.add(s);
        return;
      }
      closedStreams.add(s);
      const name = s === process.stdout ? 'standard output' : 'standard error';
      if (s !== process.stderr) process.stderr.write(`reclaimsim: cannot write to ${name} (${e.code ?? e.message}); redirect it to a file system with room\n`);
      process.exit(1);
    });
  }
}

/** Writes to `s` unless its reader has gone. */
export function write(s: NodeJS.WriteStream, text: string): void {
  if (!closedStreams.has(s)) s.write(text);
}

export function out(text: string): void {
  write(process.stdout, text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  write(process.stderr, text.endsWith('\n') ? text : `${text}\n`);
}
