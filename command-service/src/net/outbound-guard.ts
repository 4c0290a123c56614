import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Tracing } from '../observability/tracing.js';
import { outboundSpan } from './outbound-tracing.js';

/**
 * A URL a tenant set may not be reached: its scheme, or an address (after DNS, at connect time, and at every
 * redirect) on loopback, a private or link-local network, or another range that is not the public internet.
 * The message names the rule, never what answered there, so a refusal cannot be used to map internal hosts.
 */
export class OutboundRefused extends Error {
  readonly code = 'URL_NOT_ALLOWED';
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** Resolves a host name to every address it has (the platform's DNS unless a test gives its own). */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface OutboundGuardOptions {
  /**
   * Ranges the operator allows although they are not public, in CIDR notation (`10.1.0.0/16`, `127.0.0.1/32`,
   * `fd00::/8`): an integration on the company network, a test receiver on loopback.
   */
  readonly allow?: readonly string[];
  /** Redirects followed, each to an address checked again; more is an error. */
  readonly maxRedirects?: number;
  readonly resolve?: Resolve;
  /**
   * The platform's tracing: each request (each redirect hop) gets a client span, a child of the current span, and
   * carries it as its W3C `traceparent`. Off or absent: no span, no header.
   */
  readonly tracing?: Tracing;
}

export interface OutboundGuard {
  /**
   * The URL, unless its scheme or an address it has now is refused (OutboundRefused). For checking a URL as it
   * is set; calling it goes through `fetch`, which judges the addresses again.
   */
  check(url: string | URL): Promise<URL>;
  /** `fetch` to tenant-set URLs only through here: every connection's address is checked as it is made. */
  fetch: typeof fetch;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = [
  'authorization',
  'cookie',
  'proxy-authorization',
  // Providers' own key headers (Anthropic, Azure OpenAI, Google).
  'x-api-key',
  'api-key',
  'x-goog-api-key',
];
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
const defaultResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const parseAllow = (ranges: readonly string[]): Cidr[] =>
  ranges.map((range) => {
    const trimmed = range.trim();
    try {
      return trimmed.includes('/')
        ? ipaddr.parseCIDR(trimmed)
        : ([ipaddr.parse(trimmed), trimmed.includes(':') ? 128 : 32] as Cidr);
    } catch {
      throw new Error(`OUTBOUND_ALLOW: ${trimmed} is not an address or a CIDR range`);
    }
  });

/**
 * One guard for every request to an address a tenant chose (report and integration webhooks, identity providers,
 * CRM endpoints): only public unicast addresses unless the operator allowed a range. The check runs in the
 * connection's own DNS lookup, so a name that resolves to a public address when checked and to an internal one
 * when connecting (DNS rebinding) is still refused; redirects are followed here, one checked hop at a time.
 */
export const outboundGuard = (options: OutboundGuardOptions = {}): OutboundGuard => {
  const allowed = parseAllow(options.allow ?? []);
  const resolve = options.resolve ?? defaultResolve;
  const maxRedirects = options.maxRedirects ?? 3;

  const permitted = (address: string): boolean => {
    if (!ipaddr.isValid(address)) return false;
    // ::ffff:127.0.0.1 is 127.0.0.1: judge the IPv4 address inside.
    const parsed = ipaddr.process(address);
    if (allowed.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits)))
      return true;
    return parsed.range() === 'unicast';
  };

  const refuseAddress = (host: string): never => {
    throw new OutboundRefused(
      `${host} is not a public internet address (loopback, private, link-local and reserved ranges are refused)`,
    );
  };

  /** What net.connect calls instead of dns.lookup: only permitted addresses come back. */
  const guardedLookup = (
    hostname: string,
    lookupOptions: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname).then(
      (addresses) => {
        const usable = addresses.filter((a) => permitted(a.address));
        if (usable.length === 0 || usable.length !== addresses.length) {
          callback(
            new OutboundRefused(
              `${hostname} resolves to an address that is not on the public internet (loopback, private, link-local and reserved ranges are refused)`,
            ),
            '',
          );
          return;
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, usable[0]?.address ?? '', usable[0]?.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };

  const agent = new Agent({ connect: { lookup: guardedLookup } });

  const parse = (url: string | URL): URL => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundRefused('not a valid URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new OutboundRefused(`${parsed.protocol} URLs are not allowed: use http or https`);
    // A literal address never reaches the lookup: judge it here. (URL has already normalised 2130706433 and 0x7f.1.)
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !permitted(host)) refuseAddress(host);
    return parsed;
  };

  const check = async (url: string | URL): Promise<URL> => {
    const parsed = parse(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) {
      // A name that does not resolve yet (a provider being set up, a machine offline) reaches nothing now, and
      // the lookup at connect time judges whatever it resolves to later.
      const addresses = await resolve(host).catch((): readonly LookupAddress[] => []);
      if (addresses.some((a) => !permitted(a.address))) refuseAddress(host);
    }
    return parsed;
  };

  const guardedFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = parse(input instanceof Request ? input.url : input);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    for (let hop = 0; ; hop += 1) {
      let response: Awaited<ReturnType<typeof undiciFetch>>;
      const span = outboundSpan(options.tracing, method, url, hop);
      if (span !== undefined) {
        headers.set('traceparent', span.headers.traceparent);
        if (span.headers.tracestate !== undefined) headers.set('tracestate', span.headers.tracestate);
        else headers.delete('tracestate');
      }
      try {
        // undici's own fetch, for its dispatcher option; its Request/Response are the ones Node's fetch exposes.
        response = await undiciFetch(url, {
          ...(init as UndiciRequestInit),
          method,
          headers,
          body: body as UndiciRequestInit['body'],
          redirect: 'manual',
          dispatcher: agent,
        });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        span?.failed(cause instanceof OutboundRefused ? cause : error);
        if (cause instanceof OutboundRefused) throw cause;
        throw error;
      }
      span?.answered(response.status);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response as unknown as Response;
      // The caller judges the redirect itself (a POST whose body a redirect would lose, say).
      if (init.redirect === 'manual') return response as unknown as Response;
      await response.body?.cancel();
      if (init.redirect === 'error')
        throw new TypeError(`redirected (${response.status}) and redirect is 'error'`);
      if (hop >= maxRedirects) throw new OutboundRefused(`more than ${maxRedirects} redirects`);
      const next = parse(new URL(location, url));
      // As browsers do (fetch spec, HTTP-redirect fetch): credentials meant for one origin never reach another.
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      url = next;
      // As browsers do: a 303, or a 301/302 after a POST, continues as a GET without the body.
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
    }
  };

  return { check, fetch: guardedFetch as typeof fetch };
};

/** The operator's allowed ranges from `OUTBOUND_ALLOW` (comma separated; empty: public addresses only). */
export const outboundAllowFromEnv = (value: string | undefined): readonly string[] => {
  const ranges = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  parseAllow(ranges);
  return ranges;
};
