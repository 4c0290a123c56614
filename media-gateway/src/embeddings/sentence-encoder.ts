import { readFile } from 'node:fs/promises';

/**
 * Sentences as vectors whose cosine says how close their meanings are, across languages: "is there somewhere to
 * leave my car" near "Parking: free behind the building", "¿dónde aparco?" near both. The knowledge search
 * uses it where a caller's words differ from the article's.
 */
export interface SentenceEncoder {
  /** What encodes (model and version), for logs and the health page. */
  readonly name: string;
  /** A unit-length vector. */
  encode(text: string): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface SentenceEncoderFiles {
  /** The ONNX graph taking token ids and row splits (infra/embeddings prepares it). */
  readonly model: string;
  /** Its SentencePiece vocabulary as a tokenizer.json. */
  readonly tokenizer: string;
}

/** A sentence longer than this many tokens is cut: the time to encode grows with it, and the start says most. */
const MAX_TOKENS = 256;

export class SentenceEncoderError extends Error {
  override readonly name = 'SentenceEncoderError';
}

const unit = (vector: Float32Array): Float32Array => {
  let norm = 0;
  for (const x of vector) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return vector.map((x) => x * scale);
};

/**
 * Google's multilingual Universal Sentence Encoder (v3, int8) on onnxruntime-node, its SentencePiece tokenizer
 * run by @huggingface/tokenizers. Loaded on demand: a platform without the files never loads the runtime.
 * One sentence per run: the quantized graph gives a batch's rows slightly different vectors than alone.
 */
export const openSentenceEncoder = async (files: SentenceEncoderFiles): Promise<SentenceEncoder> => {
  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(await readFile(files.tokenizer, 'utf8'));
  } catch (error) {
    throw new SentenceEncoderError(`cannot read the tokenizer ${files.tokenizer}: ${String(error)}`);
  }
  const [{ Tokenizer }, ort] = await Promise.all([
    import('@huggingface/tokenizers'),
    import('onnxruntime-node'),
  ]);
  const tokenizer = new Tokenizer(tokenizerJson as object, {
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
  });
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    // One thread: calls run side by side on few cores, and a sentence takes ~2 ms.
    session = await ort.InferenceSession.create(files.model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new SentenceEncoderError(`cannot load the model ${files.model}: ${String(error)}`);
  }
  const [ids, splits] = session.inputNames;
  const [output] = session.outputNames;
  if (ids === undefined || splits === undefined || output === undefined) {
    throw new SentenceEncoderError(
      `${files.model} is not the sentence encoder (inputs ${session.inputNames.join(', ')})`,
    );
  }
  let closed = false;
  // Runs under way: the session is released only once they are over (a run on a released session fails inside
  // onnxruntime, out of reach of any handler).
  const running = new Set<Promise<unknown>>();
  return {
    name: 'universal-sentence-encoder-multilingual-3 (int8 ONNX)',
    async encode(text) {
      if (closed) throw new SentenceEncoderError('the sentence encoder is closed');
      const tokens = tokenizer.encode(text.trim().replace(/\s+/g, ' ')).ids.slice(0, MAX_TOKENS);
      const run = session.run({
        [ids]: new ort.Tensor('int32', Int32Array.from(tokens), [tokens.length]),
        [splits]: new ort.Tensor('int64', BigInt64Array.from([0n, BigInt(tokens.length)]), [2]),
      });
      running.add(run);
      try {
        const data = (await run)[output]?.data;
        if (!(data instanceof Float32Array)) throw new SentenceEncoderError('the model gave no vector');
        return unit(data);
      } finally {
        running.delete(run);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...running]);
      await session.release();
    },
  };
};

/** The cosine of two unit vectors. */
export const similarity = (a: Float32Array, b: Float32Array): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
};

/**
 * The encoder opened on its first use: a platform whose callers' words always find their articles never loads
 * the model (a second and ~400 MB). A failure to open fails that encode and the next ones the same way.
 */
export const lazySentenceEncoder = (files: SentenceEncoderFiles): SentenceEncoder => {
  let opened: Promise<SentenceEncoder> | undefined;
  let closed = false;
  const open = (): Promise<SentenceEncoder> => {
    if (closed) return Promise.reject(new SentenceEncoderError('the sentence encoder is closed'));
    opened ??= openSentenceEncoder(files);
    return opened;
  };
  return {
    name: 'universal-sentence-encoder-multilingual-3 (int8 ONNX)',
    encode: async (text) => (await open()).encode(text),
    async close() {
      closed = true;
      const encoder = await opened?.catch(() => undefined);
      await encoder?.close();
    },
  };
};
