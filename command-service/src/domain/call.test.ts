import { describe, expect, it } from 'vitest';
import {
  AnswerCall,
  ChangeCallLanguage,
  LeaveVoicemail,
  ScheduleCallback,
  TakeMessage,
  ChooseIvrOption,
  EndCall,
  FlagSlaBreach,
  GiveFeedback,
  InvokeTool,
  JoinHuman,
  MarkRecordingAvailable,
  QueueCall,
  RecordAiReply,
  RecordUtterance,
  RequestEscalation,
  StartCall,
  SummarizeCall,
  TakeOverCall,
  TransferCall,
  CoachAi,
  WrapUpCall,
  RecordRecordingConsent,
} from '@ccp/schemas';
import { callDecider, type CallCommand, type CallEvent } from './call.js';
import { DeciderSpecification, command, refusedWith, TEST_NOW } from './testing.js';

const given = DeciderSpecification.for(callDecider);

const key = { tenantId: 'acme', callId: 'CA0123456789abcdef0123456789abcdef' } as const;

const started: CallEvent = {
  type: 'CallStarted',
  data: {
    direction: 'inbound',
    from: '+15551230000',
    to: '+15559870000',
    provider: 'twilio',
    startedAt: '2026-03-02T09:55:00.000Z',
  },
};
const escalation: CallEvent = {
  type: 'EscalationRequested',
  data: { reason: 'caller_request', summary: 'Wants to dispute an invoice.' },
};
const joined = (userId: string, mode: 'listen' | 'whisper' | 'barge' = 'listen'): CallEvent => ({
  type: 'HumanJoined',
  data: { userId, mode },
});
const tookOver = (userId: string): CallEvent => ({ type: 'HumanTookOver', data: { userId } });
const ended: CallEvent = { type: 'CallEnded', data: { outcome: 'resolved', durationSeconds: 300 } };
const takenOver = [started, escalation, joined('u-sup'), tookOver('u-sup')];

const utterance = {
  utteranceId: 'utt-1',
  speaker: 'caller',
  text: 'Hello?',
  confidence: 0.92,
  language: 'en',
} as const;
const reply = {
  utteranceId: 'utt-2',
  text: 'Hi, how can I help?',
  language: 'en',
  model: 'gpt-4o-mini',
  promptTokens: 420,
  completionTokens: 12,
  latencyMs: 640,
} as const;
const tool = {
  toolCallId: 'tc-1',
  name: 'lookup_invoice',
  arguments: { invoice: 'INV-7' },
  result: { amount: 120, currency: 'EUR' },
  status: 'succeeded',
  durationMs: 85,
} as const;
const recording = {
  recordingId: 'RE0123',
  url: 'https://api.twilio.com/recordings/RE0123',
  durationSeconds: 298,
} as const;

const wrapUp = {
  userId: 'u-sup',
  tags: ['refund', 'late delivery'],
  resolved: false,
  followUp: { dueAt: '2024-03-02T10:00:00.000Z', reason: 'Confirm the refund went through' },
  note: 'Caller was upset about the second late delivery.',
};
const callback = {
  callbackId: 'cb-1',
  at: '2030-01-01T10:00:00.000Z',
  number: '+15551230000',
  reason: 'billing question',
} as const;

const commands = {
  StartCall: command(StartCall, {
    ...key,
    direction: 'inbound',
    from: '+15551230000',
    to: '+15559870000',
    provider: 'twilio',
  }),
  ChooseIvrOption: command(ChooseIvrOption, { ...key, menu: 'main', input: 'dtmf', value: '2' }),
  RecordUtterance: command(RecordUtterance, { ...key, ...utterance }),
  RecordAiReply: command(RecordAiReply, { ...key, ...reply }),
  InvokeTool: command(InvokeTool, { ...key, ...tool }),
  RequestEscalation: command(RequestEscalation, {
    ...key,
    reason: 'caller_request',
    summary: 'Wants to dispute an invoice.',
  }),
  QueueCall: command(QueueCall, { ...key, departmentId: 'billing', queue: 'billing-de' }),
  JoinHuman: command(JoinHuman, { ...key, userId: 'u-sup', mode: 'listen' }),
  TakeOverCall: command(TakeOverCall, { ...key, userId: 'u-sup' }),
  CoachAi: command(CoachAi, { ...key, userId: 'u-sup', note: 'Offer the Saturday slot first.' }),
  TransferCall: command(TransferCall, { ...key, to: { kind: 'department', id: 'billing' } }),
  MarkRecordingAvailable: command(MarkRecordingAvailable, { ...key, ...recording }),
  GiveFeedback: command(GiveFeedback, { ...key, score: 4 }),
  SummarizeCall: command(SummarizeCall, { ...key, summary: 'Invoice explained.', followUps: [] }),
  EndCall: command(EndCall, { ...key, outcome: 'resolved' }),
  FlagSlaBreach: command(FlagSlaBreach, { ...key, metric: 'time_to_answer', target: 20, actual: 34.5 }),
  AnswerCall: command(AnswerCall, { ...key, answeredBy: 'human' }),
  ChangeCallLanguage: command(ChangeCallLanguage, { ...key, language: 'es' }),
  TakeMessage: command(TakeMessage, { ...key, message: 'Please call me about my order.' }),
  ScheduleCallback: command(ScheduleCallback, { ...key, ...callback }),
  LeaveVoicemail: command(LeaveVoicemail, { ...key, text: 'Hi, this is Acme calling about your order.' }),
  WrapUpCall: command(WrapUpCall, { ...key, ...wrapUp }),
  RecordRecordingConsent: command(RecordRecordingConsent, {
    ...key,
    outcome: 'given',
    policy: 'announce',
    method: 'announcement',
  }),
} satisfies { [T in CallCommand['type']]: Extract<CallCommand, { type: T }> };

const allCommands: CallCommand[] = Object.values(commands);
const acceptedAfterEnd = new Set<string>([
  'WrapUpCall',
  'MarkRecordingAvailable',
  'SummarizeCall',
  'GiveFeedback',
  'EndCall',
  'FlagSlaBreach',
]);

describe('call decider', () => {
  describe('starting', () => {
    it('starts a call at the time the command is decided', () =>
      given([])
        .when(commands.StartCall)
        .then([{ ...started, data: { ...started.data, startedAt: TEST_NOW.toISOString() } }]));

    it('keeps the provider id, agent and department', () =>
      given([])
        .when(
          command(StartCall, {
            ...key,
            direction: 'outbound',
            from: 'sip:agent@pbx.acme.example',
            to: '+34911234567',
            provider: 'asterisk',
            providerCallId: '1709373600.42',
            agentId: 'ag-1',
            departmentId: 'sales',
          }),
        )
        .then([
          {
            type: 'CallStarted',
            data: {
              direction: 'outbound',
              from: 'sip:agent@pbx.acme.example',
              to: '+34911234567',
              provider: 'asterisk',
              providerCallId: '1709373600.42',
              agentId: 'ag-1',
              departmentId: 'sales',
              startedAt: TEST_NOW.toISOString(),
            },
          },
        ]));

    it('refuses to start a call twice', () =>
      given([started]).when(commands.StartCall).thenThrows(refusedWith('CALL_EXISTS', 'callId')));

    it('refuses to start an ended call again', () =>
      given([started, ended]).when(commands.StartCall).thenThrows(refusedWith('CALL_EXISTS')));

    it.each(allCommands.filter((c) => c.type !== 'StartCall'))('refuses $type before the call started', (c) =>
      given([]).when(c).thenThrows(refusedWith('CALL_NOT_FOUND', 'callId')),
    );

    it('events do not repeat the tenant and call ids, which the stream carries', () => {
      const state = callDecider.evolve(callDecider.initialState(), started);
      expect(callDecider.decide(commands.ChooseIvrOption, state)).toStrictEqual([
        { type: 'IvrOptionChosen', data: { menu: 'main', input: 'dtmf', value: '2' } },
      ]);
      expect(callDecider.decide(commands.EndCall, state)).toStrictEqual([
        { type: 'CallEnded', data: { outcome: 'resolved', durationSeconds: 300 } },
      ]);
    });
  });

  describe('conversation', () => {
    it('records an IVR choice', () =>
      given([started])
        .when(
          command(ChooseIvrOption, { ...key, input: 'speech', value: 'billing', departmentId: 'billing' }),
        )
        .then([
          { type: 'IvrOptionChosen', data: { input: 'speech', value: 'billing', departmentId: 'billing' } },
        ]));

    it('records an utterance', () =>
      given([started])
        .when(
          command(RecordUtterance, {
            ...key,
            ...utterance,
            startedAt: '2026-03-02T09:55:01.000Z',
            endedAt: '2026-03-02T09:55:02.500Z',
          }),
        )
        .then([
          {
            type: 'UtteranceRecorded',
            data: {
              ...utterance,
              startedAt: '2026-03-02T09:55:01.000Z',
              endedAt: '2026-03-02T09:55:02.500Z',
            },
          },
        ]));

    it('records an utterance once when the media gateway retries it', () =>
      given([started, { type: 'UtteranceRecorded', data: utterance }])
        .when(commands.RecordUtterance)
        .thenNothingHappened());

    it('does not mistake an utterance upcast from v1, which has no id, for a retry', () =>
      given([
        started,
        { type: 'UtteranceRecorded', data: { ...utterance, utteranceId: undefined, language: 'und' } },
      ])
        .when(commands.RecordUtterance)
        .then([{ type: 'UtteranceRecorded', data: utterance }]));

    it('records an AI reply', () =>
      given([started])
        .when(commands.RecordAiReply)
        .then([{ type: 'AiReplied', data: reply }]));

    it('records an AI reply once', () =>
      given([started, { type: 'AiReplied', data: reply }])
        .when(commands.RecordAiReply)
        .thenNothingHappened());

    it('records a tool invocation', () =>
      given([started])
        .when(commands.InvokeTool)
        .then([{ type: 'ToolInvoked', data: tool }]));

    it('records a failed tool invocation', () =>
      given([started])
        .when(command(InvokeTool, { ...key, ...tool, status: 'failed', result: { error: 'timeout' } }))
        .then([{ type: 'ToolInvoked', data: { ...tool, status: 'failed', result: { error: 'timeout' } } }]));

    it('records a tool invocation once', () =>
      given([started, { type: 'ToolInvoked', data: tool }])
        .when(commands.InvokeTool)
        .thenNothingHappened());
  });

  describe('escalation', () => {
    it('requests an escalation', () => given([started]).when(commands.RequestEscalation).then([escalation]));

    it('an escalation requested again is the same escalation', () =>
      given([started, escalation])
        .when(command(RequestEscalation, { ...key, reason: 'negative_sentiment', summary: 'Angry.' }))
        .thenNothingHappened());

    it('queues an escalated call', () =>
      given([started, escalation])
        .when(commands.QueueCall)
        .then([{ type: 'CallQueued', data: { departmentId: 'billing', queue: 'billing-de' } }]));

    it.each([commands.QueueCall, commands.JoinHuman, commands.TakeOverCall, commands.CoachAi])(
      'refuses $type without an escalation',
      (c) => given([started]).when(c).thenThrows(refusedWith('NOT_ESCALATED', 'callId')),
    );

    it('lets a human join an escalated call', () =>
      given([started, escalation])
        .when(commands.JoinHuman)
        .then([joined('u-sup')]));

    it('a human joining again in the same mode changes nothing', () =>
      given([started, escalation, joined('u-sup')])
        .when(commands.JoinHuman)
        .thenNothingHappened());

    it('a human joining again in another mode changes the mode', () =>
      given([started, escalation, joined('u-sup')])
        .when(command(JoinHuman, { ...key, userId: 'u-sup', mode: 'barge' }))
        .then([joined('u-sup', 'barge')]));

    it('lets a human who joined take the call over', () =>
      given([started, escalation, joined('u-sup')])
        .when(commands.TakeOverCall)
        .then([tookOver('u-sup')]));

    it('refuses a takeover by a human who did not join', () =>
      given([started, escalation, joined('u-other')])
        .when(commands.TakeOverCall)
        .thenThrows(refusedWith('HUMAN_NOT_JOINED', 'userId')));

    it('lets a human who joined coach the AI while it holds the call', () =>
      given([started, escalation, joined('u-sup')])
        .when(commands.CoachAi)
        .then([{ type: 'AiCoached', data: { userId: 'u-sup', note: 'Offer the Saturday slot first.' } }]));

    it('refuses coaching by a human who did not join', () =>
      given([started, escalation, joined('u-other')])
        .when(commands.CoachAi)
        .thenThrows(refusedWith('HUMAN_NOT_JOINED', 'userId')));

    it('refuses coaching once a human took the call over: there is no AI to coach', () =>
      given(takenOver).when(commands.CoachAi).thenThrows(refusedWith('AI_NOT_IN_CONTROL', 'callId')));

    it('taking over again changes nothing', () =>
      given(takenOver).when(commands.TakeOverCall).thenNothingHappened());

    it('another human who joined may take over from the first', () =>
      given([...takenOver, joined('u-lead', 'barge')])
        .when(command(TakeOverCall, { ...key, userId: 'u-lead' }))
        .then([tookOver('u-lead')]));
  });

  describe('after a human took over', () => {
    it('refuses AI replies', () =>
      given(takenOver).when(commands.RecordAiReply).thenThrows(refusedWith('AI_NOT_IN_CONTROL', 'callId')));

    it('refuses AI utterances', () =>
      given(takenOver)
        .when(command(RecordUtterance, { ...key, ...utterance, speaker: 'ai' }))
        .thenThrows(refusedWith('AI_NOT_IN_CONTROL', 'speaker')));

    it('still records the caller and the human', () => {
      given(takenOver)
        .when(commands.RecordUtterance)
        .then([{ type: 'UtteranceRecorded', data: utterance }]);
      given(takenOver)
        .when(command(RecordUtterance, { ...key, ...utterance, speaker: 'human' }))
        .then([{ type: 'UtteranceRecorded', data: { ...utterance, speaker: 'human' } }]);
    });

    it('a retried AI reply that was stored before the takeover is not refused', () =>
      given([started, { type: 'AiReplied', data: reply }, ...takenOver.slice(1)])
        .when(commands.RecordAiReply)
        .thenNothingHappened());
  });

  describe('transfer', () => {
    it('transfers a call', () =>
      given([started, escalation])
        .when(commands.TransferCall)
        .then([{ type: 'CallTransferred', data: { to: { kind: 'department', id: 'billing' } } }]));

    it('transfers to an outside number with a reason', () =>
      given(takenOver)
        .when(
          command(TransferCall, { ...key, to: { kind: 'external', id: '+4930123456' }, reason: 'partner' }),
        )
        .then([
          {
            type: 'CallTransferred',
            data: { to: { kind: 'external', id: '+4930123456' }, reason: 'partner' },
          },
        ]));

    it('a call handed to an AI agent is in the AI’s hands again and may be escalated again', () => {
      const handedBack: CallEvent[] = [
        ...takenOver,
        { type: 'CallTransferred', data: { to: { kind: 'agent', id: 'ag-2' } } },
      ];
      given(handedBack)
        .when(commands.RecordAiReply)
        .then([{ type: 'AiReplied', data: reply }]);
      given(handedBack).when(commands.RequestEscalation).then([escalation]);
    });

    it('a call handed to a department stays with the human who took it over', () =>
      given([...takenOver, { type: 'CallTransferred', data: { to: { kind: 'department', id: 'billing' } } }])
        .when(commands.RecordAiReply)
        .thenThrows(refusedWith('AI_NOT_IN_CONTROL')));
  });

  describe('the end', () => {
    it('ends a call with its duration', () => given([started]).when(commands.EndCall).then([ended]));

    it('keeps the reason', () =>
      given([started])
        .when(command(EndCall, { ...key, outcome: 'abandoned', reason: 'caller hung up in queue' }))
        .then([
          {
            type: 'CallEnded',
            data: { outcome: 'abandoned', reason: 'caller hung up in queue', durationSeconds: 300 },
          },
        ]));

    it('a clock behind the start gives a duration of zero, not a negative one', () =>
      given([started])
        .when(command(EndCall, { ...key, outcome: 'failed' }, { now: new Date('2026-03-02T09:54:59.000Z') }))
        .then([{ type: 'CallEnded', data: { outcome: 'failed', durationSeconds: 0 } }]));

    it('ending an ended call changes nothing', () =>
      given([started, ended]).when(commands.EndCall).thenNothingHappened());

    it.each(allCommands.filter((c) => c.type !== 'StartCall' && !acceptedAfterEnd.has(c.type)))(
      'refuses $type after the end',
      (c) =>
        given([started, escalation, joined('u-sup'), ended])
          .when(c)
          .thenThrows(refusedWith('CALL_ENDED', 'callId')),
    );

    it('a retried utterance that was stored before the end is not refused', () =>
      given([started, { type: 'UtteranceRecorded', data: utterance }, ended])
        .when(commands.RecordUtterance)
        .thenNothingHappened());

    it('is wrapped up after the end: tags, resolution, a follow-up and a note', () =>
      given([started, ended])
        .when(commands.WrapUpCall)
        .then([{ type: 'CallWrappedUp', data: wrapUp }]));

    it('is not wrapped up while it goes on', () =>
      given([started]).when(commands.WrapUpCall).thenThrows(refusedWith('CALL_NOT_ENDED', 'callId')));

    it('takes the same wrap-up once, and a corrected one again', () => {
      given([started, ended, { type: 'CallWrappedUp', data: wrapUp }])
        .when(commands.WrapUpCall)
        .thenNothingHappened();
      given([started, ended, { type: 'CallWrappedUp', data: wrapUp }])
        .when(command(WrapUpCall, { ...key, ...wrapUp, resolved: true, tags: ['billing'] }))
        .then([{ type: 'CallWrappedUp', data: { ...wrapUp, resolved: true, tags: ['billing'] } }]);
    });

    it('refuses tags that are not tags and a note too long', () => {
      const parse = (data: Record<string, unknown>) =>
        WrapUpCall.data.safeParse({ ...key, ...wrapUp, ...data }).success;
      expect(parse({ tags: ['<script>'] })).toBe(false);
      expect(parse({ tags: Array.from({ length: 11 }, (_, n) => `t${n}`) })).toBe(false);
      expect(parse({ note: 'x'.repeat(2001) })).toBe(false);
      expect(parse({ followUp: { dueAt: 'tomorrow', reason: 'call back' } })).toBe(false);
      expect(WrapUpCall.data.parse({ ...key, ...wrapUp, tags: ['  Refund '] }).tags).toEqual(['refund']);
    });

    it('takes the recording after the end', () =>
      given([started, ended])
        .when(commands.MarkRecordingAvailable)
        .then([{ type: 'RecordingAvailable', data: recording }]));

    it('takes a retried recording callback once', () =>
      given([started, ended, { type: 'RecordingAvailable', data: recording }])
        .when(commands.MarkRecordingAvailable)
        .thenNothingHappened());

    it('takes the summary after the end', () =>
      given([started, ended])
        .when(
          command(SummarizeCall, {
            ...key,
            summary: 'Invoice explained.',
            outcome: 'dispute withdrawn',
            followUps: ['send corrected invoice'],
          }),
        )
        .then([
          {
            type: 'CallSummarized',
            data: {
              summary: 'Invoice explained.',
              outcome: 'dispute withdrawn',
              followUps: ['send corrected invoice'],
            },
          },
        ]));

    it('takes feedback after the end', () =>
      given([started, ended])
        .when(command(GiveFeedback, { ...key, score: 5, comment: 'Quick and kind.' }))
        .then([{ type: 'FeedbackGiven', data: { score: 5, comment: 'Quick and kind.' } }]));

    it('the same feedback sent twice is one feedback', () =>
      given([started, ended, { type: 'FeedbackGiven', data: { score: 4 } }])
        .when(commands.GiveFeedback)
        .thenNothingHappened());

    it('refuses different feedback once feedback was given', () =>
      given([started, ended, { type: 'FeedbackGiven', data: { score: 4 } }])
        .when(command(GiveFeedback, { ...key, score: 1 }))
        .thenThrows(refusedWith('FEEDBACK_ALREADY_GIVEN', 'score')));
  });
  describe('answering, language, messages and callbacks', () => {
    const outbound: CallEvent = { ...started, data: { ...started.data, direction: 'outbound' } };

    it('an outbound call is answered once, at the time it is decided', () =>
      given([outbound])
        .when(command(AnswerCall, { ...key, answeredBy: 'machine' }))
        .then([
          { type: 'CallAnswered', data: { answeredBy: 'machine', answeredAt: TEST_NOW.toISOString() } },
        ]));

    it('answering an answered call changes nothing', () =>
      given([
        outbound,
        { type: 'CallAnswered', data: { answeredBy: 'human', answeredAt: TEST_NOW.toISOString() } },
      ])
        .when(commands.AnswerCall)
        .thenNothingHappened());

    it('an inbound call is answered from its start', () =>
      given([started]).when(commands.AnswerCall).thenNothingHappened());

    it('records a language switch with the language before it', () =>
      given([started, { type: 'CallLanguageChanged', data: { language: 'en' } }])
        .when(commands.ChangeCallLanguage)
        .then([{ type: 'CallLanguageChanged', data: { language: 'es', previous: 'en' } }]));

    it('the language a call started in is the one before the first switch', () =>
      given([{ ...started, data: { ...started.data, language: 'en' } }])
        .when(commands.ChangeCallLanguage)
        .then([{ type: 'CallLanguageChanged', data: { language: 'es', previous: 'en' } }]));

    it('the same language again changes nothing', () =>
      given([started, { type: 'CallLanguageChanged', data: { language: 'es' } }])
        .when(commands.ChangeCallLanguage)
        .thenNothingHappened());

    it('takes a message', () =>
      given([started])
        .when(commands.TakeMessage)
        .then([{ type: 'MessageTaken', data: { message: 'Please call me about my order.' } }]));

    it('schedules a callback once per id', () =>
      given([started, { type: 'CallbackScheduled', data: callback }])
        .when(commands.ScheduleCallback)
        .thenNothingHappened());

    it('schedules a callback in the future', () =>
      given([started])
        .when(commands.ScheduleCallback)
        .then([{ type: 'CallbackScheduled', data: callback }]));

    it('refuses a callback in the past', () =>
      given([started])
        .when(command(ScheduleCallback, { ...key, ...callback, at: '2020-01-01T00:00:00.000Z' }))
        .thenThrows(refusedWith('CALLBACK_IN_PAST', 'at')));

    it('leaves a voicemail', () =>
      given([outbound])
        .when(commands.LeaveVoicemail)
        .then([{ type: 'VoicemailLeft', data: { text: 'Hi, this is Acme calling about your order.' } }]));

    it('refuses a voicemail by the AI once a human took over', () =>
      given(takenOver).when(commands.LeaveVoicemail).thenThrows(refusedWith('AI_NOT_IN_CONTROL', 'callId')));
  });

  describe('SLA breaches', () => {
    const breach: CallEvent = {
      type: 'SlaBreached',
      data: { metric: 'time_to_answer', target: 20, actual: 34.5 },
    };

    it('flags a breach on a call in progress', () =>
      given([started]).when(commands.FlagSlaBreach).then([breach]));

    it('flags a breach after the call ended, which is when most are measured', () =>
      given([started, ended]).when(commands.FlagSlaBreach).then([breach]));

    it('flags each metric once: a replaying processor flags nothing more', () =>
      given([started, ended, breach])
        .when(command(FlagSlaBreach, { ...key, metric: 'time_to_answer', target: 15, actual: 40 }))
        .thenNothingHappened());

    it('flags another metric of the same call', () =>
      given([started, ended, breach])
        .when(command(FlagSlaBreach, { ...key, metric: 'handle_time', target: 600, actual: 901 }))
        .then([{ type: 'SlaBreached', data: { metric: 'handle_time', target: 600, actual: 901 } }]));

    it('refuses a "breach" within its target', () => {
      const input = { ...key, metric: 'queue_wait', target: 60, actual: 60 } as const;
      const parsed = FlagSlaBreach.data.safeParse(input);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['actual']);
    });
  });
});
