import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configFromEnv,
  ensureSuperAdmin,
  startPlatform,
  type RunningPlatform,
  type StreamProcessing,
} from '@ccp/infra';
import type { PlatformConfig, PlatformModule } from '@ccp/command-service';

export const SUPER_ADMIN = { email: 'root@test.example', password: 'root-password-1' };

export interface TestPlatform {
  readonly platform: RunningPlatform;
  readonly url: string;
  readonly dataDir: string;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** The real platform on a free loopback port and a fresh data directory (or a given one, to test restarts). */
export const startTestPlatform = async (
  dataDir?: string,
  options: {
    readonly processing?: StreamProcessing;
    readonly env?: Record<string, string>;
    /** More services, made from the platform's configuration (e.g. the media gateway). */
    readonly modules?: (config: PlatformConfig) => readonly PlatformModule[];
    /** Receives the platform's log lines (silent when omitted), for tests that wait on what it reports. */
    readonly log?: (message: string) => void;
  } = {},
): Promise<TestPlatform> => {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'ccp-e2e-'));
  const config = configFromEnv({ DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', ...options.env });
  const modules = [
    ...(options.processing ? [options.processing.module] : []),
    ...(options.modules?.(config) ?? []),
  ];
  const platform = await startPlatform(config, modules, options.log ?? (() => undefined));
  await ensureSuperAdmin(platform, SUPER_ADMIN.email, SUPER_ADMIN.password);
  return {
    platform,
    url: platform.url,
    dataDir: dir,
    stop: async (options) => {
      await platform.stop();
      if (!options?.keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
};

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A small JSON client for the platform's HTTP API. */
export const apiClient = (url: string, token?: string) => {
  const request = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(url + path, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  };
  return {
    request,
    command: (type: string, data: unknown, headers?: Record<string, string>) =>
      request('POST', `/api/commands/${type}`, data, headers),
  };
};

export const login = async (url: string, email: string, password: string): Promise<string> => {
  const response = await apiClient(url).request<{ token: string }>('POST', '/api/auth/login', {
    email,
    password,
  });
  if (response.status !== 200) throw new Error(`login of ${email} failed: ${JSON.stringify(response.body)}`);
  return response.body.token;
};
