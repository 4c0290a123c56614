import { createHash, randomBytes } from 'node:crypto';

/** Prefixes tell a session token from an API key at a glance (and to secret scanners). */
export const SESSION_PREFIX = 'ccs_';
export const API_KEY_PREFIX = 'ccp_sk_';

export const newSecret = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

/** Secrets are 256 random bits, so a plain SHA-256 is enough to store them without a slow KDF. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');
