/**
 * Piscina worker: runs one job. Receives and returns plain data only (structured clone).
 */
import { execute } from './execute.js';
import type { ExploreParams, WorkerReply } from './types.js';

export interface WorkerTask {
  params: ExploreParams;
  twice: boolean;
}

export default function run(task: WorkerTask): WorkerReply {
  return execute(task.params, task.twice);
}
