/**
 * The per-CPU side of the zone counters: each CPU's free-page changes collect in a delta that the
 * zone counter (what zone_watermark_ok reads) does not see until it passes the zone's threshold,
 * or until vmstat_update folds it, once a second on each CPU.
 *
 * Mirrors: mm/vmstat.c of v2.6.25 (calculate_threshold, refresh_zone_stat_thresholds,
 * refresh_cpu_vm_stats, vmstat_update, start_cpu_timer, setup_vmstat). The delta itself, and
 * __mod_zone_page_state that feeds it, live with the counters in page_alloc.ts.
 *
 * Modelled: the thresholds as calculate_threshold computes them from the zone's size and the CPU
 * count; NR_FREE_PAGES's deltas; each CPU's vmstat_update, first HZ + cpu jiffies after
 * setup_vmstat, then every sysctl_stat_interval (HZ) after the last.
 * Not modelled: the other counters' deltas (exact here: see page_alloc.ts), the keventd thread
 * the work runs in (the fold happens at the timer, with no scheduling delay), deferrable timers
 * (a CPU of this model is never idle in NO_HZ sleep), CPU hotplug, NUMA's pageset draining.
 */
import { timer_list, type Kernel } from '../kernel/kernel.js';
import type { PageAllocator } from './page_alloc.js';

/** fls: the position of the most significant set bit, 1-based; 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** PAGE_SHIFT on x86_64. */
const PAGE_SHIFT = 12;

/**
 * @kernel mm/vmstat.c calculate_threshold
 * 2 x fls(cpus) x (1 + fls(zone size in 128 MiB units)), at most 125: 24 for a 2-4 GiB zone on 2
 * CPUs, 4 for ZONE_DMA on 2 CPUs.
 */
export function calculate_threshold(present_pages: number, cpus: number): number {
  const mem = present_pages >> (27 - PAGE_SHIFT);
  return Math.min(125, 2 * fls(cpus) * (1 + fls(mem)));
}

/**
 * @kernel mm/vmstat.c setup_vmstat (refresh_zone_stat_thresholds, start_cpu_timer, vmstat_update)
 * Gives every populated zone its threshold and starts each CPU's once-a-second fold. With
 * `exact` it does nothing: thresholds stay 0 and NR_FREE_PAGES is exact, as before setup_vmstat.
 * Simplified: the fold runs in the timer's context on that CPU, where 2.6.25 queues vmstat_work
 * for the CPU's keventd thread.
 */
export function setup_vmstat(k: Kernel, pa: PageAllocator, exact: boolean): void {
  if (exact) return;
  for (const z of pa.zones) {
    if (z.present_pages > 0) z.stat_threshold = calculate_threshold(z.present_pages, k.nr_cpu_ids);
  }
  for (let cpu = 0; cpu < k.nr_cpu_ids; cpu++) {
    const timer = new timer_list(k, (c) => {
      pa.refresh_cpu_vm_stats(c);
      // schedule_delayed_work(vmstat_work, sysctl_stat_interval) from the work itself.
      k.add_timer_on(timer, k.jiffies + k.HZ, c);
    }, cpu);
    // start_cpu_timer: schedule_delayed_work_on(cpu, vmstat_work, HZ + cpu).
    k.add_timer_on(timer, k.jiffies + k.HZ + cpu, cpu);
  }
}
