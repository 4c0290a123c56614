import type { Context } from 'koa';
import { z } from 'zod';
import type { WebhookContext } from './context.js';
import { CallSid, parse } from './request.js';

const RecordingParams = z.object({
  CallSid,
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/, 'RecordingSid is RE followed by 32 hex digits'),
  RecordingUrl: z.url().max(2000),
  RecordingDuration: z.coerce.number().nonnegative(),
  RecordingStatus: z.string().max(40).optional(),
});

/** POST /twilio/recording: a call's recording is ready. */
export const recordingCallback = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(RecordingParams, ctx);
  await gateway.recording(p.CallSid, {
    recordingId: p.RecordingSid,
    url: p.RecordingUrl,
    durationSeconds: p.RecordingDuration,
  });
  ctx.status = 204;
};
