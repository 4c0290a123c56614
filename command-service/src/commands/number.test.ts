import { describe, expect, it } from 'vitest';
import {
  AssignNumber,
  NumberReleased,
  PLATFORM_TENANT,
  ProvisionNumber,
  ReleaseQuota,
  ReserveQuota,
} from '@ccp/schemas';
import { numberReactions, numberRoutes } from './number.js';
import { request } from './route.js';
import { prerequisitesOf, storedEvent, streamOf, validated } from './testing.js';

const provision = { tenantId: 'acme', address: '+15551234567', kind: 'pstn', provider: 'twilio' } as const;

describe('number routes', () => {
  it('decides on the platform-wide stream of the address', () => {
    expect(streamOf(numberRoutes, ProvisionNumber, provision)).toBe('number-platform.+15551234567');
    expect(
      streamOf(numberRoutes, AssignNumber, {
        tenantId: 'acme',
        address: 'sip:1001@PBX.acme.example',
        target: { kind: 'agent', id: 'ava' },
      }),
    ).toBe('number-platform.sip:1001@pbx.acme.example');
  });

  it('takes a unit of the plan before provisioning', () => {
    expect(prerequisitesOf(numberRoutes, ProvisionNumber, provision)).toEqual([
      request(ReserveQuota, { tenantId: 'acme', resource: 'phoneNumbers', key: '+15551234567' }),
    ]);
  });

  it("gives the unit back to the tenant that released the number, not to the stream's platform tenant", () => {
    const released = storedEvent(
      NumberReleased,
      {},
      { category: 'number', tenantId: PLATFORM_TENANT, id: '+15551234567' },
      'acme',
    );
    expect(validated(numberReactions.NumberReleased?.(released) ?? [])).toEqual([
      request(ReleaseQuota, { tenantId: 'acme', resource: 'phoneNumbers', key: '+15551234567' }),
    ]);
  });
});
