// Asks the customer, in a window of the extension's own, whether to open a tab. The question
// waits here until the confirm page answers (confirmDecision), its window is closed (decline),
// or nobody answers in time (decline): never an open tab by default.

import type { CryptoProvider } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { ConfirmDecision, ConfirmationView, DepositQuote } from '../../messaging/views';
import type { WindowPort } from '../ports';

export const CONFIRM_PAGE = 'confirm/confirm.html';
// Just under the widget's 120 s pay timeout, so the page hears "declined" rather than silence.
const UNANSWERED_AFTER_MS = 110_000;

/** The deposit the customer typed, as the tab would hold it; throws an AgentError saying why it cannot. */
export type QuoteDeposit = (deposit: string) => DepositQuote;

interface Question {
  readonly view: ConfirmationView;
  readonly quote: QuoteDeposit;
  readonly answer: (decision: ConfirmDecision) => void;
  windowId: number | null;
}

export class ConfirmationBroker {
  private readonly questions = new Map<string, Question>();

  constructor(
    private readonly windows: WindowPort,
    private readonly crypto: CryptoProvider,
    private readonly unansweredAfter_ms: number = UNANSWERED_AFTER_MS,
  ) {}

  ask(details: Omit<ConfirmationView, 'requestId'>, quote: QuoteDeposit): Promise<ConfirmDecision> {
    const requestId = newMessageId(this.crypto);
    return new Promise<ConfirmDecision>((resolve) => {
      const timer = setTimeout(() => this.decide(requestId, { kind: 'decline' }), this.unansweredAfter_ms);
      const question: Question = {
        view: { ...details, requestId },
        quote,
        answer: (decision) => {
          clearTimeout(timer);
          resolve(decision);
        },
        windowId: null,
      };
      this.questions.set(requestId, question);
      this.windows.openPopup(`${CONFIRM_PAGE}?request=${requestId}`).then(
        (windowId) => {
          question.windowId = windowId;
        },
        () => this.decide(requestId, { kind: 'decline' }),
      );
    });
  }

  view(requestId: string): ConfirmationView | undefined {
    return this.questions.get(requestId)?.view;
  }

  /** The deposit typed in the question's window, in both currencies; undefined when there is no such question. */
  quote(requestId: string, deposit: string): DepositQuote | undefined {
    return this.questions.get(requestId)?.quote(deposit);
  }

  /** False when the question was already answered (or never asked). */
  decide(requestId: string, decision: ConfirmDecision): boolean {
    const question = this.questions.get(requestId);
    if (!question) return false;
    this.questions.delete(requestId);
    question.answer(decision);
    if (question.windowId !== null) void this.windows.close(question.windowId).catch(() => undefined);
    return true;
  }

  windowClosed(windowId: number): void {
    for (const [requestId, question] of this.questions) {
      if (question.windowId === windowId) this.decide(requestId, { kind: 'decline' });
    }
  }
}
