// What a statement entry that corrects a clearing says about why: the shop's refund or the
// operator's decision, as the account manager wrote it into the entry's memo
// ("… (corrected clearing, revision 2: Refund from The Daily Tab: Article 2 never loaded.)").

const CORRECTION = /\(corrected clearing, revision \d+: (.+)\)$/s;

/** The reason a clearing was corrected, or null for any other entry. */
export function correctionNoteOf(memo: string): string | null {
  return CORRECTION.exec(memo)?.[1] ?? null;
}
