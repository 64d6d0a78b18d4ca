/**
 * The parameters of one run, in model units (bytes, ns), independent of how they were written
 * (scenario file, CLI flags, sweep cell). `fromScenario` maps a resolved scenario onto them.
 */
export type Profile = '2.6.24' | '2.6.25-rc8' | '2.6.25';
export type Variant = 'noop-ctor' | 'single-cache' | 'slub_nomerge' | 'slab';

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
  watchdog_window_ns: number;
  time_limit_ns: number;
  event_limit: number;
  hung_task_timeout_ns: number;
  invariants: 'off' | 'cheap' | 'full';
  trace_events: string[];
  trace_buffer_kb: number;
  metrics_interval_ns: number;
}

const MiB = 1024 * 1024;

/**
 * The flagship defaults: the patch's load ("copying kernel trees to tmpfs, paging out to swap")
 * on a machine small enough that a run takes well under a second of host time. 512 MiB of RAM and
 * four 256 MiB trees put twice RAM through tmpfs, so about half of it must go to swap; HZ 1000 as
 * on the distribution kernels of the time; a SATA disk behind an NCQ host (can_queue 31).
 */
export const DEFAULT_PARAMS: RunParams = {
  name: 'flagship',
  profile: '2.6.25-rc8',
  variants: [],
  seed: 1,
  ram_bytes: 512 * MiB,
  cpus: 2,
  hz: 1000,
  cache_line_bytes: 64,
  timer_stats: false,
  can_queue: 31,
  queue_depth: 31,
  sg_tablesize: 128,
  max_sectors: 1024,
  seek_ns: 4_000_000,
  seek_jitter_ns: 2_000_000,
  transfer_bytes_per_s: 60 * MiB,
  per_command_overhead_ns: 100_000,
  unchecked_isa_dma: false,
  swap_bytes: 2048 * MiB,
  copies: 4,
  tree_bytes: 256 * MiB,
  file_size_mix: [
    { size_bytes: 1024, weight: 20 },
    { size_bytes: 4096, weight: 30 },
    { size_bytes: 8192, weight: 20 },
    { size_bytes: 16384, weight: 15 },
    { size_bytes: 32768, weight: 8 },
    { size_bytes: 65536, weight: 5 },
    { size_bytes: 262144, weight: 2 },
  ],
  copy_bytes_per_s: 200 * MiB,
  start_stagger_ns: 10_000_000,
  watchdog_window_ns: 30_000_000_000,
  time_limit_ns: 600_000_000_000,
  event_limit: 200_000_000,
  hung_task_timeout_ns: 120_000_000_000,
  invariants: 'cheap',
  trace_events: [],
  trace_buffer_kb: 4096,
  metrics_interval_ns: 100_000_000,
};
