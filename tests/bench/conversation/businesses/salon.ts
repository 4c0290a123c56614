import { negatedPattern, weekdays, type Business, type Scenario } from '../scenario.js';

/** A neighbourhood hair and nail salon in Austin: bookable cuts, color and manicures, a few things it won't do. */
export const business: Business = {
  id: 'bench-salon',
  kind: 'salon',
  name: 'Maple & Rose Hair Studio',
  timeZone: 'America/Chicago',
  hours: [...weekdays('09:00', '19:00'), { day: 'sat', open: '09:00', close: '17:00' }],
  number: '+15550200002',
  agent: {
    name: 'Mia',
    tone: 'friendly',
    greeting: 'Thanks for calling Maple & Rose Hair Studio, this is Mia! How can I help you today?',
    systemPrompt:
      'You answer the phone for Maple & Rose, our hair and nail salon on South Lamar. Be warm and keep it short. ' +
      'Book haircuts, color and manicures into the openings we have. Only quote prices from our price list, and ' +
      'if you are not sure about something, say so and offer to have one of us get back to the caller.',
  },
  articles: [
    {
      id: 'hours',
      title: 'Opening hours',
      body: 'We are open Monday to Friday from 9 am to 7 pm and on Saturday from 9 am to 5 pm. We are closed on Sundays.',
      tags: ['hours', 'open', 'closed', 'saturday'],
      language: 'en',
    },
    {
      id: 'hours-es',
      title: 'Horario',
      body: 'Abrimos de lunes a viernes de 9:00 a 19:00 y los sábados de 9:00 a 17:00. Los domingos está cerrado.',
      tags: ['horario', 'abierto', 'sábado'],
      language: 'es',
    },
    {
      id: 'location',
      title: 'Address and parking',
      body:
        'We are at 2318 South Lamar Boulevard, Austin, next to the yoga studio. ' +
        'There is free parking in the lot behind the building.',
      tags: ['address', 'location', 'parking'],
      language: 'en',
    },
    {
      id: 'haircut-prices',
      title: 'Haircut prices',
      body:
        "A women's cut and style is $65, a men's cut is $35 and a kids' cut (under 12) is $25. " +
        'A wash and blow-dry on its own is $40.',
      tags: ['haircut', 'prices', 'men', 'women', 'kids'],
      language: 'en',
    },
    {
      id: 'haircut-prices-es',
      title: 'Precios de corte',
      body:
        'El corte y peinado de mujer cuesta 65 dólares, el corte de caballero 35 dólares y el corte infantil ' +
        '(menores de 12 años) 25 dólares. Lavar y secar solo cuesta 40 dólares.',
      tags: ['corte', 'precios', 'caballero', 'niños'],
      language: 'es',
    },
    {
      id: 'color',
      title: 'Color and highlights',
      body:
        'Full color starts at $140, partial highlights at $120 and full highlights at $180; a root touch-up is $85. ' +
        'New color clients need a skin allergy patch test at least 48 hours before their first color appointment.',
      tags: ['color', 'highlights', 'dye', 'patch test'],
      language: 'en',
    },
    {
      id: 'nails',
      title: 'Nails',
      body:
        'A classic manicure is $35, a gel manicure $50 and a pedicure $55. ' +
        'We do not do acrylic nails or any nail extensions.',
      tags: ['nails', 'manicure', 'pedicure', 'gel', 'acrylic'],
      language: 'en',
    },
    {
      id: 'cancellations',
      title: 'Cancellation policy',
      body:
        'Please give us at least 24 hours notice to cancel or move an appointment. ' +
        'Late cancellations and no-shows are charged 50% of the service price.',
      tags: ['cancel', 'reschedule', 'no-show', 'policy'],
      language: 'en',
    },
    {
      id: 'cancellations-es',
      title: 'Política de cancelación',
      body:
        'Para cancelar o cambiar una cita avise con al menos 24 horas de antelación. ' +
        'Las cancelaciones tardías y las ausencias se cobran al 50% del precio del servicio.',
      tags: ['cancelar', 'cambiar cita', 'política'],
      language: 'es',
    },
    {
      id: 'walk-ins',
      title: 'Walk-ins',
      body:
        'Walk-ins are welcome Monday to Friday whenever a stylist is free. ' +
        'Saturdays are by appointment only: walk-ins are not accepted on Saturdays.',
      tags: ['walk-in', 'appointment', 'saturday'],
      language: 'en',
    },
    {
      id: 'not-offered',
      title: 'Services we do not offer',
      body:
        'We do not do hair extensions, eyelash extensions or microblading. ' +
        'Bridal hair is done in the salon only: our stylists do not travel to weddings or venues.',
      tags: ['extensions', 'lashes', 'bridal', 'wedding'],
      language: 'en',
    },
    {
      id: 'payment',
      title: 'Payment and gift cards',
      body:
        'We take all major cards, Apple Pay and cash; we do not accept checks. ' +
        'Gift cards can be bought at the front desk or by phone in any amount from $25.',
      tags: ['payment', 'cards', 'cash', 'gift card'],
      language: 'en',
    },
  ],
  services: [
    { id: 'womens-haircut', name: "Women's cut and style", durationMinutes: 60, price: 65 },
    { id: 'mens-haircut', name: "Men's haircut", durationMinutes: 30, price: 35 },
    { id: 'full-color', name: 'Full color', durationMinutes: 120, price: 140 },
    { id: 'manicure', name: 'Manicure', durationMinutes: 45, price: 35 },
  ],
};

const B = business.id;

/** A negation in the agent's answer before or after the topic word, in English or Spanish. */
const NEG = String.raw`\b(no|not|don'?t|doesn'?t|won'?t|can'?t|cannot|aren'?t|isn'?t|only|never|nunca|solo|sólo)\b`;
const negated = (topic: string): RegExp => negatedPattern(NEG, topic);

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'salon/en/saturday-hours',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ['Hi there, what are your opening hours on Saturday?'],
    expect: { kind: 'answer', heard: /\b9(:00)?\s*(am|a\.m\.)?\b.*\b(5|17)(:00)?\b/i },
  },
  {
    id: 'salon/en/womens-cut-price',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ["hi, quick question, how much is a women's haircut with you guys?"],
    expect: { kind: 'answer', heard: /\b65\b/ },
  },
  {
    id: 'salon/en/cancellation-no-show',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: [
      "Hey, what's your cancellation policy? I might have to move my appointment",
      'ok and what if I just miss it completely, do you charge for a no-show?',
    ],
    expect: { kind: 'answer', heard: /\b50\s*(%|percent|per cent)|\bhalf\b/i },
  },
  {
    id: 'salon/es/mens-cut-price',
    business: B,
    language: 'es',
    category: 'knowledge',
    lines: ['Hola, buenas. ¿Cuánto cuesta un corte de caballero?'],
    expect: { kind: 'answer', heard: /\b35\b/ },
  },

  // paraphrase
  {
    id: 'salon/en/where-to-leave-car',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "I'm driving over from Round Rock for my appointment, is there somewhere I can leave my car when I get there?",
    ],
    expect: { kind: 'answer', heard: /\bfree\b|\bbehind\b|\bback of\b/i },
  },
  {
    id: 'salon/en/first-dye-prep',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "so I've never had my hair dyed at your place before and my sister had a really bad reaction once somewhere else, " +
        'is there anything I have to do ahead of time',
    ],
    expect: { kind: 'answer', heard: /\b48\b|\bforty[- ]eight\b|\b(two|2) days\b/i },
  },
  {
    id: 'salon/en/birthday-present',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "My mom's birthday is next week and she loves your place. Can I buy her something she can spend there?",
      "nice, what's the smallest amount I can put on one?",
    ],
    expect: { kind: 'answer', heard: /\b25\b/ },
  },
  {
    id: 'salon/es/tinte-completo',
    business: B,
    language: 'es',
    category: 'paraphrase',
    lines: ['Buenas, quiero teñirme todo el pelo de castaño, ¿más o menos cuánto me saldría?'],
    expect: { kind: 'answer', heard: /\b140\b/ },
  },

  // negation
  {
    id: 'salon/en/acrylic-set',
    business: B,
    language: 'en',
    category: 'negation',
    lines: ["hiya, I'm after a full set of acrylics for my cousin's wedding, is that something you do?"],
    expect: { kind: 'answer', heard: negated(String.raw`\bacrylics?\b`) },
  },
  {
    id: 'salon/en/bridal-at-venue',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      "Hi! I'm getting married in June and I'm looking for someone to do my hair. Do you do brides?",
      'Amazing. Could your stylist come out to the hotel the morning of, so we can all get ready there?',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don'?t|doesn'?t|can'?t|cannot|won'?t|only)\b[^.]*\b(travel|come out|hotel|venue|salon|on[- ]site)\b|\bin the salon only\b/i,
    },
  },
  {
    id: 'salon/es/extensiones',
    business: B,
    language: 'es',
    category: 'negation',
    lines: ['Hola, ¿ustedes ponen extensiones de pelo? Quiero ganar un poco de largo.'],
    expect: { kind: 'answer', heard: negated(String.raw`\bextensi`) },
  },

  // booking
  {
    id: 'salon/en/fried-ends',
    business: B,
    language: 'en',
    category: 'booking',
    lines: [
      "hey so my hair's gotten way too long and the ends are totally fried, could somebody fit me in tomorrow?",
    ],
    answers: {
      service: 'just a cut and style, nothing fancy',
      when: 'Tuesday at 10 am',
      name: 'Megan Clarke',
    },
    expect: { kind: 'booking', weekday: 'Tuesday', hour: 10, service: 'womens-haircut' },
  },
  {
    id: 'salon/en/manicure-thursday',
    business: B,
    language: 'en',
    category: 'booking',
    lines: ["Hi, I'd like to get my nails done later this week if you've got anything open"],
    answers: { service: 'a regular manicure', when: 'Thursday at 3 pm', name: 'Priya Shah' },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 15, service: 'manicure' },
  },
  {
    id: 'salon/es/corte-caballero',
    business: B,
    language: 'es',
    category: 'booking',
    lines: ['Hola, buenos días. Quería pedir cita para cortarme el pelo, para mí, esta semana.'],
    answers: {
      service: 'corte de caballero',
      when: 'el miércoles a las cuatro de la tarde',
      name: 'Javier Morales',
    },
    expect: { kind: 'booking', weekday: 'Wednesday', hour: 16, service: 'mens-haircut' },
  },

  // correction
  {
    id: 'salon/en/color-moved-to-saturday',
    business: B,
    language: 'en',
    category: 'correction',
    lines: ["Hi, I want to get my whole head colored, I'm going from blonde back to my natural brown"],
    answers: { service: 'full color', when: 'Friday at 11 am', name: 'Rachel Kim' },
    correction: { say: 'Oh no wait, sorry, I meant Saturday. Same time.', until: /saturday|s[aá]bado/i },
    expect: { kind: 'booking', weekday: 'Saturday', hour: 11, service: 'full-color' },
  },
  {
    id: 'salon/es/manicura-cambio-hora',
    business: B,
    language: 'es',
    category: 'correction',
    lines: ['Buenas tardes, quiero reservar para hacerme las uñas este viernes.'],
    answers: { service: 'manicura', when: 'el viernes a las dos de la tarde', name: 'Paula Ríos' },
    correction: {
      say: 'No, perdone, mejor a las cinco de la tarde.',
      until: /\b5(:00)?\s*(pm|p\.\s?m\.|de la tarde)|\b17(:00|\s?h)\b|\bcinco de la tarde\b|\ba las cinco\b/i,
    },
    expect: { kind: 'booking', weekday: 'Friday', hour: 17, service: 'manicure' },
  },

  // small talk
  {
    id: 'salon/en/small-talk-kids-cut',
    business: B,
    language: 'en',
    category: 'small talk',
    lines: [
      "hey, how's your day going so far?",
      'good good. so my little guy is six and desperately needs a trim, what do you charge for kids?',
    ],
    expect: { kind: 'answer', heard: /\b25\b/ },
  },
  {
    id: 'salon/es/saludo-horario',
    business: B,
    language: 'es',
    category: 'small talk',
    lines: ['Hola, buenos días, ¿qué tal está?', 'Muy bien, gracias. Oiga, ¿a qué hora abren mañana?'],
    expect: { kind: 'answer', heard: /\b9(:00)?\b|\bnueve\b/i },
  },

  // off-topic
  {
    id: 'salon/en/weekend-weather',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: [
      "I'm getting a blowout Saturday and I'm paranoid about humidity, do you know if it's supposed to rain this weekend?",
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'salon/en/keratin-price',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: ['How much would a keratin smoothing treatment be? My hair is super frizzy.'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'salon/es/pizzeria',
    business: B,
    language: 'es',
    category: 'off-topic',
    lines: ['Perdone, ¿me podría dar el teléfono de la pizzería que está al lado de ustedes?'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'salon/en/front-desk-human',
    business: B,
    language: 'en',
    category: 'person',
    lines: [
      "Is there someone actually at the front desk I could talk to? I'd rather sort this out with a real person.",
    ],
    expect: { kind: 'person' },
  },
  {
    id: 'salon/es/encargada',
    business: B,
    language: 'es',
    category: 'person',
    lines: ['Hola, ¿me puede pasar con la encargada o con alguien del salón, por favor?'],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'salon/en/lost-sunglasses',
    business: B,
    language: 'en',
    category: 'message',
    lines: ['Hi, can I leave a message for the team? I think I left something there on Saturday.'],
    answers: {
      name: 'Carla Jenkins',
      message:
        'I think I left my tortoiseshell sunglasses by the wash basins on Saturday, please hold on to them.',
    },
    expect: { kind: 'message', about: /sunglasses|glasses/i },
  },
  {
    id: 'salon/es/recado-duena',
    business: B,
    language: 'es',
    category: 'message',
    lines: ['Buenas, quería dejarle un recado a la dueña del salón.'],
    answers: {
      name: 'Lucía Gómez',
      message: 'Me encantó el corte del sábado, y la próxima vez quiero traer a mi hija también.',
    },
    expect: { kind: 'message', about: /\bhij[ao]\b|daughter|corte|haircut/i },
  },

  // callback
  {
    id: 'salon/en/bridal-party-callback',
    business: B,
    language: 'en',
    category: 'callback',
    lines: [
      "I've got a bunch of questions about doing hair for my whole bridal party, could someone call me back this afternoon after 3?",
    ],
    answers: { name: 'Hannah Lee', when: 'today after 3 pm' },
    expect: { kind: 'callback' },
  },
  {
    id: 'salon/es/llamar-luego',
    business: B,
    language: 'es',
    category: 'callback',
    lines: ['Ahora estoy en el trabajo y no puedo hablar mucho. ¿Me pueden llamar ustedes más tarde?'],
    answers: { name: 'Marisol Vega', when: 'mañana por la mañana' },
    expect: { kind: 'callback' },
  },
];
