export interface Amount {
  readonly currency: string;
  readonly value: string;
}

export const amount = (money: Amount | null | undefined): string =>
  money === null || money === undefined ? '—' : `${money.value} ${money.currency}`;

/** RFC 3339 to the person's local date and time, to the second. */
export const when = (timestamp: string | null | undefined): string =>
  timestamp === null || timestamp === undefined ? '—' : new Date(timestamp).toLocaleString();

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
