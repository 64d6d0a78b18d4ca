/**
 * Piscina worker: runs one job. Receives and returns plain data only (structured clone).
 */
import { execute } from './execute.js';
import type { ExploreParams, WorkerOutput } from './types.js';

export interface WorkerTask {
  params: ExploreParams;
  twice: boolean;
}

export default function run(task: WorkerTask): WorkerOutput {
  return execute(task.params, task.twice);
}
