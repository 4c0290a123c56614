import { alertReactions, alertRoutes } from './alert.js';
import { announcementReactions, announcementRoutes } from './announcement.js';
import { apiKeyReactions, apiKeyRoutes } from './apikey.js';
import { reportReactions, reportRoutes } from './report.js';
import { agentReactions, agentRoutes } from './agent.js';
import { appointmentReactions, appointmentRoutes } from './appointment.js';
import { articleReactions, articleRoutes } from './article.js';
import { billingReactions, billingRoutes } from './billing.js';
import { calendarReactions, calendarRoutes } from './calendar.js';
import { campaignReactions, campaignRoutes } from './campaign.js';
import { contactReactions, contactRoutes } from './contact.js';
import { callReactions, callRoutes } from './call.js';
import { departmentReactions, departmentRoutes } from './department.js';
import { doNotCallReactions, doNotCallRoutes } from './do-not-call.js';
import { erasureReactions, erasureRoutes } from './erasure.js';
import { retentionReactions, retentionRoutes } from './retention.js';
import { loginReactions, loginRoutes } from './login.js';
import { memberReactions, memberRoutes } from './member.js';
import { integrationReactions, integrationRoutes } from './integration.js';
import { messageReactions, messageRoutes } from './message.js';
import { numberReactions, numberRoutes } from './number.js';
import type { CommandRoute, Reaction, Reactions } from './route.js';
import { scheduleReactions, scheduleRoutes } from './schedule.js';
import { scriptReactions, scriptRoutes } from './script.js';
import { serviceReactions, serviceRoutes } from './service.js';
import { tenantRoutes } from './tenant.js';
import { ticketReactions, ticketRoutes } from './ticket.js';

export const commandRoutes: readonly CommandRoute[] = [
  ...tenantRoutes,
  ...departmentRoutes,
  ...memberRoutes,
  ...loginRoutes,
  ...agentRoutes,
  ...numberRoutes,
  ...callRoutes,
  ...articleRoutes,
  ...scriptRoutes,
  ...appointmentRoutes,
  ...calendarRoutes,
  ...ticketRoutes,
  ...apiKeyRoutes,
  ...announcementRoutes,
  ...reportRoutes,
  ...campaignRoutes,
  ...doNotCallRoutes,
  ...serviceRoutes,
  ...scheduleRoutes,
  ...contactRoutes,
  ...messageRoutes,
  ...billingRoutes,
  ...integrationRoutes,
  ...alertRoutes,
  ...erasureRoutes,
  ...retentionRoutes,
];

const reactionTables: readonly Reactions[] = [
  departmentReactions,
  memberReactions,
  loginReactions,
  agentReactions,
  numberReactions,
  callReactions,
  articleReactions,
  scriptReactions,
  appointmentReactions,
  calendarReactions,
  ticketReactions,
  announcementReactions,
  reportReactions,
  apiKeyReactions,
  campaignReactions,
  doNotCallReactions,
  serviceReactions,
  scheduleReactions,
  contactReactions,
  messageReactions,
  billingReactions,
  integrationReactions,
  alertReactions,
  erasureReactions,
  retentionReactions,
];

/** All reactions by event type; several aggregates may react to one event. */
export const reactions: ReadonlyMap<string, readonly Reaction[]> = reactionTables.reduce((byType, table) => {
  for (const [type, reaction] of Object.entries(table))
    byType.set(type, [...(byType.get(type) ?? []), reaction]);
  return byType;
}, new Map<string, Reaction[]>());

export * from './route.js';
export { campaignStream } from './campaign.js';
export { doNotCallStream } from './do-not-call.js';
export { erasureStream } from './erasure.js';
export { BILLING_ACCOUNT_ID, billingAccountStream, meterStream, SUSPENDED_FOR_PAYMENT } from './billing.js';
export { alertStream } from './alert.js';
export { calendarStream } from './calendar.js';
export { contactStream } from './contact.js';
export { messageStream } from './message.js';
export { scheduleStream } from './schedule.js';
export { serviceStream } from './service.js';
