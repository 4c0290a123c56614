import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Stored = z.object({ superAdminPassword: z.string().optional(), demoPassword: z.string() });
export type LocalCredentials = z.infer<typeof Stored>;

const generate = () => randomBytes(12).toString('base64url');

/**
 * Passwords the embedded platform makes up on first start, kept in the data directory (mode 600) so that a
 * newcomer can sign in with no keys to set and nothing secret is committed.
 */
export const localCredentials = (dataDir: string, superAdminPasswordFromEnv?: string): LocalCredentials => {
  const path = join(dataDir, 'credentials.json');
  const stored = existsSync(path) ? Stored.parse(JSON.parse(readFileSync(path, 'utf8'))) : undefined;
  const credentials: LocalCredentials = {
    demoPassword: stored?.demoPassword ?? generate(),
    ...(!superAdminPasswordFromEnv && { superAdminPassword: stored?.superAdminPassword ?? generate() }),
  };
  if (!stored || stored.superAdminPassword !== credentials.superAdminPassword) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  }
  // The mode above applies only when the file is created: one an older version made 0644 is closed here.
  chmodSync(path, 0o600);
  return credentials;
};
