// The validated configuration: every default filled in, every value checked.
import type { OpPolicy } from '../dispatch/types.js';
import type { DATA_BITS, PARITIES, PROTOCOLS, STOP_BITS } from './limits.js';

export interface SerialSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: (typeof DATA_BITS)[number];
  readonly parity: (typeof PARITIES)[number];
  readonly stopBits: (typeof STOP_BITS)[number];
  readonly rtscts: boolean;
}

export interface LineConfig {
  readonly name: string;
  readonly serial: SerialSettings;
  readonly protocol: (typeof PROTOCOLS)[number];
  readonly maxBody: number;
  readonly maxOutstanding: number;
}

export type ServerAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly serial: SerialSettings };

export interface ServerConfig {
  readonly name: string;
  readonly address: ServerAddress;
  /** What the operator expects the server to offer; its `ready` decides, a difference is logged. */
  readonly slots: number;
  readonly insecure: boolean;
  readonly maxBody: number;
}

export interface RouterConfig {
  /** Where it was read from, for messages. */
  readonly file: string;
  readonly router: string;
  readonly pingIntervalMs: number;
  readonly defaultOp: OpPolicy;
  readonly ops: ReadonlyMap<string, OpPolicy>;
  readonly lines: readonly LineConfig[];
  readonly servers: readonly ServerConfig[];
}
