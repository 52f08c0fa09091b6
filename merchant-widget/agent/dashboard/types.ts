// The shapes the admin API answers with, from the very schemas the agent validates with
// (type-only imports: nothing of the server reaches the browser bundle).

export type {
  CatalogueView,
  ClearingRow,
  DisputeRow,
  PurchaseRow,
  ReceiptRow,
  RefundView,
  SalesReport,
  Summary,
  TabRow,
  WhoAmI,
} from '../admin/admin-api';
