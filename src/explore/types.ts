/** Plain-data types shared by the sweep driver, the worker pool, the store and the commands. */
import type { RunParams } from '../scenario/params.js';
import type { RunResult, StallKind, Verdict } from '../scenario/result.js';

/**
 * Run parameters as explore passes them (RunParams, whose optional `sched_salt` derives the
 * scheduler's same-instant decision stream as `sched/<salt>`; 0 or absent is a plain run).
 */
export type ExploreParams = RunParams;

/** One run to do: its parameters and where it sits in the sweep. Plain data (goes to workers). */
export interface Job {
  /** Position in the sweep's job list (seed-major, then cell). */
  index: number;
  /** Cell number (grid mode: index in the cartesian product; swarm mode: -1). */
  cell: number;
  /** "machine.ram=256MiB profile=2.6.25" (grid values or swarm draws), "" for the base scenario. */
  cell_label: string;
  /** The scenario argument as given (bundled name or path). */
  source: string;
  /** Every --set applied to the source: the base --sets, then the cell's. */
  sets: string[];
  seed: number;
  params: ExploreParams;
  scenario_hash: string;
  /** The resolved scenario (JSON of ResolvedScenario), for shrinking. */
  scenario_json: string;
  /** Run twice and compare (determinism self-check). */
  check: boolean;
}

/**
 * A run that did not reach a verdict because the simulator failed: a broken invariant (a safety
 * violation of the model), a simulator assertion, or any other exception. Plain data (the error
 * object does not survive the trip from a worker thread).
 */
export interface RunFailure {
  kind: 'invariant' | 'assertion' | 'unexpected';
  /** The invariant's name (kind 'invariant'), else null. */
  invariant: string | null;
  /** The error's message, one line. */
  message: string;
  /** Simulated time and events dispatched when it failed, where the error knows them. */
  time_ns: number | null;
  event: number | null;
}

/** What a worker sends back for a run that failed: the failure instead of a result. */
export interface WorkerFailure {
  failure: RunFailure;
  host_ns: number;
}

/** What a worker sends back for a run that reached a verdict. */
export interface WorkerOutput {
  result: RunResult;
  /** JSON.stringify(result): what replay compares byte for byte. */
  json: string;
  /** Set when the run was done twice: whether both runs agreed (trace hash and full JSON). */
  deterministic?: boolean;
  second_trace_hash?: string;
  /** Host time of the (first) run, ns. */
  host_ns: number;
}

/** A worker's reply: a result, or the failure that stopped the run. */
export type WorkerReply = WorkerOutput | WorkerFailure;

/** A stored run (one row of the `runs` table). */
export interface RunRecord {
  id: number;
  /** The sweep invocation that stored the run (store-local provenance, like id). */
  sweep_id: number;
  model_version: string;
  scenario_hash: string;
  seed: number;
  sched_salt: number | null;
  source: string;
  sets: string[];
  cell: number;
  cell_label: string;
  scenario: string;
  profile: string;
  variants: string[];
  verdict: Verdict;
  reason: string;
  /** The result's stall kind (null for COMPLETED and LIMIT, and for records made before MODEL_VERSION 16). Read from result_json, not a column. */
  stall: StallKind | null;
  /** Squeezes in the run, and how many of them ended before the run did (null for records of model versions without them: before 17, and squeezes_ended before 19). Read from result_json, not columns. */
  squeezes: number | null;
  squeezes_ended: number | null;
  sim_time_ns: number;
  events: number;
  time_to_livelock_ns: number | null;
  time_to_finish_ns: number | null;
  writeback_pages_stuck: number;
  alloc_failure_reports: number;
  free_list_uses: number;
  pswpout: number;
  pages_copied: number;
  hung_task_reports: number;
  trace_hash: string;
  /** 'once', 'twice' (checked, agreed) or 'mismatch'. */
  determinism: 'once' | 'twice' | 'mismatch';
  params_json: string;
  scenario_json: string;
  result_json: string;
}
