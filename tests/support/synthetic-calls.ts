import type { ReadStore } from '@ccp/projections';

export interface SyntheticLoad {
  readonly calls: number;
  readonly utterances: number;
  /** The tenant with most of the traffic (60 %), the one dashboards are timed for. */
  readonly bigTenant: string;
  readonly tenants: readonly string[];
  readonly seconds: number;
}

/**
 * Loads synthetic calls straight into the read store's projection tables, generated inside ClickHouse by
 * INSERT … SELECT FROM numbers(): no rows pass through JavaScript, so a million calls load in seconds. Values
 * are spread deterministically (cityHash64 of the row number): 90 days of calls, 10 tenants, agents,
 * departments, an outcome mix, escalations and queues, feedback on a fifth of the calls, tokens, and
 * `utterancesPerCall` utterances per call with sentiment and intents.
 */
export const loadSyntheticCalls = async (
  store: ReadStore,
  options: {
    readonly calls: number;
    readonly utterancesPerCall?: number;
    readonly tenantPrefix?: string;
    /** Put every call in this one tenant instead (e.g. the demo tenant). */
    readonly onlyTenant?: string;
    readonly now?: Date;
    readonly tables?: readonly ('calls' | 'utterances' | 'sentiment' | 'intents' | 'sla' | 'usage')[];
  },
): Promise<SyntheticLoad> => {
  const started = performance.now();
  const prefix = options.tenantPrefix ?? 'bench';
  const perCall = options.utterancesPerCall ?? 10;
  const tables = new Set(options.tables ?? ['calls', 'utterances', 'sentiment', 'intents', 'sla', 'usage']);
  const params = { calls: options.calls, now: options.now ?? new Date(), perCall };
  // Expressions over a call number `c`: the same call has the same tenant, id, start and agent in every table.
  const tenant = (c: string) =>
    options.onlyTenant !== undefined
      ? `'${options.onlyTenant.replace(/[^a-z0-9-]/g, '')}'`
      : `concat('${prefix}-', toString(if(${c} % 10 < 6, 0, ${c} % 10 - 5)))`;
  const h = (c: string, salt: string) => `cityHash64(${c}, '${salt}')`;
  const callId = (c: string) => `concat('CA', lower(hex(${h(c, 'id')})), leftPad(toString(${c}), 10, '0'))`;
  const startedAt = (c: string) =>
    `{now:DateTime64(3, 'UTC')} - toIntervalMillisecond(${h(c, 'start')} % (90 * 86400000))`;
  const agent = (c: string) => `concat('agent-', toString(${h(c, 'agent')} % 12))`;
  const department = (c: string) => `['reception', 'sales', 'billing', 'support'][1 + ${h(c, 'dept')} % 4]`;
  // Outcome by a number 0-99: 55 resolved, 15 escalated, 10 abandoned, 5 voicemail, 5 failed, 10 transferred.
  const roll = (c: string) => `${h(c, 'outcome')} % 100`;
  const outcome = (c: string) =>
    `multiIf(${roll(c)} < 55, 'resolved', ${roll(c)} < 70, 'escalated', ${roll(c)} < 80, 'abandoned', ${roll(c)} < 85, 'voicemail', ${roll(c)} < 90, 'failed', 'transferred')`;
  const live = (c: string) => `(${c} % 2000 = 0)`;
  const duration = (c: string) => `toUInt32(20 + ${h(c, 'duration')} % 600)`;

  if (tables.has('calls')) {
    await store.command(
      `INSERT INTO calls (tenant_id, call_id, direction, provider, from_address, to_address, agent_id, department_id,
         status, started_at, answered_at, ended_at, outcome, duration_seconds, escalated, escalation_reason,
         human_user_id, taken_over, transferred, utterance_count, ai_reply_count, tool_call_count, prompt_tokens,
         completion_tokens, feedback_score, has_recording, last_event_at, version, queued, queue,
         queue_department_id, queued_at, queue_wait_ms, abandoned_in_queue, escalated_at, human_joined,
         human_joined_at, transfer_count, transfer_target_kind, ai_latency_ms)
       SELECT ${tenant('number')}, ${callId('number')}, if(${h('number', 'dir')} % 5 = 0, 'outbound', 'inbound'),
         'twilio', concat('+1555', leftPad(toString(${h('number', 'from')} % 10000000), 7, '0')), '+15550100001',
         ${agent('number')}, ${department('number')},
         if(${live('number')}, if(${roll('number')} < 70 AND ${roll('number')} >= 55, 'queued', 'in_progress'), 'ended'),
         ${startedAt('number')}, ${startedAt('number')} + toIntervalSecond(1),
         if(${live('number')}, NULL, ${startedAt('number')} + toIntervalSecond(${duration('number')})),
         if(${live('number')}, '', ${outcome('number')}),
         if(${live('number')}, NULL, ${duration('number')}),
         toUInt8(${roll('number')} >= 55 AND ${roll('number')} < 70),
         if(${roll('number')} >= 55 AND ${roll('number')} < 70, ['caller_request', 'negative_sentiment', 'keyword'][1 + ${h('number', 'why')} % 3], ''),
         if(${roll('number')} >= 55 AND ${roll('number')} < 65, concat('user-', toString(${h('number', 'human')} % 8)), ''),
         toUInt8(${roll('number')} >= 55 AND ${roll('number')} < 62), toUInt8(${roll('number')} >= 90),
         toUInt32(${perCall}), toUInt32(${perCall} / 2), toUInt32(${h('number', 'tools')} % 4),
         toUInt64(400 + ${h('number', 'prompt')} % 4000), toUInt64(20 + ${h('number', 'completion')} % 300),
         if(${h('number', 'feedback')} % 5 = 0, toUInt8(1 + ${h('number', 'score')} % 5), NULL),
         toUInt8(${h('number', 'rec')} % 3 = 0), ${startedAt('number')} + toIntervalSecond(${duration('number')}),
         number + 1,
         toUInt8(${roll('number')} >= 55 AND ${roll('number')} < 70), if(${roll('number')} >= 55 AND ${roll('number')} < 70, 'main', ''),
         if(${roll('number')} >= 55 AND ${roll('number')} < 70, ${department('number')}, ''),
         if(${roll('number')} >= 55 AND ${roll('number')} < 70, ${startedAt('number')} + toIntervalSecond(30), NULL),
         if(${roll('number')} >= 55 AND ${roll('number')} < 65, toUInt64(${h('number', 'wait')} % 180000), NULL),
         toUInt8(${roll('number')} >= 65 AND ${roll('number')} < 70),
         if(${roll('number')} >= 55 AND ${roll('number')} < 70, ${startedAt('number')} + toIntervalSecond(25), NULL),
         toUInt8(${roll('number')} >= 55 AND ${roll('number')} < 65),
         if(${roll('number')} >= 55 AND ${roll('number')} < 65, ${startedAt('number')} + toIntervalSecond(60), NULL),
         toUInt32(${roll('number')} >= 90), if(${roll('number')} >= 90, 'department', ''),
         toUInt64(${perCall} / 2 * (300 + ${h('number', 'latency')} % 900))
       FROM numbers({calls:UInt64})`,
      params,
    );
  }
  const utterances = options.calls * perCall;
  // Utterance u of call c = intDiv(u, perCall); even lines are the caller's, odd the AI's.
  const c = 'intDiv(number, {perCall:UInt64})';
  const at = `${startedAt(c)} + toIntervalSecond(number % {perCall:UInt64} * 6)`;
  const score = `(toFloat64(${h('number', 'sentiment')} % 2001) / 1000 - 1)`;
  const intent = `['book_appointment', 'billing_question', 'opening_hours', 'cancel_appointment', 'insurance', 'complaint', 'speak_to_human', 'reschedule'][1 + ${h(c, 'intent')} % 8]`;
  if (tables.has('utterances')) {
    await store.command(
      `INSERT INTO utterances (tenant_id, call_id, utterance_id, speaker, text, confidence, language,
         sentiment_score, sentiment_label, intent, occurred_at, position, version)
       SELECT ${tenant(c)}, ${callId(c)}, toString(number % {perCall:UInt64}),
         if(number % 2 = 0, 'caller', 'ai'), concat('synthetic line ', toString(number), ' about the appointment'),
         0.9, 'en', ${score}, multiIf(${score} > 0.2, 'positive', ${score} < -0.2, 'negative', 'neutral'),
         if(number % 2 = 0, ${intent}, ''), ${at}, number + 1, number + 1
       FROM numbers({utterances:UInt64})`,
      { ...params, utterances },
    );
  }
  const callerLines = `FROM numbers({utterances:UInt64}) WHERE number % 2 = 0`;
  // A call's caller lines split into positive, neutral and the rest negative, by the call's hash.
  const positive = `toUInt32(${h('number', 'pos')} % (intDiv({perCall:UInt64}, 2) + 1))`;
  const neutral = `toUInt32(${h('number', 'neu')} % (intDiv({perCall:UInt64}, 2) - ${positive} + 1))`;
  if (tables.has('sentiment')) {
    await store.command(
      `INSERT INTO utterance_sentiment (tenant_id, call_id, utterance_id, speaker, score, label, language, agent_id,
         occurred_at, version)
       SELECT ${tenant(c)}, ${callId(c)}, toString(number % {perCall:UInt64}), 'caller', ${score},
         multiIf(${score} > 0.2, 'positive', ${score} < -0.2, 'negative', 'neutral'), 'en', ${agent(c)}, ${at}, number + 1
       ${callerLines}`,
      { ...params, utterances },
    );
    await store.command(
      `INSERT INTO call_sentiment (tenant_id, call_id, agent_id, started_at, average, trend, last_score, utterances,
         score_sum, positive, neutral, negative, recent_scores, updated_at, version)
       SELECT ${tenant('number')}, ${callId('number')}, ${agent('number')}, ${startedAt('number')},
         (toFloat64(${h('number', 'avg')} % 2001) / 1000 - 1), ['steady', 'improving', 'souring'][1 + number % 3],
         0.1, toUInt32({perCall:UInt64} / 2), 0.5, ${positive}, ${neutral}, toUInt32({perCall:UInt64} / 2) - ${positive} - ${neutral},
         [0.1, 0.2], ${startedAt('number')}, number + 1
       FROM numbers({calls:UInt64})`,
      params,
    );
  }
  if (tables.has('intents')) {
    await store.command(
      `INSERT INTO utterance_intents (tenant_id, call_id, utterance_id, intent, confidence, occurred_at, version)
       SELECT ${tenant(c)}, ${callId(c)}, toString(number % {perCall:UInt64}), ${intent}, 0.8, ${at}, number + 1
       ${callerLines}`,
      { ...params, utterances },
    );
    // Every caller line of a synthetic call has the call's intent.
    await store.command(
      `INSERT INTO call_intents (tenant_id, call_id, started_at, intents, version)
       SELECT ${tenant('number')}, ${callId('number')}, ${startedAt('number')},
         map(${intent.replaceAll(c, 'number')}, toUInt32(intDiv({perCall:UInt64}, 2))), number + 1
       FROM numbers({calls:UInt64})`,
      params,
    );
  }
  if (tables.has('sla')) {
    await store.command(
      `INSERT INTO call_sla (tenant_id, call_id, agent_id, department_id, started_at, answered_at,
         time_to_answer_seconds, queued, queued_since, queue_wait_seconds, transfer_count, ended_at, outcome,
         handle_seconds, abandoned, target_answer_seconds, target_queue_wait_seconds, target_handle_seconds,
         breaches, version)
       SELECT ${tenant('number')}, ${callId('number')}, ${agent('number')}, ${department('number')}, ${startedAt('number')},
         ${startedAt('number')} + toIntervalSecond(1), 1, toUInt8(${roll('number')} >= 55 AND ${roll('number')} < 70), NULL,
         toFloat64(${h('number', 'wait')} % 180), toUInt32(${roll('number')} >= 90),
         ${startedAt('number')} + toIntervalSecond(${duration('number')}), ${outcome('number')}, ${duration('number')},
         toUInt8(${roll('number')} >= 70 AND ${roll('number')} < 80), 20, 120, 600,
         multiIf(${h('number', 'breach')} % 10 = 0, ['max_queue_wait'], ${h('number', 'breach')} % 10 = 1, ['max_handle'], []),
         number + 1
       FROM numbers({calls:UInt64})`,
      params,
    );
  }
  if (tables.has('usage')) {
    await store.command(
      `INSERT INTO usage_events (tenant_id, period, kind, event_id, call_id, agent_id, quantity, plan_tier,
         occurred_at, version)
       SELECT ${tenant('intDiv(number, 2)')}, formatDateTime(${startedAt('intDiv(number, 2)')}, '%Y-%m'),
         if(number % 2 = 0, 'call_minutes', 'llm_tokens'), toString(number), ${callId('intDiv(number, 2)')},
         ${agent('intDiv(number, 2)')},
         if(number % 2 = 0, ceil(${duration('intDiv(number, 2)')} / 60), toFloat64(500 + ${h('number', 'tok')} % 4000)),
         'growth', ${startedAt('intDiv(number, 2)')}, number + 1
       FROM numbers({usage:UInt64})`,
      { ...params, usage: options.calls * 2 },
    );
  }
  const tenants =
    options.onlyTenant !== undefined
      ? [options.onlyTenant]
      : Array.from({ length: 5 }, (_, n) => `${prefix}-${n}`);
  return {
    calls: options.calls,
    utterances: tables.has('utterances') ? utterances : 0,
    bigTenant: tenants[0] ?? '',
    tenants,
    seconds: (performance.now() - started) / 1000,
  };
};
