import { Kernel } from '../../src/kernel/kernel.js';
import { PageAllocator, type MachineOptions } from '../../src/mm/page_alloc.js';
import { SlubAllocator, type SlubOptions } from '../../src/mm/slub.js';

export function machine(ram_mib = 256, cpus = 2, m: Partial<MachineOptions> = {}, s: SlubOptions = {}): { k: Kernel; pa: PageAllocator; slub: SlubAllocator } {
  const k = new Kernel({ hz: 250, cpus, seed: 1 });
  const pa = new PageAllocator(k, { ram_bytes: ram_mib * 1024 * 1024, ...m });
  const slub = new SlubAllocator(k, pa, s);
  slub.kmem_cache_init();
  return { k, pa, slub };
}

/** Takes free pages away (as OTHER) until the zone's free count is `left`. */
export function drain(pa: PageAllocator, left: number): number[] {
  const taken: number[] = [];
  while (pa.nr_free_pages > left) {
    let pfn = -1;
    for (const z of pa.zones) {
      if (!z.populated) continue;
      // bypass watermarks: take from the buddy lists directly through NO_WATERMARKS
      pfn = pa.get_page_from_freelist(0, 0, [z.idx], 0x01);
      if (pfn >= 0) break;
    }
    if (pfn < 0) break;
    taken.push(pfn);
  }
  return taken;
}
