// A real HTTP hop in front of an MTA, as a load balancer or a flaky network would sit there: it
// passes every request through, except tab initiations it is told to cut (the connection drops
// before the MTA hears of them) or to hold (no answer, until released). It counts the
// initiations that reached it, per transaction id, to show who asked the MTA about what.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const INITIATION_PATH = '/v1/peer/initiation';

export class InitiationHop {
  /** Every initiation's connection is dropped before it reaches the MTA. */
  cutAll = false;
  private readonly holding = new Set<string>();
  private readonly held = new Map<string, () => void>();
  private readonly asked = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<InitiationHop> {
    let hop: InitiationHop | null = null;
    const server = createServer((request, response) => void hop!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hop = new InitiationHop(server, target, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return hop;
  }

  /** Initiations of this transaction get no answer until `release`. */
  hold(transactionId: string): void {
    this.holding.add(transactionId);
  }

  /** Whether an initiation of this transaction is waiting here now. */
  isHolding(transactionId: string): boolean {
    return this.held.has(transactionId);
  }

  /** Passes the held initiation on to the MTA, and its answer back; later ones pass at once. */
  release(transactionId: string): void {
    this.holding.delete(transactionId);
    this.held.get(transactionId)?.();
    this.held.delete(transactionId);
  }

  /** How many initiations of this transaction reached the hop. */
  askedAbout(transactionId: string): number {
    return this.asked.get(transactionId) ?? 0;
  }

  async close(): Promise<void> {
    for (const id of [...this.held.keys()]) this.release(id);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.url === INITIATION_PATH) {
      const transactionId = transactionIdOf(body);
      this.asked.set(transactionId, this.askedAbout(transactionId) + 1);
      if (this.cutAll) {
        request.socket.destroy();
        return;
      }
      if (this.holding.has(transactionId)) {
        await new Promise<void>((resolve) => this.held.set(transactionId, resolve));
      }
    }
    await this.forward(request, body, response);
  }

  private async forward(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    try {
      const answer = await fetch(`${this.target}${request.url}`, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      });
      const content = Buffer.from(await answer.arrayBuffer());
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(content);
    } catch {
      request.socket.destroy();
    }
  }
}

/** The transaction an initiation's body names; its text when it is no initiation at all. */
function transactionIdOf(body: Buffer): string {
  try {
    return String(JSON.parse(body.toString('utf8')).payload?.transactionId);
  } catch {
    return body.toString('utf8');
  }
}
