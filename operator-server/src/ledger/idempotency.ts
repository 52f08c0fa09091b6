// Every write carries a caller-chosen id, so a retried request must find the first outcome.
// A retry is recognised only if it asks for exactly the same thing; anything else reusing the
// id is a conflict, because silently returning a different outcome would hide a caller bug.
import type { CaptureHoldInput, Hold, JournalEntry, NewHold, NewJournalEntry, PostingInput } from './types';

export function isSameHold(stored: Hold, requested: NewHold): boolean {
  return stored.accountId === requested.accountId && stored.amount === requested.amount && stored.ref === requested.ref;
}

function isSamePostings(stored: JournalEntry['postings'], requested: readonly PostingInput[]): boolean {
  return (
    stored.length === requested.length &&
    stored.every((posting, index) => {
      const other = requested[index];
      return (
        other !== undefined &&
        posting.accountId === other.accountId &&
        posting.amount === other.amount &&
        (other.currency === undefined || posting.currency === other.currency)
      );
    })
  );
}

export function isSameEntry(stored: JournalEntry, requested: NewJournalEntry): boolean {
  return (
    stored.memo === requested.memo &&
    stored.ref === (requested.ref ?? null) &&
    isSamePostings(stored.postings, requested.postings)
  );
}

/** A capture retry must name the same amount and, if anything was posted, the same entry. */
export function isSameCapture(stored: Hold, storedEntry: JournalEntry | null, requested: CaptureHoldInput): boolean {
  if (stored.status !== 'captured' || stored.capturedAmount !== requested.amount) return false;
  if (storedEntry === null) return requested.postings.length === 0;
  return (
    storedEntry.id === requested.entryId &&
    storedEntry.memo === requested.memo &&
    isSamePostings(storedEntry.postings, requested.postings)
  );
}
