// CPU time spent by processes, so a case can say what one tab or one purchase costs in CPU, a
// figure that other load on the machine disturbs far less than throughput or latency.

import { readFileSync } from 'node:fs';

/** Linux reports process times in USER_HZ, which is 100 on every architecture it runs on. */
const TICKS_PER_S = 100;

/** User + system CPU of a process (all its threads) so far, from /proc; null where there is no /proc. */
export function processCpu_ms(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return ((userTicks + systemTicks) * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}

export function ownCpu_ms(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface CpuSpent {
  /** The server processes together; null where not measurable. */
  readonly server_ms: number | null;
  /** The benchmark process: the customers (and the billing receiver). */
  readonly client_ms: number;
}

/** Starts counting; the returned function tells how much CPU was spent since. */
export function startCpuMeter(serverCpu_ms: () => number | null): () => CpuSpent {
  const server0 = serverCpu_ms();
  const client0 = ownCpu_ms();
  return () => {
    const server1 = serverCpu_ms();
    return {
      server_ms: server0 === null || server1 === null ? null : server1 - server0,
      client_ms: ownCpu_ms() - client0,
    };
  };
}

export function perItem(total_ms: number | null, count: number): number | null {
  return total_ms === null ? null : total_ms / count;
}
