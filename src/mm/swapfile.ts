/**
 * Swap areas and swap-slot allocation.
 *
 * Mirrors: mm/swapfile.c (scan_swap_map, get_swap_page, swap_duplicate, swap_free), v2.6.25.
 * Slots are handed out in clusters of SWAPFILE_CLUSTER (256) consecutive slots, so consecutive
 * swap-outs get consecutive sectors and their bios back-merge into large requests.
 *
 * Modelled: one swap area on a block device (a partition starting at `start_sector`), the
 * swap_map use counts, lowest_bit/highest_bit, cluster_next/cluster_nr, inuse_pages; slot 0 is the
 * header and never handed out. Not modelled: swap extents (the area is contiguous, so
 * map_swap_page is offset arithmetic), priorities across several areas, swapoff, the scanning
 * lock dance (the model is atomic between sleeps). Any context; never sleeps.
 */
import { take } from '../sim/recycle.js';
import { fail } from '../sim/assert.js';

export const SWAPFILE_CLUSTER = 256;
/** Sectors per page (PAGE_SIZE >> 9). */
export const SECTORS_PER_PAGE = 8;

export class swap_info_struct {
  /** swap_map[offset]: use count of each slot (0 = free). */
  readonly swap_map: Uint16Array;
  /** Usable slots (the header slot excluded). */
  readonly pages: number;
  /** One past the last slot. */
  readonly max: number;
  lowest_bit: number;
  highest_bit: number;
  cluster_next: number;
  cluster_nr = 0;
  inuse_pages = 0;

  /**
   * @kernel mm/swapfile.c sys_swapon (a version 2 header, no bad pages)
   * `partition_pages` is the partition's size in pages. mkswap records the index of its last page
   * (last_page = partition_pages - 1), and sys_swapon takes that as the count of swap_map entries,
   * so that page is never used: max = last_page, highest_bit = last_page - 1, and the usable
   * pages are last_page - 1 (slot 0 is the header). A partition of fewer than 3 pages (swap.size
   * 0: no swap) gives an area with no usable slot, which get_swap_page never hands out from, as a
   * machine that never ran swapon.
   */
  constructor(
    partition_pages: number,
    /** First sector of the swap partition on its disk. */
    readonly start_sector: number,
  ) {
    const last_page = Math.max(1, partition_pages - 1);
    this.max = last_page;
    this.swap_map = take(Uint16Array, last_page);
    this.pages = last_page - 1;
    this.lowest_bit = 1;
    this.highest_bit = last_page - 1;
    this.cluster_next = 1;
  }
}

/**
 * @kernel mm/swapfile.c scan_swap_map
 * Next slot of the current cluster while cluster_nr lasts; otherwise look for a fully free run of
 * SWAPFILE_CLUSTER slots from lowest_bit and start a cluster there; if there is none (or fewer
 * than a cluster's worth of slots are free), take the first free slot from lowest_bit.
 * Returns 0 when the area is full.
 */
export function scan_swap_map(si: swap_info_struct): number {
  const map = si.swap_map;
  let offset: number;
  let needCheck = true;
  if (si.cluster_nr === 0) {
    si.cluster_nr = SWAPFILE_CLUSTER - 1;
    if (si.pages - si.inuse_pages < SWAPFILE_CLUSTER) {
      offset = si.lowest_bit;
    } else {
      offset = si.lowest_bit;
      let last_in_cluster = offset + SWAPFILE_CLUSTER - 1;
      let found = false;
      for (; last_in_cluster <= si.highest_bit; offset++) {
        if (map[offset]) last_in_cluster = offset + SWAPFILE_CLUSTER;
        else if (offset === last_in_cluster) {
          si.cluster_next = offset - SWAPFILE_CLUSTER + 1;
          found = true;
          break;
        }
      }
      offset = found ? si.cluster_next : si.lowest_bit;
    }
  } else {
    si.cluster_nr--;
    offset = si.cluster_next;
    if (offset > si.highest_bit) offset = si.lowest_bit;
  }
  // checks: / the linear search that follows a used slot, wrapping to lowest_bit once.
  let wrapped = false;
  while (needCheck) {
    if (!si.highest_bit) return 0;
    if (!map[offset]) {
      if (offset === si.lowest_bit) si.lowest_bit++;
      if (offset === si.highest_bit) si.highest_bit--;
      si.inuse_pages++;
      if (si.inuse_pages === si.pages) {
        si.lowest_bit = si.max;
        si.highest_bit = 0;
      }
      map[offset] = 1;
      si.cluster_next = offset + 1;
      return offset;
    }
    let next = offset + 1;
    while (next <= si.highest_bit && map[next]) next++;
    if (next <= si.highest_bit) {
      offset = next;
    } else {
      if (wrapped) needCheck = false;
      wrapped = true;
      offset = si.lowest_bit;
    }
  }
  return 0;
}

/** @kernel mm/swapfile.c get_swap_page — one area only; 0 when swap is full. */
export function get_swap_page(si: swap_info_struct): number {
  if (si.inuse_pages >= si.pages) return 0;
  return scan_swap_map(si);
}

/** @kernel mm/swapfile.c swap_duplicate — one more reference to a slot. */
export function swap_duplicate(si: swap_info_struct, offset: number): void {
  if (!(si.swap_map[offset]! > 0)) fail('swap_duplicate of free slot ', offset);
  si.swap_map[offset]!++;
}

/** @kernel mm/swapfile.c swap_free (swap_entry_free) — drop a reference; the slot frees at zero. */
export function swap_free(si: swap_info_struct, offset: number): void {
  if (!(si.swap_map[offset]! > 0)) fail('swap_free of free slot ', offset);
  if (--si.swap_map[offset]! === 0) {
    if (offset < si.lowest_bit) si.lowest_bit = offset;
    if (offset > si.highest_bit) si.highest_bit = offset;
    si.inuse_pages--;
  }
}

/** @kernel mm/swapfile.c map_swap_page — contiguous area: the block is the offset; returns the sector. */
export function swap_offset_to_sector(si: swap_info_struct, offset: number): number {
  return si.start_sector + offset * SECTORS_PER_PAGE;
}
