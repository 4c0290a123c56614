import {
  CompleteDataSubjectErasure,
  EraseDataSubject,
  PlanDataSubjectErasure,
  RecordSubjectAccess,
} from '@ccp/schemas';
import { erasureDecider, subjectAccessDecider } from '../domain/erasure.js';
import { route, type CommandRoute, type Reactions } from './route.js';

/** One stream per erasure: `erasure-<tenant>.<erasureId>`. */
export const erasureStream = (data: { tenantId: string; erasureId: string }) => ({
  category: 'erasure',
  tenantId: data.tenantId,
  id: data.erasureId,
});

export const erasureRoutes: readonly CommandRoute[] = [
  // Whoever answers for the tenant's data: its admins and its compliance officers.
  route(EraseDataSubject, erasureDecider, {
    stream: erasureStream,
    roles: ['tenant_admin', 'compliance'],
    retryOnConflict: false,
  }),
  // The erasure worker's steps: the platform (and super admins) only.
  route(PlanDataSubjectErasure, erasureDecider, { stream: erasureStream, roles: [], retryOnConflict: true }),
  route(CompleteDataSubjectErasure, erasureDecider, {
    stream: erasureStream,
    roles: [],
    retryOnConflict: true,
  }),
  route(RecordSubjectAccess, subjectAccessDecider, {
    stream: (data) => ({ category: 'subjectaccess', tenantId: data.tenantId, id: data.exportId }),
    roles: ['tenant_admin', 'compliance'],
    retryOnConflict: true,
  }),
];
export const erasureReactions: Reactions = {};
