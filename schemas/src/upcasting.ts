/**
 * Turns stored data of an older event version into the next version's shape. Chains run v1 → v2 → ... so an
 * event written years ago is read as today's type, while the stored bytes stay untouched.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  readonly up: (data: unknown) => unknown;
}
