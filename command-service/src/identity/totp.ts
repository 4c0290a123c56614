import * as OTPAuth from 'otpauth';

const ISSUER = 'CustomerCare Pro';
const PERIOD_SECONDS = 30;

const totpOf = (secret: string, label = '') =>
  new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
  });

/** A new seed (160 bits, base32), as authenticator apps take it. */
export const newTotpSecret = (): string => new OTPAuth.Secret({ size: 20 }).base32;

/** The otpauth:// URI an authenticator app scans (as a QR code) or takes pasted. */
export const totpUri = (secret: string, account: string): string => totpOf(secret, account).toString();

/**
 * The 30-second step a code belongs to, allowing one step of clock drift either way; undefined when the code
 * is wrong. The caller keeps the last accepted step so that a code is good once.
 */
export const totpStep = (secret: string, code: string, now: number): number | undefined => {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
};

/** The code for an instant: what an authenticator app shows (tests use it to play the user). */
export const totpCode = (secret: string, now: number): string => totpOf(secret).generate({ timestamp: now });
