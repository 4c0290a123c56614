import type { DialogueAct, LabelledLine } from './acts.js';
import { SPANISH_LINES } from './acts-training-es.js';

/**
 * Labelled caller lines the act model trains on at start-up, one a line per act; Spanish in
 * acts-training-es.ts. Written for this engine as callers of many kinds of business talk (a vet, an
 * electrician, a gym, a law office, a bike shop...), so that the model learns the shape of a request and not
 * one trade's nouns. The held-out lines that measure it are in acts.test.ts and share no line with these.
 */
const ENGLISH: Readonly<Record<DialogueAct, string>> = {
  greeting: `
hello
hi there
good morning
good evening
hey
hello, anyone there?
morning
hello hello
hey there, good afternoon
hi, hello`,
  small_talk: `
hi, how are you
how are you doing today
how's your week been
hope you're having a good day
how's everything going over there
how are things
hey, how's it been today
hope your week is going well
how's your afternoon
how are you holding up
I'm good thanks, how about you
hope the weekend treated you well
hi, how's life`,
  question: `
what are your opening hours
are you open on sundays
how much does it cost
where is your office
do you take insurance
what services do you offer
is there a fee for late cancellation
how long does a session take
can I pay by card
what is your address
do you do teeth whitening
I was wondering about your prices
I have a question about my bill
what is the price for a consultation
does the clinic have wheelchair access
what documents do I need to bring
yeah, do you sell gift vouchers
ok so how late are you open on thursdays
so what would it run me to get the gutters cleaned
roughly how long does a full service take
is it true you do same day repairs
any idea how long the wait is right now
hi, do you guys work on older models
what happens if my package never shows up
how soon can I get a refund after sending it back
my dog has a rash, do you see exotic pets too
do I need to bring anything for the first lesson
what kind of warranty comes with a new roof
hey so is there parking at the gym
can I return something I bought on sale
how far out do you travel for jobs
what do you charge to tune a piano
so if I pay late is there a penalty
is the consultation free or do you charge for it
what time do the trainers start in the morning
I need an update on my repair
I need to know if my plan covers this
I need help understanding my statement
I need a copy of my receipt for taxes
I just need to know when my package gets here
I'd like to know where my refund is
we need the paperwork by the end of the week, is that doable`,
  book_appointment: `
I want to book an appointment
can I make an appointment
I would like to schedule a cleaning
I need an appointment for next Monday
book me in for a checkup
do you have any openings this week
I want to come in on Friday
set up a consultation for me
I would like a booking for two
can you fit me in tomorrow
my air conditioner stopped blowing cold, can someone come out and check it
the cat has been limping since yesterday, could the vet see her this week
I'd like somebody to look at the wiring in our garage
the lock on my back door is jammed, can you send someone over today
I need my bike looked at before the race on Sunday
our dishwasher is leaking everywhere, can somebody come have a look
could you squeeze me in for a trim on Thursday
I'd like to bring my laptop in, the screen keeps flickering
we want someone to inspect the roof before winter
the furnace is making a weird smell, can a technician swing by
can I drop my car off Monday for a tune up
I need to get my eyes checked, my glasses aren't working anymore
I'm hoping to get my suit altered before the wedding
can someone come look at a crack in the ceiling
my back is killing me, can I get in to see someone this week
I'd like to get the carpets cleaned next week
could I be seen today, I think I sprained my wrist
is there any way to get someone out here this afternoon
need someone to take a look at the heater
we'd like to get the dog groomed on Saturday
I need to see a lawyer about my lease
can I book my son in for a tutoring session
we want to get our windows cleaned this weekend
I'd like to come in sometime next week for a massage`,
  reschedule_appointment: `
I need to reschedule
can I change my appointment time
I want to move my booking to next week
can we push my appointment back an hour
I need a different time for my visit
can you switch my slot to the afternoon
I would like to change the date of my appointment
something came up at work, can we do Thursday instead
could the technician come Friday instead of Wednesday
can I shift my lesson to later in the day`,
  cancel_appointment: `
I need to cancel
please cancel my booking
cancel my appointment for Friday
I cannot make it tomorrow, please cancel
I want to cancel the reservation
I won't be coming on Monday
we don't need the technician anymore, please call it off
please take me off the schedule for Tuesday`,
  human_request: `
I want to talk to a person
let me talk to a person
can I speak to a representative
put me through to a manager
I need a real human
connect me with customer service
agent please
I want to speak with someone
operator
could you transfer me to the service department
can I talk to one of your technicians
I'd rather speak to someone in accounts
is there a person I can talk to about this
patch me through to the front desk please
can you connect me with whoever handles billing
let me talk to the owner
I need somebody who actually understands computers
could I speak with one of the nurses
get me someone from the repair team please`,
  complaint: `
this is unacceptable
I am very angry about my last visit
your staff was rude to me
I want to make a complaint
the service was awful
I have been waiting for an hour, this is a joke
I am so frustrated with you people
nobody ever calls me back, it is a disgrace
the repair you did last week already broke again and I'm fed up
your driver damaged my fence and nobody has done anything
I was charged twice and I'm really upset about it
I need my money back today, this is the third time I've called`,
  objection: `
that is too expensive
I cannot afford that
I am not interested
we already have a supplier
I need to think about it
your competitor is cheaper
it costs too much
that's a lot more than I wanted to spend
I'll have to talk to my wife first`,
  leave_message: `
I want to leave a message
can you take a message
please tell Maria I called
give him a message from me
let the doctor know I will be late
could you pass a note to the office
can you pass this along to the electrician who came Tuesday
please let my trainer know I'm sick this week
could you get word to the driver that the buzzer is broken
tell the groomer my dog is nervous around clippers
I want to leave a note for whoever is handling my case
can you let the office know my new address
would you pass on to Linda that the papers are signed`,
  callback_request: `
please call me back
can someone call me back
I would like a callback
ring me later
call me tomorrow afternoon
have someone phone me this evening
can somebody give me a ring later today
could you have the manager get back to me
I'm driving right now, can someone call me after five
would someone give me a call about the estimate tomorrow morning
can you ring me back when the part comes in
I'd like someone from accounts to phone me back
is it possible for someone to get back to me this evening`,
  affirm: `
yes
yeah
yes that is right
correct
okay
sure
please do
perfect
that works for me
absolutely
yep that's fine
sure thing
ok sounds great`,
  deny: `
no
no thanks
nope, that is wrong
not really
no, that is not it
actually no
no, not that one
nah I'm good`,
  thanks: `
thank you
thanks
thank you so much
thanks for your help
much appreciated
cheers, that helps
thanks a bunch`,
  goodbye: `
bye
goodbye
that is all, bye
see you
have a nice day
that will be all
ok that's everything, bye now
alright take care`,
  provide_info: `
my name is John Smith
this is Sarah Connor
it is for a cleaning
a haircut
tomorrow at 3pm
next Tuesday at 10
Friday morning
my number is 555 0199
John
at four
it's for my car
the account is under my husband's name
my email is dan at example dot com
the order number is 4471`,
};

const parse = (byAct: Readonly<Record<DialogueAct, string>>): LabelledLine[] =>
  Object.entries(byAct).flatMap(([act, block]) =>
    block
      .split('\n')
      .map((text) => text.trim())
      .filter((text) => text !== '')
      .map((text) => ({ text, act: act as DialogueAct })),
  );

export const ACT_TRAINING: readonly LabelledLine[] = [...parse(ENGLISH), ...parse(SPANISH_LINES)];
