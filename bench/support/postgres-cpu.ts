// CPU spent by a PostgreSQL cluster: its postmaster and every backend, live or ended. A backend
// that ended is counted in the postmaster's children's times once it has been reaped; one still
// running is counted from its own /proc entry.

import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in USER_HZ, which is 100 on every architecture it runs on. */
const TICKS_PER_S = 100;

interface ProcessTimes {
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly own: number;
  /** cutime + cstime of reaped children, in ticks. */
  readonly children: number;
}

function readTimes(pid: number): ProcessTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

/** The postmaster listening on `port`: the postgres process started with `-p <port>`. */
export function findPostmaster(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('/postgres')) continue;
      const flag = argv.indexOf('-p');
      if ((flag >= 0 && argv[flag + 1] === String(port)) || argv.includes(`-p ${port}`)) return Number(entry);
    } catch {
      // the process ended while the directory was read
    }
  }
  return null;
}

/** CPU of the cluster whose postmaster is `postmaster` so far, in ms; null when it is gone. */
export function postgresCpu_ms(postmaster: number): number | null {
  const root = readTimes(postmaster);
  if (root === null) return null;
  let ticks = root.own + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = readTimes(Number(entry));
    if (times !== null && times.ppid === postmaster) ticks += times.own;
  }
  return (ticks * 1000) / TICKS_PER_S;
}
