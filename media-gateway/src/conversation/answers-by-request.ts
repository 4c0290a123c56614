/** Answers still being worked out, kept to answer a repeat of the same request (only the latest few). */
const IN_FLIGHT = 8;

/**
 * Answers by request ("line 3", "back after reply 4"), so that a repeat gets the first one's answer: Twilio retries
 * a webhook, or someone replays a signed request, while the first is still worked out or after.
 */
export class AnswersByRequest<T> {
  private readonly answers = new Map<string, Promise<T>>();

  /** Runs `work` for a request once; the same request while it runs, or after, gets the same answer. */
  once(key: string, work: () => Promise<T>): Promise<T> {
    const known = this.answers.get(key);
    if (known) return known;
    let answer: Promise<T>;
    try {
      answer = work();
    } catch (error) {
      return Promise.reject(error);
    }
    this.answers.set(key, answer);
    // A failed request may be tried again; only the latest few answers are kept.
    answer.catch(() => this.answers.delete(key));
    for (const old of this.answers.keys()) {
      if (this.answers.size <= IN_FLIGHT) break;
      this.answers.delete(old);
    }
    return answer;
  }
}
