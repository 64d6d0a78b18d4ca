/**
 * The parallel runner: a piscina pool of worker threads, each importing the compiled model
 * (dist/src/explore/worker.js). Tasks and results are plain data.
 *
 *   const results = await runMany(paramsList, 2);          // RunResult[] in input order
 *   await runTasks(tasks, { workers: 2, onResult, stop });  // streaming, stoppable
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { RunResult } from '../scenario/result.js';
import type { ExploreParams, WorkerReply } from './types.js';
import { failureError } from './execute.js';
import type { WorkerTask } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url).href;

/** Default worker count: the host's available cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface RunTasksOptions {
  workers: number;
  /**
   * Each reply in completion order, on the main thread: a result, or the failure of a run the
   * simulator could not finish. Return true to stop (no further replies are delivered).
   */
  onResult: (index: number, out: WorkerReply) => boolean | void;
  /** Set by the caller (e.g. on SIGINT) to stop: queued tasks are dropped, running ones abandoned. */
  stopSignal?: AbortSignal;
}

export interface RunTasksSummary {
  completed: number;
  stopped: boolean;
}

/** Runs tasks on a pool; resolves when all are done or the run was stopped. Rejects on a worker error. */
export async function runTasks(tasks: readonly WorkerTask[], opts: RunTasksOptions): Promise<RunTasksSummary> {
  const workers = Math.max(1, Math.min(opts.workers, tasks.length || 1));
  const pool = new Piscina({ filename: WORKER_URL, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, maxQueue: 'auto' });
  const abort = new AbortController();
  let stopped = false;
  let completed = 0;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    abort.abort();
  };
  if (opts.stopSignal?.aborted) stop();
  opts.stopSignal?.addEventListener('abort', stop, { once: true });
  try {
    // Feed at most 2 tasks per worker ahead, so stopping drops the rest cheaply.
    let next = 0;
    let failure: unknown;
    await new Promise<void>((resolveAll) => {
      let running = 0;
      const pump = (): void => {
        while (!stopped && failure === undefined && running < workers * 2 && next < tasks.length) {
          const i = next++;
          running++;
          pool.run(tasks[i], { signal: abort.signal }).then(
            (out: WorkerReply) => {
              running--;
              if (!stopped && failure === undefined) {
                completed++;
                if (opts.onResult(i, out) === true) stop();
              }
              pump();
            },
            (e: unknown) => {
              running--;
              if (!stopped && failure === undefined) {
                failure = e;
                stop();
              }
              pump();
            },
          );
        }
        if (running === 0 && (stopped || failure !== undefined || next >= tasks.length)) resolveAll();
      };
      pump();
    });
    if (failure !== undefined) throw failure;
    return { completed, stopped };
  } finally {
    opts.stopSignal?.removeEventListener('abort', stop);
    await pool.destroy();
  }
}

/**
 * Runs every parameter set on `workers` threads and returns the results in input order.
 * `onResult` sees each result as it completes (completion order). A run the simulator cannot
 * finish rejects the whole batch with its error (InvariantViolation, SimulatorError or Error), the
 * run's seed and profile added to the message.
 */
export async function runMany(paramsList: readonly ExploreParams[], workers = defaultWorkers(), onResult?: (index: number, result: RunResult) => void): Promise<RunResult[]> {
  const out: RunResult[] = new Array(paramsList.length);
  let failed: Error | null = null;
  await runTasks(
    paramsList.map((params) => ({ params, twice: false })),
    {
      workers,
      onResult: (i, o) => {
        if ('failure' in o) {
          // Every run is needed, so the first failure ends the batch, naming its run.
          const p = paramsList[i]!;
          failed = failureError(o.failure, `in the run of seed ${p.seed} on ${p.profile}${p.variants.length ? ` + ${p.variants.join(',')}` : ''}`);
          return true;
        }
        out[i] = o.result;
        onResult?.(i, o.result);
      },
    },
  );
  if (failed !== null) throw failed;
  return out;
}
