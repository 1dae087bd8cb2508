// The one call `persomux run` (and `dataserver`) makes: tell the service
// manager how the process is doing, if one is listening ($NOTIFY_SOCKET).
import type { Logger } from '../log/logger.js';
import { Notifier } from './notifier.js';
import { realScheduler } from './scheduler.js';
import { openNotifySocket } from './sd-notify.js';
import { watchdogSettings } from './watchdog-settings.js';

export interface NotifyHandle {
  /** Sends STOPPING=1; call it first thing when stopping. */
  stopping(): void;
}

const NONE: NotifyHandle = { stopping: () => {} };

export function startNotify(options: { healthy: () => boolean; log: Logger; env?: NodeJS.ProcessEnv }): NotifyHandle {
  const env = options.env ?? process.env;
  const log = options.log.child({ part: 'notify' });
  let errors = 0;
  let notifier: Notifier;
  try {
    const sink = openNotifySocket(env.NOTIFY_SOCKET, (e) => {
      // One line per failure would flood the journal if the socket went away.
      if (errors++ < 3) log.warn('notify.send-failed', { error: e.message });
    });
    if (!sink) return NONE;
    notifier = new Notifier({ sink, healthy: options.healthy, watchdog: watchdogSettings(env, process.pid), scheduler: realScheduler, log });
  } catch (e) {
    // The lines keep being served; the service manager will report the missing READY=1.
    log.error('notify.unusable', { error: (e as Error).message });
    return NONE;
  }
  notifier.start();
  return { stopping: () => notifier.stopping() };
}
