/** Figures from Redis' INFO text: memory in use, and where its command time went. */

export function usedMemoryOf(info: string): number {
  const match = /^used_memory:(\d+)\r?$/m.exec(info);
  if (match === null) throw new Error('INFO has no used_memory');
  return Number(match[1]);
}

export interface CommandStat {
  readonly calls: number;
  readonly usec: number;
}

/** `INFO commandstats` → command → calls and µs spent (commands run by scripts included). */
export function commandStats(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+),/gm))
    stats.set(match[1] ?? '', { calls: Number(match[2]), usec: Number(match[3]) });
  return stats;
}

export interface CommandCost {
  readonly command: string;
  readonly calls: number;
  readonly seconds: number;
  /** Share of all command time in the interval. */
  readonly share: number;
}

/**
 * What ran between two snapshots, the `top` by time. A script's inner commands are counted both
 * under their own names and in the EVALSHA/EVAL that ran them, so shares are of the script time
 * when scripts ran (the script row is then 1, and its rest is Lua itself: decoding, loops).
 */
export function commandCosts(
  before: ReadonlyMap<string, CommandStat>,
  after: ReadonlyMap<string, CommandStat>,
  top: number,
): CommandCost[] {
  const deltas = [...after].map(([command, stat]) => ({
    command,
    calls: stat.calls - (before.get(command)?.calls ?? 0),
    usec: stat.usec - (before.get(command)?.usec ?? 0),
  }));
  const scripts = deltas.filter((d) => d.command === 'evalsha' || d.command === 'eval');
  const total = scripts.reduce((sum, d) => sum + d.usec, 0) || deltas.reduce((sum, d) => sum + d.usec, 0);
  return deltas
    .filter((d) => d.calls > 0)
    .sort((a, b) => b.usec - a.usec)
    .slice(0, top)
    .map((d) => ({
      command: d.command,
      calls: d.calls,
      seconds: Math.round(d.usec / 1000) / 1000,
      share: total === 0 ? 0 : Math.round((d.usec / total) * 1000) / 1000,
    }));
}
