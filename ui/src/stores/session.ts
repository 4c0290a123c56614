import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { auth } from '../api/endpoints';
import type { MfaChallenge, Role, Session } from '../api/types';

const KEY = 'ccp.session';
const TENANT_KEY = 'ccp.tenant';

const isSession = (value: unknown): value is Session => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Session>;
  return typeof v.token === 'string' && typeof v.expiresAt === 'string' && typeof v.user === 'object';
};

/** The session survives a reload of the tab but not the tab itself: the token stays in sessionStorage. */
const restore = (): Session | undefined => {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (!isSession(stored) || Date.parse(stored.expiresAt) <= Date.now()) return undefined;
    return stored;
  } catch {
    return undefined;
  }
};

export type LoginOutcome =
  { readonly kind: 'signed-in' } | { readonly kind: 'mfa'; readonly challenge: string };

export const useSessionStore = defineStore('session', () => {
  const session = ref<Session | undefined>(restore());
  /** The tenant a super admin is looking at; everyone else reads their own. */
  const selectedTenant = ref<string | undefined>(sessionStorage.getItem(TENANT_KEY) ?? undefined);
  /** Why the last session ended without the user asking (shown on the sign-in page). */
  const endedReason = ref<'expired' | undefined>();

  const user = computed(() => session.value?.user);
  const role = computed<Role | undefined>(() => session.value?.user.role);
  const token = computed(() => session.value?.token);
  const signedIn = computed(() => session.value !== undefined);
  const isSuperAdmin = computed(() => role.value === 'super_admin');
  const tenantId = computed(() => (isSuperAdmin.value ? selectedTenant.value : session.value?.user.tenantId));

  const start = (next: Session): void => {
    session.value = next;
    endedReason.value = undefined;
    sessionStorage.setItem(KEY, JSON.stringify(next));
  };

  const clear = (): void => {
    session.value = undefined;
    selectedTenant.value = undefined;
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TENANT_KEY);
  };

  /** A password or an identity provider got the person this far: a session, or a second factor still to give. */
  const outcomeOf = (answer: Session | MfaChallenge | undefined): LoginOutcome => {
    if (answer !== undefined && 'mfaRequired' in answer) {
      return { kind: 'mfa', challenge: answer.challenge };
    }
    if (answer === undefined) throw new Error('empty sign-in answer');
    start(answer);
    return { kind: 'signed-in' };
  };

  const login = async (email: string, password: string): Promise<LoginOutcome> =>
    outcomeOf(await auth.login(email, password));

  const completeMfa = async (challenge: string, code: string): Promise<void> => {
    const answer = await auth.completeMfa(challenge, code);
    if (answer === undefined) throw new Error('empty sign-in answer');
    start(answer);
  };

  const loginWithIdToken = async (idToken: string): Promise<LoginOutcome> =>
    outcomeOf(await auth.oidc(idToken));

  const logout = async (): Promise<void> => {
    try {
      if (session.value) await auth.logout();
    } catch {
      // The session may already be gone on the server; signing out here is what matters.
    }
    clear();
  };

  /** The server stopped accepting the token (expired or revoked). */
  const expire = (): void => {
    if (!session.value) return;
    clear();
    endedReason.value = 'expired';
  };

  const selectTenant = (tenantId: string | undefined): void => {
    selectedTenant.value = tenantId;
    if (tenantId === undefined) sessionStorage.removeItem(TENANT_KEY);
    else sessionStorage.setItem(TENANT_KEY, tenantId);
  };

  return {
    session,
    user,
    role,
    token,
    signedIn,
    isSuperAdmin,
    tenantId,
    selectedTenant,
    endedReason,
    login,
    completeMfa,
    loginWithIdToken,
    logout,
    expire,
    selectTenant,
  };
});
