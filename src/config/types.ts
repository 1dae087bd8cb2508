// The validated configuration: every default filled in, every value checked.
import type { OpPolicy } from '../dispatch/types.js';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { PanelConfig } from './panel.js';
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
  /** ASCII lines: echo what a person types (PROTOCOL.md section 6 reading 11). Validated configs always say; absent = false. */
  readonly echo?: boolean;
  /** ASCII lines: text shown as `# ` lines when the line opens. */
  readonly banner?: string | undefined;
  /** Static binding: the only servers this line's requests may use (names from `servers[]`); any when absent. */
  readonly servers?: readonly string[];
}

export type ServerAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly serial: SerialSettings };

/** PROTOCOL.md 3: every link is sealed unless its configuration says `insecure: true`. */
export type LinkSecurity =
  | { readonly kind: 'insecure' }
  | {
      readonly kind: 'sealed';
      readonly keyFile: string;
      readonly keys: LinkKeys;
      /** node-cron expression: when the link makes a fresh handshake. */
      readonly rehandshake: string;
    };

export interface ServerConfig {
  readonly name: string;
  readonly address: ServerAddress;
  /** What the operator expects the server to offer; its `ready` decides, a difference is logged. */
  readonly slots: number;
  readonly security: LinkSecurity;
  readonly maxBody: number;
}

/** A router allowed to use this router's servers through its peer port. */
export interface PeerConfig {
  readonly name: string;
  readonly security: LinkSecurity;
}

/** The cascade (PROTOCOL.md 2.2, peers): this router lends slots to others. */
export interface PeerPortConfig {
  readonly host: string;
  readonly port: number;
  /** Slots announced to each peer while any of this router's servers is available. */
  readonly lendSlots: number;
  readonly peers: readonly PeerConfig[];
  /** Largest frame body accepted from a peer (defaults.maxBody). */
  readonly maxBody: number;
}

/** One operator allowed to act through the status interface (HTTP Basic). */
export interface StatusCredential {
  readonly user: string;
  /** SHA-256 of the password: compared in constant time, never logged. */
  readonly passwordDigest: Buffer;
}

export interface StatusConfig {
  /** Where the page, /metrics, /healthz and /status.json are served (port 0: any free port). */
  readonly listen: { readonly host: string; readonly port: number };
  /** Operators allowed to act (locate, drain, undrain); none: actions are disabled. */
  readonly credentials: readonly StatusCredential[];
  /** The file they were read from, for messages. */
  readonly credentialsFile?: string;
  /** Serve HTTPS with this certificate and key (PEM); required for actions on a non-loopback address. */
  readonly tls?: { readonly certFile: string; readonly cert: Buffer; readonly key: Buffer };
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
  readonly peerPort: PeerPortConfig | undefined;
  readonly status: StatusConfig;
  /** Where the statistics snapshot lives (/var/lib/persomux on the box). */
  readonly stateDir: string;
  /** node-cron expression: when the statistics snapshot is written. */
  readonly snapshotSchedule: string;
  /** A graceful stop waits this long for requests at servers before it cuts them. */
  readonly stopTimeoutMs: number;
  /** The front panel's LEDs (config `panel`; none by default). */
  readonly panel: PanelConfig;
  /**
   * Where the router journals the fingerprints of requests sent to servers
   * (src/journal/, PROTOCOL.md 6 reading 12): `<stateDir>/journal` when the
   * file names its `stateDir`. Without it, at most once holds only within one run.
   */
  readonly journalDir: string | undefined;
}
