// Public surface of the Opentab merchant agent.

export { createMerchantAgent, type MerchantAgent, type RecordDelivery } from './agent';
export {
  MerchantAgentConfigError,
  DEFAULT_MOUNT_PATH,
  type MerchantAgentConfig,
  type Clock,
  type AgentLogger,
} from './config';
export type { CatalogueEntry } from './catalogue';
export type { AccessClaims } from './access-token';
export type { MerchantAgentEvents, MerchantAgentEventName, Listener } from './events';
export type { TabView, PurchaseView, PurchaseListEvidence, DisputeDecisionView } from './views';
export type { AgentExtension, ExtendedAgent } from './extension';
export type { TabStatus, StopReason, ClearingOutcome } from './tab-record';
export type { AgentStoreConfig } from './store-config';
export { chainUnitOf } from './catalogue';
export { prepareProducts, ProductPreparationError } from './delivery/product-preparation';
export { ProductShelfError } from './delivery/product-shelf';
export type { AdminLogin, AdminRole } from './admin/admin-logins';
export {
  MERCHANT_ADMIN_API,
  PURCHASES_CSV_PATH,
  type CatalogueView,
  type ClearingRow,
  type DisputeRow,
  type PurchaseRow,
  type RefundView,
  type SalesReport,
  type Summary,
  type TabRow,
} from './admin/admin-api';
