import { negatedPattern, weekdays, type Business, type Scenario } from '../scenario.js';

/** A small-town water and electricity utility's billing line: no bookings, so callers ask, leave messages, ask for calls. */
export const business: Business = {
  id: 'bench-utility',
  kind: 'utility',
  name: 'Cedar Valley Water & Power',
  timeZone: 'America/Denver',
  hours: [...weekdays('08:00', '18:00'), { day: 'sat', open: '09:00', close: '13:00' }],
  number: '+15550200006',
  agent: {
    name: 'Sam',
    tone: 'calm',
    greeting: 'Cedar Valley Water & Power customer service, this is Sam. How can I help you today?',
    systemPrompt:
      'You handle our billing line. Answer questions about bills, payments, payment plans, meter readings, ' +
      'outages and starting or stopping service from our articles. Never make up amounts, dates or account details. ' +
      'Customers who are upset or behind on bills should be treated patiently; if you cannot help, take a message ' +
      'or arrange for someone from billing to call them back.',
  },
  articles: [
    {
      id: 'hours',
      title: 'Customer service hours',
      body:
        'Our customer service line is open Monday to Friday from 8 am to 6 pm and Saturday from 9 am to 1 pm. ' +
        'Outages can be reported on this line 24 hours a day, 7 days a week.',
      tags: ['hours', 'open', 'saturday', 'phone'],
      language: 'en',
    },
    {
      id: 'office',
      title: 'Customer office',
      body:
        'Our customer office is at 140 Main Street, Cedar Valley, open Monday to Friday from 8:30 am to 5 pm. ' +
        'You can pay your bill there in cash, by card or by check.',
      tags: ['office', 'address', 'in person', 'pay'],
      language: 'en',
    },
    {
      id: 'paying',
      title: 'Ways to pay your bill',
      body:
        'You can pay online or in the Cedar Valley app, by automatic payment from your bank account, by card over ' +
        'the phone, by mailing a check, or at our office. There is no fee for paying by credit or debit card.',
      tags: ['pay', 'payment', 'autopay', 'card', 'fee'],
      language: 'en',
    },
    {
      id: 'paying-es',
      title: 'Formas de pago',
      body:
        'Puede pagar en línea o en la app de Cedar Valley, con pago automático desde su cuenta bancaria, con tarjeta ' +
        'por teléfono, con cheque por correo o en nuestra oficina. Pagar con tarjeta de crédito o débito no tiene ' +
        'ningún recargo.',
      tags: ['pagar', 'pago', 'tarjeta', 'recargo'],
      language: 'es',
    },
    {
      id: 'due-date',
      title: 'Due date and late fee',
      body: 'Bills are due 21 days after the bill date. A $15 late fee is added to any balance not paid by the due date.',
      tags: ['due date', 'late fee', 'bill'],
      language: 'en',
    },
    {
      id: 'payment-plans',
      title: 'Payment plans',
      body:
        'If you have fallen behind, we can set up a payment plan that spreads the overdue balance over up to ' +
        '6 monthly installments with no interest. New bills must be paid on time while the plan runs.',
      tags: ['payment plan', 'overdue', 'installments', 'behind'],
      language: 'en',
    },
    {
      id: 'payment-plans-es',
      title: 'Planes de pago',
      body:
        'Si se ha atrasado, podemos acordar un plan de pagos que reparte el saldo vencido en un máximo de 6 cuotas ' +
        'mensuales sin intereses. Mientras dure el plan, las facturas nuevas deben pagarse a tiempo.',
      tags: ['plan de pagos', 'atrasado', 'cuotas'],
      language: 'es',
    },
    {
      id: 'meter-readings',
      title: 'Meter readings and estimated bills',
      body:
        'Our technicians read meters once a month. If we cannot get to your meter, the bill is estimated from your ' +
        'past use and marked with an E; you can give us your own reading by phone or online to correct it.',
      tags: ['meter', 'reading', 'estimated bill'],
      language: 'en',
    },
    {
      id: 'outages',
      title: 'Outages and planned maintenance',
      body:
        'You can report a power outage or a water main break at any time, day or night. Planned maintenance ' +
        'outages are announced at least 48 hours ahead by text message and email.',
      tags: ['outage', 'power cut', 'water', 'maintenance'],
      language: 'en',
    },
    {
      id: 'outages-es',
      title: 'Cortes de suministro',
      body:
        'Puede avisarnos de un corte de luz o de una rotura de tubería a cualquier hora, de día o de noche. Los ' +
        'cortes programados por mantenimiento se anuncian con al menos 48 horas de antelación por SMS y correo ' +
        'electrónico.',
      tags: ['corte', 'apagón', 'agua', 'mantenimiento'],
      language: 'es',
    },
    {
      id: 'moving',
      title: 'Moving house: start, stop or move service',
      body:
        "To start, stop or move service, give us at least 3 business days' notice. Starting service at a new " +
        'address has a $35 connection fee, and the final bill for the old address is mailed within 10 days of the ' +
        'move-out reading.',
      tags: ['moving', 'start service', 'stop service', 'connection fee'],
      language: 'en',
    },
    {
      id: 'moving-es',
      title: 'Mudanzas: alta, baja o traslado del servicio',
      body:
        'Para dar de alta, de baja o trasladar el servicio, avísenos con al menos 3 días hábiles. El alta en una ' +
        'dirección nueva tiene un cargo de conexión de 35 dólares, y la factura final se envía en un plazo de 10 ' +
        'días tras la lectura de salida.',
      tags: ['mudanza', 'alta', 'baja', 'conexión'],
      language: 'es',
    },
    {
      id: 'deposit',
      title: 'Deposit for new customers',
      body:
        'New customers with no payment history with us pay a $150 deposit. ' +
        'It is credited back to the account after 12 months of on-time payments.',
      tags: ['deposit', 'new account', 'refund'],
      language: 'en',
    },
    {
      id: 'rates',
      title: 'Residential rates',
      body:
        'Residential electricity costs 13 cents per kWh plus a $12 monthly base charge. ' +
        'Water costs $4.20 per 1,000 gallons.',
      tags: ['rates', 'price', 'kwh', 'water'],
      language: 'en',
    },
    {
      id: 'service-area',
      title: 'What we supply and where',
      body:
        'We supply water and electricity in Cedar Valley, Millbrook and Eagle Point. ' +
        'We do not supply natural gas; gas service comes from your gas company.',
      tags: ['service area', 'gas', 'towns'],
      language: 'en',
    },
    {
      id: 'disconnections',
      title: 'Disconnection policy',
      body:
        'We do not disconnect service on Fridays, weekends or public holidays. ' +
        'Service is never disconnected while a medical certificate is on file for someone in the home.',
      tags: ['disconnection', 'shut off', 'final notice', 'medical'],
      language: 'en',
    },
  ],
  services: [],
};

const B = business.id;

/** A negation in the agent's answer before or after the topic word, in English or Spanish. */
const NEG = String.raw`\b(no|not|don'?t|doesn'?t|won'?t|can'?t|cannot|aren'?t|isn'?t|never|nunca|ning[uú]n)\b`;
const negated = (topic: string): RegExp => negatedPattern(NEG, topic);

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'utility/en/late-fee',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ["Hi, what's the late fee if I pay my bill after the due date?"],
    expect: { kind: 'answer', heard: /\b15\b/ },
  },
  {
    id: 'utility/en/base-charge',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ["Yeah hi, what's the monthly base charge on the electric bill? I'm trying to make sense of mine"],
    expect: { kind: 'answer', heard: /\b12\b|\btwelve\b/i },
  },
  {
    id: 'utility/en/saturday-line-hours',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: [
      'Hi, what time does the customer service line close today?',
      'and are you open on Saturdays at all?',
    ],
    expect: { kind: 'answer', heard: /\b9(:00)?\s*(am|a\.m\.)?\b.*\b(1|13)(:00)?\b/i },
  },
  {
    id: 'utility/es/plan-de-pagos',
    business: B,
    language: 'es',
    category: 'knowledge',
    lines: ['Hola, me he atrasado con los recibos. ¿En cuántos meses puedo pagar con un plan de pagos?'],
    expect: { kind: 'answer', heard: /\b6\b|\bseis\b|\bsix\b/i },
  },

  // paraphrase
  {
    id: 'utility/en/moving-across-town',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "hi so we're moving across town at the end of the month",
      'what do I need to do to get the water and the power switched over to the new place? and does that cost anything?',
    ],
    expect: { kind: 'answer', heard: /\b35\b/ },
  },
  {
    id: 'utility/en/nobody-checked-usage',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "Nobody's been out to look at the box on the side of my house in like three months, " +
        'so how are you even coming up with how much I used?',
    ],
    expect: { kind: 'answer', heard: /\bestimat|\bestimad/i },
  },
  {
    id: 'utility/en/lost-job-behind',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "I lost my job in September and I'm way behind on what I owe you. Is there any way I can pay it off bit by bit?",
      'how long could I stretch it out for?',
    ],
    expect: { kind: 'answer', heard: /\b(6|six)\b/i },
  },
  {
    id: 'utility/en/money-up-front-back',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      'When I signed up last year you made me put down a hundred and fifty bucks up front. Do I ever see that money again?',
    ],
    expect: { kind: 'answer', heard: /\b12\b|\btwelve\b|\b(a|one)[- ]year\b/i },
  },
  {
    id: 'utility/es/precio-kilovatio',
    business: B,
    language: 'es',
    category: 'paraphrase',
    lines: ['Oiga, ¿a cómo está la luz con ustedes? ¿Cuánto me cobran por cada kilovatio que gasto en casa?'],
    expect: { kind: 'answer', heard: /\b13\b|\.13\b|\btrece\b/i },
  },
  {
    id: 'utility/es/agua-sin-avisar',
    business: B,
    language: 'es',
    category: 'paraphrase',
    lines: [
      'El otro día nos dejaron sin agua toda la mañana por unos arreglos y nadie nos dijo nada. ' +
        '¿No se supone que tienen que avisar antes? ¿Con cuánto tiempo?',
    ],
    expect: { kind: 'answer', heard: /\b48\b|cuarenta y ocho|dos d[ií]as|two days/i },
  },

  // negation
  {
    id: 'utility/en/gas-at-new-house',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      "I'm getting the water and electric set up at my new house, can you do the gas while you're at it?",
    ],
    expect: { kind: 'answer', heard: negated(String.raw`\bgas\b`) },
  },
  {
    id: 'utility/en/card-surcharge',
    business: B,
    language: 'en',
    category: 'negation',
    lines: ['if I pay with my Visa over the phone do you guys tack on anything extra for that?'],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don'?t|doesn'?t|isn'?t|won'?t|never|without)\b[^.]*\b(fee|charge|surcharge|extra|cost)|\b(is|it'?s)\s+free\b|\bfree of charge\b/i,
    },
  },
  {
    id: 'utility/en/friday-shutoff',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      "Hi, I got one of those final notice letters saying my power's going to be shut off",
      "I don't get paid until Friday afternoon. Could you guys actually cut me off Friday morning?",
    ],
    expect: { kind: 'answer', heard: negated(String.raw`\bfridays?\b`) },
  },
  {
    id: 'utility/es/alta-gas',
    business: B,
    language: 'es',
    category: 'negation',
    lines: ['Buenos días, me acabo de mudar. ¿Ustedes también me pueden dar de alta el gas?'],
    expect: { kind: 'answer', heard: negated(String.raw`\bgas\b`) },
  },

  // small talk
  {
    id: 'utility/en/small-talk-due-date',
    business: B,
    language: 'en',
    category: 'small talk',
    lines: [
      "morning! hope your Monday's going better than mine",
      'ha, yeah. so once my bill shows up, how long have I got before I need to pay it?',
    ],
    expect: { kind: 'answer', heard: /\b21\b|twenty[- ]one|\b(3|three) weeks\b/i },
  },
  {
    id: 'utility/es/saludo-oficina',
    business: B,
    language: 'es',
    category: 'small talk',
    lines: [
      'Buenos días, ¿cómo le va?',
      'Bien, gracias. ¿Dónde tienen la oficina para ir a pagar en persona?',
    ],
    expect: { kind: 'answer', heard: /\b140\b|\bmain\b/i },
  },

  // off-topic
  {
    id: 'utility/en/solar-panels',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: ['Do you guys put in solar panels? What would that run me for a three-bedroom house?'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'utility/en/trash-pickup',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: ['what day does the trash get picked up on Elm Street? I keep missing it'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'utility/es/lluvia',
    business: B,
    language: 'es',
    category: 'off-topic',
    lines: ['¿Sabe si mañana va a llover? Es que no sé si regar el jardín esta noche.'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'utility/en/put-me-through',
    business: B,
    language: 'en',
    category: 'person',
    lines: [
      "Look, I've been through this twice already. Can you just put me through to somebody in billing?",
    ],
    expect: { kind: 'person' },
  },
  {
    id: 'utility/es/agente-de-verdad',
    business: B,
    language: 'es',
    category: 'person',
    lines: ['¿Puedo hablar con un agente de verdad? No quiero seguir hablando con una grabación.'],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'utility/en/gate-left-open',
    business: B,
    language: 'en',
    category: 'message',
    lines: ['Hi, I want to leave a message for whoever sends out the meter readers.'],
    answers: {
      name: 'Tom Becker',
      message:
        'Your meter reader left my side gate open on Thursday and my dog got out. Please make sure they close it. 58 Birch Lane.',
    },
    expect: { kind: 'message', about: /\bgate\b|\bdog\b/i },
  },
  {
    id: 'utility/en/away-neighbor',
    business: B,
    language: 'en',
    category: 'message',
    lines: ["I'd like to leave a note on my account please, I'm going to be away for a while"],
    answers: {
      name: 'Greg Wilson',
      message:
        "I'll be out of the country from January to March. My neighbor Diane Park is looking after the house and may call about the bills.",
    },
    expect: { kind: 'message', about: /neighbou?r|diane|out of the country/i },
  },
  {
    id: 'utility/es/cobro-doble',
    business: B,
    language: 'es',
    category: 'message',
    lines: ['Quiero dejar un mensaje para el departamento de facturación, por favor.'],
    answers: {
      name: 'Ramón Ortiz',
      message: 'Me cobraron dos veces el recibo de noviembre, la cuenta está a nombre de Ramón Ortiz.',
    },
    expect: { kind: 'message', about: /dos veces|twice|double|noviembre|november/i },
  },

  // callback
  {
    id: 'utility/en/after-shift',
    business: B,
    language: 'en',
    category: 'callback',
    lines: ["Can someone from billing ring me back after 3? I'm on shift until then and can't really talk."],
    answers: { name: 'Luis Ortega', when: 'today after 3 pm' },
    expect: { kind: 'callback' },
  },
  {
    id: 'utility/en/bill-doubled',
    business: B,
    language: 'en',
    category: 'callback',
    lines: [
      'My bill basically doubled this month and I want somebody to go through it with me, ' +
        "but I can't do it right now. Could someone give me a call tomorrow morning?",
    ],
    answers: { name: 'Sharon Mills', when: 'tomorrow morning around 9' },
    expect: { kind: 'callback' },
  },
  {
    id: 'utility/es/voy-manejando',
    business: B,
    language: 'es',
    category: 'callback',
    lines: ['Ahora voy manejando y no puedo apuntar nada. ¿Me pueden llamar más tarde?'],
    answers: { name: 'Ana Beltrán', when: 'hoy después de las cinco' },
    expect: { kind: 'callback' },
  },
  {
    id: 'utility/es/dudas-factura',
    business: B,
    language: 'es',
    category: 'callback',
    lines: [
      'Tengo unas dudas con la factura y prefiero que me llame alguien de ustedes mañana por la mañana.',
    ],
    answers: { name: 'Roberto Salinas', when: 'mañana a las diez' },
    expect: { kind: 'callback' },
  },
];
