import type { ChatMessage, LanguageModel, LlmResponse, ToolSpec } from '../../llm/port.js';

/** A scripted tool: the result the gateway would have sent back (the gateway's tools are not under test). */
export type FakeTool = (args: Readonly<Record<string, unknown>>, language: string) => unknown;

export interface DriverSetup {
  readonly engine: LanguageModel;
  readonly tools: Readonly<Record<string, FakeTool>>;
  readonly system: string;
  readonly now: Date;
  readonly timeZone: string;
  readonly language: string;
  readonly languages?: readonly string[];
}

export interface ToolRun {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly result: unknown;
}

export interface Turn {
  /** Everything said in the turn, in order (a line said while a tool ran comes first). */
  readonly text: string;
  readonly tools: readonly ToolRun[];
  readonly responses: readonly LlmResponse[];
  /** The first response's confidence: the one the gateway judges the caller's line by. */
  readonly confidence: number | undefined;
  readonly hungUp: boolean;
}

const spec = (name: string): ToolSpec => ({
  name,
  description: name,
  parameters: { type: 'object', properties: {} },
});

/**
 * Plays the gateway's side of the port the way conversation/call-session.ts does: the history, up to five model
 * rounds per caller line, tool calls run (here by the test's scripts) and their results sent back.
 */
export class GatewayDriver {
  readonly messages: ChatMessage[] = [];
  language: string;

  constructor(private readonly setup: DriverSetup) {
    this.language = setup.language;
  }

  greet(): Promise<Turn> {
    return this.rounds();
  }

  /** The caller says `text`; `language` is the gateway's language switch when the caller changed language. */
  hear(text: string, language?: string): Promise<Turn> {
    if (language !== undefined) this.language = language;
    this.messages.push({ role: 'user', content: text });
    return this.rounds();
  }

  /** Sends the history as it stands, once, as the gateway would on a retry. */
  respondOnce(): Promise<LlmResponse> {
    return this.setup.engine.respond(this.request());
  }

  private request() {
    const { system, now, timeZone, tools, languages } = this.setup;
    return {
      system,
      messages: [...this.messages],
      tools: Object.keys(tools).map(spec),
      language: this.language,
      languages: languages ?? [this.language],
      now,
      timeZone,
    };
  }

  private async rounds(): Promise<Turn> {
    const said: string[] = [];
    const runs: ToolRun[] = [];
    const responses: LlmResponse[] = [];
    let hungUp = false;
    for (let round = 0; round < 5; round += 1) {
      const response = await this.setup.engine.respond(this.request());
      responses.push(response);
      if (response.text !== '') said.push(response.text);
      if (response.toolCalls.length === 0) {
        this.messages.push({ role: 'assistant', content: response.text });
        break;
      }
      this.messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      for (const call of response.toolCalls) {
        const tool = this.setup.tools[call.name];
        if (!tool) throw new Error(`the engine asked for ${call.name}, which was not offered`);
        const result = tool(call.arguments, this.language);
        runs.push({ name: call.name, args: call.arguments, result });
        if (call.name === 'end_call') hungUp = true;
        this.messages.push({
          role: 'tool',
          toolCallId: call.id,
          name: call.name,
          content: JSON.stringify(result),
        });
      }
    }
    return { text: said.join(' '), tools: runs, responses, confidence: responses[0]?.confidence, hungUp };
  }
}
