import { describe, expect, it } from 'vitest';
import { correctionNoteOf } from './statement-note';

describe('the note of a statement entry', () => {
  it("is the shop's refund or the operator's decision that corrected a clearing", () => {
    expect(
      correctionNoteOf(
        'tab tab_f3606a20e8f8399e4acb2175 at The Daily Tab (corrected clearing, revision 1: Refund from The Daily Tab: Article 2 never loaded.)',
      ),
    ).toBe('Refund from The Daily Tab: Article 2 never loaded.');
    expect(
      correctionNoteOf(
        'tab tab_x at News (corrected clearing, revision 3: Dispute resolved by operator op-eu: Two (2) never loaded.)',
      ),
    ).toBe('Dispute resolved by operator op-eu: Two (2) never loaded.');
  });

  it('is absent from an ordinary charge', () => {
    expect(correctionNoteOf('tab tab_f3606a20e8f8399e4acb2175 at The Daily Tab')).toBeNull();
    expect(correctionNoteOf('tab tab_x at News (late clearing)')).toBeNull();
  });
});
