import { describe, expect, it } from 'vitest';
import { render, say, voiceFor } from '../../dialogue/phrases.js';
import { ACTION_KINDS, ACTION_TOOLS, type ActionKind, claimedActions, notDoneLine } from './index.js';

type Case = readonly [sentence: string, done: readonly ActionKind[], promised: readonly ActionKind[]];

const CASES: readonly Case[] = [
  // done, English
  ["I've booked your haircut for Tuesday at 3 PM.", ['booked'], []],
  ['I have booked you in for Tuesday.', ['booked'], []],
  ['Great, I’ve booked it.', ['booked'], []],
  ["You're booked for Tuesday, December 8 at 3 PM.", ['booked'], []],
  ["You're all set: booked for Tuesday at 3 PM!", ['booked'], []],
  ['Your appointment is confirmed for Tuesday.', ['booked'], []],
  ['Your haircut appointment has been booked.', ['booked'], []],
  ["I've moved your appointment to Wednesday.", ['rescheduled'], []],
  ['I have rescheduled it for Friday at 10 AM.', ['rescheduled'], []],
  ['Done. Your appointment is now on Friday at 10 AM.', ['rescheduled'], []],
  ["I've cancelled your appointment.", ['cancelled'], []],
  ['I have canceled it.', ['cancelled'], []],
  ["Done, it's cancelled.", ['cancelled'], []],
  ['Your appointment has been cancelled.', ['cancelled'], []],
  ["I've taken your message and the team will get back to you.", ['message_taken'], []],
  ["I've passed on your message to Dr. Lee.", ['message_taken'], []],
  ["I've scheduled a callback for tomorrow morning.", ['callback_scheduled'], []],
  ["We'll call you back at 4 PM.", ['callback_scheduled'], []],
  ['Maria will call you back tomorrow morning.', ['callback_scheduled'], []],
  ["I've opened a ticket for the billing issue.", ['ticket_opened'], []],
  ["I'm transferring you now.", ['transferred'], []],
  ['Connecting you to a colleague.', ['transferred'], []],
  ["I've added you to the do-not-call list.", ['do_not_call'], []],
  ['Understood. Your number is off our call list; we will not call you again. Goodbye.', ['do_not_call'], []],
  ['Booked!', ['booked'], []],
  ["I've got you down for Tuesday at 3.", ['booked'], []],
  ['Your booking is complete.', ['booked'], []],
  ['Your appointment is all set.', ['booked'], []],
  ["I've put you down for Tuesday.", ['booked'], []],
  ['I put you down for Tuesday at 3 PM.', ['booked'], []],
  ["I've noted that down for the team.", ['message_taken'], []],
  ["I've written that down for the team.", ['message_taken'], []],
  ["You won't get any more calls from us.", ['do_not_call'], []],
  ['You will not receive any more calls from us.', ['do_not_call'], []],
  ["We won't call you again.", ['do_not_call'], []],
  // promised, English
  ["I'll book that for you.", [], ['booked']],
  ['I will book Tuesday at 3 PM for you.', [], ['booked']],
  ['Let me book that for you.', [], ['booked']],
  ["I'm booking it now.", [], ['booked']],
  ["I'll go ahead and cancel it.", [], ['cancelled']],
  ["I'll move it to Friday.", [], ['rescheduled']],
  ["I'll connect you with our billing team.", [], ['transferred']],
  ['Let me transfer you to someone who can help.', [], ['transferred']],
  ["I'll take a message for the team.", [], ['message_taken']],
  ["I'll open a ticket for that.", [], ['ticket_opened']],
  ["I'll book that for you, okay?", [], ['booked']],
  // done, Spanish
  ['He reservado su cita para el martes.', ['booked'], []],
  ['Ya está reservada.', ['booked'], []],
  ['Su cita está confirmada para el martes a las 3.', ['booked'], []],
  ['Su cita quedó reservada para el martes 8 de diciembre a las 3 de la tarde.', ['booked'], []],
  ['He cancelado su cita.', ['cancelled'], []],
  ['Listo, tu cita está cancelada.', ['cancelled'], []],
  ['He cambiado su cita al viernes.', ['rescheduled'], []],
  ['He tomado su mensaje.', ['message_taken'], []],
  ['Le paso con un compañero.', ['transferred'], []],
  ['Le transfiero ahora mismo.', ['transferred'], []],
  ['Le paso la llamada a recepción.', ['transferred'], []],
  ['He abierto una incidencia con su queja.', ['ticket_opened'], []],
  ['Le llamaremos mañana a las 10.', ['callback_scheduled'], []],
  ['Su reserva está completa.', ['booked'], []],
  ['Le he apuntado para el martes.', ['booked'], []],
  ['Te he anotado para el martes a las 3.', ['booked'], []],
  ['He anotado su mensaje.', ['message_taken'], []],
  ['Lo he anotado para el equipo.', ['message_taken'], []],
  ['No le volveremos a llamar.', ['do_not_call'], []],
  ['No recibirá más llamadas nuestras.', ['do_not_call'], []],
  [
    'Entendido. Su número ya no está en nuestra lista; no le volveremos a llamar. Adiós.',
    ['do_not_call'],
    [],
  ],
  // promised, Spanish
  ['Voy a reservar el martes a las 3.', [], ['booked']],
  ['Le reservo el martes a las 3.', [], ['booked']],
  ['Un momento, hago la reserva.', [], ['booked']],
  ['Voy a cancelar su cita.', [], ['cancelled']],
  // questions: neither
  ['Shall I book it?', [], []],
  ['Would you like me to book Tuesday at 3 PM?', [], []],
  ['Do you want me to cancel it?', [], []],
  ['Great, shall I go ahead and book it?', [], []],
  ['Should I move it to Friday?', [], []],
  ['¿La reservo?', [], []],
  ['Para confirmar: el martes a las 3. ¿La reservo?', [], []],
  ['¿Quiere que le pase con una persona?', [], []],
  ['Just to confirm, you would like to cancel your haircut on Tuesday?', [], []],
  ['Sure, I can book that. Shall I?', [], []],
  ["I'll check availability for you.", [], []],
  ['Someone from the team will call you back.', [], []],
  ['Someone will call you back at the number you called from.', [], []],
  // negations: neither
  ["I haven't booked anything yet.", [], []],
  ['I have not booked it.', [], []],
  ["I couldn't book that time.", [], []],
  ["I'm sorry, I wasn't able to cancel it.", [], []],
  ["It's not cancelled yet.", [], []],
  ["I won't cancel it.", [], []],
  ['Todavía no he reservado nada.', [], []],
  ['No he cancelado su cita.', [], []],
  // ordinary lines: neither
  ['What day works for you?', [], []],
  ['We have openings on Tuesday and Wednesday.', [], []],
  ['I can book, move or cancel an appointment, or take a message.', [], []],
  ['Puedo reservar, cambiar o cancelar una cita, o tomar un mensaje.', [], []],
  ['Is your booking complete?', [], []],
  ['Let me put you down for Tuesday, shall I?', [], ['booked']],
  ["I've noted that down.", [], []],
  ['Le he anotado el nombre para el equipo.', ['message_taken'], []],
  ['Le he anotado el nombre.', [], []],
  ['Would you like me to note that down for the team?', [], []],
  ["Your booking isn't complete yet.", [], []],
  ['I will note down the details.', [], []],
  ['Your booking will be complete once you confirm.', [], []],
];

describe('claimedActions', () => {
  it.each(CASES)('%s', (sentence, done, promised) => {
    expect(claimedActions(sentence)).toEqual({ done, promised });
  });

  it('every action has the tool that makes it true', () => {
    expect(Object.keys(ACTION_TOOLS).sort()).toEqual([...ACTION_KINDS].sort());
    expect(ACTION_TOOLS.booked).toBe('book_appointment');
    expect(ACTION_TOOLS.transferred).toBe('escalate_to_human');
  });

  it.each(ACTION_KINDS.flatMap((kind) => [[kind, 'en'] as const, [kind, 'es'] as const]))(
    'the honest line for %s (%s) claims nothing itself',
    (kind, language) => {
      expect(claimedActions(notDoneLine(kind, language))).toEqual({ done: [], promised: [] });
    },
  );

  it("the offline engine's lines after a tool ran claim what it did", () => {
    const at = { at: new Date('2026-12-08T20:00:00Z'), timeZone: 'America/New_York' };
    const line = (language: 'en' | 'es', u: Parameters<typeof render>[0][number]): string =>
      render([u], voiceFor('Tone: professional', language, 'America/New_York'));
    expect(claimedActions(line('en', say.booked(at))).done).toEqual(['booked']);
    expect(claimedActions(line('es', say.booked(at))).done).toEqual(['booked']);
    expect(claimedActions(line('en', say.rescheduled(at))).done).toEqual(['rescheduled']);
    expect(claimedActions(line('en', say.cancelled())).done).toEqual(['cancelled']);
    expect(claimedActions(line('es', say.cancelled())).done).toEqual(['cancelled']);
    expect(claimedActions(line('en', say.doNotCallDone())).done).toEqual(['do_not_call']);
    expect(claimedActions(line('en', say.booking())).promised).toEqual(['booked']);
    expect(claimedActions(line('es', say.booking())).promised).toEqual(['booked']);
  });

  // Said before a tool ran (asking, reading back, failing, offering): none may read as a claim.
  const when = { at: new Date('2026-12-08T20:00:00Z'), timeZone: 'America/New_York' };
  const service = 'Haircut';
  const BEFORE: readonly Parameters<typeof render>[0][number][] = [
    say.hello(),
    say.greetBack(),
    say.whatCanIDo(),
    say.checking(),
    say.anythingElse(),
    say.notFound({ person: true, message: true }),
    say.notFound({ person: true, message: false }),
    say.notFound({ person: false, message: true }),
    say.understand(),
    say.askService(),
    say.askWhen(),
    say.askTimeOnDay(),
    say.askName(),
    say.confirmBooking({ service, when, name: 'Maria Known' }),
    say.bookingFailed(),
    say.closedThen({ when, move: false }),
    say.closedThen({ when, move: true }),
    say.whatToChange(),
    say.lookingUp(),
    say.noAppointments(),
    say.whichAppointment({
      options: [
        { service, when },
        { service: 'Color', when },
      ],
    }),
    say.askNewTime({ service, when }),
    say.confirmReschedule({ service, from: when, to: when }),
    say.confirmCancel({ service, when }),
    say.keepIt(),
    say.actionFailed(),
    say.nobodyAvailable({ afterHours: true }),
    say.nobodyAvailable({ afterHours: false }),
    say.askMessage(),
    say.askCallbackTime(),
    say.apology(),
    say.offerTicket(),
    say.welcome(),
    say.okay(),
    say.closing(),
    say.rephrase(),
    say.stillThere(),
    say.cannotHere({ message: true }),
    say.cannotHere({ message: false }),
  ];
  it.each(
    BEFORE.flatMap((u) =>
      (['en', 'es'] as const).flatMap((language) =>
        ['Tone: professional', 'Tone: friendly'].map((tone) =>
          render([u], voiceFor(tone, language, 'America/New_York')),
        ),
      ),
    ),
  )("the offline engine's line before a tool ran claims nothing: %s", (line) => {
    expect(claimedActions(line)).toEqual({ done: [], promised: [] });
  });
});
