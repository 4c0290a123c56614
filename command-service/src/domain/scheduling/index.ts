export * from './views.js';
export {
  bookingShape,
  freeSlots,
  placementFor,
  reservationOf,
  reservedSpan,
  slotProblem,
  type FreeSlot,
  type FreeSlotsQuery,
  type Hold,
  type SlotProblem,
} from './availability.js';
export { workingIntervals } from './working-hours.js';
export { normalize, overlaps, overlapsAny, insideOne, subtract, type Interval } from './intervals.js';
