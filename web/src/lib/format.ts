/** Formatting of sizes, percentages, durations and times for display. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))} ${UNITS[i]}`;
}

/** Mebibytes as the panel stores limits (`1024` → `1 GiB`); 0 means unlimited. */
export function formatMiB(mib: number, unlimited: string): string {
  if (!mib) return unlimited;
  return formatBytes(mib * 1024 * 1024);
}

/** `12.3456` → `12.3%`. */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(v >= 100 ? 0 : 1)}%`;
}

/** Milliseconds of uptime → `3d 4h`, `2h 5m`, `45s`. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s <= 0) return '—';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** An ISO timestamp in the user's locale, or `—`. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Bytes per second between two counters. */
export function rate(prev: number, next: number, seconds: number): number {
  if (seconds <= 0 || next < prev) return 0;
  return (next - prev) / seconds;
}

/** Clamps v into [0, 100]. */
export function clampPercent(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.max(0, Math.min(100, v));
}
