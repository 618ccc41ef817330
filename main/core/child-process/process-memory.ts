import fs from 'node:fs';

/** A process's resident set from /proc (VmRSS), or null once it is gone or on a system without /proc. */
export function residentBytes(processId: number): number | null {
  return statusKilobytes(processId, 'VmRSS');
}

/**
 * The most this process has held resident since it started. Linux carries `maxRSS` (getrusage) over from the parent
 * across fork and exec, so a worker forked by a 400 MB process reports 400 MB before doing anything; VmHWM belongs to
 * the process's own address space. Elsewhere `maxRSS` is the best there is.
 */
export function ownPeakResidentBytes(): number {
  return statusKilobytes('self', 'VmHWM') ?? process.resourceUsage().maxRSS * 1024;
}

function statusKilobytes(processId: number | 'self', field: 'VmRSS' | 'VmHWM'): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const status = fs.readFileSync(`/proc/${processId}/status`, 'utf8');
    const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kilobytes === undefined ? null : Number(kilobytes) * 1024;
  } catch {
    return null;
  }
}
