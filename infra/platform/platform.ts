import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Koa from 'koa';
import {
  createSqliteCheckpointStore,
  createCommandHandler,
  startReactor,
  type RunningReactor,
  commandRoutes,
  reactions,
  openEventStore,
  withHashChain,
  createSqliteSubjectKeys,
  masterKeyFrom,
  subjectSecrets,
  withPersonalDataEncryption,
  commandApi,
  createMetricsRegistry,
  createTracing,
  errorBodies,
  httpMetrics,
  httpTracing,
  metricsEndpoint,
  observedCommandHandler,
  observedEventStore,
  tracedCommandHandler,
  leadImportApi,
  rateLimiter,
  createAuth,
  createIdentityStore,
  outboundGuard,
  oidcVerifier,
  type PlatformConfig,
  type PlatformContext,
  type PlatformModule,
  type RunningModule,
} from '@ccp/command-service';
import { serveConsole } from '@ccp/ui';
import { privateDataDir } from './private-data-dir.js';

export interface RunningPlatform extends PlatformContext {
  readonly url: string;
  readonly reactor: RunningReactor;
  stop(): Promise<void>;
}

export const startPlatform = async (
  config: PlatformConfig,
  modules: readonly PlatformModule[] = [],
  log: (message: string) => void = (m) => console.log(m),
): Promise<RunningPlatform> => {
  privateDataDir(config.dataDir);
  const keys = createSqliteSubjectKeys(
    join(config.dataDir, 'keys.db'),
    masterKeyFrom(config.masterKey, join(config.dataDir, 'master.key')),
  );
  // This platform's own registry: a second platform in the same process (tests) keeps its figures apart.
  const metrics = createMetricsRegistry();
  // Its own tracer provider too, never the global one: a no-op without OTEL_EXPORTER_OTLP_ENDPOINT.
  const tracing = createTracing(config.tracing, log);
  // Hash chains over the stored form: erasing a subject's key never breaks them.
  const rawStore = withHashChain(openEventStore(config.eventStore));
  // Appends are timed as commands make them: sealing personal data and the hash chain included.
  const store = observedEventStore(withPersonalDataEncryption(rawStore, keys), metrics);
  const checkpoints = createSqliteCheckpointStore(join(config.dataDir, 'checkpoints.db'));
  const identities = createIdentityStore(join(config.dataDir, 'identity.db'), store);
  // Each request it makes is a client span of the work that made it, and carries that as its traceparent.
  const outbound = outboundGuard({ allow: config.outboundAllow, tracing });
  const handler = tracedCommandHandler(
    observedCommandHandler(createCommandHandler({ store, routes: commandRoutes, outbound }), metrics),
    tracing,
  );
  const auth = createAuth({
    identities,
    handler,
    secrets: subjectSecrets(keys),
    verifyIdToken: oidcVerifier({ fetch: outbound.fetch, log }),
    log,
  });
  const reactor = await startReactor({ name: 'reactions', store, checkpoints, handler, reactions, log });
  const context: PlatformContext = {
    config,
    store,
    rawStore,
    keys,
    handler,
    auth,
    identities,
    checkpoints,
    outbound,
    metrics,
    tracing,
    log,
  };

  const app = new Koa();
  app.proxy = false;
  // A client that leaves a streamed answer (a live feed, a download) early is not a server error.
  app.on('error', (error: { code?: unknown; message?: unknown }) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') log(`http: ${String(error.message)}`);
  });
  // First: it sees the status every later middleware (the error bodies, the rate limiter) gave.
  app.use(httpMetrics(metrics));
  // Then the request's span, so that everything after it (commands, model requests) runs as its children.
  const requestSpans = httpTracing(tracing);
  if (requestSpans !== undefined) app.use(requestSpans);
  app.use(errorBodies(log));
  // Webhooks are the carrier's and the payment provider's (signed; a refused one is a dropped call or a payment
  // recorded late, from one sender address for every tenant); health checks must always answer.
  app.use(
    rateLimiter({
      ...config.rateLimits,
      exempt: (path) =>
        path === '/health' ||
        path.startsWith('/twilio/') ||
        path.startsWith('/integrations/') ||
        path === '/stripe/webhook',
    }),
  );
  app.use(async (ctx, next) => {
    if (ctx.path === '/health') {
      ctx.body = { status: 'ok', eventStore: config.eventStore.kind };
      return;
    }
    await next();
  });
  app.use(metricsEndpoint({ registry: metrics, token: config.metricsToken }));
  const started: (RunningModule & { readonly name: string })[] = [];
  for (const module of modules) started.push({ ...(await module.start(context)), name: module.name });
  for (const module of started) if (module.front) app.use(module.front);
  // Before the command API: an import's CSV body is streamed, never buffered by a body parser.
  app.use(leadImportApi({ handler, auth, store }));
  app.use(commandApi({ handler, auth }));
  for (const module of started) if (module.http) app.use(module.http);
  // The web console last: whatever no API route answered and is not an API path is its page or asset.
  app.use(serveConsole());

  const server: Server = app.listen(config.port, config.host);
  // A malformed request or a connection reset before a request was read: that client gets a 400 (when its
  // socket can still take one) and the server goes on.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code !== 'ECONNRESET') log(`http client: ${error.message}`);
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  // Upgraded sockets leave the server's own bookkeeping: closeAllConnections() does not close them, and
  // server.close() would wait for them for ever, so stop() closes them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgraded socket over without its own error listener: a reset must not end the process.
    socket.on('error', (error) => log(`upgrade ${request.url ?? ''}: ${error.message}`));
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (!started.some((m) => m.upgrade?.(request, socket, head) === true)) socket.destroy();
  });
  await once(server, 'listening');
  server.on('error', (error) => log(`http server: ${error.message}`));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  for (const module of started) module.listening?.(url);

  return {
    ...context,
    url,
    reactor,
    stop: async () => {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const module of started.reverse()) await module.stop();
      await reactor.stop();
      identities.close();
      await checkpoints.close();
      await store.close();
      keys.close();
      metrics.clear();
      // Exports the spans still batched, then stops the exporter.
      await tracing.shutdown();
    },
  };
};
