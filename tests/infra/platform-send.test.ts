import { describe, expect, it } from 'vitest';
import { CommandRejected, type CommandHandler } from '@ccp/command-service';
import { platformSend } from '@ccp/infra';

// How processors' commands meet refusals: a business refusal is the write side's answer (logged, the batch goes
// on); a stream that kept moving under the decision, or a busy platform, fails the batch so it is sent again.
// The handler here is a test double that throws what the real one throws in each case.
const refusing = (error: Error): Pick<CommandHandler, 'handleTrusted'> => ({
  handleTrusted: () => Promise.reject(error),
});
const options = { idempotencyKey: 'k' };

describe('commands sent by stream processors', () => {
  it('takes a business refusal as the answer, and logs it', async () => {
    const logged: string[] = [];
    const send = platformSend(refusing(new CommandRejected(422, 'USAGE_OUTSIDE_PERIOD', 'no')), (m) =>
      logged.push(m),
    );
    await expect(send('RecordUsage', {}, options)).resolves.toBeUndefined();
    expect(logged).toEqual(['stream processing: RecordUsage refused: USAGE_OUTSIDE_PERIOD no']);
  });

  it('fails the batch on a conflict that outlasted the retries, on 429 and on infrastructure errors', async () => {
    for (const error of [
      new CommandRejected(409, 'CONCURRENCY_CONFLICT', 'the stream moved'),
      new CommandRejected(429, 'RATE_LIMITED', 'busy'),
      new Error('database is locked'),
    ]) {
      await expect(platformSend(refusing(error), () => undefined)('RecordUsage', {}, options)).rejects.toBe(
        error,
      );
    }
  });
});
