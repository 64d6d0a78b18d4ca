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
import type { ExploreParams, WorkerOutput } from './types.js';
import type { WorkerTask } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url).href;

/** Default worker count: the host's available cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface RunTasksOptions {
  workers: number;
  /** Called in completion order, on the main thread. Return true to stop (no further results are delivered). */
  onResult: (index: number, out: WorkerOutput) => boolean | void;
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
            (out: WorkerOutput) => {
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
 * `onResult` sees each result as it completes (completion order).
 */
export async function runMany(paramsList: readonly ExploreParams[], workers = defaultWorkers(), onResult?: (index: number, result: RunResult) => void): Promise<RunResult[]> {
  const out: RunResult[] = new Array(paramsList.length);
  await runTasks(
    paramsList.map((params) => ({ params, twice: false })),
    {
      workers,
      onResult: (i, o) => {
        out[i] = o.result;
        onResult?.(i, o.result);
      },
    },
  );
  return out;
}
