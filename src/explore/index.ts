/**
 * Exploring at scale: seed sweeps, swarm parameters, the results store, replay and shrinking.
 * A host-I/O layer (worker threads, SQLite, files); model layers never import it.
 * See docs/exploring.md.
 */
export { runMany, runTasks, defaultWorkers } from './pool.js';
export { execute, runOnce } from './execute.js';
export { MODEL_VERSION, modelVersion } from './version.js';
export { canonicalJson, scenarioHash } from './canonical.js';
export { ExploreError } from './errors.js';
export { buildJobs, parseGrid, parseRange, parseSeeds, DEFAULT_SWARM, DETERMINISM_EVERY, type SweepSpec } from './spec.js';
export { ResultStore, DEFAULT_DB, SCHEMA_VERSION } from './store.js';
export { runSweep, runCommandLine, replayCommandLine, resultsListCommandLine } from './sweep.js';
export { summarize, formatSummary, wilson, median } from './stats.js';
export { replayRecord } from './replay.js';
export { shrinkScenario, shrinkYaml, SHRINK_DIMS } from './shrink.js';
export type { ExploreParams, Job, RunRecord, WorkerOutput } from './types.js';
