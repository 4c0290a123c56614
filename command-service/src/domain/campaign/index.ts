export { campaignDecider } from './decider.js';
export {
  activeAttempts,
  isPending,
  leadOf,
  type ActiveAttempt,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  type LeadEntry,
} from './state.js';
export { attemptIdOf } from './dialing.js';
export * from './legal-floor.js';
export {
  callingAllowedAt,
  insideWindows,
  localDateAt,
  nextCallingWindowOpening,
  windowInsideFloor,
  windowOutsideFloor,
  type ScheduleSettings,
} from './schedule.js';
