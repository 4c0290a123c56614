import { createReadStream, statSync, type Stats } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

/** Where `vite build` writes the console (ui/vite.config.ts). */
export const UI_DIST = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * Paths that belong to the platform's HTTP API, never to the console: the command and query APIs, the Twilio
 * webhooks and the health check. A missing route there must stay a JSON 404, not become the console's page.
 */
const API_PREFIXES = ['/api', '/twilio', '/health'];
const isApiPath = (path: string): boolean =>
  API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/*
 * Naive UI and vue-echarts put their styles in <style> elements at run time, hence 'unsafe-inline' for styles
 * only. connect-src allows https: because single sign-on reads the identity provider's discovery document.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self' https:",
  // Voice samples play from a blob of the WAV the API answered.
  "media-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const fileAt = (root: string, path: string): { path: string; stats: Stats } | undefined => {
  const file = resolve(root, `.${path}`);
  // `..` and encoded separators must not reach outside the build.
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    const stats = statSync(file);
    return stats.isFile() ? { path: file, stats } : undefined;
  } catch {
    return undefined;
  }
};

export interface ConsoleOptions {
  /** The built console (default ui/dist). */
  readonly dir?: string;
}

/**
 * Serves the built console. Hashed assets (under /assets/) never change, so browsers keep them for a year;
 * index.html is revalidated every time, so a new build is picked up on the next load. Any other GET that is not
 * an API path and names no file is a route of the single-page app: it gets index.html.
 */
export const serveConsole = (options: ConsoleOptions = {}): Middleware => {
  const root = resolve(options.dir ?? UI_DIST);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || isApiPath(ctx.path)) return next();
    let path: string;
    try {
      path = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    if (path.includes('\0')) return next();

    let found = path.endsWith('/') ? undefined : fileAt(root, path);
    const isPage = found === undefined;
    if (isPage) {
      // A missing file (a stale asset name) is a 404; only extensionless paths are the app's routes.
      if (extname(path) !== '') return next();
      found = fileAt(root, '/index.html');
      if (found === undefined) {
        ctx.status = 503;
        ctx.type = 'text/plain';
        ctx.body = 'The console is not built yet: `npm start` builds it (or run `npx vite build ui`).';
        return;
      }
    }
    const { path: file, stats } = found as { path: string; stats: Stats };
    const immutable = !isPage && path.startsWith('/assets/');
    ctx.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (file.endsWith('.html')) {
      ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      ctx.set('Referrer-Policy', 'same-origin');
      ctx.set('X-Frame-Options', 'DENY');
    }
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.lastModified = stats.mtime;
    ctx.etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.length = stats.size;
    // Koa answers HEAD without reading a body: a stream opened for it would only leak its file handle.
    if (ctx.method === 'GET') ctx.body = createReadStream(file);
  };
};
