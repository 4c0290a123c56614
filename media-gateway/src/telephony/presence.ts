/**
 * Which people can take escalated calls right now, per tenant and department. Presence is live state, not
 * history: the agent workspace sends a heartbeat while a person is available, and an entry nobody renews
 * lapses, so a closed browser does not leave callers queued for nobody.
 */
export class HumanPresence {
  private readonly entries = new Map<string, { departmentIds: readonly string[] | 'all'; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  set(tenantId: string, userId: string, available: boolean, departmentIds: readonly string[] | 'all'): void {
    const key = `${tenantId}/${userId}`;
    if (!available) this.entries.delete(key);
    else this.entries.set(key, { departmentIds, until: this.now() + this.ttlMs });
  }

  available(tenantId: string, departmentId: string | undefined): boolean {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.until <= now) {
        this.entries.delete(key);
        continue;
      }
      if (!key.startsWith(`${tenantId}/`)) continue;
      if (
        entry.departmentIds === 'all' ||
        departmentId === undefined ||
        entry.departmentIds.includes(departmentId)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Who is available in a tenant, for the workspace. */
  list(tenantId: string): { userId: string; departmentIds: readonly string[] | 'all' }[] {
    const now = this.now();
    return [...this.entries]
      .filter(([key, entry]) => key.startsWith(`${tenantId}/`) && entry.until > now)
      .map(([key, entry]) => ({
        userId: key.slice(tenantId.length + 1),
        departmentIds: entry.departmentIds,
      }));
  }
}
