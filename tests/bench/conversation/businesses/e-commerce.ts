/**
 * An online home-goods shop's support line: orders, shipping, returns and refunds, no appointments. Several of its
 * rules are refusals (no shipping beyond the US and Canada, no P.O. boxes, no pickup, some items not returnable).
 */
import { weekdays, type Business, type Scenario } from '../scenario.js';

export const business: Business = {
  id: 'bench-e-commerce',
  kind: 'e-commerce',
  name: 'Bramble & Oak Home',
  timeZone: 'America/Denver',
  hours: [...weekdays('08:00', '18:00'), { day: 'sat', open: '09:00', close: '14:00' }],
  number: '+15550200005',
  agent: {
    name: 'Riley',
    tone: 'professional',
    greeting:
      "Hi, you've reached Bramble & Oak Home customer support, this is Riley. How can I help with your order?",
    systemPrompt:
      'You handle the customer support line for Bramble & Oak Home, our online shop for bedding, kitchenware and home decor. Help people with shipping, tracking, returns and refunds using our policies. You cannot look up or change orders yourself: take a message with the order number, or set up a callback from our team. Stay polite even when customers are upset.',
  },
  articles: [
    {
      id: 'support-hours',
      title: 'Support line hours',
      body: 'Our support line is open Monday to Friday from 8 am to 6 pm and Saturday from 9 am to 2 pm, Mountain Time. We are closed on Sundays; emails sent on a Sunday are answered on Monday.',
      tags: ['hours', 'support', 'open', 'sunday'],
      language: 'en',
    },
    {
      id: 'support-hours-es',
      title: 'Horario de atención',
      body: 'Atendemos el teléfono de lunes a viernes de 8 de la mañana a 6 de la tarde y los sábados de 9 a 2, hora de la montaña. Los domingos estamos cerrados.',
      tags: ['horario', 'atención', 'domingo'],
      language: 'es',
    },
    {
      id: 'shipping',
      title: 'Standard shipping',
      body: 'Standard shipping is free on orders over $75; below that it costs $6.95. Standard delivery takes 3 to 5 business days.',
      tags: ['shipping', 'free shipping', 'delivery time', 'cost'],
      language: 'en',
    },
    {
      id: 'shipping-es',
      title: 'Envío estándar',
      body: 'El envío estándar es gratis en pedidos de más de 75 dólares; si no, cuesta 6.95 dólares. La entrega tarda de 3 a 5 días hábiles.',
      tags: ['envío', 'envío gratis', 'entrega'],
      language: 'es',
    },
    {
      id: 'express',
      title: 'Express shipping',
      body: 'Express shipping costs $19.95 and arrives in 1 to 2 business days when you order before 1 pm Mountain Time.',
      tags: ['express', 'fast shipping', 'next day'],
      language: 'en',
    },
    {
      id: 'destinations',
      title: 'Where we ship',
      body: 'We ship to all 50 US states and to Canada, where shipping is a flat $24. We do not ship to any other country, and we cannot deliver to P.O. boxes.',
      tags: ['international', 'canada', 'po box', 'destinations'],
      language: 'en',
    },
    {
      id: 'returns',
      title: 'Returns',
      body: 'You can return unused items in their original packaging within 30 days of delivery. Start the return on the Orders page of your account and print the prepaid label; a $5.95 return shipping fee is taken off your refund.',
      tags: ['returns', 'return window', 'label', 'fee'],
      language: 'en',
    },
    {
      id: 'returns-es',
      title: 'Devoluciones',
      body: 'Puede devolver artículos sin usar y en su empaque original dentro de los 30 días posteriores a la entrega. La devolución se inicia en la página de Pedidos de su cuenta; se descuentan 5.95 dólares del reembolso por el envío de vuelta.',
      tags: ['devolución', 'plazo', 'etiqueta'],
      language: 'es',
    },
    {
      id: 'non-returnable',
      title: 'Items that cannot be returned',
      body: 'Items marked Final Sale, gift cards, and pillows or mattress toppers that have been taken out of their sealed packaging cannot be returned.',
      tags: ['final sale', 'non-returnable', 'pillows', 'gift cards'],
      language: 'en',
    },
    {
      id: 'refunds',
      title: 'Refunds',
      body: 'Refunds go back to the original payment method within 5 to 7 business days after your return reaches our warehouse. Refunds are never paid out in cash.',
      tags: ['refund', 'money back', 'timing'],
      language: 'en',
    },
    {
      id: 'refunds-es',
      title: 'Reembolsos',
      body: 'El reembolso se hace al mismo método de pago, de 5 a 7 días hábiles después de que la devolución llega a nuestro almacén.',
      tags: ['reembolso', 'dinero', 'plazo'],
      language: 'es',
    },
    {
      id: 'tracking',
      title: 'Order tracking',
      body: 'Orders usually ship within 1 business day, and you get a tracking number by email as soon as yours does. You can also follow it on the Orders page of your account.',
      tags: ['tracking', 'where is my order', 'shipped'],
      language: 'en',
    },
    {
      id: 'order-changes',
      title: 'Changing or cancelling an order',
      body: 'Orders can be changed or cancelled within 2 hours of being placed. After that the order is already being packed and cannot be changed, but you can return it once it arrives.',
      tags: ['cancel', 'change order', 'modify'],
      language: 'en',
    },
    {
      id: 'damaged',
      title: 'Damaged or wrong items',
      body: 'If something arrives damaged or is not what you ordered, tell us within 14 days and send a photo. We send a replacement free of charge, and you do not need to send the item back.',
      tags: ['damaged', 'broken', 'wrong item', 'replacement'],
      language: 'en',
    },
    {
      id: 'payment',
      title: 'Payment methods',
      body: 'We accept Visa, Mastercard, American Express, Discover, PayPal and Apple Pay. Orders over $100 can be split into 4 interest-free payments with Klarna. We do not accept checks or cash on delivery.',
      tags: ['payment', 'cards', 'klarna', 'paypal'],
      language: 'en',
    },
    {
      id: 'online-only',
      title: 'Online only',
      body: 'We are an online-only shop: there is no store or showroom, and orders cannot be picked up at our Denver warehouse. We do not price-match other retailers.',
      tags: ['store', 'pickup', 'warehouse', 'price match'],
      language: 'en',
    },
  ],
  services: [],
};

const b = business.id;

/** Some refusal before the words about shipping or delivering (or after them), in one sentence. */
const NOT_SHIPPED =
  /\b(no|not|don['’]?t|doesn['’]?t|can['’]?t|cannot|only)\b(?![,!]| problem| worries)[^.]*\b(ship|deliver|send)|\b(ship|deliver)\w*\b[^.]*\b(only|not)\b/i;

export const scenarios: readonly Scenario[] = [
  // knowledge
  {
    id: 'e-commerce/en/free-shipping-minimum',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: ["Hi, what's the minimum I need to spend to get free shipping?"],
    expect: { kind: 'answer', heard: /\b75\b/ },
  },
  {
    id: 'e-commerce/en/return-window',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: ["hi yeah what's your return policy, like how many days do I have to return something"],
    expect: { kind: 'answer', heard: /\b30\b|\bthirty\b/i },
  },
  {
    id: 'e-commerce/en/express-cost',
    business: b,
    language: 'en',
    category: 'knowledge',
    lines: [
      'Hi, I want to order a gift today. How long does standard delivery take?',
      'ok that might be cutting it close, how much is express shipping then?',
    ],
    expect: { kind: 'answer', heard: /\b19\.95\b|\b19 dollars and 95\b/i },
  },
  {
    id: 'e-commerce/es/plazo-reembolso',
    business: b,
    language: 'es',
    category: 'knowledge',
    lines: ['Buenos días, ya devolví un juego de sábanas, ¿cuánto tarda en llegar el reembolso?'],
    expect: { kind: 'answer', heard: /\b(5|cinco|five)\b.*\b(7|siete|seven)\b/i },
  },

  // paraphrase
  {
    id: 'e-commerce/en/where-is-my-lamp',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "I bought a lamp from you guys on Saturday and haven't heard a thing since. how do I find out where it is?",
    ],
    expect: { kind: 'answer', heard: /\b(e-?mail|account|orders page)\b/i },
  },
  {
    id: 'e-commerce/en/mugs-in-pieces',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: ['so the mug set I got came in pieces, the box was totally crushed. what do I do now'],
    expect: { kind: 'answer', heard: /\b(photo|picture|pic)s?\b|\b14\b|\bfourteen\b/i },
  },
  {
    id: 'e-commerce/en/wrong-color-duvet',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      'Hi, I just hit buy on a duvet cover like twenty minutes ago and picked the wrong color. Is it too late to swap it?',
    ],
    expect: { kind: 'answer', heard: /\b(2|two)\s*hours?\b/i },
  },
  {
    id: 'e-commerce/en/spread-it-out',
    business: b,
    language: 'en',
    category: 'paraphrase',
    lines: [
      "it's a pretty big order, around four hundred bucks for the whole bedroom set. is there any way to spread that out instead of paying all at once?",
    ],
    expect: {
      kind: 'answer',
      heard: /\bklarna\b|\b(4|four)\s*(interest-free\s*)?(payments|installments)\b/i,
    },
  },
  {
    id: 'e-commerce/es/me-mandaron-otra-cosa',
    business: b,
    language: 'es',
    category: 'paraphrase',
    lines: ['Oiga, me llegó el paquete pero no es lo que pedí, me mandaron otra cosa. ¿Qué tengo que hacer?'],
    expect: { kind: 'answer', heard: /\b(foto|photo|picture)|\b14\b|\b(catorce|fourteen)\b/i },
  },
  {
    id: 'e-commerce/es/mandar-de-vuelta',
    business: b,
    language: 'es',
    category: 'paraphrase',
    lines: ['Compré unas cortinas y no me quedaron. Si las mando de regreso, ¿me cobran algo por eso?'],
    expect: { kind: 'answer', heard: /\b5[.,]95\b|\b5 (dólares|dollars) (con|and) 95\b/i },
  },

  // negation
  {
    id: 'e-commerce/en/sister-in-london',
    business: b,
    language: 'en',
    category: 'negation',
    lines: [
      "hey I'm buying a birthday present for my sister, she lives in London. can you guys send it straight to her?",
    ],
    expect: { kind: 'answer', heard: NOT_SHIPPED },
  },
  {
    id: 'e-commerce/en/po-box',
    business: b,
    language: 'en',
    category: 'negation',
    lines: [
      'Hi, quick one, do you ship to Canada?',
      'Great, and can I have it sent to my P.O. box up there?',
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don['’]?t|doesn['’]?t|can['’]?t|cannot)\b(?![,!]| problem| worries)[^.]*\b(p\.?\s?o\.?|post office|box(es)?)\b/i,
    },
  },
  {
    id: 'e-commerce/en/swing-by-warehouse',
    business: b,
    language: 'en',
    category: 'negation',
    lines: [
      "I'm actually right here in Denver, could I just swing by and grab my order myself? save you the postage",
    ],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|don['’]?t|doesn['’]?t|can['’]?t|cannot|only)\b(?![,!]| problem| worries)[^.]*\b(pick|store|warehouse|online|showroom)|\bonline[- ]only\b/i,
    },
  },
  {
    id: 'e-commerce/es/almohada-abierta',
    business: b,
    language: 'es',
    category: 'negation',
    lines: ['Compré una almohada, ya la saqué del plástico y la verdad no me gustó. ¿La puedo devolver?'],
    expect: {
      kind: 'answer',
      heard:
        /\b(no|not|can['’]?t|cannot|don['’]?t)\s+(\w+\s+){0,3}(be\s+)?(return|devol|acept|accept)|\b(final sale|venta final)\b/i,
    },
  },

  // small talk
  {
    id: 'e-commerce/en/small-talk-payment',
    business: b,
    language: 'en',
    category: 'small talk',
    lines: ["hi there, hope your Monday's going ok", 'ha, fair enough. what forms of payment do you take?'],
    expect: {
      kind: 'answer',
      heard: /\b(visa|mastercard|master card|american express|amex|discover|paypal)\b/i,
    },
  },
  {
    id: 'e-commerce/es/saludo-envio',
    business: b,
    language: 'es',
    category: 'small talk',
    lines: ['Hola, buenos días, ¿cómo le va?', 'Qué bueno. Oiga, ¿cuánto cuesta el envío normal?'],
    expect: { kind: 'answer', heard: /\b6[.,]95\b|\b75\b/ },
  },

  // off-topic
  {
    id: 'e-commerce/en/patio-set-price',
    business: b,
    language: 'en',
    category: 'off-topic',
    lines: ['Do you guys carry outdoor patio furniture? What would a six-piece set run me?'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'e-commerce/en/broncos-score',
    business: b,
    language: 'en',
    category: 'off-topic',
    lines: ['random question but did the Broncos win last night? I missed the end of the game'],
    expect: { kind: 'no-invention' },
  },
  {
    id: 'e-commerce/es/restaurante',
    business: b,
    language: 'es',
    category: 'off-topic',
    lines: ['¿Usted me podría recomendar un buen restaurante mexicano en el centro de Denver?'],
    expect: { kind: 'no-invention' },
  },

  // person
  {
    id: 'e-commerce/en/supervisor',
    business: b,
    language: 'en',
    category: 'person',
    lines: [
      "I've been going back and forth about this refund for two weeks now. I'd like to speak to a supervisor, someone who can actually fix it.",
    ],
    expect: { kind: 'person' },
  },
  {
    id: 'e-commerce/es/persona-de-verdad',
    business: b,
    language: 'es',
    category: 'person',
    lines: ['¿Hay alguien ahí con quien pueda hablar directamente? Un agente de verdad, por favor.'],
    expect: { kind: 'person' },
  },

  // message
  {
    id: 'e-commerce/en/side-gate',
    business: b,
    language: 'en',
    category: 'message',
    lines: ["Hi, can you leave a note for whoever's sending out my order? It's about where to drop it."],
    answers: {
      name: 'Beth Carver',
      message:
        'Order 58213: please have the courier leave the package behind the side gate, not on the front porch.',
    },
    expect: { kind: 'message', about: /gate/i },
  },
  {
    id: 'e-commerce/en/dropped-at-ups',
    business: b,
    language: 'en',
    category: 'message',
    lines: ['yeah I need to let your returns people know something, can you pass it on'],
    answers: {
      name: 'Omar Haddad',
      message:
        'My return for order 60127 was dropped off at the UPS store on Saturday and I have the receipt.',
    },
    expect: { kind: 'message', about: /\bups\b|receipt/i },
  },
  {
    id: 'e-commerce/es/falta-manual',
    business: b,
    language: 'es',
    category: 'message',
    lines: ['Hola, quiero dejar un mensaje sobre mi pedido, le faltó algo en la caja.'],
    answers: {
      name: 'Gabriela Ortiz',
      message:
        'Mi pedido 55890 llegó sin el manual de instrucciones de la cafetera, por favor mándenmelo por correo.',
    },
    expect: { kind: 'message', about: /manual|cafetera|coffee/i },
  },

  // callback
  {
    id: 'e-commerce/en/lunch-break',
    business: b,
    language: 'en',
    category: 'callback',
    lines: [
      "I'm on my lunch break and have to run, is there any way someone can give me a call back this afternoon about a missing package?",
    ],
    answers: { name: 'Tyler Brooks' },
    expect: { kind: 'callback' },
  },
  {
    id: 'e-commerce/es/despues-de-las-cinco',
    business: b,
    language: 'es',
    category: 'callback',
    lines: ['¿Me podrían devolver la llamada después de las cinco? Es sobre un pedido que todavía no llega.'],
    answers: { name: 'Rosa Delgado' },
    expect: { kind: 'callback' },
  },
  {
    id: 'e-commerce/es/manana-temprano',
    business: b,
    language: 'es',
    category: 'callback',
    lines: ['Ahorita no tengo tiempo de explicarle, ¿alguien me puede llamar mañana temprano?'],
    answers: { name: 'Alberto Fuentes' },
    expect: { kind: 'callback' },
  },
];
