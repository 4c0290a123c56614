import { command } from './admin';
import { getJson, postJson, saveBlob } from './client';

/**
 * GDPR erasures and subject access (README "GDPR: erasure and subject access"): erasing and exporting go to the
 * compliance module (POST /api/compliance/erasures and /exports), the erasures and their certificates are read
 * from the query API (GET /api/compliance/erasures).
 */

export const SUBJECT_KINDS = ['phone', 'email', 'contact'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export interface DataSubject {
  readonly kind: SubjectKind;
  readonly value: string;
}

export interface ErasureSummary {
  readonly erasureId: string;
  readonly status: 'requested' | 'planned' | 'erased';
  readonly requestedAt: string;
  readonly requestedBy: { readonly kind: string; readonly id: string; readonly role?: string };
  readonly erasedAt: string | null;
  readonly counts: Readonly<Record<string, number>> | null;
}

export interface ErasureCertificate {
  readonly streams: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  readonly keysErased: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly recordings: readonly { readonly recordingId: string; readonly outcome: string }[];
  readonly erasedAt: string;
}

export interface ErasureDetail extends ErasureSummary {
  readonly plannedStreams: number | null;
  readonly certificate: ErasureCertificate | null;
}

export interface SubjectExport {
  readonly exportId: string;
  readonly streams: readonly { readonly streamId: string; readonly events: readonly unknown[] }[];
  readonly rows: Readonly<Record<string, readonly unknown[]>>;
  readonly recordings: readonly string[];
}

/** Saves the export as a JSON file (the bundle is the answer to the request that recorded it). */
const save = (bundle: SubjectExport): string =>
  saveBlob(
    new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' }),
    `${bundle.exportId}.json`,
  );

export const complianceApi = {
  erasures: () => getJson<{ items: readonly ErasureSummary[] }>('/api/compliance/erasures'),
  erasure: (erasureId: string) =>
    getJson<ErasureDetail>(`/api/compliance/erasures/${encodeURIComponent(erasureId)}`),
  erase: (tenantId: string | undefined, subject: DataSubject) =>
    postJson<{ erasureId: string; streams: number }>('/api/compliance/erasures', { tenantId, subject }),
  /** Exports and saves the bundle; resolves with what it held. */
  exportSubject: async (tenantId: string | undefined, subject: DataSubject) => {
    const bundle = await postJson<SubjectExport>('/api/compliance/exports', { tenantId, subject });
    if (bundle === undefined) throw new Error('the platform answered nothing');
    return { file: save(bundle), streams: bundle.streams.length };
  },
};

/** A tenant's retention policy: days each kind is kept, null keeping it (README "Retention and legal holds"). */
export interface RetentionPolicy {
  readonly recordingsDays: number | null;
  readonly transcriptsDays: number | null;
  readonly messagesDays: number | null;
}
export type HoldTarget =
  | { readonly kind: 'call'; readonly callId: string }
  | { readonly kind: 'subject'; readonly subject: DataSubject };
export interface LegalHold {
  readonly holdId: string;
  readonly target: HoldTarget | null;
  readonly reason: string | null;
  readonly placedAt: string;
  readonly placedBy: string;
}

export const retentionApi = {
  read: (tenantId: string | undefined) =>
    getJson<{ policy: RetentionPolicy; holds: readonly LegalHold[] }>(
      `/api/compliance/retention${tenantId === undefined ? '' : `?tenantId=${encodeURIComponent(tenantId)}`}`,
    ),
  setPolicy: (tenantId: string | undefined, policy: RetentionPolicy) =>
    command('SetRetentionPolicy', { tenantId, policy }),
  placeHold: (tenantId: string | undefined, holdId: string, target: HoldTarget, reason: string) =>
    command('PlaceLegalHold', { tenantId, holdId, target, reason }),
  releaseHold: (tenantId: string | undefined, holdId: string) =>
    command('ReleaseLegalHold', { tenantId, holdId }),
};
