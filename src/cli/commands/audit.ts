/**
 * `reclaimsim audit`: which slab caches on the I/O path share slots with strangers on a real
 * kernel, and how well our SLUB geometry model predicts that kernel (docs/audit.md).
 *
 * Reads /sys/kernel/slab of this machine (plus the kernel release and CPU lists), or
 * `--sysfs PATH` (a copied directory or a snapshot file). `--save FILE` writes the portable
 * snapshot; `--json` prints JSON instead of text; `--html FILE` writes a self-contained report.
 * Broken input is a UsageError (one line, exit 1).
 */
import type { Command } from 'commander';
import { analyzeSnapshot } from '../../audit/analyze.js';
import type { ProfileName } from '../../audit/analyze.js';
import { formatAuditHtml, formatAuditJson, formatAuditText } from '../../audit/format.js';
import { SlabInputError, formatSnapshot, loadSlabSource, readHostKernel } from '../../audit/sysfs.js';
import type { SlabSnapshot } from '../../audit/sysfs.js';
import { parseIntFlag } from '../args.js';
import { UsageError } from '../exit.js';
import { out, writeFileAtomic } from '../io.js';

export const LIVE_SLAB_DIR = '/sys/kernel/slab';

interface AuditFlags {
  sysfs?: string;
  save?: string;
  json?: boolean;
  html?: string;
  cpus?: number;
  profile: string;
}

function parseProfile(v: string): ProfileName | 'auto' {
  if (v === 'auto' || v === '2.6.25' || v === 'legacy' || v === 'modern') return v;
  throw new UsageError(`--profile: expected auto, 2.6.25, legacy or modern, got "${v}"`);
}

/** Loads the slab state the flags name; SlabInputError becomes a UsageError. */
export function loadForAudit(sysfs: string | undefined): { snap: SlabSnapshot; source: string } {
  const source = sysfs ?? LIVE_SLAB_DIR;
  try {
    // Only the live tree comes with host facts; a copy or a snapshot carries its own (or none).
    const kernel = sysfs === undefined ? readHostKernel() : undefined;
    return { snap: loadSlabSource(source, kernel), source };
  } catch (e) {
    if (e instanceof SlabInputError) {
      if (sysfs === undefined) throw new UsageError(`${e.message} (this machine has no readable SLUB sysfs; use --sysfs PATH with a saved copy or snapshot)`);
      throw new UsageError(e.message);
    }
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('audit')
    .description('audit a real kernel: which slab caches on the I/O path share slots with strangers, and check our SLUB geometry model against it')
    .option('--sysfs <path>', `slab sysfs directory (a saved copy) or snapshot file to read instead of ${LIVE_SLAB_DIR}`)
    .option('--save <file>', 'write the slab state as a portable snapshot file (docs/audit.md) and exit')
    .option('--json', 'print the audit as JSON')
    .option('--html <file>', 'also write a self-contained HTML report to FILE')
    .option('--cpus <n>', 'CPU count for the geometry rules (nr_cpu_ids and present CPUs); default from the snapshot', parseIntFlag('--cpus', 1, 65536))
    .option('--profile <name>', 'SLUB geometry rules: auto, 2.6.25, legacy (v2.6.26..v6.7) or modern (v6.8+)', 'auto')
    .action((opts: AuditFlags) => {
      const profile = parseProfile(opts.profile);
      const { snap, source } = loadForAudit(opts.sysfs);
      if (opts.save !== undefined) {
        writeFileAtomic(opts.save, formatSnapshot(snap), '--save');
        const links = Object.keys(snap.aliases).length;
        out(`reclaimsim audit: saved ${Object.keys(snap.caches).length} caches and ${links} aliases from ${source} to ${opts.save}`);
        return;
      }
      const result = analyzeSnapshot(snap, { profile, source, ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}) });
      if (opts.html !== undefined) writeFileAtomic(opts.html, formatAuditHtml(result), '--html');
      out(opts.json ? formatAuditJson(result) : formatAuditText(result));
    });
}
