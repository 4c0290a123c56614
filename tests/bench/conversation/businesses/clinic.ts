/**
 * A physiotherapy and sports-medicine clinic in Boulder: appointments by service, insurance and referral questions,
 * and patients who say where it hurts rather than what they want to book.
 */
import { weekdays, type Business, type Scenario } from '../scenario.js';

export const business: Business = {
  id: 'bench-clinic',
  kind: 'clinic',
  name: 'Pearl Street Physio & Sports Medicine',
  timeZone: 'America/Denver',
  hours: [...weekdays('07:00', '19:00'), { day: 'sat', open: '08:00', close: '13:00' }],
  number: '+15550200003',
  agent: {
    name: 'Maya',
    tone: 'calm',
    greeting:
      'Thank you for calling Pearl Street Physio and Sports Medicine, this is Maya. How can I help you today?',
    systemPrompt:
      'You answer the phone for our physio and sports-medicine clinic. Be warm and patient, a lot of callers are in ' +
      'pain. Book assessments, follow-ups and sports massages, answer questions about prices, insurance and what to ' +
      'bring. Never give medical advice or a diagnosis over the phone; if someone describes an emergency, tell them ' +
      'to call 911. If you are not sure about something, take a message for the front desk.',
  },
  articles: [
    {
      id: 'prices',
      title: 'Prices',
      body:
        'An initial physiotherapy assessment costs $140 and takes 60 minutes. Follow-up physiotherapy sessions are ' +
        '$95 for 45 minutes. A 60-minute sports massage is $85.',
      tags: ['prices', 'cost', 'assessment', 'massage'],
      language: 'en',
    },
    {
      id: 'hours',
      title: 'Opening hours',
      body:
        'We are open Monday to Friday from 7 am to 7 pm and on Saturday from 8 am to 1 pm. We are closed on Sundays ' +
        'and public holidays.',
      tags: ['hours', 'open', 'saturday'],
      language: 'en',
    },
    {
      id: 'location',
      title: 'Address and parking',
      body:
        'We are at 2140 Pearl Street, Suite 200, Boulder, Colorado, on the second floor above the pharmacy. Free ' +
        'patient parking is in the lot behind the building, entrance on 22nd Street.',
      tags: ['address', 'location', 'parking'],
      language: 'en',
    },
    {
      id: 'insurance',
      title: 'Insurance',
      body:
        'We are in network with Aetna, Cigna, UnitedHealthcare and Blue Cross Blue Shield. We do not accept Medicaid. ' +
        'Please bring your insurance card to your first visit.',
      tags: ['insurance', 'medicaid', 'coverage'],
      language: 'en',
    },
    {
      id: 'referral',
      title: 'Do I need a referral?',
      body:
        "You do not need a doctor's referral to see one of our physiotherapists in Colorado. Some insurance plans " +
        'only pay with a referral, so check with your insurer before your first visit.',
      tags: ['referral', 'doctor', 'insurance'],
      language: 'en',
    },
    {
      id: 'cancellations',
      title: 'Cancellation policy',
      body:
        'Please cancel or reschedule at least 24 hours before your appointment. Late cancellations and no-shows are ' +
        'charged a $50 fee.',
      tags: ['cancellation', 'no-show', 'fee'],
      language: 'en',
    },
    {
      id: 'payment',
      title: 'Payment methods',
      body:
        'We accept Visa, Mastercard, American Express, HSA and FSA cards, and cash. We do not accept personal checks. ' +
        'Payment is due at the end of each visit.',
      tags: ['payment', 'cards', 'hsa'],
      language: 'en',
    },
    {
      id: 'first-visit',
      title: 'What to bring and wear',
      body:
        'Wear loose, comfortable clothing, and bring shorts if we are looking at your knee or hip. Bring any scan or ' +
        'MRI reports and a list of your medications, and arrive 10 minutes early to fill in the intake forms.',
      tags: ['first visit', 'clothing', 'forms'],
      language: 'en',
    },
    {
      id: 'treatments',
      title: 'What we treat',
      body:
        'We treat sports injuries, back and neck pain, running injuries, concussion and rehab after surgery such as ' +
        'ACL reconstruction or hip and knee replacement. We do not do chiropractic adjustments. We do not treat ' +
        'children under 12; we see patients aged 12 and over.',
      tags: ['treatments', 'injuries', 'children', 'chiropractic'],
      language: 'en',
    },
    {
      id: 'imaging',
      title: 'X-rays, scans and prescriptions',
      body:
        'We do not have X-ray or MRI equipment on site; Dr. Elena Park can refer you to Boulder Imaging Center two ' +
        'blocks away. Our physiotherapists cannot prescribe medication.',
      tags: ['x-ray', 'mri', 'prescriptions'],
      language: 'en',
    },
    {
      id: 'team',
      title: 'Our team',
      body:
        'Dr. Elena Park is our sports-medicine physician. Marcus Reid and Priya Shah are our physiotherapists, and Tom ' +
        'Alvarez is our massage therapist.',
      tags: ['team', 'doctor', 'physiotherapist'],
      language: 'en',
    },
    {
      id: 'walk-ins',
      title: 'Walk-ins',
      body:
        'We see patients by appointment only and do not take walk-ins. Same-day appointments are often available if ' +
        'you call in the morning.',
      tags: ['walk-in', 'appointment', 'same day'],
      language: 'en',
    },
    {
      id: 'prices-es',
      title: 'Precios',
      body:
        'La evaluación inicial de fisioterapia cuesta 140 dólares y dura 60 minutos. Las sesiones de seguimiento ' +
        'cuestan 95 dólares y duran 45 minutos. Un masaje deportivo de 60 minutos cuesta 85 dólares.',
      tags: ['precios', 'evaluación', 'masaje'],
      language: 'es',
    },
    {
      id: 'hours-es',
      title: 'Horario',
      body:
        'Abrimos de lunes a viernes de 7 de la mañana a 7 de la tarde y los sábados de 8 de la mañana a 1 de la ' +
        'tarde. Cerramos los domingos y días festivos.',
      tags: ['horario', 'sábado'],
      language: 'es',
    },
    {
      id: 'location-es',
      title: 'Dirección y estacionamiento',
      body:
        'Estamos en 2140 Pearl Street, Suite 200, Boulder, Colorado, en el segundo piso encima de la farmacia. El ' +
        'estacionamiento para pacientes es gratis, detrás del edificio, con entrada por la calle 22.',
      tags: ['dirección', 'estacionamiento'],
      language: 'es',
    },
    {
      id: 'walk-ins-es',
      title: 'Sin cita previa',
      body:
        'Atendemos solo con cita previa; no atendemos pacientes sin cita. Muchas veces hay citas para el mismo día si ' +
        'llama por la mañana.',
      tags: ['cita', 'sin cita'],
      language: 'es',
    },
  ],
  services: [
    { id: 'initial-assessment', name: 'Initial physiotherapy assessment', durationMinutes: 60, price: 140 },
    { id: 'follow-up', name: 'Follow-up physiotherapy session', durationMinutes: 45, price: 95 },
    { id: 'sports-massage', name: 'Sports massage', durationMinutes: 60, price: 85 },
  ],
};

const B = business.id;
/** Saturday closes at 1 pm: "1 pm", "1:00 p.m.", "13:00", or "la una" in Spanish. */
const SATURDAY_CLOSE = /\b1(:00)?\s*(pm|p\.m\.)|\b13(:00)?\b|\bla una\b/i;
const ADDRESS = /\b2140\b|\bpearl\b/i;

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'clinic/en/assessment-price',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ["Hi, I was wondering how much the initial assessment is? It'd be my first time there."],
    expect: { kind: 'answer', heard: /\b140\b/ },
  },
  {
    id: 'clinic/en/saturday-hours',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: ['hi what are your opening hours', 'ok and on Saturdays, how late are you open?'],
    expect: { kind: 'answer', heard: SATURDAY_CLOSE },
  },
  {
    id: 'clinic/en/no-show-fee',
    business: B,
    language: 'en',
    category: 'knowledge',
    lines: [
      "Hey, what's your cancellation policy? My work schedule's a bit all over the place right now.",
      "Right, and what if I just completely forget and don't turn up, is there a fee for that?",
    ],
    expect: { kind: 'answer', heard: /\b50\b|\bfifty\b/i },
  },
  {
    id: 'clinic/es/assessment-price',
    business: B,
    language: 'es',
    category: 'knowledge',
    lines: ['Hola, buenos días. ¿Cuánto cuesta la evaluación inicial de fisioterapia?'],
    expect: { kind: 'answer', heard: /\b140\b|ciento cuarenta/i },
  },

  // paraphrase
  {
    id: 'clinic/en/first-visit-cost',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "yeah hi so I tweaked my knee playing soccer on Saturday and I've never been to you guys before, what's it gonna set me back to get someone to look at it the first time",
    ],
    expect: { kind: 'answer', heard: /\b140\b/ },
  },
  {
    id: 'clinic/en/where-to-leave-car',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "Hi there, I'm driving up from Denver on Wednesday. Where exactly are you, and is there somewhere I can leave the car?",
    ],
    expect: { kind: 'answer', heard: ADDRESS },
  },
  {
    id: 'clinic/en/what-to-wear',
    business: B,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "So I've got my hip appointment tomorrow and I'm coming straight from the office, I'll be in a suit. Should I change into something else for it?",
    ],
    expect: { kind: 'answer', heard: /\b(loose|shorts|comfortable)\b/i },
  },
  {
    id: 'clinic/es/late-notice',
    business: B,
    language: 'es',
    category: 'paraphrase',
    lines: [
      'Oiga, una pregunta: si al final no puedo ir a mi cita, ¿con cuánto tiempo tengo que avisarles para que no me cobren nada?',
    ],
    expect: { kind: 'answer', heard: /\b24\b|veinticuatro|twenty-four/i },
  },

  // negation
  {
    id: 'clinic/en/medicaid',
    business: B,
    language: 'en',
    category: 'negation',
    lines: ["Hi, I'm on Medicaid. Would that cover me if I came to you for my back?"],
    expect: {
      kind: 'answer',
      heard:
        /\b(not|don'?t|doesn'?t|can'?t|cannot)\b[^.]*\bmedicaid\b|\bmedicaid\b[^.]*\b(not|don'?t|doesn'?t|isn'?t)\b/i,
    },
  },
  {
    id: 'clinic/en/child-ankle',
    business: B,
    language: 'en',
    category: 'negation',
    lines: [
      "hi, my son's nine and he rolled his ankle at basketball practice last night, could one of your therapists see him?",
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don'?t|doesn'?t|can'?t|cannot|only|unable)\b[^.]*\b(12|twelve)\b|\b(12|twelve)\b[^.]*\b(no|not|don'?t|can'?t|cannot)\b/i,
    },
  },
  {
    id: 'clinic/es/chiropractic',
    business: B,
    language: 'es',
    category: 'negation',
    lines: [
      'Hola, tengo la espalda fatal desde hace una semana. ¿Ustedes hacen ajustes quiroprácticos, de esos que te truenan la espalda?',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don'?t|doesn'?t)\b[^.]*\b(quiropr\w*|chiropract\w*)|\b(quiropr\w*|chiropract\w*)[^.]*\b(no|not|don'?t)\b/i,
    },
  },

  // booking
  {
    id: 'clinic/en/sore-shoulder',
    business: B,
    language: 'en',
    category: 'booking',
    lines: [
      "Hi, my shoulder's been really sore since I started swimming again a couple weeks ago. Could someone have a look at it this week?",
    ],
    answers: {
      service: "a first assessment, I've never been in before",
      when: 'Wednesday at 3 pm',
      name: 'Daniel Brooks',
    },
    expect: { kind: 'booking', weekday: 'Wednesday', hour: 15, service: 'initial-assessment' },
  },
  {
    id: 'clinic/en/massage-before-race',
    business: B,
    language: 'en',
    category: 'booking',
    lines: ["Hey, I've got a half marathon coming up and I'd like to get a sports massage booked in."],
    answers: { service: 'sports massage', when: 'Thursday at 10 am', name: 'Kelly Nguyen' },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 10, service: 'sports-massage' },
  },
  {
    id: 'clinic/es/follow-up',
    business: B,
    language: 'es',
    category: 'booking',
    lines: ['Hola, quería pedir otra cita con el fisio, ya vine la semana pasada por la rodilla.'],
    answers: {
      service: 'una sesión de seguimiento',
      when: 'el viernes a las cinco de la tarde',
      name: 'Lucía Fernández',
    },
    expect: { kind: 'booking', weekday: 'Friday', hour: 17, service: 'follow-up' },
  },

  // correction
  {
    id: 'clinic/en/follow-up-saturday',
    business: B,
    language: 'en',
    category: 'correction',
    lines: ["Hi, I need to book my next follow-up for the knee rehab, I'm one of Priya's patients."],
    answers: { service: 'a follow-up session', when: 'Tuesday at 9 am', name: 'Owen Carter' },
    correction: { say: 'Oh no wait, sorry, I meant Saturday. Same time.', until: /saturday/i },
    expect: { kind: 'booking', weekday: 'Saturday', hour: 9, service: 'follow-up' },
  },
  {
    id: 'clinic/es/massage-later',
    business: B,
    language: 'es',
    category: 'correction',
    lines: ['Buenos días, quisiera reservar un masaje deportivo para esta semana.'],
    answers: {
      service: 'un masaje deportivo',
      when: 'el jueves a las cuatro de la tarde',
      name: 'Sergio Ramírez',
    },
    correction: {
      say: 'No, perdone, mejor a las seis de la tarde.',
      until: /\b6(:00)?\s*(pm|p\.m\.)|\b18(:00)?\b|\bseis\b/i,
    },
    expect: { kind: 'booking', weekday: 'Thursday', hour: 18, service: 'sports-massage' },
  },

  // small talk
  {
    id: 'clinic/en/closing-tonight',
    business: B,
    language: 'en',
    category: 'small talk',
    lines: ["hey how's your Monday going", 'good good. so what time do you guys close tonight?'],
    expect: { kind: 'answer', heard: /\b7(:00)?\s*(pm|p\.m\.)|\b19(:00)?\b|\bseven\b/i },
  },
  {
    id: 'clinic/es/address',
    business: B,
    language: 'es',
    category: 'small talk',
    lines: ['Hola, buenos días, ¿qué tal?', 'Muy bien, gracias. Oiga, ¿dónde están ustedes exactamente?'],
    expect: { kind: 'answer', heard: ADDRESS },
  },

  // off-topic
  {
    id: 'clinic/en/snow-tomorrow',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: [
      "Quick one, do you know if it's supposed to snow tomorrow? I'm trying to decide if I should drive in.",
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'clinic/en/acupuncture-price',
    business: B,
    language: 'en',
    category: 'off-topic',
    lines: [
      "Hi, how much do you charge for acupuncture? A friend said it helped her neck and I'd like to try it.",
    ],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'clinic/es/dental-cleaning',
    business: B,
    language: 'es',
    category: 'off-topic',
    lines: ['Hola, ¿cuánto me cobrarían por una limpieza dental?'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'clinic/en/front-desk',
    business: B,
    language: 'en',
    category: 'person',
    lines: ["Look, I'd really rather just talk to somebody at the front desk, is that possible?"],
    expect: { kind: 'person' },
  },
  {
    id: 'clinic/es/reception',
    business: B,
    language: 'es',
    category: 'person',
    lines: [
      '¿Me puede pasar con alguien de recepción, por favor? Prefiero hablar con alguien de carne y hueso.',
    ],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'clinic/en/message-for-marcus',
    business: B,
    language: 'en',
    category: 'message',
    lines: ["Hi, can I leave a message for Marcus? I'm one of his patients."],
    answers: {
      name: 'Jordan Lee',
      message:
        "The swelling in my knee has gone right down since the new exercises, and I've got the MRI report he asked for, I'll bring it on Thursday.",
    },
    expect: { kind: 'message', about: /\b(swelling|mri)\b/i },
  },
  {
    id: 'clinic/es/message-for-dr-park',
    business: B,
    language: 'es',
    category: 'message',
    lines: ['Buenos días, ¿le puedo dejar un recado a la doctora Park?'],
    answers: {
      name: 'Carmen Ruiz',
      message: 'Que ya tengo los resultados de la resonancia y que se los llevo el miércoles.',
    },
    expect: { kind: 'message', about: /resonancia|mri/i },
  },

  // callback
  {
    id: 'clinic/en/billing-callback',
    business: B,
    language: 'en',
    category: 'callback',
    lines: [
      "Hi, I've got a question about an insurance claim from my last visit, could somebody from billing give me a ring back after 3?",
    ],
    answers: { name: 'Rachel Thompson', when: 'today after 3 pm' },
    expect: { kind: 'callback' },
  },
  {
    id: 'clinic/es/call-me-tomorrow',
    business: B,
    language: 'es',
    category: 'callback',
    lines: [
      'Hola, ahora estoy en el trabajo y no puedo hablar mucho. ¿Me pueden llamar mañana por la mañana?',
    ],
    answers: { name: 'Roberto Díaz', when: 'mañana a las diez de la mañana' },
    expect: { kind: 'callback' },
  },
];
