import { configFromEnv, enginesOf, speechWarnings } from './config.js';
import { ensureSuperAdmin } from './bootstrap.js';
import { localCredentials } from './credentials.js';
import { DEMO_TENANT, DEMO_USERS, demoCallLines, demoClinicHours, seedDemo } from './demo-seed.js';
import { DEMO_CAMPAIGN, seedDemoCampaign } from './demo-campaign.js';
import { DEMO_CALENDAR_PATH, seedDemoAppointments } from './demo-appointments.js';
import { DEMO_BILLING_PATH, seedDemoBilling } from './demo-billing.js';
import { startPlatform } from './platform.js';
import { privateDataDir } from './private-data-dir.js';
import { streamProcessing } from './stream-processing.js';
import { createProcessors } from '@ccp/stream-processors';
import {
  complianceModule,
  mediaGatewayModule,
  providerFailures,
  providerFallbacks,
} from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { verifyStreamChain } from '@ccp/command-service';
import { backupModule, backupSettingsFromEnv } from '../backup/scheduled-backups.js';
import { alertModule, alertSettingsFromEnv } from '../alerts/alerts.js';

const config = configFromEnv();
const backups = backupSettingsFromEnv();
const alerts = alertSettingsFromEnv();
// Before anything is written: the passwords file below is the first thing in the data directory.
privateDataDir(config.dataDir);
const credentialsFile = `${config.dataDir}/credentials.json`;
const credentials = localCredentials(config.dataDir, config.superAdmin.password);
const processing = streamProcessing(createProcessors({ ...(config.llm && { llm: config.llm }) }));
const gateway = mediaGatewayModule(config.mediaGateway);
const platform = await startPlatform(config, [
  ...(config.streamProcessing ? [processing.module] : []),
  ...(config.mediaGateway.enabled ? [gateway] : []),
  // The query API reads the processors' read store, so it comes with them.
  ...(config.streamProcessing
    ? [
        queryApiModule(() => processing.readStore(), verifyStreamChain, {
          processors: () => processing.processors().lag(),
          engines: enginesOf(config),
          providerFailures,
          providerFallbacks,
          ...(config.reportEmail && { email: config.reportEmail }),
        }),
        // GDPR erasures and subject access: they read (and scrub) the processors' read store too.
        complianceModule(() => processing.readStore(), {
          readSidePaused: (work) => processing.whilePaused(work),
        }),
      ]
    : []),
  backupModule(backups),
  // The embedded profile's own alerts; the figures of the services not running stay unknown.
  alertModule(alerts, {
    providerFailures,
    ...(config.streamProcessing && {
      processors: () => processing.processors().lag(),
      readStore: () => processing.readStore(),
    }),
  }),
]);
const superAdminPassword = config.superAdmin.password ?? credentials.superAdminPassword ?? '';
await ensureSuperAdmin(platform, config.superAdmin.email, superAdminPassword);
const seeded = config.seedDemo ? await seedDemo(platform, credentials.demoPassword) : false;
// Also into a demo data directory seeded before campaigns existed.
if (config.seedDemo) await seedDemoCampaign(platform);
// Appointments over the coming week, topped up at each start (derived ids: nothing is booked twice).
if (config.seedDemo) await seedDemoAppointments(platform);
// Billing on the embedded ledger only: with PAYMENTS=stripe the demo would open a customer at Stripe.
const demoBilling = config.seedDemo && config.payments.provider === 'ledger';
if (demoBilling) await seedDemoBilling(platform);

const lines = [
  '',
  `CustomerCare Pro is running at ${platform.url}`,
  `  console:     ${platform.url}/ (open it in a browser and sign in as any user below)`,
  `  data:        ${config.dataDir} (event store: ${config.eventStore.kind}, bus: ${config.bus.kind}, read store: ${config.readStore.kind})`,
  `  health:      ${platform.url}/health`,
  `  sign in:     POST ${platform.url}/api/auth/login {"email","password"}`,
  `  query API:   ${platform.url}/api/openapi.json (calls, analytics, live metrics, audit, exports)`,
  // Passwords are never printed: start output ends up in terminals' scrollback, CI logs and screen shares.
  `  super admin: ${config.superAdmin.email} (password: ${config.superAdmin.password ? 'SUPER_ADMIN_PASSWORD' : `"superAdminPassword" in ${credentialsFile}`})`,
];
if (config.seedDemo) {
  lines.push(
    `  demo tenant "${DEMO_TENANT}"${seeded ? ' (seeded now)' : ''}, every demo user's password: "demoPassword" in ${credentialsFile}`,
  );
  for (const user of DEMO_USERS) lines.push(`    ${user.role.padEnd(13)} ${user.email}`);
  lines.push(
    `  campaigns:   ${platform.url}/campaigns/${DEMO_CAMPAIGN} (a draft with 12 leads: schedule it and the dialer calls them through the local carrier)`,
    `  calendar:    ${platform.url}${DEMO_CALENDAR_PATH} (three staff members, one on call around the clock, with appointments over the coming week: drag one to move it)`,
  );
  if (demoBilling)
    lines.push(
      `  billing:     ${platform.url}${DEMO_BILLING_PATH} (the professional plan on the embedded ledger, last month's invoice, a card on file: try the declining test card ending 0002)`,
    );
}
if (config.mediaGateway.enabled) {
  const voiceUrl = `${config.mediaGateway.publicUrl ?? platform.url}/twilio/voice`;
  lines.push(
    `  telephony:   Twilio voice webhook ${voiceUrl} (Media Streams: ${voiceUrl}?mode=stream)` +
      (config.mediaGateway.twilio ? '' : ', local carrier (no Twilio account set)'),
  );
  if (config.seedDemo)
    lines.push(
      ...demoCallLines({
        now: new Date(),
        url: platform.url,
        dataDir: config.dataDir,
        demoClock: config.mediaGateway.demoClock,
        clinic: await demoClinicHours(platform.store),
      }),
    );
}
if (backups.dir !== undefined)
  lines.push(
    `  backups:     ${backups.dir} (${backups.everyHours > 0 ? `every ${backups.everyHours} h` : 'on demand'}, newest ${backups.keep} kept; POST ${platform.url}/api/admin/backups as the super admin)`,
  );
lines.push(`  passwords are kept in ${credentialsFile} (readable by this user only)`, '');
// Before the address is printed: whoever reads it (an operator, a supervisor, a test) may stop the platform at
// once, and a signal that comes before its handler ends the process without closing the stores.
const shutdown = async (signal: string) => {
  console.log(`${signal}: stopping`);
  await platform.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
console.log(lines.join('\n'));
// Last, so it is what the operator sees: real callers must never be answered with the simulator's voice.
for (const warning of speechWarnings(config)) console.error(`\nWARNING: ${warning}\n`);

// From here on the platform serves: an error that escapes a request, socket or timer is logged and the
// process goes on serving everyone else. Errors during start-up above still end it (nothing is serving yet, and
// a half-started platform must not pretend to run).
process.on('uncaughtException', (error, origin) => {
  console.error(`${origin}: ${error.stack ?? String(error)}`);
});
process.on('unhandledRejection', (reason) => {
  console.error(
    `unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
  );
});
