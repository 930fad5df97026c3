/** Peak memory and CPU time of processes, from Linux's /proc (VmHWM is the high-water mark of RSS). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export async function peakRssMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match === null ? undefined : Math.round(Number(match[1]) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** Pids of the local infrastructure, from the pid files `infra/infra.sh` writes. */
export async function infraPids(infraDir: string): Promise<Record<string, number>> {
  const pids: Record<string, number> = {};
  for (const component of ['kafka', 'clickhouse', 'redis', 'feature-store']) {
    try {
      const text = await readFile(path.join(infraDir, 'run', `${component}.pid`), 'utf8');
      pids[component] = Number(text.trim());
    } catch {
      // not started by infra.sh (e.g. Docker): not reported
    }
  }
  return pids;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
