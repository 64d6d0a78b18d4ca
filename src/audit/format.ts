/**
 * Formatters for an AuditResult: plain text (terminal), JSON (machine-readable, stable key order)
 * and a self-contained HTML section (inline CSS, no scripts, no network, every name escaped).
 * Pure functions: they return strings and never print.
 */
import type { AliasGroup, AuditResult } from './analyze.js';

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function n(v: number | null): string {
  return v === null ? '?' : String(v);
}

function kernelLine(r: AuditResult): string {
  const k = r.kernel;
  const g = r.geometry;
  const cpus = g.nr_cpu_ids === null ? 'CPU count unknown (pass --cpus N)' : `nr_cpu_ids ${g.nr_cpu_ids}, ${n(g.nr_present_cpus)} present`;
  return `kernel ${k.release ?? 'unknown'}, ${cpus}`;
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

function groupLine(g: AliasGroup): string {
  const mark = g.risk === 'high' ? ' [HIGH]' : g.risk === 'medium' ? ' [medium]' : '';
  return `  ${pad(g.id, 12)} size ${pad(n(g.slab_size), 5)} obj ${pad(n(g.object_size), 5)} objs/slab ${pad(n(g.objs_per_slab), 4)} order ${n(g.order)}  in use ${pad(n(g.objects), 7)} flags ${pad(g.flag_letters || '-', 5)} <- ${g.aliases.join(' ')}${mark}`;
}

/** Text report: summary, alias groups, risks, geometry check. */
export function formatAuditText(r: AuditResult): string {
  const L: string[] = [];
  const g = r.geometry;
  const links = r.groups.reduce((s, x) => s + x.aliases.length, 0);
  L.push(`reclaimsim audit: ${r.source} (${kernelLine(r)})`);
  L.push(`${r.caches.length} caches, ${links} aliases in ${r.groups.length} alias groups; ${r.io_caches_total} cache names on the I/O path; ${r.at_risk.length} groups where an I/O-path cache shares slots with strangers`);
  L.push('');
  L.push('Alias groups (real cache <- aliases; flags: d dma, a reclaim, A account, H hwcache-align, R rcu, C ctor, P poison, Z red zone, U store user, F checks, T trace)');
  for (const x of r.groups) L.push(groupLine(x));
  const inconsistent = r.groups.filter((x) => x.alias_count_consistent === false);
  if (inconsistent.length > 0) L.push(`  note: link count differs from the kernel's aliases attribute for ${inconsistent.map((x) => x.id).join(', ')}`);
  L.push('');
  L.push('I/O-path caches sharing slots with strangers');
  if (r.at_risk.length === 0) L.push('  none: every I/O-path cache has its slab to itself or shares only within its family');
  for (const x of r.at_risk) L.push(`  ${pad(x.risk === 'high' ? 'HIGH' : 'medium', 7)}${pad(x.id, 12)} ${x.risk_reason}`);
  L.push('');
  L.push(`Geometry check: profile ${g.profile_name} (${g.profile_reason}); slub_min_objects ${g.slub_min_objects}, slub_max_order ${g.slub_max_order}`);
  L.push(`  ${g.agree}/${g.checked} caches agree with sysfs on slot size, order and objects per slab: ${pct(g.agreement)}${g.unchecked > 0 ? ` (${g.unchecked} unchecked: attributes unknown)` : ''}`);
  if (g.mismatches.length === 0) L.push('  mismatches: none');
  for (const m of g.mismatches) L.push(`  mismatch ${pad(m.id, 24)} ${m.field}: predicted ${m.predicted}, sysfs ${m.actual}: ${m.reason}`);
  for (const x of g.notes) L.push(`  note     ${pad(x.id, 24)} ${x.note}`);
  if (g.tunables.checked > 0) {
    L.push(`  tunables (min_partial, cpu_partial): ${g.tunables.agree}/${g.tunables.checked} agree`);
    for (const t of g.tunables.mismatches) L.push(`  tunable  ${pad(t.id, 24)} ${t.field}: predicted ${t.predicted}, sysfs ${t.actual}`);
  }
  for (const k of g.kmalloc_align_mismatches) L.push(`  kmalloc  ${pad(k.id, 24)} align: predicted ${k.predicted} (largest power-of-two divisor of the size, v6.15+), sysfs ${k.actual}`);
  return `${L.join('\n')}\n`;
}

/** JSON report. `groups` carry id (real cache directory) and aliases; `caches` all real caches. */
export function formatAuditJson(r: AuditResult): string {
  const doc = {
    source: r.source,
    kernel: r.kernel,
    summary: {
      caches: r.caches.length,
      groups: r.groups.length,
      aliases: r.groups.reduce((s, x) => s + x.aliases.length, 0),
      io_cache_names: r.io_caches_total,
      at_risk: r.at_risk.length,
      geometry_agreement: r.geometry.agreement,
    },
    groups: r.groups,
    at_risk: r.at_risk.map((g) => ({ id: g.id, risk: g.risk, reason: g.risk_reason, io: g.io, strangers: g.strangers })),
    caches: r.caches,
    geometry: r.geometry,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.8rem 0 .5rem;border-bottom:1px solid #dde2ea;padding-bottom:.25rem}
.meta{color:#5b6475}.num{text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{padding:.3rem .5rem;border-bottom:1px solid #eef1f5;vertical-align:top;text-align:left}
th{background:#f5f7fa;font-weight:600}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
.high{background:#fde8e8}.medium{background:#fff6e0}.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8em;font-weight:600}
.badge.high{background:#c62828;color:#fff}.badge.medium{background:#ef8f00;color:#fff}.ok{color:#2e7d32}.bad{color:#c62828}
`;

/** A self-contained HTML document with the audit section. */
export function formatAuditHtml(r: AuditResult): string {
  const e = escapeHtml;
  const g = r.geometry;
  const rows = (cells: string[]): string => `<tr>${cells.join('')}</tr>`;
  const td = (s: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${s}</td>`;
  const H: string[] = [];
  H.push('<!doctype html><html lang="en"><head><meta charset="utf-8">');
  H.push('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
  H.push(`<title>reclaimsim audit: ${e(r.source)}</title><style>${CSS}</style></head><body>`);
  H.push('<section id="slab-audit">');
  H.push(`<h1>Slab merge audit</h1><p class="meta">${e(r.source)} &middot; ${e(kernelLine(r))}</p>`);
  H.push(
    `<p>${r.caches.length} caches, ${r.groups.reduce((s, x) => s + x.aliases.length, 0)} aliases in ${r.groups.length} alias groups. ` +
      `<strong>${r.at_risk.length}</strong> groups where an I/O-path cache shares its slots with strangers. ` +
      `Geometry model agrees on <strong class="${g.agreement >= 0.95 ? 'ok' : 'bad'}">${e(pct(g.agreement))}</strong> of ${g.checked} caches.</p>`,
  );
  H.push('<h2>I/O-path caches sharing slots</h2>');
  if (r.at_risk.length === 0) H.push('<p class="ok">None: every I/O-path cache has its slab to itself or shares only within its family.</p>');
  else {
    H.push('<table><thead><tr><th>risk</th><th>cache</th><th class="num">slot</th><th>I/O-path users</th><th>other users</th><th>why it matters</th></tr></thead><tbody>');
    for (const x of r.at_risk) {
      const risk = x.risk ?? '';
      H.push(
        rows([
          td(`<span class="badge ${e(risk)}">${e(risk)}</span>`),
          td(`<code>${e(x.id)}</code>`),
          td(e(n(x.slab_size)), 'num'),
          td(x.io.map((m) => `<code>${e(m.name)}</code> (${e(m.family)})`).join('<br>')),
          td(x.strangers.map((s) => `<code>${e(s)}</code>`).join(' ') || '&mdash;'),
          td(e(x.risk_reason ?? '')),
        ]).replace('<tr>', `<tr class="${e(risk)}">`),
      );
    }
    H.push('</tbody></table>');
  }
  H.push('<h2>Alias groups</h2><table><thead><tr><th>cache</th><th class="num">object</th><th class="num">slot</th><th class="num">objs/slab</th><th class="num">order</th><th class="num">in use</th><th>flags</th><th>aliases</th></tr></thead><tbody>');
  for (const x of r.groups) {
    H.push(
      rows([
        td(`<code>${e(x.id)}</code>`),
        td(e(n(x.object_size)), 'num'),
        td(e(n(x.slab_size)), 'num'),
        td(e(n(x.objs_per_slab)), 'num'),
        td(e(n(x.order)), 'num'),
        td(e(n(x.objects)), 'num'),
        td(`<code>${e(x.flag_letters || '-')}</code>`),
        td(x.aliases.map((a) => `<code>${e(a)}</code>`).join(' ')),
      ]).replace('<tr>', x.risk ? `<tr class="${e(x.risk)}">` : '<tr>'),
    );
  }
  H.push('</tbody></table>');
  H.push(`<h2>Geometry check</h2><p>Profile <strong>${e(g.profile_name)}</strong> (${e(g.profile_reason)}); slub_min_objects ${g.slub_min_objects}, slub_max_order ${g.slub_max_order}. ${g.agree} of ${g.checked} caches agree on slot size, order and objects per slab (${e(pct(g.agreement))})${g.unchecked ? `; ${g.unchecked} unchecked` : ''}.</p>`);
  if (g.mismatches.length > 0) {
    H.push('<table><thead><tr><th>cache</th><th>field</th><th class="num">predicted</th><th class="num">sysfs</th><th>reason</th></tr></thead><tbody>');
    for (const m of g.mismatches) H.push(rows([td(`<code>${e(m.id)}</code>`), td(e(m.field)), td(String(m.predicted), 'num'), td(String(m.actual), 'num'), td(e(m.reason))]));
    H.push('</tbody></table>');
  } else H.push('<p class="ok">No mismatches.</p>');
  if (g.notes.length > 0) H.push(`<ul>${g.notes.map((x) => `<li><code>${e(x.id)}</code>: ${e(x.note)}</li>`).join('')}</ul>`);
  H.push('</section></body></html>');
  return `${H.join('\n')}\n`;
}
