import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, EntityId, TenantId } from './primitives.js';

/**
 * A tenant's do-not-call list: one stream per tenant (`donotcall-<tenant>.list`). Campaign imports leave its
 * numbers out and the dialer checks it again right before every dial. The numbers are personal data.
 */
const category = 'donotcall';
export const DO_NOT_CALL_LIST = 'list';

/** Where a number came from: a person, a file, or the called person asking on a call (the AI's tool). */
export const DoNotCallSource = z.enum(['manual', 'import', 'caller_request']);
export const DO_NOT_CALL_BATCH = 10_000;
const Numbers = z.array(E164).min(1).max(DO_NOT_CALL_BATCH);

export const AddToDoNotCall = defineCommand(
  category,
  'AddToDoNotCall',
  z.object({
    tenantId: TenantId,
    numbers: Numbers,
    source: DoNotCallSource,
    /** The call on which the person asked not to be called again. */
    callId: EntityId.optional(),
  }),
  'Never call these numbers from a campaign; numbers already on the list are left as they are.',
);
export const RemoveFromDoNotCall = defineCommand(
  category,
  'RemoveFromDoNotCall',
  z.object({ tenantId: TenantId, numbers: Numbers }),
  'Take numbers off the do-not-call list; numbers not on it are ignored.',
);

export const DoNotCallAdded = defineEvent(
  category,
  'DoNotCallAdded',
  1,
  z.object({ numbers: z.array(E164), source: DoNotCallSource, callId: EntityId.optional() }),
);
export const DoNotCallRemoved = defineEvent(
  category,
  'DoNotCallRemoved',
  1,
  z.object({ numbers: z.array(E164) }),
);

export const doNotCallCommands = [AddToDoNotCall, RemoveFromDoNotCall] as const;
export const doNotCallEvents = [DoNotCallAdded, DoNotCallRemoved] as const;
