// A relay on one link of the crash world: a small HTTP proxy on 127.0.0.1 that the sending side
// is configured to call instead of the receiver. It passes every message on unchanged, except
// the planned n-th message on a path, which it drops, delays, answers into the void, or uses as
// the moment to kill the sender or the receiver. It also notes every 500 it passes on: only a
// defect produces one.

import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayAction, RelayFault } from '../plan';
import type { LinkSpec, ProcessName } from './topology';

export interface RelayHooks {
  kill(process: ProcessName, downtime_ms: number, detail: string): Promise<void>;
  note(line: string): void;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Longer than any caller waits: the relay itself never times a message out. */
const FORWARD_TIMEOUT_MS = 120_000;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

export class Relay {
  readonly fired: RelayFault[] = [];
  /** Answers that only a defect produces (HTTP 500), as "<link> <path>: <body>". */
  readonly defects: string[] = [];
  private faults: RelayFault[] = [];
  private readonly seen = new Map<string, number>();
  private targetPort: number | null = null;

  private constructor(
    readonly link: LinkSpec,
    private readonly hooks: RelayHooks,
    private readonly server: Server,
  ) {}

  /**
   * Listens on a port of its own before the receiver's port is chosen (see forwardTo), so that the
   * OS cannot hand the receiver's port to a relay in between.
   */
  static async start(link: LinkSpec, hooks: RelayHooks): Promise<Relay> {
    let relay: Relay | null = null;
    const server = createServer((request, response) => {
      relay!.pass(request, response).catch((error: unknown) => {
        hooks.note(`relay ${link.name} failed: ${(error as Error).message}`);
        response.destroy();
      });
    });
    relay = new Relay(link, hooks, server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Where the receiver listens; until it is set, every message is dropped. */
  forwardTo(port: number): void {
    this.targetPort = port;
  }

  /** From now on, count POSTs per path from 1 and fire these faults at their message. */
  arm(faults: readonly RelayFault[]): void {
    this.faults = faults.filter((fault) => fault.link === this.link.name);
    this.seen.clear();
  }

  disarm(): void {
    this.faults = [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async pass(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const path = (request.url ?? '/').split('?')[0]!;
    const fault = this.faultFor(request.method ?? 'GET', path);
    if (fault === null) return this.answer(response, path, await this.forward(request, body));
    const { action } = fault;
    this.fired.push(fault);
    this.hooks.note(`relay ${this.link.name}: ${path} #${fault.nth}: ${action.kind}`);
    switch (action.kind) {
      case 'drop-request':
        response.destroy();
        return;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, action.delay_ms));
        return this.answer(response, path, await this.forward(request, body));
      case 'lose-answer':
        await this.forward(request, body);
        response.destroy();
        return;
      case 'kill-before-delivery':
        await this.kill(action, fault);
        response.destroy();
        return;
      case 'kill-after-answer':
        await this.forward(request, body);
        await this.kill(action, fault);
        response.destroy();
        return;
    }
  }

  private faultFor(method: string, path: string): RelayFault | null {
    if (method !== 'POST' || this.faults.length === 0) return null;
    const nth = (this.seen.get(path) ?? 0) + 1;
    this.seen.set(path, nth);
    const index = this.faults.findIndex((fault) => fault.path === path && fault.nth === nth);
    return index < 0 ? null : this.faults.splice(index, 1)[0]!;
  }

  private async kill(action: Extract<RelayAction, { victim: unknown }>, fault: RelayFault): Promise<void> {
    const victim = action.victim === 'source' ? this.link.source : this.link.destination;
    if (victim === null) return;
    await this.hooks.kill(
      victim,
      action.downtime_ms,
      `${action.kind} of ${this.link.name} ${fault.path} #${fault.nth}`,
    );
  }

  /** The receiver's answer, or null when it gave none (down, or it died mid-answer). */
  private forward(request: IncomingMessage, body: Buffer): Promise<Answer | null> {
    const port = this.targetPort;
    if (port === null) return Promise.resolve(null);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['content-length'] = String(body.length);
    return new Promise((resolve) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: request.method, path: request.url, headers, agent: false },
        (incoming) => {
          readAll(incoming).then(
            (answer) => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: answer }),
            () => resolve(null),
          );
        },
      );
      outgoing.setTimeout(FORWARD_TIMEOUT_MS, () => outgoing.destroy());
      outgoing.on('error', () => resolve(null));
      outgoing.end(body);
    });
  }

  private answer(response: ServerResponse, path: string, answer: Answer | null): void {
    if (answer === null) {
      response.destroy();
      return;
    }
    if (answer.status === 500)
      this.defects.push(`${this.link.name} ${path}: ${answer.body.toString('utf8').slice(0, 300)}`);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    response.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    response.end(answer.body);
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.on('aborted', () => reject(new Error('the request was aborted')));
  });
}
