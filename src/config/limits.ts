// Every tunable, its default and its limits, in one table. Units are in the names.
export interface Limit {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export const LIMITS = {
  ttlMs: { default: 10_000, min: 1, max: 3_600_000 },
  pingIntervalMs: { default: 1_000, min: 20, max: 60_000 },
  maxBody: { default: 4_096, min: 64, max: 65_536 },
  maxOutstanding: { default: 8, min: 1, max: 1_024 },
  baudRate: { default: 115_200, min: 50, max: 4_000_000 },
  slots: { default: 1, min: 0, max: 1_024 },
  lendSlots: { default: 4, min: 0, max: 1_024 },
  /** An ASCII line's banner (PROTOCOL.md section 6 reading 11): a few lines of text, not a page. */
  bannerChars: { default: 0, min: 1, max: 1_000 },
  /** How long a graceful stop waits for requests at servers (the unit's TimeoutStopSec must be longer). */
  stopTimeoutMs: { default: 10_000, min: 0, max: 600_000 },
} as const satisfies Record<string, Limit>;

export const DATA_BITS = [5, 6, 7, 8] as const;
// 1.5 stop bits is refused by serialport on Linux (the appliance): not offered.
export const STOP_BITS = [1, 2] as const;
export const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export const PROTOCOLS = ['native', 'ascii'] as const;

/** PROTOCOL.md 3: "daily by default". 03:00 local time, when sites are quiet. */
export const DEFAULT_REHANDSHAKE = '0 3 * * *';

/** The status interface listens on loopback unless the configuration opens it to the site. */
export const DEFAULT_STATUS_LISTEN = '127.0.0.1:8080';

/** The statistics snapshot: where (the box's state directory) and how often (every 5 minutes). */
export const DEFAULT_STATE_DIR = '/var/lib/persomux';
export const DEFAULT_SNAPSHOT_SCHEDULE = '*/5 * * * *';

/** The router unit's TimeoutStopSec (firmware/systemd/persomux.service; a test keeps them equal). */
export const UNIT_TIMEOUT_STOP_MS = 20_000;
/** What a stop needs beyond stopTimeoutMs: closing links and lines, the last log lines. */
export const STOP_MARGIN_MS = 3_000;
