import type { ApiErrorBody } from './types';

/** A refusal or failure, with the API's own code, message and the field at fault when it named one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiContext {
  token(): string | undefined;
  /** The tenant a super admin reads (every other credential reads its own, and must not name another). */
  tenantId(): string | undefined;
  /** A session the server no longer knows: the console signs out instead of showing errors everywhere. */
  onUnauthorized(): void;
}

let context: ApiContext = {
  token: () => undefined,
  tenantId: () => undefined,
  onUnauthorized: () => undefined,
};

export const configureApi = (next: ApiContext): void => {
  context = next;
};

type QueryValue = string | number | boolean | null | undefined;

/** Routes that read no tenant: sign-in, the public branding and the super admins' platform-wide views. */
const UNSCOPED = ['/api/auth/', '/api/branding', '/api/admin/'];

export const urlOf = (path: string, query: object = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, QueryValue][]) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const tenantId = context.tenantId();
  if (tenantId !== undefined && !UNSCOPED.some((prefix) => path.startsWith(prefix))) {
    params.set('tenantId', tenantId);
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
};

const isErrorBody = (value: unknown): value is ApiErrorBody => {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
};

export const errorOf = async (response: Response): Promise<ApiError> => {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.status === 401 && context.token() !== undefined) context.onUnauthorized();
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.error.code, body.error.message, body.error.field);
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'request failed');
};

export const authHeaders = (): Record<string, string> => {
  const token = context.token();
  return token !== undefined ? { authorization: `Bearer ${token}` } : {};
};

const send = async (
  method: string,
  path: string,
  options: { query?: object; body?: unknown; signal?: AbortSignal; accept?: string } = {},
): Promise<Response> => {
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), {
      method,
      headers: {
        accept: options.accept ?? 'application/json',
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...authHeaders(),
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the platform cannot be reached');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
};

export const getJson = async <T>(path: string, query?: object, signal?: AbortSignal): Promise<T> => {
  const response = await send('GET', path, { ...(query && { query }), ...(signal && { signal }) });
  return (await response.json()) as T;
};

export const postJson = async <T>(path: string, body: unknown): Promise<T | undefined> => {
  const response = await send('POST', path, { body });
  if (response.status === 204) return undefined;
  return (await response.json()) as T;
};

const filenameOf = (response: Response, fallback: string): string => {
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match?.[1] !== undefined ? decodeURIComponent(match[1]) : fallback;
};

/**
 * Downloads a file the API streams. A link cannot carry the Bearer header, so the file is fetched, held as a blob
 * and saved through an object URL.
 */
export const download = async (path: string, query: object, fallbackName: string): Promise<string> => {
  const response = await send('GET', path, { query, accept: '*/*' });
  return saveBlob(await response.blob(), filenameOf(response, fallbackName));
};

/** Saves a blob as a file through an object URL; returns its name. */
export const saveBlob = (blob: Blob, filename: string): string => {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
};
