/**
 * `reclaimsim slabinfo`: boots a kernel profile's slab caches (with the boot-time mempool and
 * SCSI free-list reservations) and prints /proc/slabinfo (version 2.1, as SLUB's s_show writes
 * it) and the alias view of tools/slabinfo -a (Documentation/vm/slabinfo.c in v2.6.25), or JSON.
 */
import type { Command } from 'commander';
import { UsageError } from '../exit.js';
import { Kernel } from '../../kernel/kernel.js';
import { PageAllocator } from '../../mm/page_alloc.js';
import { SlubAllocator, type kmem_cache_s } from '../../mm/slub.js';
import { bootCaches, bootReservations, KERNEL_VERSIONS, type KernelVersion } from '../../mm/boot_caches.js';
import { formatProcSlabinfo } from '../../report/slabinfo.js';
import { parseChoiceFlag } from '../args.js';

export { formatProcSlabinfo };
import { out } from '../io.js';

export interface SlabinfoOptions {
  kernel: KernelVersion;
  cacheLine: 64 | 128;
  slubNomerge: boolean;
  senseCtor: boolean;
  timerStats: boolean;
  allocator: 'slub' | 'slab';
  /** A host with unchecked_isa_dma is registered: the (DMA) command-pool caches exist too. */
  uncheckedIsaDma?: boolean;
}

/** Boots the allocators for a profile: 1 GiB, 2 CPUs, HZ 250. */
export function bootForSlabinfo(o: SlabinfoOptions): SlubAllocator {
  const k = new Kernel({ hz: 250, cpus: 2, seed: 1 });
  const pa = new PageAllocator(k, { ram_bytes: 1 << 30 });
  const slub = new SlubAllocator(k, pa, { cache_line_size: o.cacheLine, slub_nomerge: o.slubNomerge, allocator: o.allocator });
  const caches = bootCaches(slub, { kernel: o.kernel, sense_ctor: o.senseCtor, timer_stats: o.timerStats, dma_pool: o.uncheckedIsaDma === true });
  bootReservations(k, slub, caches);
  return slub;
}

/**
 * The alias view of `slabinfo -a`: one line per cache with more than one alias, named by its
 * sysfs id, listing the alias names; sorted by target, then alias name (case-insensitive).
 */
export function formatAliases(slub: SlubAllocator): string {
  const groups: { target: string; names: string[] }[] = [];
  for (const s of slub.caches) {
    if (slub.slab_unmergeable(s) || s.aliases.length < 2) continue;
    const names = [...new Set(s.aliases)].sort(ci);
    groups.push({ target: s.sysfs_name, names });
  }
  groups.sort((a, b) => ci(a.target, b.target));
  return groups.map((g) => `${g.target.padEnd(12)} <- ${g.names.join(' ')}`).join('\n') + (groups.length ? '\n' : '');
}

function ci(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

export function slabinfoJson(slub: SlubAllocator): { caches: Record<string, unknown>[] } {
  return {
    caches: slub.slab_caches_list().map((s: kmem_cache_s) => {
      const r = slub.s_show(s);
      return {
        name: s.name,
        unique_id: s.sysfs_name,
        aliases: [...s.aliases],
        object_size: s.objsize,
        size: s.size,
        align: s.align,
        objs_per_slab: s.objects,
        order: s.order,
        flags: `0x${s.flags.toString(16)}`,
        ctor: s.ctor !== null,
        mergeable: !slub.slab_unmergeable(s),
        refcount: s.refcount,
        active_objs: s.objects_in_use,
        num_objs: r.num_objs,
        slabs: s.nr_slabs,
        partial: s.nr_partial,
        cpu_slabs: s.cpu_slabs,
        alloc_failures: s.alloc_failures,
        owners: Object.fromEntries(s.handles.map((h) => [h.name, h.inuse])),
      };
    }),
  };
}

export function register(program: Command): void {
  program
    .command('slabinfo')
    .description('boot a kernel profile\'s slab caches and print /proc/slabinfo and the SLUB alias view (slabinfo -a)')
    .option('--kernel <version>', `kernel profile: ${KERNEL_VERSIONS.join(', ')}`, parseChoiceFlag('--kernel', KERNEL_VERSIONS), '2.6.25')
    .option('--cache-line <bytes>', 'cache_line_size(): 64 or 128', parseChoiceFlag('--cache-line', ['64', '128'] as const), '64')
    .option('--slub-nomerge', 'boot with slub_nomerge', false)
    .option('--sense-ctor', 'give scsi_sense_cache a no-op ctor', false)
    .option('--timer-stats', 'CONFIG_TIMER_STATS (larger scsi_cmnd)', false)
    .option('--allocator <name>', 'slub, or slab (no merging)', parseChoiceFlag('--allocator', ['slub', 'slab'] as const), 'slub')
    .option('--unchecked-isa-dma', 'a host with unchecked_isa_dma: also the (DMA) command-pool caches', false)
    .option('--json', 'print JSON', false)
    .action((opts: { kernel: KernelVersion; cacheLine: string; slubNomerge: boolean; senseCtor: boolean; timerStats: boolean; allocator: 'slub' | 'slab'; uncheckedIsaDma: boolean; json: boolean }) => {
      // The scenario layer's rule (variants slab and slub_nomerge), for the flags that stand for them.
      if (opts.slubNomerge && opts.allocator === 'slab') throw new UsageError('--slub-nomerge: applies to SLUB only, and --allocator slab replaces SLUB; choose one');
      const o: SlabinfoOptions = {
        kernel: opts.kernel,
        cacheLine: opts.cacheLine === '128' ? 128 : 64,
        slubNomerge: opts.slubNomerge,
        senseCtor: opts.senseCtor,
        timerStats: opts.timerStats,
        allocator: opts.allocator,
        uncheckedIsaDma: opts.uncheckedIsaDma,
      };
      const slub = bootForSlabinfo(o);
      if (opts.json) {
        out(JSON.stringify(slabinfoJson(slub), null, 2));
        return;
      }
      out(`# reclaimsim slabinfo: kernel ${o.kernel}, cache_line_size ${o.cacheLine}${o.slubNomerge ? ', slub_nomerge' : ''}${o.senseCtor ? ', scsi_sense_cache with no-op ctor' : ''}${o.timerStats ? ', TIMER_STATS' : ''}${o.uncheckedIsaDma === true ? ', unchecked_isa_dma host' : ''}, allocator ${o.allocator}`);
      out('');
      out('## /proc/slabinfo');
      out(formatProcSlabinfo(slub));
      out('## slabinfo -a (aliases)');
      const a = formatAliases(slub);
      out(a === '' ? '(no aliases)' : a);
    });
}
