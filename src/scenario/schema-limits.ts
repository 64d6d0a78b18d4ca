/**
 * Limits on scenario input, and the estimate of host memory a scenario's run will need.
 *
 * The input limits keep a hostile or broken file from costing more than a few milliseconds and a
 * few megabytes: size is checked before decoding, nesting before building a syntax tree (the yaml
 * parser recurses and fails badly on thousands of levels), and alias expansion while converting.
 *
 * The host estimate is deliberately simple and its constants live here only: model state per page
 * of simulated RAM and per swap slot, plus a fixed base for the runtime, slab and queue state, plus
 * the trace ring. The CLI (src/cli/host-memory.ts) compares it with free host memory.
 */
import { MiB } from './units.js';
import type { ResolvedScenario } from './schema.js';

/** Scenario files larger than this are refused before they are read or parsed. */
export const MAX_SCENARIO_BYTES = 1 * MiB;
/** Deepest nesting accepted (flow brackets plus block indentation levels on one line). A scenario needs 4. */
export const MAX_NESTING = 32;
/** Most alias expansions accepted while converting a document (yaml's `maxAliasCount`). */
export const MAX_ALIAS_COUNT = 100;
/** Most --set overrides on one command line. */
export const MAX_SETS = 1000;

/** Model state per 4 KiB page of simulated RAM: struct page fields, LRU links, flags (bytes). */
export const HOST_BYTES_PER_PAGE = 24;
/** Model state per swap slot: swap_map count and slot cache (bytes). */
export const HOST_BYTES_PER_SWAP_SLOT = 2;
/** Fixed host cost: runtime, slab caches, request queues, tasks, metrics (bytes). */
export const HOST_BASE_BYTES = 64 * MiB;
/** Host bytes per recorded trace event in the ring (a TraceRecord object with a few fields). */
export const HOST_BYTES_PER_TRACE_RECORD = 160;
/** Assumed size of one trace record in the simulated ftrace buffer, to turn buffer_size_kb into records. */
export const TRACE_RECORD_BYTES = 48;

const PAGE_SIZE = 4096;

/** Estimated host memory (bytes) for running scenario `s`. */
export function estimateHostBytes(s: ResolvedScenario): number {
  const pages = Math.ceil(s.machine.ram_bytes / PAGE_SIZE);
  const slots = Math.ceil(s.swap.size_bytes / PAGE_SIZE);
  const traceRecords = s.outputs.trace_events.length === 0 ? 0 : Math.floor((s.outputs.trace_buffer_kb * 1024) / TRACE_RECORD_BYTES);
  return HOST_BASE_BYTES + pages * HOST_BYTES_PER_PAGE + slots * HOST_BYTES_PER_SWAP_SLOT + traceRecords * HOST_BYTES_PER_TRACE_RECORD;
}
