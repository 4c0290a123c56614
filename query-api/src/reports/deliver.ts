import { createHmac, timingSafeEqual } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { RenderedReport } from './render.js';

export interface EmailSettings {
  /** smtp://user:pass@host:port or smtps://… */
  readonly url: string;
  readonly from: string;
}

/**
 * Sends a report as a mail attachment through the configured SMTP server; without an attachment, a plain mail
 * (the platform's alerts).
 */
export const deliverByEmail = async (
  settings: EmailSettings,
  message: { to: readonly string[]; subject: string; text: string; attachment?: RenderedReport },
): Promise<{ readonly messageId: string }> => {
  const transport = nodemailer.createTransport(settings.url);
  const { attachment } = message;
  try {
    const sent = await transport.sendMail({
      from: settings.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(attachment !== undefined && {
        attachments: [
          { filename: attachment.filename, content: attachment.body, contentType: attachment.contentType },
        ],
      }),
    });
    return { messageId: sent.messageId };
  } finally {
    transport.close();
  }
};

export const SIGNATURE_HEADER = 'x-ccp-signature';
export const TIMESTAMP_HEADER = 'x-ccp-timestamp';

const sign = (secret: string, timestamp: string, body: string | Buffer): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;

/**
 * Checks a delivery as a receiver would: the HMAC over "<timestamp>.<body>" with the shared secret, and a
 * timestamp recent enough that a captured request cannot be replayed later.
 */
export const verifyWebhookSignature = (
  secret: string,
  body: string | Buffer,
  header: string,
  timestampHeader: string,
  now: Date = new Date(),
  toleranceSeconds = 300,
): boolean => {
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds)
    return false;
  const expected = Buffer.from(sign(secret, timestampHeader, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
};

/** POSTs a report to a webhook, signed; anything but a 2xx is an error (the scheduler tries again later). */
export const deliverByWebhook = async (
  target: { url: string; secret: string },
  message: { reportId: string; reportName: string; slot: string; attachment: RenderedReport },
  options: { fetch: typeof fetch; timeoutMs?: number; now?: () => Date },
): Promise<{ readonly status: number }> => {
  const body = JSON.stringify({
    reportId: message.reportId,
    reportName: message.reportName,
    slot: message.slot,
    filename: message.attachment.filename,
    contentType: message.attachment.contentType,
    content: message.attachment.body.toString('base64'),
  });
  const timestamp = String(Math.floor((options.now?.() ?? new Date()).getTime() / 1000));
  const response = await options.fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: sign(target.secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
  return { status: response.status };
};
