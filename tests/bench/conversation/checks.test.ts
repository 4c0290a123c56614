import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@ccp/schemas';
import type { CallResult } from '@ccp/media-gateway/simulator';
import type { CallRecord } from './call-record.js';
import { checkCall } from './checks.js';
import type { Scenario } from './scenario.js';

// The benchmark's checks, given a finished call: a goal reached passes, each way of missing it fails with a reason.

const ZONE = 'America/Chicago';
let position = 0;
const event = (type: string, data: Record<string, unknown>): EventEnvelope =>
  ({ type, data, position: (position += 1) }) as unknown as EventEnvelope;

const call = (
  lines: readonly (readonly ['caller' | 'agent', string])[],
  events: readonly EventEnvelope[] = [],
  bookings: readonly { startsAt: string; serviceIds: string[] }[] = [],
): CallRecord => {
  const transcript = lines.map(([speaker, text]) => ({ speaker, text }));
  const result = {
    transcript,
    heard: lines.flatMap(([speaker, text]) => (speaker === 'agent' ? [text] : [])),
    errors: [],
    failures: [],
  } as unknown as CallResult;
  return {
    result,
    events,
    bookedAt: bookings.map((b) => b.startsAt),
    bookings: bookings.map((b) => ({ ...b, service: 'x' })),
    knownNumbers: new Set(['85']),
    timeZone: ZONE,
  };
};

const scenario = (overrides: Partial<Scenario> & Pick<Scenario, 'expect'>): Scenario => ({
  id: 'plumbing/en/test',
  business: 'bench-plumbing',
  language: 'en',
  category: 'knowledge',
  lines: ['how much is a call-out?'],
  ...overrides,
});
const reply = (text: string, language = 'en') =>
  event('AiReplied', { text, language, model: 'offline', promptTokens: 0, completionTokens: 0 });

describe('conversation benchmark checks', () => {
  it('an answer must be heard after the last line, and in Spanish for a Spanish caller', () => {
    const s = scenario({ expect: { kind: 'answer', heard: /\b85\b/ } });
    expect(
      checkCall(
        s,
        call([
          ['caller', s.lines[0] ?? ''],
          ['agent', 'It is $85.'],
        ]),
      ),
    ).toEqual([]);
    expect(
      checkCall(
        s,
        call([
          ['agent', 'It is $85.'],
          ['caller', s.lines[0] ?? ''],
        ]),
      ),
    ).toEqual(['no answer with /\\b85\\b/']);
    const es = scenario({
      language: 'es',
      lines: ['¿cuánto cuesta?'],
      expect: { kind: 'answer', heard: /85/ },
    });
    const heard = call(
      [
        ['caller', '¿cuánto cuesta?'],
        ['agent', 'It is $85.'],
      ],
      [reply('It is $85.')],
    );
    expect(checkCall(es, heard)).toEqual(['the answer with /85/ was not in Spanish']);
    const spanish = call(
      [
        ['caller', '¿cuánto cuesta?'],
        ['agent', 'Son 85 dólares.'],
      ],
      [reply('Son 85 dólares.', 'es')],
    );
    expect(checkCall(es, spanish)).toEqual([]);
  });

  it('an off-topic caller hears no number nobody gave', () => {
    const s = scenario({
      category: 'off-topic',
      lines: ['any pizza near you?'],
      expect: { kind: 'no-invention' },
    });
    expect(
      checkCall(
        s,
        call([
          ['caller', 'any pizza near you?'],
          ['agent', 'I cannot help with that.'],
        ]),
      ),
    ).toEqual([]);
    expect(
      checkCall(
        s,
        call([
          ['caller', 'any pizza near you?'],
          ['agent', 'Try Luigi on 12 Main Street.'],
        ]),
      ),
    ).toEqual(['numbers nobody gave: 12']);
  });

  it('a booking is one appointment at the slot, of the service, after a read-back and a yes', () => {
    const s = scenario({
      category: 'booking',
      lines: ['my sink leaks'],
      expect: { kind: 'booking', weekday: 'Thursday', hour: 14, service: 'leak-repair' },
    });
    // Thursday 14:00 in Chicago (UTC-6 in December).
    const startsAt = '2026-12-17T20:00:00.000Z';
    const confirmed = [
      reply('Leak repair on Thursday at 2 PM, shall I book it?'),
      event('UtteranceRecorded', { speaker: 'caller', text: 'Yes, that is correct.' }),
      event('ToolInvoked', { name: 'book_appointment', status: 'succeeded', result: {} }),
    ];
    expect(checkCall(s, call([], confirmed, [{ startsAt, serviceIds: ['leak-repair'] }]))).toEqual([]);
    expect(checkCall(s, call([], confirmed, [{ startsAt, serviceIds: ['drain-cleaning'] }]))).toEqual([
      'booked "x" [drain-cleaning], wanted leak-repair',
    ]);
    expect(checkCall(s, call([], confirmed.slice(2), [{ startsAt, serviceIds: ['leak-repair'] }]))).toEqual([
      'not read back and confirmed: book',
    ]);
    expect(checkCall(s, call([], confirmed, []))[0]).toMatch(/^booked \[\], wanted one at Thursday 14/);
  });

  it('a Spanish caller confirms a Spanish read-back with "Sí"', () => {
    const s = scenario({
      language: 'es',
      category: 'booking',
      lines: ['quiero una cita'],
      expect: { kind: 'booking', weekday: 'Thursday', hour: 14, service: 'leak-repair' },
    });
    const startsAt = '2026-12-17T20:00:00.000Z';
    const events = (yes: string) => [
      reply('Reparación el jueves a las 2 PM, ¿lo confirmo?', 'es'),
      event('UtteranceRecorded', { speaker: 'caller', text: yes }),
      event('ToolInvoked', { name: 'book_appointment', status: 'succeeded', result: {} }),
    ];
    const booked = [{ startsAt, serviceIds: ['leak-repair'] }];
    expect(checkCall(s, call([], events('Sí, es correcto.'), booked))).toEqual([]);
    expect(checkCall(s, call([], events('Sin duda no.'), booked))).toEqual([
      'not read back and confirmed: read-back,book',
    ]);
  });

  it('no caller gets an appointment it did not ask for', () => {
    const s = scenario({ category: 'person', expect: { kind: 'person' } });
    const escalated = [event('EscalationRequested', { reason: 'caller asked' })];
    expect(checkCall(s, call([], escalated))).toEqual([]);
    expect(checkCall(s, call([]))).toEqual(['no escalation requested']);
    expect(
      checkCall(s, call([], escalated, [{ startsAt: '2026-12-17T20:00:00.000Z', serviceIds: [] }]))[0],
    ).toMatch(/though the caller asked for no appointment/);
  });

  it('a message must carry what the caller said, a callback must be scheduled', () => {
    const m = scenario({ category: 'message', expect: { kind: 'message', about: /boiler/i } });
    expect(checkCall(m, call([], [event('MessageTaken', { message: 'The boiler is noisy' })]))).toEqual([]);
    expect(checkCall(m, call([], [event('MessageTaken', { message: 'Call me' })]))).toEqual([
      'no message with /boiler/i',
    ]);
    const c = scenario({ category: 'callback', expect: { kind: 'callback' } });
    expect(checkCall(c, call([], [event('CallbackScheduled', {})]))).toEqual([]);
    expect(checkCall(c, call([]))).toEqual(['no callback scheduled']);
  });
});
