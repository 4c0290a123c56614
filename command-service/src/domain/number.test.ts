import { describe, expect, it } from 'vitest';
import {
  AssignNumber,
  ProvisionNumber,
  ReleaseNumber,
  UnassignNumber,
  type NumberTarget,
} from '@ccp/schemas';
import { numberDecider, type NumberEvent } from './number.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(numberDecider);

const address = '+15551234567';
const acme = { tenantId: 'acme', address };
const globex = { tenantId: 'globex', address };
const ava: NumberTarget = { kind: 'agent', id: 'ava' };
const sales: NumberTarget = { kind: 'department', id: 'sales' };

const provisioned = (ownerTenantId = 'acme'): NumberEvent => ({
  type: 'NumberProvisioned',
  data: { ownerTenantId, kind: 'pstn', provider: 'twilio' },
});
const assigned = (target: NumberTarget, previousTarget?: NumberTarget): NumberEvent => ({
  type: 'NumberAssigned',
  data: previousTarget ? { target, previousTarget } : { target },
});
const unassigned = (previousTarget: NumberTarget): NumberEvent => ({
  type: 'NumberUnassigned',
  data: { previousTarget },
});
const released: NumberEvent = { type: 'NumberReleased', data: {} };

describe('number decider', () => {
  describe('ProvisionNumber', () => {
    it('provisions a free number for the tenant', () =>
      given([])
        .when(command(ProvisionNumber, { ...acme, kind: 'pstn', provider: 'twilio' }))
        .then([provisioned()]));

    it('provisions a SIP address with a label', () =>
      given([])
        .when(
          command(ProvisionNumber, {
            tenantId: 'acme',
            address: 'sip:1001@pbx.acme.example',
            kind: 'sip',
            provider: 'asterisk',
            label: 'Front desk',
          }),
        )
        .then([
          {
            type: 'NumberProvisioned',
            data: { ownerTenantId: 'acme', kind: 'sip', provider: 'asterisk', label: 'Front desk' },
          },
        ]));

    it('refuses a number another tenant holds', () =>
      given([provisioned('acme')])
        .when(command(ProvisionNumber, { ...globex, kind: 'pstn', provider: 'twilio' }))
        .thenThrows(refusedWith('NUMBER_TAKEN')));

    it('provisioning the same number again changes nothing', () =>
      given([provisioned()])
        .when(command(ProvisionNumber, { ...acme, kind: 'pstn', provider: 'twilio' }))
        .thenNothingHappened());

    it('refuses to provision a number the tenant has on other terms', () =>
      given([provisioned()])
        .when(command(ProvisionNumber, { ...acme, kind: 'pstn', provider: 'simulator' }))
        .thenThrows(refusedWith('NUMBER_EXISTS')));

    it('lets anyone provision a released number', () =>
      given([provisioned('acme'), released])
        .when(command(ProvisionNumber, { ...globex, kind: 'pstn', provider: 'twilio' }))
        .then([provisioned('globex')]));

    it('validates the address and its kind', () => {
      const parse = (input: object) =>
        ProvisionNumber.data.safeParse({ tenantId: 'acme', provider: 'twilio', ...input });
      expect(parse({ address: '5551234567', kind: 'pstn' }).success).toBe(false);
      expect(parse({ address: 'sip:1001', kind: 'sip' }).success).toBe(false);
      expect(parse({ address: 'sip:10 01@pbx.example', kind: 'sip' }).success).toBe(false);
      expect(parse({ address, kind: 'sip' }).error?.issues[0]?.path).toEqual(['kind']);
      expect(parse({ address: 'sip:Desk@PBX.Acme.example', kind: 'sip' }).data?.address).toBe(
        'sip:Desk@pbx.acme.example',
      );
    });
  });

  describe('AssignNumber', () => {
    it('assigns a number to a target', () =>
      given([provisioned()])
        .when(command(AssignNumber, { ...acme, target: ava }))
        .then([assigned(ava)]));

    it('moves a number to another target, naming the previous one', () =>
      given([provisioned(), assigned(ava)])
        .when(command(AssignNumber, { ...acme, target: sales }))
        .then([assigned(sales, ava)]));

    it('assigning to the same target again changes nothing', () =>
      given([provisioned(), assigned(ava)])
        .when(command(AssignNumber, { ...acme, target: ava }))
        .thenNothingHappened());

    it("does not reveal another tenant's number", () =>
      given([provisioned('acme')])
        .when(command(AssignNumber, { ...globex, target: ava }))
        .thenThrows(refusedWith('NUMBER_NOT_FOUND')));

    it('refuses a number nobody holds', () =>
      given([])
        .when(command(AssignNumber, { ...acme, target: ava }))
        .thenThrows(refusedWith('NUMBER_NOT_FOUND')));
  });

  describe('UnassignNumber', () => {
    it('unassigns a number', () =>
      given([provisioned(), assigned(ava)])
        .when(command(UnassignNumber, acme))
        .then([unassigned(ava)]));

    it('unassigning an unassigned number changes nothing', () =>
      given([provisioned(), assigned(ava), unassigned(ava)])
        .when(command(UnassignNumber, acme))
        .thenNothingHappened());

    it("does not reveal another tenant's number", () =>
      given([provisioned('acme'), assigned(ava)])
        .when(command(UnassignNumber, globex))
        .thenThrows(refusedWith('NUMBER_NOT_FOUND')));
  });

  describe('ReleaseNumber', () => {
    it('releases an unassigned number', () =>
      given([provisioned()]).when(command(ReleaseNumber, acme)).then([released]));

    it('unassigns an assigned number as it releases it', () =>
      given([provisioned(), assigned(sales)])
        .when(command(ReleaseNumber, acme))
        .then([unassigned(sales), released]));

    it("does not reveal another tenant's number", () =>
      given([provisioned('acme')])
        .when(command(ReleaseNumber, globex))
        .thenThrows(refusedWith('NUMBER_NOT_FOUND')));

    it('refuses a number already released', () =>
      given([provisioned(), released])
        .when(command(ReleaseNumber, acme))
        .thenThrows(refusedWith('NUMBER_NOT_FOUND')));
  });
});
