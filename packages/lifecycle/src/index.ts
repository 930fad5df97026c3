/**
 * Ordered startup and graceful shutdown.
 *
 * Components are registered in start order; on SIGTERM/SIGINT (or `shutdown()`) they stop in
 * reverse order — intake first, then consumers, writers (flush), producers, clients — under one
 * hard deadline, after which the process exits non-zero rather than hang.
 */
import type { Logger } from '@recstream/logger';

export interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

export interface Lifecycle {
  /** Registers a component that has started; it will be stopped before those registered earlier. */
  add(component: Stoppable): void;
  /** Stops everything in reverse order; resolves with true when all stopped before the deadline. */
  shutdown(reason: string): Promise<boolean>;
  /** Installs SIGTERM/SIGINT handlers that shut down and exit the process. */
  handleSignals(exit?: (code: number) => void): void;
  readonly stopping: boolean;
}

export function createLifecycle(options: { logger: Logger; deadlineMs: number }): Lifecycle {
  const { logger, deadlineMs } = options;
  const components: Stoppable[] = [];
  let shuttingDown: Promise<boolean> | undefined;

  async function stopAll(reason: string): Promise<boolean> {
    logger.info({ reason, components: components.map((c) => c.name) }, 'shutting down');
    let clean = true;
    for (const component of [...components].reverse()) {
      try {
        await component.stop();
        logger.debug({ component: component.name }, 'component stopped');
      } catch (err) {
        clean = false;
        logger.error({ component: component.name, err }, 'component failed to stop');
      }
    }
    return clean;
  }

  const lifecycle: Lifecycle = {
    add(component) {
      components.push(component);
    },
    shutdown(reason) {
      shuttingDown ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => {
            logger.error({ deadlineMs }, 'shutdown deadline passed');
            resolve(false);
          }, deadlineMs);
        });
        const result = await Promise.race([stopAll(reason), deadline]);
        clearTimeout(timer);
        return result;
      })();
      return shuttingDown;
    },
    handleSignals(exit = (code) => process.exit(code)) {
      const onSignal = (signal: NodeJS.Signals) => {
        void lifecycle.shutdown(signal).then((clean) => {
          logger.info({ clean }, 'stopped');
          logger.flush?.();
          exit(clean ? 0 : 1);
        });
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    get stopping() {
      return shuttingDown !== undefined;
    },
  };
  return lifecycle;
}
