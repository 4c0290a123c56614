import type { z } from 'zod';
import { textFault } from './well-formed.js';

/** A refusal of input: what the API answers with 400, naming the field at fault. */
export interface FieldError {
  readonly code: string;
  readonly message: string;
  /** Dotted path to the offending field, '' for the whole input. */
  readonly field: string;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FieldError };

export const fieldPath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

export const parseWith = <S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> => {
  // Checked before the schema: a field the schema strips or a key it ignores is still input that was sent.
  const fault = textFault(input);
  if (fault) {
    const field = fieldPath(fault.path);
    const { message } = fault;
    return {
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: field ? `${field}: ${message}` : message, field },
    };
  }
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '';
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'invalid input';
  return { ok: false, error: { code: 'VALIDATION_FAILED', message, field } };
};
