/**
 * Whether a benchmark call reached its caller's goal: the scenario's expectation checked on the call's events and
 * on what the caller heard, plus what no call may do (fail, or book what nobody asked for).
 */
import {
  bookedAt,
  callFailures,
  heardAfter,
  inventedNumbers,
  messagesOf,
  repliesOf,
  type CallRecord,
} from './call-record.js';
import { planned } from './caller.js';
import type { Caller } from '@ccp/media-gateway/simulator';
import type { Scenario } from './scenario.js';

/** The simulated caller of a scenario. */
export const callerOf = (scenario: Scenario): Caller => {
  const { expect, correction, answers = {} } = scenario;
  const yes = scenario.language === 'es' ? 'Sí, es correcto.' : 'Yes, that is correct.';
  return planned({
    lines: scenario.lines,
    language: scenario.language,
    ...(expect.kind === 'answer' && { done: expect.heard }),
    ...answers,
    ...(correction && {
      confirm: (readBack: string) => (correction.until.test(readBack) ? yes : correction.say),
    }),
  });
};

/** What went wrong on the call (empty: the caller's goal was reached). */
export const checkCall = (scenario: Scenario, call: CallRecord): string[] => {
  const { expect } = scenario;
  const last = scenario.lines.at(-1) ?? '';
  const answer = heardAfter(call.result, last);
  const failures = callFailures(call);
  const bookings = call.bookings ?? [];
  if (expect.kind !== 'booking' && call.bookedAt.length > 0)
    failures.push(`booked ${JSON.stringify(call.bookedAt)} though the caller asked for no appointment`);
  switch (expect.kind) {
    case 'answer': {
      if (!answer.some((line) => expect.heard.test(line))) {
        failures.push(`no answer with ${String(expect.heard)}`);
        break;
      }
      // A Spanish caller is answered in Spanish.
      if (
        scenario.language === 'es' &&
        !repliesOf(call.events).some((r) => r.language === 'es' && expect.heard.test(r.text))
      )
        failures.push(`the answer with ${String(expect.heard)} was not in Spanish`);
      break;
    }
    case 'no-invention': {
      if (answer.length === 0) failures.push('no answer');
      const invented = inventedNumbers(call);
      if (invented.length > 0) failures.push(`numbers nobody gave: ${invented.join(', ')}`);
      break;
    }
    case 'booking': {
      failures.push(...bookedAt(expect.weekday, expect.hour)(call));
      const wrong = bookings.filter((b) => !b.serviceIds.includes(expect.service));
      if (wrong.length > 0)
        failures.push(
          `booked ${wrong.map((b) => `"${b.service}" [${b.serviceIds.join(', ')}]`).join(', ')}, wanted ${expect.service}`,
        );
      break;
    }
    case 'message':
      if (!messagesOf(call.events).some((m) => expect.about.test(m.message)))
        failures.push(`no message with ${String(expect.about)}`);
      break;
    case 'callback':
      if (!call.events.some((e) => e.type === 'CallbackScheduled')) failures.push('no callback scheduled');
      break;
    case 'person':
      if (!call.events.some((e) => e.type === 'EscalationRequested'))
        failures.push('no escalation requested');
      break;
  }
  return failures;
};
