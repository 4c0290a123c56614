import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/*
 * A collector stand-in for the tests that read the platform's traces over the real wire: a node:http server on
 * loopback that takes POST /v1/traces (OTLP/HTTP, JSON) as an OpenTelemetry Collector's OTLP/HTTP receiver would,
 * and keeps the spans it got, flattened: names, kinds, attributes, parents and links.
 */

const AnyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
  /** Arrays of strings only (gen_ai.response.finish_reasons), read back joined by commas. */
  arrayValue: z.object({ values: z.array(z.object({ stringValue: z.string() })) }).optional(),
});
const Attributes = z.array(z.object({ key: z.string(), value: AnyValue })).default([]);
const ExportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: Attributes }),
      scopeSpans: z.array(
        z.object({
          spans: z.array(
            z.object({
              traceId: z.string(),
              spanId: z.string(),
              parentSpanId: z.string().optional(),
              name: z.string(),
              kind: z.number(),
              attributes: Attributes,
              links: z.array(z.object({ traceId: z.string(), spanId: z.string() })).default([]),
            }),
          ),
        }),
      ),
    }),
  ),
});

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly service: unknown;
  readonly attributes: Record<string, unknown>;
  /** The spans this one links to (a batch's publishers). */
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
}

const valueOf = (value: z.infer<typeof AnyValue>): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.boolValue ??
  value.doubleValue ??
  value.arrayValue?.values.map((v) => v.stringValue).join(',');
const flat = (attributes: z.infer<typeof Attributes>): Record<string, unknown> =>
  Object.fromEntries(attributes.map((a) => [a.key, valueOf(a.value)]));

/** The collector stand-in: what each POST /v1/traces carried, and every request's path and content type. */
export const startCollectorStandIn = async () => {
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('error', () => response.destroy());
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(`${request.method ?? ''} ${request.url ?? ''} ${request.headers['content-type'] ?? ''}`);
      const parsed =
        request.method === 'POST' && request.url === '/v1/traces'
          ? ExportRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          : undefined;
      if (parsed?.success !== true) {
        response.writeHead(400).end();
        return;
      }
      for (const { resource, scopeSpans } of parsed.data.resourceSpans) {
        const service = flat(resource.attributes)['service.name'];
        for (const span of scopeSpans.flatMap((s) => s.spans)) {
          spans.push({
            ...span,
            parentSpanId: span.parentSpanId || undefined,
            service,
            attributes: flat(span.attributes),
          });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
