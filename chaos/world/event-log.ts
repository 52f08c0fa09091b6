// What happened in a round, in order, with the time since its traffic started: faults fired,
// kills, restarts, what the customers were answered. Kept in a file of the round's directory.

import { appendFileSync } from 'node:fs';

export class EventLog {
  private start_ms = Date.now();

  constructor(private readonly path: string) {}

  /** Times are counted from here on (the start of the round's traffic). */
  restartClock(): void {
    this.start_ms = Date.now();
  }

  elapsed_ms(): number {
    return Date.now() - this.start_ms;
  }

  note(what: string): void {
    appendFileSync(this.path, `${String(this.elapsed_ms()).padStart(7)} ms  ${what}\n`);
  }
}
