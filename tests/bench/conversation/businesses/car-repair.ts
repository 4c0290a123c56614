/**
 * An independent car repair garage in Austin: drivers describe noises and warning lights rather than services, ask
 * about warranties and loaners, and leave go-aheads for repairs already quoted.
 */
import { weekdays, type Business, type Scenario } from '../scenario.js';

export const business: Business = {
  id: 'bench-car-repair',
  kind: 'car-repair',
  name: 'Hill Country Auto Care',
  timeZone: 'America/Chicago',
  hours: [...weekdays('08:00', '18:00'), { day: 'sat', open: '08:00', close: '14:00' }],
  number: '+15550200004',
  agent: {
    name: 'Sam',
    tone: 'friendly',
    greeting: 'Hill Country Auto Care, this is Sam. What can I do for you today?',
    systemPrompt:
      "You're the front desk of our repair shop. Keep it friendly and straight, no upselling. Book oil changes, " +
      "brake inspections and check-engine diagnostics. Don't quote a price for a repair we haven't looked at, tell " +
      'people we call with a written estimate first. If a customer is approving work on a car already in the shop, ' +
      'take a message for the service advisor.',
  },
  articles: [
    {
      id: 'prices',
      title: 'Prices',
      body:
        'A full synthetic oil change is $69 for most cars, up to 5 quarts. A check-engine light diagnostic is $120, ' +
        'credited toward the repair if we do the work. A brake inspection is $49, and brake pads start at $189 per axle.',
      tags: ['prices', 'oil change', 'diagnostic', 'brakes'],
      language: 'en',
    },
    {
      id: 'hours',
      title: 'Opening hours',
      body:
        'We are open Monday to Friday from 8 am to 6 pm and Saturday from 8 am to 2 pm. We are closed on Sundays. ' +
        'There is a key drop box by the front door for after-hours drop-offs.',
      tags: ['hours', 'open', 'saturday', 'drop-off'],
      language: 'en',
    },
    {
      id: 'location',
      title: 'Address',
      body:
        'We are at 4817 Burnet Road, Austin, Texas, between the car wash and the Shell station. Customer parking is ' +
        'in front of the shop.',
      tags: ['address', 'location', 'parking'],
      language: 'en',
    },
    {
      id: 'warranty',
      title: 'Warranty',
      body:
        'Our repairs come with a 24-month, 24,000-mile warranty on parts and labor, whichever comes first. The ' +
        'warranty is honored at our shop only.',
      tags: ['warranty', 'guarantee', 'repairs'],
      language: 'en',
    },
    {
      id: 'customer-parts',
      title: 'Parts you bring in',
      body:
        'We do not install parts that customers buy themselves, online or elsewhere, because we cannot warranty them. ' +
        'We source all parts from our own suppliers.',
      tags: ['parts', 'customer parts', 'online'],
      language: 'en',
    },
    {
      id: 'vehicles',
      title: 'What we work on',
      body:
        'We repair most domestic, Asian and European cars, SUVs and light trucks. We do not work on the high-voltage ' +
        'systems of electric or hybrid vehicles, and we do not do body work or paint.',
      tags: ['vehicles', 'electric', 'body work', 'paint'],
      language: 'en',
    },
    {
      id: 'shuttle',
      title: 'Shuttle and loaner cars',
      body:
        'We offer a free shuttle ride to anywhere within 5 miles of the shop. We do not have loaner cars, but the ' +
        'Enterprise branch across the street gives our customers a 15% discount.',
      tags: ['shuttle', 'loaner', 'rental'],
      language: 'en',
    },
    {
      id: 'payment',
      title: 'Payment',
      body:
        'We accept cash, Visa, Mastercard, Discover, American Express and Apple Pay. Financing is available for ' +
        'repairs over $500. We do not accept checks.',
      tags: ['payment', 'cards', 'financing'],
      language: 'en',
    },
    {
      id: 'towing',
      title: 'Towing',
      body:
        "We don't have our own tow truck. We recommend Capital City Towing at 512-555-0148; tell them to bring the " +
        'car to Hill Country Auto Care.',
      tags: ['towing', 'tow truck', 'breakdown'],
      language: 'en',
    },
    {
      id: 'wait-times',
      title: 'How long it takes',
      body:
        'Oil changes are done while you wait and take about 45 minutes. Diagnostics are usually finished the same ' +
        'day if the car is dropped off before 10 am. We always call with a written estimate before starting a repair.',
      tags: ['wait', 'how long', 'estimate'],
      language: 'en',
    },
    {
      id: 'tires',
      title: 'Tires',
      body:
        'We rotate and balance tires for $40. We do not sell tires, so please buy them from a tire store; we can ' +
        'recommend one nearby.',
      tags: ['tires', 'rotation', 'balance'],
      language: 'en',
    },
    {
      id: 'prices-es',
      title: 'Precios',
      body:
        'El cambio de aceite sintético cuesta 69 dólares para la mayoría de los autos, hasta 5 cuartos. El ' +
        'diagnóstico de la luz de check engine cuesta 120 dólares y se descuenta de la reparación si la hacemos ' +
        'nosotros. La inspección de frenos cuesta 49 dólares.',
      tags: ['precios', 'aceite', 'diagnóstico', 'frenos'],
      language: 'es',
    },
    {
      id: 'hours-es',
      title: 'Horario',
      body:
        'Abrimos de lunes a viernes de 8 de la mañana a 6 de la tarde y los sábados de 8 de la mañana a 2 de la ' +
        'tarde. Los domingos cerramos. Hay un buzón para dejar las llaves fuera de horario junto a la puerta.',
      tags: ['horario', 'sábado'],
      language: 'es',
    },
    {
      id: 'location-es',
      title: 'Dirección',
      body:
        'Estamos en 4817 Burnet Road, Austin, Texas, entre el lavado de autos y la gasolinera Shell. Hay ' +
        'estacionamiento para clientes enfrente del taller.',
      tags: ['dirección', 'ubicación'],
      language: 'es',
    },
    {
      id: 'towing-es',
      title: 'Grúa',
      body:
        'No tenemos grúa propia. Recomendamos Capital City Towing, al 512-555-0148; pídales que lleven el auto a ' +
        'Hill Country Auto Care.',
      tags: ['grúa', 'remolque', 'avería'],
      language: 'es',
    },
  ],
  services: [
    { id: 'oil-change', name: 'Oil change', durationMinutes: 45, price: 69 },
    { id: 'brake-inspection', name: 'Brake inspection', durationMinutes: 45, price: 49 },
    { id: 'diagnostic', name: 'Check-engine diagnostic', durationMinutes: 60, price: 120 },
  ],
};

const B = business.id;

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'car-repair/en/oil-change-price',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ['Hi, how much do you guys charge for an oil change?'],
    expect: { kind: 'answer', heard: /\b69\b/ },
  },
  {
    id: 'car-repair/en/warranty',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ["Hey, what's the warranty on your repairs? I've been burned before."],
    expect: { kind: 'answer', heard: /\b24\b|twenty-four/i },
  },
  {
    id: 'car-repair/en/saturday-hours',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ['what time do you open in the morning', 'and are you open on Saturday? until when?'],
    expect: { kind: 'answer', heard: /\b2(:00)?\s*(pm|p\.m\.)|\b14(:00)?\b|\btwo\b/i },
  },
  {
    id: 'car-repair/es/diagnostic-price',
    business: B,
    language: 'es',
    category: 'knowledge',
    lines: ['Buenos días, ¿cuánto cuesta el diagnóstico de la luz de check engine?'],
    expect: { kind: 'answer', heard: /\b120\b|ciento veinte/i },
  },

  // paraphrase
  {
    id: 'car-repair/en/orange-light',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "yeah so that little orange engine symbol lit up on my dash this morning, what's it cost just for you guys to figure out what's going on",
    ],
    expect: { kind: 'answer', heard: /\b120\b/ },
  },
  {
    id: 'car-repair/en/ride-to-office',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "If I leave my car with you all day, is there any way for me to get to my office? It's only about three miles from you.",
    ],
    expect: { kind: 'answer', heard: /\bshuttle\b|\b(5|five)\s*miles?\b|\bfree ride\b/i },
  },
  {
    id: 'car-repair/en/wait-for-oil',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      'Can I just hang around while you guys do a lube job, or do I gotta leave it all day? How long we talking?',
    ],
    expect: { kind: 'answer', heard: /\b45\b|forty-five|three quarters of an hour/i },
  },
  {
    id: 'car-repair/es/brakes-squeak-again',
    business: B,
    language: 'es',
    category: 'paraphrase',
    lines: [
      'Una pregunta: si ustedes me arreglan los frenos y a los tres meses vuelven a chillar, ¿me lo cubren o tengo que pagar otra vez?',
    ],
    expect: { kind: 'answer', heard: /\b24\b|veinticuatro|twenty-four/i },
  },

  // negation
  {
    id: 'car-repair/en/own-brake-pads',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      "So I ordered brake pads online 'cause they were way cheaper, could you guys put them on for me?",
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(do not|don'?t|can'?t|cannot|won'?t|unable to|not able to)\s+(install|fit|put|use|work with)\b|\bonly\s+(use|install)\b|\b(parts?|pads?)\b[^.]*\b(not|don'?t|can'?t|cannot|won'?t)\b/i,
    },
  },
  {
    id: 'car-repair/en/loaner',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      'Do you guys give out a loaner while my car is in the shop? I need something to get the kids to school.',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(not|don'?t|doesn'?t)\b[^.]*\bloaners?\b|\bno\s+loaners?\b|\bloaners?\b[^.]*\b(not|don'?t|aren'?t|isn'?t)\b/i,
    },
  },
  {
    id: 'car-repair/es/bumper-paint',
    business: B,
    language: 'es',
    category: 'negation',
    lines: [
      'Hola, me dieron un golpe en el parachoques y se le saltó la pintura. ¿Ustedes hacen chapa y pintura?',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don'?t|doesn'?t)\b[^.]*\b(chapa|pintura|carrocer\w*|body|paint)\b|\b(chapa|pintura|body work|paint)\b[^.]*\b(no|not|don'?t)\b/i,
    },
  },

  // booking
  {
    id: 'car-repair/en/squeaky-brakes',
    business: B,
    language: 'en',
    category: 'booking',
    lines: [
      'Hi, my brakes have been squealing every time I stop, can somebody take a look at them this week?',
    ],
    answers: { service: 'get the brakes checked', when: 'Tuesday at 1 pm', name: 'Marcus Hill' },
    expect: { kind: 'booking', weekday: 'Tuesday', hour: 13, service: 'brake-inspection' },
  },
  {
    id: 'car-repair/en/saturday-oil-change',
    business: B,
    language: 'en',
    category: 'booking',
    lines: ["Hey, I'm way overdue for an oil change, can I get in sometime?"],
    answers: { service: 'oil change', when: 'Saturday at 10 am', name: 'Jenny Walsh' },
    expect: { kind: 'booking', weekday: 'Saturday', hour: 10, service: 'oil-change' },
  },
  {
    id: 'car-repair/es/engine-light',
    business: B,
    language: 'es',
    category: 'booking',
    lines: ['Hola, se me prendió la lucecita del motor en el tablero y quiero que me lo revisen.'],
    answers: {
      service: 'el diagnóstico',
      when: 'el miércoles a las nueve de la mañana',
      name: 'Alejandro Morales',
    },
    expect: { kind: 'booking', weekday: 'Wednesday', hour: 9, service: 'diagnostic' },
  },

  // correction
  {
    id: 'car-repair/en/truck-oil-friday',
    business: B,
    language: 'en',
    category: 'correction',
    lines: ["I'd like to bring my truck in for an oil change this week."],
    answers: { service: 'an oil change', when: 'Thursday at 8 am', name: 'Kevin Duarte' },
    correction: { say: 'No, sorry, make that Friday.', until: /friday/i },
    expect: { kind: 'booking', weekday: 'Friday', hour: 8, service: 'oil-change' },
  },
  {
    id: 'car-repair/es/brakes-afternoon',
    business: B,
    language: 'es',
    category: 'correction',
    lines: ['Buenos días, quiero pedir cita para que me revisen los frenos.'],
    answers: {
      service: 'revisión de frenos',
      when: 'el jueves a las once de la mañana',
      name: 'Mariana López',
    },
    correction: {
      say: 'No, perdón, mejor a las tres de la tarde.',
      until: /\b3(:00)?\s*(pm|p\.m\.)|\b15(:00)?\b|\btres\b/i,
    },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 15, service: 'brake-inspection' },
  },

  // small talk
  {
    id: 'car-repair/en/where-are-you',
    business: B,
    language: 'en',
    category: 'small talk',
    lines: ["morning! how're you doing today", 'ha, good good. hey where are you guys located exactly?'],
    expect: { kind: 'answer', heard: /\b4817\b|\bburnet\b/i },
  },
  {
    id: 'car-repair/es/oil-price',
    business: B,
    language: 'es',
    category: 'small talk',
    lines: ['Buenos días, ¿cómo está?', 'Qué bueno. Oiga, ¿cuánto me cobran por un cambio de aceite?'],
    expect: { kind: 'answer', heard: /\b69\b|sesenta y nueve/i },
  },

  // off-topic
  {
    id: 'car-repair/en/lunch-nearby',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: ['Is there a decent place near you to grab lunch while I wait for my car?'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'car-repair/en/detailing-price',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: [
      "How much would it be to get the inside of my car detailed? The dog's pretty much wrecked the back seat.",
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'car-repair/es/car-value',
    business: B,
    language: 'es',
    category: 'off-topic',
    lines: ['Oiga, estoy pensando en vender mi Corolla del 2016. ¿Cuánto creen que me darían por él?'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'car-repair/en/talk-to-mechanic',
    business: B,
    language: 'en',
    category: 'person',
    lines: [
      'Can you put me through to one of the mechanics? I wanna describe this noise to somebody who actually knows cars.',
    ],
    expect: { kind: 'person' },
  },
  {
    id: 'car-repair/es/manager',
    business: B,
    language: 'es',
    category: 'person',
    lines: ['Buenas, quisiera hablar con el encargado del taller, por favor.'],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'car-repair/en/approve-timing-belt',
    business: B,
    language: 'en',
    category: 'message',
    lines: ["Hi, my car's already in with you, can you pass something on to the service advisor?"],
    answers: {
      name: 'Tom Becker',
      message:
        "It's the silver 2014 Honda Civic. Go ahead with the timing belt replacement you quoted, I'll pick it up tomorrow after five.",
    },
    expect: { kind: 'message', about: /timing belt/i },
  },
  {
    id: 'car-repair/es/approve-battery',
    business: B,
    language: 'es',
    category: 'message',
    lines: ['Hola, ¿le puede dejar un recado al mecánico que está viendo mi camioneta?'],
    answers: {
      name: 'Gabriela Soto',
      message: 'Es la Ford roja. Que sí autorizo el cambio de la batería y que paso a recogerla mañana.',
    },
    expect: { kind: 'message', about: /bater[ií]a|battery/i },
  },

  // callback
  {
    id: 'car-repair/en/transmission-quote',
    business: B,
    language: 'en',
    category: 'callback',
    lines: [
      "Can somebody call me back once you've got a number on the transmission thing? Anytime after 3 works for me.",
    ],
    answers: { name: 'Dwayne Carter', when: 'today after 3 pm' },
    expect: { kind: 'callback' },
  },
  {
    id: 'car-repair/es/driving-now',
    business: B,
    language: 'es',
    category: 'callback',
    lines: ['Hola, ahorita voy manejando y no puedo hablar bien. ¿Me pueden devolver la llamada más tarde?'],
    answers: { name: 'Patricia Vega', when: 'hoy a las cuatro de la tarde' },
    expect: { kind: 'callback' },
  },
];
