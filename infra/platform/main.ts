import { configFromEnv } from './config.js';
import { ensureSuperAdmin } from './bootstrap.js';
import { localCredentials } from './credentials.js';
import { DEMO_TENANT, DEMO_USERS, seedDemo } from './demo-seed.js';
import { startPlatform } from './platform.js';
import { streamProcessing } from './stream-processing.js';
import { createProcessors } from '../../stream-processors/src/processors/index.js';

const config = configFromEnv();
const credentials = localCredentials(config.dataDir, config.superAdmin.password);
const processing = streamProcessing(createProcessors({ ...(config.llm && { llm: config.llm }) }));
const platform = await startPlatform(config, config.streamProcessing ? [processing.module] : []);
const superAdminPassword = config.superAdmin.password ?? credentials.superAdminPassword ?? '';
await ensureSuperAdmin(platform, config.superAdmin.email, superAdminPassword);
const seeded = config.seedDemo ? await seedDemo(platform, credentials.demoPassword) : false;

const lines = [
  '',
  `CustomerCare Pro is running at ${platform.url}`,
  `  data:        ${config.dataDir} (event store: ${config.eventStore.kind}, bus: ${config.bus.kind}, read store: ${config.readStore.kind})`,
  `  health:      ${platform.url}/health`,
  `  sign in:     POST ${platform.url}/api/auth/login {"email","password"}`,
  `  super admin: ${config.superAdmin.email}${config.superAdmin.password ? ' (password from SUPER_ADMIN_PASSWORD)' : ` / ${superAdminPassword}`}`,
];
if (config.seedDemo) {
  lines.push(
    `  demo tenant "${DEMO_TENANT}"${seeded ? ' (seeded now)' : ''}, password for every demo user: ${credentials.demoPassword}`,
  );
  for (const user of DEMO_USERS) lines.push(`    ${user.role.padEnd(13)} ${user.email}`);
}
lines.push(`  passwords are kept in ${config.dataDir}/credentials.json`, '');
console.log(lines.join('\n'));

const shutdown = async (signal: string) => {
  console.log(`${signal}: stopping`);
  await platform.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
