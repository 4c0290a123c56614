import { isDeepStrictEqual } from 'node:util';

/**
 * The fields of a partial update whose values differ from the current ones. Restating what is already there
 * is no change, so repeating an update stores nothing.
 */
export const changedFields = <U extends object>(
  current: { readonly [K in keyof U]-?: unknown },
  update: U,
): Partial<U> => {
  const changes: Partial<U> = {};
  for (const key of Object.keys(update) as (keyof U)[]) {
    const value = update[key];
    if (value !== undefined && !isDeepStrictEqual(current[key], value)) changes[key] = value;
  }
  return changes;
};

export const isEmpty = (changes: object): boolean => Object.keys(changes).length === 0;
