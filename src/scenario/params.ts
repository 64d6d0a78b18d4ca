/**
 * The parameters of one run, in model units (bytes, ns), independent of how they were written
 * (scenario file, CLI flags, sweep cell). `fromScenario` maps a resolved scenario onto them.
 */
import { resolveScenario, type ResolvedScenario } from './load.js';
import type { CpuSharing } from '../kernel/kernel.js';
import { VARIANTS, type PROFILES } from './schema.js';

/** The schema's lists are the one place profiles and variants are named. */
export type Profile = (typeof PROFILES)[number];
export type Variant = (typeof VARIANTS)[number];
const VARIANTS_IN_ORDER: readonly Variant[] = VARIANTS;

export interface RunParams {
  name: string;
  profile: Profile;
  variants: Variant[];
  seed: number;
  ram_bytes: number;
  cpus: number;
  hz: number;
  cache_line_bytes: number;
  timer_stats: boolean;
  /** CPU time of completing one request in BLOCK_SOFTIRQ: fixed part and per bio (src/scsi/scsi_lib.ts). */
  completion_request_ns: number;
  completion_per_bio_ns: number;
  /** Bios of a completing request end one by one, as 2.6.25 does; absent for at once, which keeps older runs' hashes. */
  completion_end_bios?: 'one_by_one';
  /** machine.failure_report_cost, ns; absent when 0 (the default). */
  failure_report_ns?: number;
  /** shrink_page_list's CPU time per page, charged per isolated batch or per page (src/mm/vmscan.ts). */
  reclaim_page_ns: number;
  reclaim_charge: 'batch' | 'page';
  /** How tasks of one CPU spend CPU time: at once ('overlap'), one after another ('fifo'), or by time slice ('slice'). */
  cpu_sharing: CpuSharing;
  /** machine.vmstat per_cpu: NR_FREE_PAGES with 2.6.25's per-CPU deltas (absent: exact). */
  vmstat_per_cpu?: true;
  can_queue: number;
  queue_depth: number;
  sg_tablesize: number;
  max_sectors: number;
  seek_ns: number;
  seek_jitter_ns: number;
  transfer_bytes_per_s: number;
  per_command_overhead_ns: number;
  unchecked_isa_dma: boolean;
  swap_bytes: number;
  copies: number;
  tree_bytes: number;
  file_size_mix: { size_bytes: number; weight: number }[];
  copy_bytes_per_s: number;
  start_stagger_ns: number;
  /** Files per directory in each copied tree. */
  files_per_dir: number;
  /** Trees each copy task copies in turn, removing the last before the next (1: once). */
  rounds?: number;
  /** CPU time of removing one name, ns (when rounds > 1). */
  remove_ns?: number;
  /** Pages each CPU reads from the root file system at boot (src/workload/boot_io.ts). */
  boot_read_pages: number;
  watchdog_window_ns: number;
  time_limit_ns: number;
  event_limit: number;
  hung_task_timeout_ns: number;
  invariants: 'off' | 'cheap' | 'full';
  /** With invariants 'full': the whole-state checks once per this much simulated time, ns (absent or 0: after every event). */
  full_interval_ns?: number;
  trace_events: string[];
  trace_buffer_kb: number;
  metrics_interval_ns: number;
  /** Scheduling perturbation: a non-zero salt draws same-instant scheduling from another stream (swarm runs). */
  sched_salt?: number;
  /**
   * The request queue's I/O scheduler when it is not noop (src/block/elevator.ts). Absent for noop,
   * so that the parameters, and with them the scenario hashes, of noop runs stay as they were.
   */
  elevator?: 'deadline';
  /**
   * live_patch.at: the instant from which rc8's __scsi_get_command falls back to the free list
   * (src/scenario/live_patch.ts). Absent when 0 (never), so other runs' scenario hashes stay as they were.
   */
  live_patch_ns?: number;
}

/**
 * Maps a resolved scenario (src/scenario/schema.ts: every field present, in bytes and ns) onto run
 * parameters. The scenario schema holds the one set of defaults; the flagship is its default.
 */
export function paramsFromScenario(s: ResolvedScenario): RunParams {
  return {
    name: s.name,
    profile: s.profile as Profile,
    // In the schema's order, whatever order the file lists them in: one kernel, one label and hash.
    variants: VARIANTS_IN_ORDER.filter((v) => (s.variants as string[]).includes(v)),
    seed: s.seed,
    ...(s.sched_salt !== 0 ? { sched_salt: s.sched_salt } : {}),
    ram_bytes: s.machine.ram_bytes,
    cpus: s.machine.cpus,
    hz: s.machine.hz,
    cache_line_bytes: s.machine.cache_line_bytes,
    timer_stats: s.machine.timer_stats,
    completion_request_ns: s.machine.completion_cost.request_ns,
    completion_per_bio_ns: s.machine.completion_cost.per_bio_ns,
    ...(s.machine.completion_cost.end_bios === 'one_by_one' ? { completion_end_bios: 'one_by_one' as const } : {}),
    ...(s.machine.failure_report_cost_ns > 0 ? { failure_report_ns: s.machine.failure_report_cost_ns } : {}),
    reclaim_page_ns: s.machine.reclaim_cost.per_page_ns,
    reclaim_charge: s.machine.reclaim_cost.charge as 'batch' | 'page',
    cpu_sharing: s.machine.cpu_sharing as CpuSharing,
    ...(s.machine.vmstat === 'per_cpu' ? { vmstat_per_cpu: true as const } : {}),
    can_queue: s.device.can_queue,
    queue_depth: s.device.queue_depth,
    sg_tablesize: s.device.sg_tablesize,
    max_sectors: s.device.max_sectors,
    ...(s.device.elevator === 'deadline' ? { elevator: 'deadline' as const } : {}),
    seek_ns: s.device.service.seek_ns,
    seek_jitter_ns: s.device.service.seek_jitter_ns,
    transfer_bytes_per_s: s.device.service.transfer_rate_bytes_per_s,
    per_command_overhead_ns: s.device.service.per_command_overhead_ns,
    unchecked_isa_dma: s.device.unchecked_isa_dma,
    swap_bytes: s.swap.size_bytes,
    copies: s.workload.copies,
    tree_bytes: s.workload.tree_size_bytes,
    file_size_mix: s.workload.file_size_mix.map((m) => ({ size_bytes: m.size_bytes, weight: m.weight })),
    copy_bytes_per_s: s.workload.copy_bandwidth_bytes_per_s,
    start_stagger_ns: s.workload.start_stagger_ns,
    files_per_dir: s.workload.files_per_dir,
    ...(s.workload.rounds > 1 ? { rounds: s.workload.rounds, remove_ns: s.workload.remove_cost_ns } : {}),
    boot_read_pages: Math.floor(s.workload.boot_read_bytes / 4096),
    watchdog_window_ns: s.checks.watchdog_window_ns,
    time_limit_ns: s.checks.time_limit_ns,
    event_limit: s.checks.event_limit,
    hung_task_timeout_ns: s.checks.hung_task_timeout_ns,
    invariants: s.checks.invariants,
    ...(s.checks.full_interval_ns > 0 ? { full_interval_ns: s.checks.full_interval_ns } : {}),
    trace_events: [...s.outputs.trace_events],
    trace_buffer_kb: s.outputs.trace_buffer_kb,
    metrics_interval_ns: s.outputs.metrics_interval_ns,
    ...(s.live_patch.at_ns > 0 ? { live_patch_ns: s.live_patch.at_ns } : {}),
  };
}

/** The flagship: the schema's defaults (see docs/scenario-format.md and scenarios/flagship.yaml). */
export const DEFAULT_PARAMS: RunParams = paramsFromScenario(resolveScenario({ name: 'flagship', sets: ['name=flagship'] }));
