// Puts a renewed TLS certificate into service without a restart: the files' directories are
// watched, and new connections get the new certificate once a checked pair is on disk.
// Connections already open keep the one they began with.

import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from '../support/logger';
import { readTlsCredentials, type TlsCredentials, type TlsFiles } from './tls-credentials';

export type TlsReload =
  | { readonly outcome: 'reloaded'; readonly fingerprint256: string }
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'refused'; readonly problems: readonly string[] };

/**
 * Files change in bursts (the certificate, then the key; a renewal tool swapping a symlink), and a
 * pair read in the middle of one does not match: one reload once the burst is over.
 */
const SETTLE_MS = 200;

/** The options of the server's secure context; the same at start-up and at every reload. */
export function secureContextOf(credentials: TlsCredentials): { cert: string; key: string } {
  return { cert: credentials.cert, key: credentials.key };
}

export class TlsCertificateReloader {
  private readonly watchers: FSWatcher[] = [];
  private pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: TlsServer,
    private readonly files: TlsFiles,
    private current: TlsCredentials,
    private readonly log: Logger,
  ) {}

  /**
   * Watches the directories, not the files: renewal tools (certbot, Kubernetes secrets) replace a
   * file or a symlink rather than write into it, which a watch on the old file would never see.
   */
  watch(): void {
    for (const directory of new Set([dirname(this.files.certificateFile), dirname(this.files.keyFile)])) {
      const watcher = watch(directory, { persistent: false }, () => this.scheduleReload());
      watcher.on('error', (error) => this.log.warn('tls.watch_failed', { directory, error: error.message }));
      this.watchers.push(watcher);
    }
  }

  /** Reads both files now; a pair that is not the one in service and checks out is served to new connections. */
  reload(): TlsReload {
    const read = readTlsCredentials(this.files);
    if (!read.ok) return this.refuse(read.problems);
    const { credentials } = read;
    if (credentials.cert === this.current.cert && credentials.key === this.current.key) return { outcome: 'unchanged' };
    try {
      this.server.setSecureContext(secureContextOf(credentials));
    } catch (error) {
      return this.refuse([`the TLS certificate and key cannot be served: ${(error as Error).message}`]);
    }
    this.current = credentials;
    this.log.info('tls.reloaded', { certificate: credentials.fingerprint256, validTo: credentials.validTo });
    return { outcome: 'reloaded', fingerprint256: credentials.fingerprint256 };
  }

  close(): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private scheduleReload(): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = null;
      this.reload();
    }, SETTLE_MS);
    this.pending.unref();
  }

  private refuse(problems: readonly string[]): TlsReload {
    this.log.warn('tls.reload_refused', { problems: problems.join('; '), serving: this.current.fingerprint256 });
    return { outcome: 'refused', problems };
  }
}
