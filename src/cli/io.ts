/**
 * Host I/O helpers for the CLI: atomic file writes (temp file + rename) and output streams.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Writes `data` to `path` atomically: a temp file beside it, then rename. Never leaves a half-written file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, abs);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Streams whose reader has gone (EPIPE): further output to them is dropped. */
const closedStreams = new Set<NodeJS.WriteStream>();

/**
 * A reader that stops early (`reclaimsim run | head -3`) closes the pipe: the next write fails
 * with EPIPE, which Node reports as an 'error' event and, unhandled, as a stack trace. This drops
 * further output to that stream instead; the command runs to its end and exits with its own code.
 * Any other stream error is still fatal.
 */
export function guardPipes(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        closedStreams.add(s);
        return;
      }
      throw e;
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
