// A throwaway PostgreSQL cluster for tests: Debian's initdb into a temporary directory, started on
// a free port of 127.0.0.1 and removed again at the end. PostgreSQL refuses to run as root, so as
// root the cluster belongs to the `postgres` user and every command runs through runuser.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../free-port';

const INSTALL_ROOT = '/usr/lib/postgresql';
const SUPERUSER = 'postgres';

export interface PostgresCluster {
  /** The superuser's URL of the cluster's `postgres` database. */
  readonly adminUrl: string;
  /** The URL of one database of the cluster. */
  urlOf(database: string): string;
  stop(): void;
}

/** The bin directory of the newest PostgreSQL under /usr/lib/postgresql, or null when none is installed. */
export function findPostgresBin(): string | null {
  if (!existsSync(INSTALL_ROOT)) return null;
  const versions = readdirSync(INSTALL_ROOT)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(INSTALL_ROOT, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(INSTALL_ROOT, versions[0]!, 'bin');
}

/** Starts a cluster; throws, saying what is missing, when PostgreSQL is not installed or will not start. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (bin === null)
    throw new Error(
      `PostgreSQL is not installed (no ${INSTALL_ROOT}/<version>/bin/initdb): ` +
        'npm test installs it as root (scripts/install-system-packages.sh), or apt-get install postgresql',
    );
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'opentab-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: readonly string[]): void => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', SUPERUSER, '--', join(bin, program), ...args] : [...args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0)
      throw new Error(`${program} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  // Trust on loopback only: the cluster lives for one test run and listens on 127.0.0.1 alone.
  run('initdb', ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await findFreePort();
  // fsync off: a crash of this machine loses a test run, not data anyone keeps.
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${dir}'`,
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const urlOf = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    adminUrl: urlOf('postgres'),
    urlOf,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
