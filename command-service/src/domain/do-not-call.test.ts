import { describe, expect, it } from 'vitest';
import { AddToDoNotCall, RemoveFromDoNotCall } from '@ccp/schemas';
import { fold } from './decider.js';
import { doNotCallDecider, isOnDoNotCallList, type DoNotCallEvent } from './do-not-call.js';
import { DeciderSpecification, command } from './testing.js';

const given = DeciderSpecification.for(doNotCallDecider);
const A = '+15550100001';
const B = '+15550100002';
const added: DoNotCallEvent = { type: 'DoNotCallAdded', data: { numbers: [A], source: 'manual' } };

describe('do-not-call list', () => {
  it('adds only numbers not yet listed, each once', () => {
    given([])
      .when(command(AddToDoNotCall, { tenantId: 'acme', numbers: [A, A], source: 'manual' }))
      .then([added]);
    given([added])
      .when(
        command(AddToDoNotCall, {
          tenantId: 'acme',
          numbers: [A, B],
          source: 'caller_request',
          callId: 'CA1',
        }),
      )
      .then([{ type: 'DoNotCallAdded', data: { numbers: [B], source: 'caller_request', callId: 'CA1' } }]);
    given([added])
      .when(command(AddToDoNotCall, { tenantId: 'acme', numbers: [A], source: 'import' }))
      .thenNothingHappened();
  });

  it('removes only listed numbers', () => {
    given([added])
      .when(command(RemoveFromDoNotCall, { tenantId: 'acme', numbers: [A, B] }))
      .then([{ type: 'DoNotCallRemoved', data: { numbers: [A] } }]);
    given([])
      .when(command(RemoveFromDoNotCall, { tenantId: 'acme', numbers: [B] }))
      .thenNothingHappened();
  });

  it('tells whether a number is listed', () => {
    const removed: DoNotCallEvent = { type: 'DoNotCallRemoved', data: { numbers: [A] } };
    expect(isOnDoNotCallList(fold(doNotCallDecider, [added]), A)).toBe(true);
    expect(isOnDoNotCallList(fold(doNotCallDecider, [added]), B)).toBe(false);
    expect(isOnDoNotCallList(fold(doNotCallDecider, [added, removed]), A)).toBe(false);
  });
});
