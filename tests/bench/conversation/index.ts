/**
 * The conversation benchmark's businesses and callers, and its held-out split: about a third of the callers, chosen
 * by their position (not by anyone's judgement), are kept aside and run only at the end.
 */
import * as carRepair from './businesses/car-repair.js';
import * as clinic from './businesses/clinic.js';
import * as eCommerce from './businesses/e-commerce.js';
import * as plumbing from './businesses/plumbing.js';
import * as salon from './businesses/salon.js';
import * as utility from './businesses/utility.js';
import type { Business, Scenario } from './scenario.js';

export * from './scenario.js';
export { callerOf, checkCall } from './checks.js';
export { setUpBusiness } from './tenant.js';

const ALL = [plumbing, salon, clinic, carRepair, eCommerce, utility];

export const BUSINESSES: readonly Business[] = ALL.map((m) => m.business);
export const SCENARIOS: readonly Scenario[] = ALL.flatMap((m) => m.scenarios);

export const SPLITS = ['dev', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

/**
 * Stratified by business and category so that every kind of caller is measured on both sides, and by position in
 * the business's file so that nobody chooses: the second, fifth, eighth... caller of each category is held out.
 */
const HELD_OUT = new Set(
  SCENARIOS.filter(
    (s, i) =>
      SCENARIOS.slice(0, i).filter((t) => t.business === s.business && t.category === s.category).length %
        3 ===
      1,
  ).map((s) => s.id),
);

/**
 * Held-out callers whose lines were read while the engine was tuned (a review found a pattern's exception and a
 * training line drawn from them): counted with dev, so that the held-out figure is of callers nobody looked at.
 */
const SEEN_WHILE_TUNING: ReadonlySet<string> = new Set([
  'plumbing/es/pizzeria',
  'salon/en/manicure-thursday',
]);

export const splitOf = (scenario: Scenario): Split =>
  HELD_OUT.has(scenario.id) && !SEEN_WHILE_TUNING.has(scenario.id) ? 'held-out' : 'dev';
