import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { createOfflineDialogueEngine } from '../dialogue/engine.js';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';

/*
 * A caller whose number is one of the tenant's contacts, on the gateway with the offline engine: greeted by
 * name, in the contact's language when the agent speaks it; anyone else as before.
 */

let f: GatewayFixture;
beforeEach(async () => {
  f = await gatewayFixture();
});
afterEach(async () => {
  await f.close();
});

const open = async (callId: string, from: string) => {
  const gateway = new MediaGateway({
    live: f.live,
    commands: f.commands,
    model: createOfflineDialogueEngine(),
    searchKnowledge: tenantKnowledge(f.live.directory),
    humansAvailable: () => false,
    now: () => OPEN_HOURS,
    log: () => undefined,
    readCall: (tenantId, id) => f.events(`call-${tenantId}.${id}`),
  });
  const opening = await gateway.open({
    callId,
    from,
    to: '+15550000001',
    provider: 'twilio',
    direction: 'inbound',
  });
  if (opening.kind !== 'agent') throw new Error(`the call was not answered by an agent: ${opening.kind}`);
  return opening;
};

describe('a known caller', () => {
  it('is greeted by name, in their own language when the agent speaks it', async () => {
    const contact = (contactId: string, name: string, phone: string, language: string) =>
      f.handler.handleTrusted(
        'CreateContact',
        { tenantId: TENANT, contactId, name, phones: [phone], language },
        { actor: SYSTEM_ACTOR },
      );
    await contact('lucia', 'Lucía Pérez', '+15557770011', 'es');
    await contact('ken', 'Ken Ito', '+15557770012', 'ja');
    await f.live.catchUp();

    const spanish = await open('CA00000000000000000000000000000k01', '+15557770011');
    expect(spanish.turn.language).toBe('es');
    expect(spanish.turn.lines.join(' ')).toMatch(/^¡Hola, Lucía Pérez! Thanks for calling Acme Dental/);

    // Japanese is not among Ava's languages: the call starts in her first one.
    const other = await open('CA00000000000000000000000000000k02', '+15557770012');
    expect(other.turn.language).toBe('en');
    expect(other.turn.lines.join(' ')).toMatch(/^Hi Ken Ito! Thanks for calling Acme Dental/);

    const stranger = await open('CA00000000000000000000000000000k03', '+15557770013');
    expect(stranger.turn.lines.join(' ')).toBe(
      'Thanks for calling Acme Dental, this is Ava. How can I help?',
    );
  });
});
