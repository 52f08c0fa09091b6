// The shapes the admin API answers with, from the very schemas the operator validates with
// (type-only imports: nothing of the server reaches the browser bundle).

import type * as v from 'valibot';
import type { AccountView as AccountViewSchema } from '@opentab/protocol';
import type {
  DisputeList as DisputeListSchema,
  EnrollmentCodeResponse as EnrollmentCodeSchema,
  SettlementStatementResponse as StatementSchema,
} from '../src/http/admin-api';
import type {
  CustomerSummary as CustomerSummarySchema,
  DisputeDetail as DisputeDetailSchema,
  Figures as FiguresSchema,
  MerchantSummary as MerchantSummarySchema,
  ResolutionView as ResolutionViewSchema,
  TabStory as TabStorySchema,
  TabSummary as TabSummarySchema,
  TransactionSummary as TransactionSummarySchema,
  UndeliveredMessage as UndeliveredMessageSchema,
} from '../src/http/admin-operations-api';
import type {
  SessionView as SessionViewSchema,
  StaffAccountView as StaffAccountSchema,
  StaffActionView as StaffActionSchema,
} from '../src/http/admin-staff-api';
import type {
  KeysView as KeysViewSchema,
  PeerView as PeerViewSchema,
  PreparedKey as PreparedKeySchema,
  RevocationView as RevocationViewSchema,
} from '../src/http/admin-trust-api';

export type AccountView = v.InferOutput<typeof AccountViewSchema>;
export type CustomerSummary = v.InferOutput<typeof CustomerSummarySchema>;
export type MerchantSummary = v.InferOutput<typeof MerchantSummarySchema>;
export type TabSummary = v.InferOutput<typeof TabSummarySchema>;
export type TransactionSummary = v.InferOutput<typeof TransactionSummarySchema>;
export type TabStory = v.InferOutput<typeof TabStorySchema>;
export type DisputeListEntry = v.InferOutput<typeof DisputeListSchema>[number];
export type DisputeDetail = v.InferOutput<typeof DisputeDetailSchema>;
export type ResolutionView = v.InferOutput<typeof ResolutionViewSchema>;
export type Figures = v.InferOutput<typeof FiguresSchema>;
export type EnrollmentCode = v.InferOutput<typeof EnrollmentCodeSchema>;
export type SettlementStatement = v.InferOutput<typeof StatementSchema>;
export type UndeliveredMessage = v.InferOutput<typeof UndeliveredMessageSchema>;
export type PeerView = v.InferOutput<typeof PeerViewSchema>;
export type RevocationView = v.InferOutput<typeof RevocationViewSchema>;
export type KeysView = v.InferOutput<typeof KeysViewSchema>;
export type PreparedKey = v.InferOutput<typeof PreparedKeySchema>;
export type SessionView = v.InferOutput<typeof SessionViewSchema>;
export type StaffAccount = v.InferOutput<typeof StaffAccountSchema>;
export type StaffAction = v.InferOutput<typeof StaffActionSchema>;
