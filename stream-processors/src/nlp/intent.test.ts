import { beforeAll, describe, expect, it } from 'vitest';
import type { IntentClassifier } from './intent-classifier.js';
import { trainIntentClassifier, type LocalIntentClassifier } from './intent.js';
import { loadIntentDataset, splitHeldOut } from './intent-dataset.js';
import { evaluateIntents } from './intent-evaluation.js';

// Utterances that are not in the dataset and that a person would file under one intent without hesitating.
const unambiguous: Record<string, string[]> = {
  billing_question: [
    'why is there an extra charge on my bill this month',
    'I have a question about my invoice',
  ],
  cancel_subscription: ['I want to cancel my membership', 'please cancel my monthly subscription'],
  complaint: ['I want to complain about the rude staff', 'the service was terrible and I am very unhappy'],
  book_appointment: [
    'I would like to book an appointment for next Friday',
    'can I schedule a visit for Monday',
  ],
  reschedule_appointment: [
    'I need to reschedule my appointment to another day',
    'can I move my appointment to Thursday',
  ],
  cancel_appointment: [
    'please cancel my appointment on Wednesday',
    'I need to cancel my booking for tomorrow',
  ],
  technical_problem: ['my internet is not working', 'the app keeps crashing on my phone'],
  talk_to_human: ['let me speak to a real person', 'transfer me to a human agent'],
  opening_hours: ['what time do you open on Saturday', 'what are your hours today'],
  location_directions: ['what is your address', 'how do I get to your office'],
  pricing: ['how much does a consultation cost', 'what is the price of the premium plan'],
  insurance_coverage: ['do you accept my insurance', 'is this covered by my dental insurance'],
  order_status: ['where is my order', 'has my package shipped yet'],
  refund_request: ['I want a refund', 'can I get my money back for the order'],
  update_account: ['I need to update my address', 'please change the email on my account'],
  reset_password: ['I forgot my password', 'I am locked out of my account and cannot log in'],
  payment_method: ['I want to update the credit card on file', 'do you accept PayPal'],
  leave_message: ['can I leave a message for the doctor', 'please tell the manager I called'],
  callback_request: ['please have someone call me back', 'can you call me back later this afternoon'],
  feedback_compliment: [
    'your technician did a fantastic job, thank you',
    'I just wanted to say your team did a wonderful job',
  ],
  greeting: ['hi there, good morning', 'hello'],
  goodbye: ['thanks, that is all, goodbye', 'bye bye'],
  other: ['sorry I think I dialed the wrong number', 'can you recommend a movie'],
};

describe('the local intent classifier', () => {
  let classifier: LocalIntentClassifier;
  let heldOutAccuracy: number;

  beforeAll(() => {
    const { train, heldOut } = splitHeldOut(loadIntentDataset());
    classifier = trainIntentClassifier(train);
    heldOutAccuracy = evaluateIntents((text) => classifier.classifySync(text), heldOut).accuracy;
  });

  it('gets at least 80% of the held-out utterances right', () => {
    expect(heldOutAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('knows every intent it has a test for', () => {
    expect([...classifier.intents].sort()).toEqual(Object.keys(unambiguous).sort());
  });

  it.each(
    Object.entries(unambiguous).flatMap(([intent, texts]) => texts.map((text) => [intent, text] as const)),
  )('%s: %s', (intent, text) => {
    expect(classifier.classifySync(text).intent).toBe(intent);
  });

  it('is the port, asynchronously', async () => {
    const port: IntentClassifier = classifier;
    await expect(port.classify('where is my order')).resolves.toEqual(
      classifier.classifySync('where is my order'),
    );
  });

  it('gives a probability: ranked intents sum to 1, and a clear request is surer than noise', () => {
    const ranked = classifier.rank('I forgot my password');
    expect(ranked.reduce((acc, r) => acc + r.confidence, 0)).toBeCloseTo(1);
    expect(ranked[0]?.confidence).toBeGreaterThan(0.7);
    expect(classifier.classifySync('purple seventeen sideways').confidence).toBeLessThan(0.4);
  });

  it('still ranks a long, rambling utterance (natural underflows to 0 for every intent here)', () => {
    const long =
      'so um yeah hi I am calling because basically I have been a customer for like ten years and I have ' +
      'always paid on time and never had any issue but last month the statement I received in the mail had ' +
      'a charge on it for something called an equipment protection plan that I never signed up for and I ' +
      'would really like to understand why I am being charged for this and whether it can be removed from ' +
      'my bill because honestly I am a little confused about the whole thing and my wife is too';
    const result = classifier.classifySync(long);
    expect(result.intent).toBe('billing_question');
    expect(result.confidence).toBeGreaterThan(0);
  });

  it('copes with typos', () => {
    expect(classifier.classifySync('i need to cancle my apointmnet').intent).toBe('cancel_appointment');
  });
});
