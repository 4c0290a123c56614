/**
 * A residential plumber in Austin: bookable visits, an emergency line, and a few jobs it turns away (boilers,
 * septic, gas lines, parts over the counter). Callers are written as people phone a plumber, not to suit the engine.
 */
import { weekdays, type Business, type Scenario } from '../scenario.js';

export const business: Business = {
  id: 'bench-plumbing',
  kind: 'plumbing',
  name: 'Ironwood Plumbing',
  timeZone: 'America/Chicago',
  hours: [...weekdays('07:00', '18:00'), { day: 'sat', open: '08:00', close: '13:00' }],
  number: '+15550200001',
  agent: {
    name: 'Sam',
    tone: 'friendly',
    greeting: 'Thanks for calling Ironwood Plumbing, this is Sam. How can I help you today?',
    systemPrompt:
      "You answer the phone for Ironwood Plumbing, a family plumbing company in Austin. Be friendly and get to the point. Book visits for leaks, drains, water heaters and inspections. If someone has water pouring out right now, tell them to shut off the main valve and give them our emergency rate. Never quote a price that isn't in our info; say the plumber will confirm it on site.",
  },
  articles: [
    {
      id: 'hours',
      title: 'Opening hours',
      body: "We're open Monday to Friday from 7 am to 6 pm and on Saturday from 8 am to 1 pm. The office is closed on Sundays; outside opening hours only emergency call-outs are available.",
      tags: ['hours', 'open', 'saturday', 'sunday'],
      language: 'en',
    },
    {
      id: 'hours-es',
      title: 'Horario',
      body: 'Abrimos de lunes a viernes de 7 de la mañana a 6 de la tarde y los sábados de 8 de la mañana a 1 de la tarde. Los domingos la oficina está cerrada; fuera del horario solo atendemos emergencias.',
      tags: ['horario', 'abierto', 'sábado', 'domingo'],
      language: 'es',
    },
    {
      id: 'service-call',
      title: 'Service call and labor rates',
      body: 'Our standard service call is $89, which covers the visit and the first 30 minutes of labor. After that, labor is $45 per half hour, plus parts.',
      tags: ['price', 'service call', 'labor', 'rates'],
      language: 'en',
    },
    {
      id: 'service-call-es',
      title: 'Visita y mano de obra',
      body: 'La visita estándar cuesta 89 dólares e incluye los primeros 30 minutos de trabajo. Después, la mano de obra es de 45 dólares por cada media hora, más las piezas.',
      tags: ['precio', 'visita', 'mano de obra'],
      language: 'es',
    },
    {
      id: 'emergency',
      title: 'Emergency call-outs',
      body: 'For burst pipes, major leaks and sewage backups we come out 24/7. An emergency call-out outside opening hours costs $149 plus labor, and we aim to be there within 90 minutes.',
      tags: ['emergency', 'after hours', 'burst pipe', 'call-out fee'],
      language: 'en',
    },
    {
      id: 'emergency-es',
      title: 'Emergencias',
      body: 'Para tuberías reventadas, fugas grandes y desbordes de aguas negras salimos las 24 horas. Una emergencia fuera del horario cuesta 149 dólares más la mano de obra, y llegamos en unos 90 minutos.',
      tags: ['emergencia', 'fuera de horario', 'tubería reventada'],
      language: 'es',
    },
    {
      id: 'drains',
      title: 'Drain cleaning',
      body: 'Clearing a blocked sink, shower, tub or toilet costs $129. Main sewer line clearing with a camera inspection is $295.',
      tags: ['drain', 'clog', 'blocked', 'sewer'],
      language: 'en',
    },
    {
      id: 'water-heaters',
      title: 'Water heaters',
      body: 'We repair and replace tank and tankless water heaters. A standard 50-gallon tank replacement, installed, starts at $1,450. We do not work on gas boilers, radiators or central heating systems.',
      tags: ['water heater', 'tankless', 'boiler', 'replacement'],
      language: 'en',
    },
    {
      id: 'service-area',
      title: 'Areas we serve',
      body: 'We serve Austin, Round Rock, Pflugerville, Cedar Park and Georgetown. We do not travel to San Marcos or anywhere south of Buda.',
      tags: ['area', 'coverage', 'towns', 'travel'],
      language: 'en',
    },
    {
      id: 'address',
      title: 'Address and parts',
      body: "Our shop is at 2210 Burnet Road, Austin, TX 78757. It's a workshop, not a store: we don't sell parts or fixtures over the counter.",
      tags: ['address', 'location', 'parts', 'shop'],
      language: 'en',
    },
    {
      id: 'payment',
      title: 'Payment',
      body: 'We take Visa, Mastercard, American Express, cash and checks. Payment is due when the job is finished; we do not offer financing.',
      tags: ['payment', 'cards', 'cash', 'financing'],
      language: 'en',
    },
    {
      id: 'warranty',
      title: 'Warranty',
      body: "All our labor is guaranteed for one year, and parts carry the manufacturer's warranty. The guarantee does not cover problems caused by repairs someone else makes after our visit.",
      tags: ['warranty', 'guarantee', 'labor'],
      language: 'en',
    },
    {
      id: 'estimates',
      title: 'Estimates',
      body: 'Estimates for bigger jobs like repiping, water heater swaps or bathroom remodels are free. You get a fixed price in writing before any work starts.',
      tags: ['estimate', 'quote', 'repiping', 'remodel'],
      language: 'en',
    },
    {
      id: 'septic-gas',
      title: 'Septic systems and gas lines',
      body: 'We do not pump, repair or install septic tanks, and we do not do gas line work.',
      tags: ['septic', 'gas line', 'not offered'],
      language: 'en',
    },
  ],
  services: [
    { id: 'leak-repair', name: 'Leak or fixture repair', durationMinutes: 60, price: 89 },
    { id: 'drain-cleaning', name: 'Drain cleaning', durationMinutes: 60, price: 129 },
    { id: 'water-heater-service', name: 'Water heater service', durationMinutes: 90, price: 169 },
    { id: 'plumbing-inspection', name: 'Whole-home plumbing inspection', durationMinutes: 120, price: 199 },
  ],
};

const b = business.id;

/** Saturday 8 am to 1 pm, in figures or words, in either language. */
const SATURDAY_HOURS = /\b(8|eight|ocho)\b.*\b(1|13|one|una)\b/i;

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'plumbing/en/saturday-hours',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: ['hi, what time do you guys open in the morning?', 'ok and do you do Saturdays too?'],
    expect: { kind: 'answer', heard: SATURDAY_HOURS },
  },
  {
    id: 'plumbing/en/drain-cleaning-price',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: ['Hi there, how much is a drain cleaning? My bathroom sink is blocked.'],
    expect: { kind: 'answer', heard: /\b129\b/ },
  },
  {
    id: 'plumbing/en/labor-warranty',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: ['yeah do you guys give any kind of warranty on your labor'],
    expect: { kind: 'answer', heard: /\b(1|one|a)[- ](full )?year\b|\b12 months\b/i },
  },
  {
    id: 'plumbing/es/horario-sabado',
    business: b,
    language: 'es',
    category: 'knowledge',
    lines: ['Buenos días, ¿a qué hora abren entre semana?', '¿Y los sábados también trabajan?'],
    expect: { kind: 'answer', heard: SATURDAY_HOURS },
  },

  // paraphrase
  {
    id: 'plumbing/en/middle-of-the-night',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      'ok so worst case, say a pipe bursts at like 3 in the morning, what am I looking at cost-wise just for you guys to come out',
    ],
    expect: { kind: 'answer', heard: /\b149\b/ },
  },
  {
    id: 'plumbing/en/just-to-show-up',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "Hey, what do you charge just to show up and look at something? Like before anybody actually fixes anything, I'm trying to budget.",
    ],
    expect: { kind: 'answer', heard: /\b89\b/ },
  },
  {
    id: 'plumbing/en/new-hot-water-thing',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "hi so the thing in my garage that heats the water finally gave up, it's ancient. roughly what does it cost to put a brand new one in",
    ],
    expect: { kind: 'answer', heard: /\b1,?450\b/ },
  },
  {
    id: 'plumbing/en/bathroom-redo-quote',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "Hi, we're redoing our whole upstairs bathroom and the pipes are original from the seventies.",
      'Do you charge anything to come out and tell us what the whole thing would cost?',
    ],
    expect: {
      kind: 'answer',
      heard: /\b(free|no charge|no cost|at no|don['’]?t charge|doesn['’]?t cost)\b(?! to\b)/i,
    },
  },
  {
    id: 'plumbing/es/vuelve-a-fallar',
    business: b,
    language: 'es',
    category: 'paraphrase',
    lines: [
      'Oiga, una pregunta: si ustedes me arreglan algo y a los seis meses vuelve a fallar, ¿me toca pagar otra vez?',
    ],
    expect: { kind: 'answer', heard: /\b(1|one|a|un|uno)[- ](full )?(year|año)|\b12 (months|meses)\b/i },
  },

  // negation
  {
    id: 'plumbing/en/banging-boiler',
    business: b,
    language: 'en',
    category: 'negation',
    lines: [
      "Hi, we've got an old gas boiler in the basement that runs the radiators and it's started making this banging noise. Can you send someone out?",
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don['’]?t|doesn['’]?t|cannot|can['’]?t|only)\b(?![,!]| problem| worries)[^.]*\bboilers?\b|\bboilers?\b[^.]*\b(no|not|don['’]?t|isn['’]?t|aren['’]?t)\b/i,
    },
  },
  {
    id: 'plumbing/en/buy-a-flapper',
    business: b,
    language: 'en',
    category: 'negation',
    lines: [
      "hi where's your shop at?",
      'cool, so could I just swing by there and buy a flapper for my toilet off you? figure I can do it myself',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don['’]?t|doesn['’]?t|cannot|can['’]?t)\b(?![,!]| problem| worries)[^.]*\b(sell|parts|counter|store)\b|\b(sell|parts)\b[^.]*\b(no|not|don['’]?t)\b/i,
    },
  },
  {
    id: 'plumbing/es/fosa-septica',
    business: b,
    language: 'es',
    category: 'negation',
    lines: [
      'Hola, vivo en las afueras y tenemos fosa séptica, y se está regresando el agua por la regadera. ¿Ustedes trabajan con fosas sépticas?',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don['’]?t|doesn['’]?t)\b(?![,!]| problem| worries)[^.]*\b(septic|séptica|fosa)|\b(septic|séptica|fosa)[^.]*\b(no|not)\b/i,
    },
  },

  // booking
  {
    id: 'plumbing/en/dripping-kitchen-sink',
    business: b,
    language: 'en',
    category: 'booking',
    lines: [
      "yeah hi, so my kitchen faucet's been dripping since last night and it's driving me nuts, can somebody come take a look at it?",
    ],
    answers: { service: 'fix the leaky faucet', when: 'Wednesday at 10 am', name: 'Dana Whitfield' },
    expect: { kind: 'booking', weekday: 'Wednesday', hour: 10, service: 'leak-repair' },
  },
  {
    id: 'plumbing/en/slow-shower-drain',
    business: b,
    language: 'en',
    category: 'booking',
    lines: ["Hi, I'd like to get a drain cleaning booked, the shower's been draining super slow for a week."],
    answers: { service: 'drain cleaning', when: 'Thursday at 2 pm', name: 'Marcus Bell' },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 14, service: 'drain-cleaning' },
  },
  {
    id: 'plumbing/es/calentador-ruidos',
    business: b,
    language: 'es',
    category: 'booking',
    lines: [
      'Hola, quisiera hacer una cita para que me revisen el calentador de agua, hace unos ruidos muy raros.',
    ],
    answers: {
      service: 'revisión del calentador de agua',
      when: 'el viernes a las nueve de la mañana',
      name: 'Lucía Herrera',
    },
    expect: { kind: 'booking', weekday: 'Friday', hour: 9, service: 'water-heater-service' },
  },

  // correction
  {
    id: 'plumbing/en/inspection-later-time',
    business: b,
    language: 'en',
    category: 'correction',
    lines: [
      "Hi, we're closing on an older house next month and I'd like someone to go over all the plumbing before we do.",
    ],
    answers: { service: 'whole house plumbing inspection', when: 'Tuesday at 1 pm', name: 'Priya Raman' },
    correction: { say: 'Oh wait, no, sorry, make it 3 pm.', until: /\b3(:00)?\s*(pm|p\.m\.)|15:00/i },
    expect: { kind: 'booking', weekday: 'Tuesday', hour: 15, service: 'plumbing-inspection' },
  },
  {
    id: 'plumbing/es/destapar-otro-dia',
    business: b,
    language: 'es',
    category: 'correction',
    lines: ['Buenas, necesito que alguien venga a destapar el lavabo del baño, ya no baja nada de agua.'],
    answers: {
      service: 'destapar el lavabo',
      when: 'el miércoles a las cuatro de la tarde',
      name: 'Jorge Castillo',
    },
    correction: { say: 'No, perdón, el jueves.', until: /jueves|thursday/i },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 16, service: 'drain-cleaning' },
  },

  // small talk
  {
    id: 'plumbing/en/small-talk-cards',
    business: b,
    language: 'en',
    category: 'small talk',
    lines: ["hey how's it going today", 'good good. so do you guys take credit cards or is it cash only?'],
    expect: { kind: 'answer', heard: /\b(visa|mastercard|master card|american express|amex)\b/i },
  },
  {
    id: 'plumbing/es/saludo-visita',
    business: b,
    language: 'es',
    category: 'small talk',
    lines: [
      'Hola, buenos días, ¿cómo está usted?',
      'Muy bien, gracias. Oiga, ¿cuánto cobran nada más por venir a ver qué tiene la tubería?',
    ],
    expect: { kind: 'answer', heard: /\b89\b/ },
  },

  // off-topic
  {
    id: 'plumbing/en/central-air',
    business: b,
    language: 'en',
    category: 'off-topic',
    lines: [
      'hi, my AC quit on me yesterday, how much would you guys charge to put in a whole new central air unit?',
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'plumbing/en/freeze-tonight',
    business: b,
    language: 'en',
    category: 'off-topic',
    lines: [
      "Quick question, do you know if it's supposed to freeze tonight? I'm trying to decide if I drip my faucets.",
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'plumbing/es/pizzeria',
    business: b,
    language: 'es',
    category: 'off-topic',
    lines: ['Perdón, ¿me podría pasar el número de alguna pizzería que entregue por aquí cerca?'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'plumbing/en/real-human',
    business: b,
    language: 'en',
    category: 'person',
    lines: ["look I've dealt with robots all morning, can I just get a real human on the line please"],
    expect: { kind: 'person' },
  },
  {
    id: 'plumbing/es/alguien-oficina',
    business: b,
    language: 'es',
    category: 'person',
    lines: ['¿Me puede comunicar con alguien de la oficina, por favor? Prefiero hablarlo con una persona.'],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'plumbing/en/forgot-flashlight',
    business: b,
    language: 'en',
    category: 'message',
    lines: ['Hi, can you pass something on to Tony, the plumber who came out Friday?'],
    answers: {
      name: 'Karen Mills',
      message:
        'Tony left his flashlight under my kitchen sink on Friday. I can drop it off or he can swing by for it.',
    },
    expect: { kind: 'message', about: /flashlight/i },
  },
  {
    id: 'plumbing/es/llave-de-paso',
    business: b,
    language: 'es',
    category: 'message',
    lines: ['Hola, ¿le puede dejar un recado a Ricardo, el plomero que vino el jueves?'],
    answers: {
      name: 'Marisol Vega',
      message: 'Ya conseguí la llave de paso que me pidió comprar, cuando quiera puede venir a instalarla.',
    },
    expect: { kind: 'message', about: /llave|valve|shut-?off/i },
  },

  // callback
  {
    id: 'plumbing/en/ring-back-after-three',
    business: b,
    language: 'en',
    category: 'callback',
    lines: [
      "I'm at work and can't really talk right now, could someone ring me back after 3? It's about a quote for new pipes.",
    ],
    answers: { name: 'Greg Tanaka' },
    expect: { kind: 'callback' },
  },
  {
    id: 'plumbing/es/llamar-mas-tarde',
    business: b,
    language: 'es',
    category: 'callback',
    lines: ['Ahorita voy manejando, ¿me pueden llamar más tarde, como a las cinco?'],
    answers: { name: 'Héctor Ramírez' },
    expect: { kind: 'callback' },
  },
];
