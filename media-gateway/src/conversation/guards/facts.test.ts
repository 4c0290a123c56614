import { describe, expect, it } from 'vitest';
import { unsupportedFacts } from './index.js';

/** What a turn's evidence looks like: the system prompt, the caller's lines and tool results as JSON. */
const PROMPT = [
  'You are Ava, an AI voice agent answering the phone for Bright Smiles Dental.',
  'The business is in the America/New_York time zone; say times in it.',
  'Tone: friendly',
  'Now: Monday, 2026-12-07, 09:15 (America/New_York).',
].join('\n');
const KNOWLEDGE = JSON.stringify({
  results: [
    {
      title: 'Prices',
      text: 'A cleaning costs $120. Whitening is 45 euros per session. Students get 10% off.',
    },
    { title: 'Hours', text: 'We are open Monday to Friday from 9 AM to 5 PM, Saturdays 10:00-14:00.' },
    {
      title: 'Contact',
      text: 'Call (555) 123-4567 or write to hello@brightsmiles.example, www.brightsmiles.com/book.',
    },
    { title: 'Where', text: 'We are at 250 Main Street, Springfield, NY 10001. Parking is 2 miles away.' },
    { title: 'Madrid', text: 'Horario: de 9 a 17. Calle Mayor, 12, 28013 Madrid. La limpieza cuesta 60 €.' },
  ],
});
const SLOTS = JSON.stringify({
  offers: [
    { startsAt: '2026-12-08T15:00:00-05:00', resourceId: 'r1' },
    { startsAt: '2026-12-08T16:30:00-05:00', resourceId: 'r1' },
  ],
  spoken: 'I have 3 PM or 4:30 PM on Tuesday, December 8',
});
const BOOKED = JSON.stringify({
  appointmentId: 'a-1',
  startsAt: '2026-12-09T19:00:00.000Z',
  status: 'scheduled',
});
const TICKET = JSON.stringify({ ticketId: 'TCK-2026-000123', status: 'open' });
const CALLER = ['Hi, I would like to book a cleaning', 'Can I come at 11?', 'my number is 555 987 6543'];

const ALL = [PROMPT, ...CALLER, KNOWLEDGE, SLOTS, BOOKED, TICKET];
const NONE = [PROMPT, ...CALLER];

type Case = readonly [sentence: string, evidence: readonly string[], unsupported: readonly string[]];

const CASES: readonly Case[] = [
  // prices
  ['A cleaning costs $120.', ALL, []],
  ['A cleaning is 120 dollars.', ALL, []],
  ['That would be $120.00.', ALL, []],
  ['A cleaning costs $120.', NONE, ['$120']],
  ['A cleaning costs $150.', ALL, ['$150']],
  ['Whitening is €45 a session.', ALL, []],
  ['Whitening is 50 euros.', ALL, ['50 euros']],
  ['La limpieza cuesta 60 €.', ALL, []],
  ['La limpieza cuesta 80 euros.', ALL, ['80 euros']],
  ['A cleaning costs 120.', ALL, []],
  ['A filling costs 95.', ALL, ['95']],
  ['Students get 10% off.', ALL, []],
  ['Seniors get 15 percent off.', ALL, ['15 percent']],
  // phones, e-mail, web
  ['You can reach us at (555) 123-4567.', ALL, []],
  ['You can reach us at 555-123-4567.', ALL, []],
  ['You can reach us at +1 555 123 4567.', ALL, []],
  ['You can reach us at 555-765-4321.', ALL, ['555-765-4321']],
  ['That is 5 5 5, 1 2 3, 4 5 6 7.', ALL, []],
  ['Call 1-800-555-0199.', ALL, ['1-800-555-0199']],
  ['I have your number as 555 987 6543.', ALL, []],
  ['Write to hello@brightsmiles.example.', ALL, []],
  ['Write to info@brightsmiles.example.', ALL, ['info@brightsmiles.example']],
  ['Book online at brightsmiles.com/book.', ALL, []],
  ['Book online at https://brightsmiles.com/book.', ALL, []],
  ['Book online at www.smilesnow.com.', ALL, ['www.smilesnow.com']],
  // hours
  ["We're open 9 to 5.", ALL, []],
  ["We're open from 9 AM to 5 PM.", ALL, []],
  ['We close at 5 PM on weekdays.', ALL, []],
  ['We close at 6 PM on weekdays.', ALL, ['6 PM']],
  ["We're open 8 to 6.", ALL, ['8', '6']],
  ['We open at 7:30.', ALL, ['7:30']],
  ['On Saturdays we are open until 2 PM.', ALL, []],
  ['Abrimos a las 9.', ALL, []],
  ['Abrimos a las 8.', ALL, ['8']],
  ['El horario es de 9 a 17.', ALL, []],
  ['Cerramos a las 8 de la tarde.', ALL, ['8 de la tarde']],
  ["We're open 9 to 5.", NONE, ['9', '5']],
  // addresses and quantities
  ["We're at 250 Main Street.", ALL, []],
  ["We're at 42 Elm Street.", ALL, ['42 Elm Street']],
  ['Our zip code is 10001.', ALL, []],
  ['We serve zip code 10002.', ALL, ['10002']],
  ['Estamos en la Calle Mayor, 12, 28013 Madrid.', ALL, []],
  ['Parking is 2 miles away.', ALL, []],
  ['Parking is 5 miles away.', ALL, ['5 miles']],
  ['A cleaning takes 30 minutes.', NONE, ['30 minutes']],
  ['La cita dura 45 minutos.', NONE, ['45 minutos']],
  // what the dialogue engine says: slots read back, references, dates, counts
  ['I have 3 PM or 4:30 PM on Tuesday, December 8.', ALL, []],
  ['I have 6 PM on Tuesday, December 8.', ALL, ['6 PM']],
  ["You're booked for Wednesday, December 9 at 2 PM.", ALL, []],
  ["You're booked for Wednesday, December 9 at 2:00 PM.", [PROMPT, BOOKED], []],
  ['Tengo el martes 8 de diciembre a las 3 o a las 4:30 de la tarde.', ALL, []],
  ['Your ticket number is TCK-2026-000123.', ALL, []],
  ['Sure, 11 AM works.', ALL, []],
  ['I see 2 appointments: which one do you mean?', NONE, []],
  ['One moment, let me check two options for you.', NONE, []],
  ['Your appointment is on December 8.', NONE, []],
  ['Su cita es el 8 de diciembre.', NONE, []],
  ['Is there anything else I can help you with?', NONE, []],
  ['It is 9:15 now.', ALL, []],
  ['We open again on Monday at 8:00 AM.', NONE, ['8:00 AM']],
  ['We open again on Monday at 8 a.m.', NONE, ['8 a.m.']],
  [
    'I see 1 appointment: Haircut on Tuesday, December 8 at 3 PM.',
    [PROMPT, JSON.stringify({ appointments: [{ startsAt: '2026-12-08T20:00:00.000Z' }] })],
    [],
  ],
  ['The deposit is 20.', NONE, ['20']],
  ['Dr. Smith has 20 years of experience.', NONE, ['20 years']],
  ['Call us on 0161 496 0000.', NONE, ['0161 496 0000']],
  ['Our postcode is SW1A 1AA.', NONE, ['SW1A 1AA']],
  ['It costs $1,200.', [...NONE, 'Implants: 1200 USD'], []],
  ['Your reference is #4821.', NONE, []],
  // numbers in words
  ['A cleaning costs eighty dollars.', NONE, ['eighty dollars']],
  ['A cleaning costs one hundred and twenty dollars.', ALL, []],
  ['A checkup is around a hundred bucks.', NONE, ['a hundred bucks']],
  ['Implants start at two thousand five hundred pounds.', NONE, ['two thousand five hundred pounds']],
  ['Cuesta ochenta dólares.', NONE, ['ochenta dólares']],
  ['La limpieza cuesta sesenta euros.', ALL, []],
  ['Un implante cuesta mil doscientos pesos.', NONE, ['mil doscientos pesos']],
  ['Students get ten percent off.', ALL, []],
  ['Seniors get fifteen percent off.', ALL, ['fifteen percent']],
  ['We are open until six.', NONE, ['six']],
  ["We're open from nine to five.", ALL, []],
  ["We're open from nine to five.", NONE, ['nine', 'five']],
  ['We open at seven thirty.', NONE, ['seven thirty']],
  ['We close at half past six.', NONE, ['half past six']],
  ['Abrimos a las nueve.', ALL, []],
  ['Abrimos a las nueve.', NONE, ['nueve']],
  ['Cerramos a las once de la noche.', [PROMPT], ['once de la noche']],
  ['Cerramos a las diez de la noche.', NONE, ['diez de la noche']],
  ['A cleaning takes half an hour.', NONE, ['half an hour']],
  ['A cleaning takes forty-five minutes.', NONE, ['forty-five minutes']],
  ['Parking is two miles away.', ALL, []],
  ['Parking is one and a half miles away.', NONE, ['one and a half miles']],
  [
    'You can reach us at five five five, one two three, four five six seven.',
    NONE,
    ['five five five, one two three, four five six seven'],
  ],
  ['You can reach us at five five five, one two three, four five six seven.', ALL, []],
  ['That is 5 5 5, 1 2 3, 4 5 6 7.', NONE, ['5 5 5, 1 2 3, 4 5 6 7']],
  ['A cleaning costs $80.', [PROMPT, 'A cleaning costs eighty dollars.'], []],
  ["We're open until 6 PM.", [PROMPT, 'We are open until six in the evening.'], []],
  // service areas
  ['We serve Brooklyn and Queens.', NONE, ['Brooklyn', 'Queens']],
  ['We serve Springfield.', ALL, []],
  ['We also cover the Bronx.', NONE, ['Bronx']],
  [
    'Our service area is Brooklyn, Queens, and Staten Island.',
    [...NONE, 'Area: Queens'],
    ['Brooklyn', 'Staten Island'],
  ],
  ['We deliver to Jersey City.', NONE, ['Jersey City']],
  ['Atendemos Madrid y Toledo.', ALL, ['Toledo']],
  ['Cubrimos Alcalá de Henares.', NONE, ['Alcalá de Henares']],
  ['We cover Stratford upon Avon and Bath.', [...NONE, 'Bath'], ['Stratford upon Avon']],
  ['Trabajamos en la zona de Getafe.', NONE, ['Getafe']],
  // what the dialogue engine says, with numbers in words: no facts
  ['One moment, please.', NONE, []],
  ['I have two times: 3 PM or 4:30 PM on Tuesday, December 8.', ALL, []],
  ['Which one do you mean, the first or the second?', NONE, []],
  ['We can try a couple of times.', NONE, []],
  ['Once you confirm, I will book it.', NONE, []],
  ['Thanks for calling Bright Smiles Dental, how can I help?', NONE, []],
  ['We serve you as soon as we can.', NONE, []],
  ['We work in English and Spanish.', NONE, []],
  ['We serve Monday to Friday.', NONE, []],
  ['We serve Bright Smiles Dental patients only.', NONE, []],
  ['Un momento, por favor, lo verifico.', NONE, []],
  ['Veo dos citas: ¿a cuál se refiere?', NONE, []],
  ["I haven't opened a ticket yet. Would you like me to open one?", NONE, []],
  ['Which one works for you, the one at 3 PM?', ALL, []],
  ['We open at one on Saturdays.', NONE, ['one']],
  ['We are open from one to five.', NONE, ['one', 'five']],
];

describe('unsupportedFacts', () => {
  it('has a table of at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
  it.each(CASES)('%s', (sentence, evidence, unsupported) => {
    expect(unsupportedFacts(sentence, evidence)).toEqual(unsupported);
  });
});

describe('a range of amounts that also reads as hours', () => {
  it('is supported by the sentence that states it: the unit makes "de 5 a 7 días" an amount', () => {
    const sentence = 'Los reembolsos llegan de 5 a 7 días hábiles.';
    expect(unsupportedFacts(sentence, [sentence])).toEqual([]);
    expect(unsupportedFacts('Refunds take 5 to 7 days.', ['Refunds take 5 to 7 days.'])).toEqual([]);
    expect(unsupportedFacts('Los reembolsos llegan de 5 a 9 días.', [sentence])).toEqual(['9 días']);
  });
});

describe('amounts are compared as numbers', () => {
  it.each([
    ['$1,200', ['Implants: 1200 USD'], []],
    ['1.200 €', ['Implantes: 1200 euros'], []],
    ['45,50 €', ['Blanqueamiento: 45.50 €'], []],
    ['$120', ['Cleaning: $120.00'], []],
    ['$15', ['Parking is 1.5 miles away'], ['$15']],
    ['$15', ['Parking is 1,5 km away'], ['$15']],
    ['$15', ['Now: Monday, 2026-12-07, 09:15'], ['$15']],
    ['$20', ['{"startsAt":"2026-12-08T20:00:00.000Z"}'], ['$20']],
  ] as const)('%s against %j', (amount, evidence, unsupported) => {
    expect(unsupportedFacts(`That is ${amount}.`, evidence)).toEqual(unsupported);
  });
});
