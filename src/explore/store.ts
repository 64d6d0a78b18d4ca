/**
 * The results store: an embedded SQLite file (better-sqlite3), one row per run.
 *
 * Records are content-addressed by (model_version, scenario_hash, seed): the same parameters,
 * seed and model give the same result, so a record is never computed twice into one store, and a
 * resumed sweep skips the pairs already present. Each record is committed in its own transaction
 * (WAL journal), so an interrupted sweep keeps every finished record and never a half-written one.
 *
 * Schema (version 1): schema_version(version), sweeps(id, created_at, model_version, spec_json),
 * runs(...) as in RunRecord; see docs/exploring.md.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ExploreError } from './errors.js';
import type { Job, RunFailure, RunRecord, WorkerOutput } from './types.js';

export const SCHEMA_VERSION = 1;
export const DEFAULT_DB = 'reclaimsim-results.db';

/**
 * Runs the simulator could not finish (src/explore/types.ts RunFailure), the last attempt of each
 * run; a later successful run of it removes its row. Added beside schema version 1 without a new
 * version: a store without the table gets it when opened for writing, and reads as having none.
 */
const FAILURES_SCHEMA = `
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  model_version TEXT NOT NULL,
  scenario_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  sched_salt INTEGER,
  source TEXT NOT NULL,
  sets_json TEXT NOT NULL,
  cell_label TEXT NOT NULL,
  kind TEXT NOT NULL,
  invariant TEXT,
  message TEXT NOT NULL,
  time_ns INTEGER,
  event INTEGER,
  UNIQUE (model_version, scenario_hash, seed)
);
`;

/** A stored failed run: which run, and what stopped it. */
export type StoredFailure = RunFailure & Pick<RunRecord, 'id' | 'sweep_id' | 'model_version' | 'scenario_hash' | 'seed' | 'sched_salt' | 'source' | 'sets' | 'cell_label'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  model_version TEXT NOT NULL,
  spec_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  model_version TEXT NOT NULL,
  scenario_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  sched_salt INTEGER,
  source TEXT NOT NULL,
  sets_json TEXT NOT NULL,
  cell INTEGER NOT NULL,
  cell_label TEXT NOT NULL,
  scenario TEXT NOT NULL,
  profile TEXT NOT NULL,
  variants TEXT NOT NULL,
  verdict TEXT NOT NULL,
  reason TEXT NOT NULL,
  sim_time_ns INTEGER NOT NULL,
  events INTEGER NOT NULL,
  time_to_livelock_ns INTEGER,
  time_to_finish_ns INTEGER,
  writeback_pages_stuck INTEGER NOT NULL,
  alloc_failure_reports INTEGER NOT NULL,
  free_list_uses INTEGER NOT NULL,
  pswpout INTEGER NOT NULL,
  pages_copied INTEGER NOT NULL,
  hung_task_reports INTEGER NOT NULL,
  trace_hash TEXT NOT NULL,
  determinism TEXT NOT NULL,
  params_json TEXT NOT NULL,
  scenario_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  UNIQUE (model_version, scenario_hash, seed)
);
CREATE INDEX IF NOT EXISTS runs_verdict ON runs (verdict);
CREATE INDEX IF NOT EXISTS runs_group ON runs (profile, variants, cell_label);
${FAILURES_SCHEMA}`;

/** Columns of a record in export order (NDJSON keys and CSV header). */
export const RECORD_COLUMNS: readonly (keyof RunRecord)[] = [
  'id', 'sweep_id', 'model_version', 'scenario_hash', 'seed', 'sched_salt', 'source', 'sets', 'cell', 'cell_label', 'scenario', 'profile', 'variants',
  'verdict', 'reason', 'stall', 'sim_time_ns', 'events', 'time_to_livelock_ns', 'time_to_finish_ns', 'writeback_pages_stuck', 'alloc_failure_reports',
  'free_list_uses', 'pswpout', 'pages_copied', 'hung_task_reports', 'trace_hash', 'determinism', 'params_json', 'scenario_json', 'result_json',
];

type Row = Omit<RunRecord, 'sets' | 'variants'> & { sets_json: string; variants: string };

/**
 * Every column, and out of the stored result (not columns of their own: schema version 1 stays)
 * the stall kind and the squeeze counts (null where the result has none).
 */
const SELECT_RECORD =
  "SELECT *, json_extract(result_json, '$.stall') AS stall, json_extract(result_json, '$.figures.squeezes') AS squeezes, json_extract(result_json, '$.figures.squeezes_ended') AS squeezes_ended FROM runs";

function toRecord(r: Row): RunRecord {
  const { sets_json, variants, ...rest } = r;
  let sets: string[];
  try {
    sets = JSON.parse(sets_json) as string[];
  } catch {
    throw new ExploreError(`--db: run #${r.id} has a damaged record (its sets_json is not JSON); the store was edited or corrupted: use another --db file`);
  }
  return { ...rest, sets, variants: variants === '' ? [] : variants.split(',') } as RunRecord;
}

export interface RecordFilter {
  verdict?: string;
  /** A stall kind (result.ts StallKind). */
  stall?: string;
  /** A variant name the run had, or "none" for runs without variants. */
  variant?: string;
  profile?: string;
  /** Resolved-scenario equalities: JSON path in the resolved scenario (["machine", "ram_bytes"]) -> value. */
  /** Resolved scenario values to match; `dflt` stands in for a field a record's scenario_json lacks. */
  params?: { path: string[]; value: unknown; dflt?: unknown }[];
  model_version?: string;
  ids?: number[];
}

export class ResultStore {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly insertTx: (rec: Record<string, unknown>) => number;

  private constructor(db: Database.Database) {
    this.db = db;
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO runs (
      sweep_id, model_version, scenario_hash, seed, sched_salt, source, sets_json, cell, cell_label, scenario, profile, variants, verdict, reason,
      sim_time_ns, events, time_to_livelock_ns, time_to_finish_ns, writeback_pages_stuck, alloc_failure_reports, free_list_uses, pswpout,
      pages_copied, hung_task_reports, trace_hash, determinism, params_json, scenario_json, result_json
    ) VALUES (
      @sweep_id, @model_version, @scenario_hash, @seed, @sched_salt, @source, @sets_json, @cell, @cell_label, @scenario, @profile, @variants, @verdict, @reason,
      @sim_time_ns, @events, @time_to_livelock_ns, @time_to_finish_ns, @writeback_pages_stuck, @alloc_failure_reports, @free_list_uses, @pswpout,
      @pages_copied, @hung_task_reports, @trace_hash, @determinism, @params_json, @scenario_json, @result_json
    )`);
    this.insertTx = db.transaction((rec: Record<string, unknown>) => {
      const info = this.insertStmt.run(rec);
      return info.changes === 0 ? -1 : Number(info.lastInsertRowid);
    });
  }

  /** Opens (creating on first use unless `mustExist`) a store. Throws ExploreError naming the file. */
  static open(file: string, opts: { mustExist?: boolean; readonly?: boolean } = {}): ResultStore {
    if (opts.mustExist && file !== ':memory:' && !existsSync(file)) throw new ExploreError(`--db ${file}: no such results store; run \`reclaimsim sweep --db ${file}\` first`);
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: opts.mustExist === true, readonly: opts.readonly === true });
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('busy_timeout = 5000');
      const hasVersion = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
      if (!hasVersion) {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
        if (tables.n > 0) throw new ExploreError(`--db ${file}: an SQLite file that is not a reclaimsim results store; choose another --db file`);
        if (opts.readonly) throw new ExploreError(`--db ${file}: not a reclaimsim results store (empty)`);
        db.transaction(() => {
          db.exec(SCHEMA);
          db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
        })();
      } else {
        const v = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
        if (v.v !== SCHEMA_VERSION) throw new ExploreError(`--db ${file}: results store schema version ${v.v}, this reclaimsim reads version ${SCHEMA_VERSION}; use a new --db file`);
        if (!opts.readonly) db.exec(FAILURES_SCHEMA);
      }
    } catch (e) {
      if (e instanceof ExploreError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new ExploreError(`--db ${file}: cannot open the results store: ${msg}`);
    }
    return new ResultStore(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Records a sweep invocation (its spec) and returns its id. */
  addSweep(spec: unknown, modelVersion: string): number {
    const info = this.db.prepare('INSERT INTO sweeps (created_at, model_version, spec_json) VALUES (?, ?, ?)').run(new Date().toISOString(), modelVersion, JSON.stringify(spec));
    return Number(info.lastInsertRowid);
  }

  /** Stores one finished run in its own transaction; returns its id (or the existing id if present). */
  insert(sweepId: number, modelVersion: string, job: Job, out: WorkerOutput): number {
    const r = out.result;
    const id = this.insertTx({
      sweep_id: sweepId,
      model_version: modelVersion,
      scenario_hash: job.scenario_hash,
      seed: job.seed,
      sched_salt: job.params.sched_salt ?? null,
      source: job.source,
      sets_json: JSON.stringify(job.sets),
      cell: job.cell,
      cell_label: job.cell_label,
      scenario: r.scenario,
      profile: r.profile,
      variants: r.variants.join(','),
      verdict: r.verdict,
      reason: r.reason,
      sim_time_ns: r.sim_time_ns,
      events: r.events,
      time_to_livelock_ns: r.time_to_livelock_ns,
      time_to_finish_ns: r.time_to_finish_ns,
      writeback_pages_stuck: r.writeback_pages_stuck,
      alloc_failure_reports: r.alloc_failure_reports,
      free_list_uses: r.free_list_uses,
      pswpout: r.pswpout,
      pages_copied: r.pages_copied,
      hung_task_reports: r.hung_task_reports,
      trace_hash: r.trace_hash,
      determinism: out.deterministic === undefined ? 'once' : out.deterministic ? 'twice' : 'mismatch',
      params_json: JSON.stringify(job.params),
      scenario_json: job.scenario_json,
      result_json: out.json,
    });
    // The run finished: an earlier failed attempt of it is no longer outstanding.
    if (this.hasFailures()) {
      this.deleteFailureStmt ??= this.db.prepare('DELETE FROM failures WHERE model_version = ? AND scenario_hash = ? AND seed = ?');
      this.deleteFailureStmt.run(modelVersion, job.scenario_hash, job.seed);
    }
    return id >= 0 ? id : this.idOf(modelVersion, job.scenario_hash, job.seed)!;
  }

  private failuresTable: boolean | null = null;
  private deleteFailureStmt: Database.Statement | null = null;
  /** Does the store have the failures table (a store created before it, opened read-only, has not)? */
  private hasFailures(): boolean {
    this.failuresTable ??= this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'failures'").get() !== undefined;
    return this.failuresTable;
  }

  /** Stores a run the simulator could not finish (replacing an earlier failure of the same run). */
  insertFailure(sweepId: number, modelVersion: string, job: Job, f: RunFailure): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO failures (sweep_id, model_version, scenario_hash, seed, sched_salt, source, sets_json, cell_label, kind, invariant, message, time_ns, event)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(sweepId, modelVersion, job.scenario_hash, job.seed, job.params.sched_salt ?? null, job.source, JSON.stringify(job.sets), job.cell_label, f.kind, f.invariant, f.message, f.time_ns, f.event);
  }

  /** The failed runs still outstanding (none have run successfully since), by id. */
  failures(): StoredFailure[] {
    if (!this.hasFailures()) return [];
    const rows = this.db.prepare('SELECT * FROM failures ORDER BY id').all() as (Omit<StoredFailure, 'sets'> & { sets_json: string })[];
    return rows.map(({ sets_json, ...rest }) => ({ ...rest, sets: JSON.parse(sets_json) as string[] }));
  }

  idOf(modelVersion: string, scenarioHash: string, seed: number): number | undefined {
    const row = this.db.prepare('SELECT id FROM runs WHERE model_version = ? AND scenario_hash = ? AND seed = ?').get(modelVersion, scenarioHash, seed) as { id: number } | undefined;
    return row?.id;
  }

  /** Keys "scenario_hash/seed" of the records of `modelVersion`. */
  doneKeys(modelVersion: string): Set<string> {
    const rows = this.db.prepare('SELECT scenario_hash, seed FROM runs WHERE model_version = ?').all(modelVersion) as { scenario_hash: string; seed: number }[];
    return new Set(rows.map((r) => `${r.scenario_hash}/${r.seed}`));
  }

  /** The keys (scenario hash / seed) of the stored findings (LIVELOCK or DEADLOCK) of a model version. */
  findingKeys(modelVersion: string): Set<string> {
    const rows = this.db.prepare("SELECT scenario_hash, seed FROM runs WHERE model_version = ? AND verdict IN ('LIVELOCK', 'DEADLOCK')").all(modelVersion) as { scenario_hash: string; seed: number }[];
    return new Set(rows.map((r) => `${r.scenario_hash}/${r.seed}`));
  }

  get(id: number): RunRecord | undefined {
    const row = this.db.prepare(`${SELECT_RECORD} WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Records matching a filter, by id. */
  query(f: RecordFilter = {}): RunRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.verdict !== undefined) {
      where.push('verdict = ?');
      args.push(f.verdict);
    }
    if (f.stall !== undefined) {
      where.push("json_extract(result_json, '$.stall') IS ?");
      args.push(f.stall);
    }
    if (f.profile !== undefined) {
      where.push('profile = ?');
      args.push(f.profile);
    }
    if (f.variant !== undefined) {
      if (f.variant === 'none') where.push("variants = ''");
      else {
        where.push("(',' || variants || ',') LIKE ?");
        args.push(`%,${f.variant},%`);
      }
    }
    if (f.model_version !== undefined) {
      where.push('model_version = ?');
      args.push(f.model_version);
    }
    for (const p of f.params ?? []) {
      where.push(`COALESCE(json_extract(scenario_json, ?), json_extract(?, '$')) IS json_extract(?, '$')`);
      args.push(`$.${p.path.join('.')}`, JSON.stringify(p.dflt ?? null), JSON.stringify(p.value));
    }
    if (f.ids !== undefined) {
      where.push(`id IN (${f.ids.map(() => '?').join(',') || 'NULL'})`);
      args.push(...f.ids);
    }
    const sql = `${SELECT_RECORD}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toRecord);
  }

  /** "ok" if SQLite's integrity check passes. */
  integrity(): string {
    return String((this.db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)['integrity_check']);
  }
}
