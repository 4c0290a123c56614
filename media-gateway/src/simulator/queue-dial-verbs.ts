import type { DialOutcome } from './call-options.js';
import { playPrompt } from './caller-verbs.js';
import { CallOver, Interrupted, type Document, type RunningCall } from './running-call.js';
import { twilioSid } from './signed-request.js';
import type { Dial, Enqueue } from './twiml.js';

/**
 * The verbs that take the caller elsewhere: a queue (Enqueue), or a number, client, SIP address or conference
 * (Dial).
 */

export const runEnqueue = async (
  call: RunningCall,
  verb: Enqueue,
): Promise<(() => Promise<Document>) | 'continue'> => {
  const queueSid = twilioSid('QU');
  const enqueuedAt = call.elapsedSeconds;
  const queueTime = () => String(Math.round(call.elapsedSeconds - enqueuedAt));
  const exit = async (result: string): Promise<(() => Promise<Document>) | 'continue'> => {
    if (verb.action === undefined) return 'continue';
    const action = verb.action;
    return () =>
      call.fetchDocument(action, verb.method, {
        QueueResult: result,
        QueueSid: queueSid,
        QueueTime: queueTime(),
      });
  };
  call.conversation.network(`[waiting in queue ${verb.name}]`);
  const patience = call.options.queuePatienceSeconds ?? 600;
  try {
    for (;;) {
      if (call.elapsedSeconds - enqueuedAt >= patience) {
        // The caller gives up: Twilio tells the action URL, and nobody is left to hear its answer.
        if (verb.action !== undefined) {
          await call.webhook(verb.action, verb.method, {
            QueueResult: 'hangup',
            QueueSid: queueSid,
            QueueTime: queueTime(),
          });
        }
        throw new CallOver('caller');
      }
      const before = call.elapsedSeconds;
      if (verb.waitUrl === undefined) {
        call.conversation.agent('', 'twiml', { playUrl: 'twilio:hold-music' });
        await call.pass(10);
        continue;
      }
      const wait = await call.fetchDocument(verb.waitUrl, verb.waitUrlMethod, {
        QueueSid: queueSid,
        QueuePosition: '1',
        QueueTime: queueTime(),
        AvgQueueTime: queueTime(),
        CurrentQueueSize: '1',
        MaxQueueSize: '100',
      });
      let left = false;
      for (const waitVerb of wait.verbs) {
        if (waitVerb.verb === 'Leave') {
          left = true;
          break;
        }
        if (waitVerb.verb === 'Hangup') throw new CallOver('application');
        if (waitVerb.verb === 'Say' || waitVerb.verb === 'Play' || waitVerb.verb === 'Pause')
          await playPrompt(call, waitVerb);
        else if (waitVerb.verb === 'Gather')
          for (const prompt of waitVerb.prompts) await playPrompt(call, prompt);
        // A <Redirect> in wait TwiML only changes where the next hold TwiML comes from; the loop refetches.
      }
      if (left) return await exit('leave');
      // Wait TwiML that takes no time would spin: Twilio's loop is paced by what it plays.
      if (call.elapsedSeconds - before < 1) await call.pass(1);
    }
  } catch (error) {
    if (error instanceof Interrupted && verb.action !== undefined) {
      // Moved out of the queue by a REST update: Twilio reports it to the action URL, then follows the update.
      await call.webhook(verb.action, verb.method, {
        QueueResult: 'redirected',
        QueueSid: queueSid,
        QueueTime: queueTime(),
      });
    }
    throw error;
  }
};

export const runDial = async (
  call: RunningCall,
  verb: Dial,
): Promise<(() => Promise<Document>) | 'continue'> => {
  let outcome: DialOutcome = { status: 'no-answer', durationSeconds: 0 };
  for (const target of verb.targets) {
    if (target.kind === 'Conference' || target.kind === 'Queue') {
      call.conversation.network(`[joined ${target.kind.toLowerCase()} ${target.name}]`);
      const started = call.elapsedSeconds;
      await call.pass(call.options.conferenceSeconds ?? 3600);
      outcome = { status: 'completed', durationSeconds: Math.round(call.elapsedSeconds - started) };
    } else {
      const who =
        target.kind === 'Number' ? target.number : target.kind === 'Client' ? target.identity : target.uri;
      call.conversation.network(`[dialling ${who}]`);
      outcome = call.options.dialOutcome?.(target) ?? { status: 'completed', durationSeconds: 0 };
      await call.pass(outcome.durationSeconds);
    }
    if (outcome.status === 'completed') break;
  }
  if (verb.action === undefined) return 'continue';
  const action = verb.action;
  return () =>
    call.fetchDocument(action, verb.method, {
      DialCallStatus: outcome.status,
      DialCallSid: twilioSid('CA'),
      DialCallDuration: String(outcome.durationSeconds),
    });
};
