export { accountDecider, monthInvoiceOf } from './account.js';
export {
  isLive as isLiveSubscription,
  segmentsUntil,
  tierAt,
  unpaidInvoiceIds,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type Dunning,
  type OpenAccount,
  type OpenStretch,
} from './account-state.js';
export {
  meterDecider,
  type MeterCommand,
  type MeterEvent,
  type MeterState,
  type MeterTotals,
} from './meter.js';
