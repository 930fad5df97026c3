/**
 * Native TensorFlow through @tensorflow/tfjs-node. Its native addon is not installed by
 * `pnpm install` (its install script downloads from a CDN this project does not rely on):
 * `infra/tensorflow.sh` builds it against the PyPI tensorflow-cpu libraries. Loading is lazy, so
 * importing this package has no side effect and a missing addon is reported by name, with the
 * command that fixes it, instead of tfjs-node's advice to `npm rebuild`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type * as tfjsNode from '@tensorflow/tfjs-node';

export type TensorFlow = typeof tfjsNode;

export const TENSORFLOW_SETUP_COMMAND = 'bash infra/tensorflow.sh';

const require = createRequire(import.meta.url);
let loaded: TensorFlow | undefined;

function notReady(problem: string, cause?: unknown): PermanentError {
  return new PermanentError(
    ERROR_CODES.invalidConfig,
    `native TensorFlow is not ready: ${problem}; run \`${TENSORFLOW_SETUP_COMMAND}\` from the repository root`,
    cause === undefined ? {} : { cause },
  );
}

/** Where tfjs-node loads its addon from, found the way tfjs-node itself finds it. */
export function nativeBindingPath(): string {
  const packageJson = require.resolve('@tensorflow/tfjs-node/package.json');
  const preGyp = createRequire(packageJson)('@mapbox/node-pre-gyp') as {
    find(packageJsonPath: string): string;
  };
  return preGyp.find(packageJson);
}

/** tfjs-node, loaded once. Throws a PermanentError naming the setup command when it cannot load. */
export function loadTensorFlow(): TensorFlow {
  if (loaded !== undefined) return loaded;
  const binding = nativeBindingPath();
  if (!existsSync(binding)) throw notReady(`the tfjs-node addon ${binding} does not exist`);
  try {
    loaded = require('@tensorflow/tfjs-node') as TensorFlow;
  } catch (error) {
    throw notReady(
      `tfjs-node did not load (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
  return loaded;
}

/**
 * tfjs-node with its native 'tensorflow' backend active; throws otherwise. Training on the pure-JS
 * 'cpu' backend is orders of magnitude slower, so a silent fallback would be worse than a failure.
 */
export function assertNativeBackend(tf: TensorFlow = loadTensorFlow()): TensorFlow {
  const backend = tf.getBackend();
  if (backend !== 'tensorflow') throw notReady(`the active tfjs backend is '${backend}', not 'tensorflow'`);
  return tf;
}
