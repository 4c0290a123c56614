/** Grounding and safety checks on what a model says and does, whatever the model: pure functions. */
export { unsupportedFacts, unsupportedFactsIn } from './facts.js';
export { type Evidence, indexEvidence } from './evidence.js';
export { ACTION_KINDS, ACTION_TOOLS, type ActionKind, claimedActions } from './claims.js';
export { isAffirmative } from './affirmative.js';
export { type Instructions, echoesInstructions, indexInstructions, repeatsLongLine } from './echo.js';
export { slotReadBack, readsBackSlot, namesSlot } from './slot.js';
export {
  type EffectTool,
  checkingLine,
  confirmationQuestion,
  fillerLine,
  noAnswerLine,
  notDoneLine,
} from './lines.js';
