import { describe, expect, it } from 'vitest';
import { countedCarrier, type Carrier } from './carrier.js';

/** A carrier that refuses a redirect and a hang-up the way the Twilio SDK does: an error with the HTTP status. */
const refusing: Carrier = {
  placeCall: async () => ({ callId: 'CA1' }),
  redirect: async () => {
    throw Object.assign(new Error('Call is not in-progress. Cannot redirect.'), { status: 400 });
  },
  hangUp: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:1');
  },
  findCalls: async () => [],
  startRecording: async () => ({ recordingId: 'RE1' }),
  stopRecording: async () => undefined,
  deleteRecording: async () => undefined,
};

describe('the counted carrier', () => {
  it("counts each refused or unanswered request as a provider error and passes the error on; answers are the carrier's", async () => {
    const errors: { provider: string; error: unknown }[] = [];
    const carrier = countedCarrier(refusing, 'twilio', (provider, error) => errors.push({ provider, error }));
    expect(
      await carrier.placeCall({
        to: '+1',
        from: '+2',
        url: 'u',
        statusCallback: 's',
        machineDetection: false,
      }),
    ).toEqual({
      callId: 'CA1',
    });
    expect(await carrier.findCalls({ to: '+1', from: '+2', startedAfter: new Date() })).toEqual([]);
    await expect(carrier.redirect('CA1', '<Response/>')).rejects.toThrow('Cannot redirect');
    await expect(carrier.hangUp('CA1')).rejects.toThrow('ECONNREFUSED');
    expect(errors.map((e) => [e.provider, (e.error as { status?: number }).status])).toEqual([
      ['twilio', 400],
      ['twilio', undefined],
    ]);
  });
});
