// What the service manager asks for, read from the environment systemd sets
// for a unit with WatchdogSec= (sd_watchdog_enabled(3)): WATCHDOG_USEC is the
// timeout, WATCHDOG_PID (when set) the one process that must ping.

export class WatchdogSettingsError extends Error {}

export interface WatchdogSettings {
  /** WATCHDOG=1 is sent this often: half the timeout, as sd_watchdog_enabled(3) advises. */
  readonly pingEveryMs: number;
  /** A ping is skipped when the event loop ran this late since the previous one. */
  readonly lagLimitMs: number;
  /** How often the loop's lateness is sampled between pings. */
  readonly sampleEveryMs: number;
}

/** Undefined when no watchdog is asked of this process. */
export function watchdogSettings(env: Readonly<Record<string, string | undefined>>, pid: number): WatchdogSettings | undefined {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || usecText === '') return undefined;
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined && pidText !== '' && Number(pidText) !== pid) return undefined;
  const usec = Number(usecText);
  if (!Number.isInteger(usec) || usec < 2000) throw new WatchdogSettingsError(`WATCHDOG_USEC must be a whole number of microseconds of at least 2000, got '${usecText}'`);
  const pingEveryMs = Math.floor(usec / 2000);
  return {
    pingEveryMs,
    // A loop that stalled for a whole ping interval is not serving its lines.
    lagLimitMs: pingEveryMs,
    sampleEveryMs: Math.max(1, Math.floor(pingEveryMs / 4)),
  };
}

export type PingDecision = 'ping' | 'skip-lag' | 'skip-unhealthy';

/** The one rule: WATCHDOG=1 only while the router is healthy and its event loop keeps time. */
export function decidePing(healthy: boolean, lagMs: number, lagLimitMs: number): PingDecision {
  if (lagMs >= lagLimitMs) return 'skip-lag';
  return healthy ? 'ping' : 'skip-unhealthy';
}
