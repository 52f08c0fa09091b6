// A tab's story as a person reads it: each fact the MTA keeps about the tab, one sentence each,
// in time order. Pure: it only rewords what the tab story route has already gathered.

import type * as v from 'valibot';
import { formatTimestamp, parseTimestamp } from '@opentab/protocol';
import type { RecordReading, StoryEvent, TabStory } from '../http/admin-operations-api';
import type { Tab } from '../store/records';

type Event = v.InferOutput<typeof StoryEvent>;
type Story = Omit<v.InferOutput<typeof TabStory>, 'events'>;

const amount = (money: { currency: string; value: string }): string => `${money.value} ${money.currency}`;

function recordSentence(party: 'customer' | 'merchant', reading: v.InferOutput<typeof RecordReading>): string {
  const proof = reading.linkProvesPosition
    ? `its chain link proves ${amount(reading.proven)}`
    : 'its chain link proves nothing';
  return `The ${party}'s record: ${reading.count} purchase(s), ${amount(reading.total)} in total, last link at position ${reading.lastChainIndex}; ${proof}.`;
}

const decider = (name: string | null): string => (name === null ? '' : ` (decided by ${name})`);

export function tabEvents(
  tab: Tab,
  story: Story & {
    customerRecord: v.InferOutput<typeof RecordReading> | null;
    merchantRecord: v.InferOutput<typeof RecordReading> | null;
  },
): Event[] {
  const events: Event[] = [
    {
      at: formatTimestamp(tab.openedAt),
      actor: 'operator',
      what: `Tab registered for operator ${tab.customerOperatorId}'s customer with a deposit of ${amount(story.tab.deposit)}.`,
    },
  ];
  if (tab.customerRecord !== null && story.customerRecord !== null)
    events.push({
      at: tab.customerRecord.payload.iat,
      actor: 'customer',
      what: recordSentence('customer', story.customerRecord),
    });
  if (tab.merchantRecord !== null && story.merchantRecord !== null)
    events.push({
      at: tab.merchantRecord.payload.iat,
      actor: 'merchant',
      what: recordSentence('merchant', story.merchantRecord),
    });
  if (story.tab.clearedAt !== null)
    events.push({
      at: story.tab.clearedAt,
      actor: 'operator',
      what: `Cleared (${story.tab.outcome ?? 'unknown outcome'}).`,
    });
  for (const dispute of story.disputes)
    events.push({
      at: dispute.createdAt,
      actor: 'operator',
      what: `Dispute recorded: ${dispute.reason}; ${amount(dispute.cleared)} cleared on the chain proof.`,
    });
  for (const refund of story.refunds)
    events.push({
      at: refund.receivedAt,
      actor: 'merchant',
      what:
        refund.revision === null
          ? `Refund ${refund.refundId} of ${amount(refund.amount)} before the clearing, which subtracts it. Reason: ${refund.reason}`
          : `Refund ${refund.refundId} of ${amount(refund.amount)} after the clearing, given back as clearing revision ${refund.revision}. Reason: ${refund.reason}`,
    });
  for (const late of story.lateRecords)
    events.push({
      at: late.receivedAt,
      actor: late.party === 'customer' ? 'customer' : 'merchant',
      what: `A record after the clearing (${late.effect}).`,
    });
  if (story.resolution !== null) {
    const r = story.resolution;
    events.push({
      at: r.decidedAt,
      actor: 'staff',
      what:
        r.decision === 'uphold'
          ? `Dispute decided: upheld ${amount(r.clearedAfter)} as the chain proves. Reason: ${r.reason}${decider(r.decidedBy)}`
          : `Dispute decided: the tab clears ${amount(r.clearedAfter)} instead of ${amount(r.clearedBefore)}. Reason: ${r.reason}${decider(r.decidedBy)}`,
    });
  }
  for (const entry of story.ledger)
    events.push({
      at: entry.at,
      actor: 'operator',
      what: `Ledger: ${entry.memo} (${entry.postings.map((p) => `${p.accountId} ${amount(p.amount)}`).join(', ')}).`,
    });
  for (const message of story.messages)
    events.push({
      at: message.createdAt,
      actor: 'operator',
      what: `Message ${message.recordId} to ${message.destination}: ${
        message.deliveredAt !== null
          ? `delivered ${message.deliveredAt}`
          : `not delivered yet after ${message.attempts} attempt(s)${message.lastError !== null ? ` (${message.lastError})` : ''}`
      }.`,
    });
  // Stable: events at the same moment keep the order above (registration, records, clearing…).
  return events
    .map((event, index) => ({ event, index, at_ms: parseTimestamp(event.at) ?? 0 }))
    .sort((a, b) => a.at_ms - b.at_ms || a.index - b.index)
    .map(({ event }) => event);
}
