import type { apiClient } from './platform.js';

type Client = ReturnType<typeof apiClient>;

/**
 * One call as the media gateway records it: started, a few caller lines and AI replies, ended. Returns the
 * global position of its last event.
 */
export const recordCall = async (
  client: Client,
  tenantId: string,
  callId: string,
  lines: readonly string[] = ['Hi, I would like to book a cleaning next Tuesday', 'Great, thank you so much'],
  outcome: 'resolved' | 'abandoned' | 'escalated' = 'resolved',
  onStarted: () => void = () => undefined,
): Promise<number> => {
  const send = async (type: string, data: Record<string, unknown>) => {
    const response = await client.command(type, { tenantId, callId, ...data });
    if (response.status !== 200) throw new Error(`${type} failed: ${JSON.stringify(response.body)}`);
    return (response.body as { position: number }).position;
  };
  await send('StartCall', {
    direction: 'inbound',
    from: '+15550001111',
    to: '+15550100001',
    provider: 'simulator',
    agentId: 'sofia',
  });
  onStarted();
  for (const [n, text] of lines.entries()) {
    await send('RecordUtterance', {
      utteranceId: `c${n}`,
      speaker: 'caller',
      text,
      confidence: 0.92,
      language: 'en',
    });
    await send('RecordAiReply', {
      utteranceId: `a${n}`,
      text: 'Of course, let me help you with that.',
      language: 'en',
      model: 'offline',
      promptTokens: 120,
      completionTokens: 12,
      latencyMs: 40,
    });
  }
  return send('EndCall', { outcome });
};
