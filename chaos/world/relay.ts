// A relay on one link of the crash world: a small HTTP proxy on 127.0.0.1 that the sending side
// is configured to call instead of the receiver. It passes every message on unchanged, except
// the planned n-th message on a path, which it drops, delays, answers into the void, or uses as
// the moment to kill the sender or the receiver. It also notes every 500 it passes on: only a
// defect produces one. A party served by several processes is reached as through a load
// balancer: each message goes to the next process in turn, and to the one after when nothing
// listens there (the message never arrived, so sending it elsewhere is safe).

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

/** A process of the receiving party, and where it listens. */
export interface RelayTarget {
  readonly process: ProcessName;
  readonly port: number;
}

/** An answer a process gave through the relay, and when it came. */
export interface ServedMessage {
  readonly process: ProcessName;
  readonly at_ms: number;
}

interface Answer {
  readonly process: ProcessName;
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
  /** Every answer passed back, by the process that gave it. */
  readonly served: ServedMessage[] = [];
  private faults: RelayFault[] = [];
  private readonly seen = new Map<string, number>();
  private targets: readonly RelayTarget[] = [];
  /** The target the next message goes to first. */
  private turn = 0;

  private constructor(
    readonly link: LinkSpec,
    private readonly hooks: RelayHooks,
    private readonly server: Server,
    private readonly sources: readonly ProcessName[],
  ) {}

  /**
   * Listens on a port of its own before the receiver's port is chosen (see forwardTo), so that the
   * OS cannot hand the receiver's port to a relay in between.
   */
  static async start(
    link: LinkSpec,
    hooks: RelayHooks,
    /** The sending party's processes, one of which a fault at the source kills; the party's only one by default. */
    sources: readonly ProcessName[] = link.source === null ? [] : [link.source],
  ): Promise<Relay> {
    let relay: Relay | null = null;
    const server = createServer((request, response) => {
      relay!.pass(request, response).catch((error: unknown) => {
        hooks.note(`relay ${link.name} failed: ${(error as Error).message}`);
        response.destroy();
      });
    });
    relay = new Relay(link, hooks, server, sources);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Where the receiving party's processes listen; until they are set, every message is dropped. */
  forwardTo(...targets: RelayTarget[]): void {
    this.targets = targets;
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
        await this.kill(action, fault, null);
        response.destroy();
        return;
      case 'kill-after-answer': {
        const answer = await this.forward(request, body);
        await this.kill(action, fault, answer?.process ?? null);
        response.destroy();
        return;
      }
    }
  }

  private faultFor(method: string, path: string): RelayFault | null {
    if (method !== 'POST' || this.faults.length === 0) return null;
    const nth = (this.seen.get(path) ?? 0) + 1;
    this.seen.set(path, nth);
    const index = this.faults.findIndex((fault) => fault.path === path && fault.nth === nth);
    return index < 0 ? null : this.faults.splice(index, 1)[0]!;
  }

  /**
   * The sender (one of its processes, by the fault's n: the relay cannot tell which sent it), or
   * the receiving process the message goes to, or went to.
   */
  private async kill(
    action: Extract<RelayAction, { victim: unknown }>,
    fault: RelayFault,
    receiver: ProcessName | null,
  ): Promise<void> {
    const victim =
      action.victim === 'source'
        ? (this.sources[(fault.nth - 1) % Math.max(1, this.sources.length)] ?? null)
        : (receiver ?? this.targets[this.turn % Math.max(1, this.targets.length)]?.process ?? null);
    if (victim === null) return;
    await this.hooks.kill(
      victim,
      action.downtime_ms,
      `${action.kind} of ${this.link.name} ${fault.path} #${fault.nth}`,
    );
  }

  /**
   * The receiver's answer, or null when it gave none (down, or it died mid-answer). Each message
   * goes to the next target in turn, and on to the next one while nothing listens where it went.
   */
  private async forward(request: IncomingMessage, body: Buffer): Promise<Answer | null> {
    const first = this.turn;
    this.turn = (this.turn + 1) % Math.max(1, this.targets.length);
    for (let i = 0; i < this.targets.length; i++) {
      const target = this.targets[(first + i) % this.targets.length]!;
      const sent = await this.send(target, request, body);
      if (sent === 'refused') continue;
      if (sent !== null) this.served.push({ process: target.process, at_ms: Date.now() });
      return sent;
    }
    return null;
  }

  /** One attempt at one target: 'refused' when nothing listens there, so the message never arrived. */
  private send(target: RelayTarget, request: IncomingMessage, body: Buffer): Promise<Answer | 'refused' | null> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['content-length'] = String(body.length);
    return new Promise((resolve) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port: target.port, method: request.method, path: request.url, headers, agent: false },
        (incoming) => {
          readAll(incoming).then(
            (answer) =>
              resolve({
                process: target.process,
                status: incoming.statusCode ?? 0,
                headers: incoming.headers,
                body: answer,
              }),
            () => resolve(null),
          );
        },
      );
      outgoing.setTimeout(FORWARD_TIMEOUT_MS, () => outgoing.destroy());
      outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : null));
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
