import { describe, expect, it } from 'vitest';
import { echoesInstructions, indexInstructions, repeatsLongLine } from './echo.js';

const system = [
  'You are Mia, an AI voice agent answering the phone for Maple & Rose. You speak on a phone line.',
  'The business is in the America/Chicago time zone; say times in it.',
  'Our stylists trained in Paris and we have free parking behind the salon.',
].join('\n');
const tools = 'Hand the call to a person in the department, with a summary so they need not ask again.';
const tenant = ['Our stylists trained in Paris and we have free parking behind the salon.'];

describe('instruction echo', () => {
  const instructions = indexInstructions(`${system}\n${tools}`, tenant);

  // Seen with a 0.5B model on the conversation benchmark: its instructions read back as answers.
  it('finds the platform’s own instructions and tool descriptions read back as an answer', () => {
    expect(
      echoesInstructions('The business is in the America/Chicago time zone; say times in it.', instructions),
    ).toBe(true);
    expect(
      echoesInstructions(
        'The cancellation policy is to hand the call to a person in the department, with a summary so they need not ask again.',
        instructions,
      ),
    ).toBe(true);
  });

  it('lets the tenant’s own words through, and ordinary sentences that share a few words', () => {
    expect(echoesInstructions('We have free parking behind the salon.', instructions)).toBe(false);
    expect(
      echoesInstructions(
        'Our stylists trained in Paris and we have free parking behind the salon.',
        instructions,
      ),
    ).toBe(false);
    expect(echoesInstructions('I can hand the call to a person now.', instructions)).toBe(false);
    expect(echoesInstructions('Estamos en la zona horaria de Chicago.', instructions)).toBe(false);
  });

  it('does not join words across lines of the instructions', () => {
    const index = indexInstructions('say times in it\nplease call again later today', []);
    expect(echoesInstructions('Say times in it please call again.', index)).toBe(false);
  });
});

describe('repeated long line', () => {
  const earlier = ['Thanks for calling Maple & Rose Hair Studio, this is Mia! How can I help you today?'];

  it('finds a long sentence of an earlier reply said again word for word', () => {
    expect(repeatsLongLine('Thanks for calling Maple & Rose Hair Studio, this is Mia!', earlier)).toBe(true);
  });

  it('lets short lines and new sentences through', () => {
    expect(repeatsLongLine('How can I help you today?', earlier)).toBe(false);
    expect(repeatsLongLine('Thanks for calling, we are open until six tonight.', earlier)).toBe(false);
  });
});
