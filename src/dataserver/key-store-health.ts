// Whether the data server's key store can serve, as a small state machine on
// an injected scheduler. An op that meets `key-unavailable` reports it here;
// from then on the server takes no work (it announces 0 slots, PROTOCOL.md
// 2.2) and probes the store every `probeEveryMs` until the store answers again.
//
//   state                 event                 next                  effects
//   available             failed(why)           unavailable/armed     changed(down, why), arm-probe
//   unavailable/*         failed                (same)                -
//   unavailable/armed     probe-due             unavailable/running   run-probe
//   unavailable/running   probe-done(back)      available             changed(up)
//   unavailable/running   probe-done(not back)  unavailable/armed     arm-probe
//   any but stopped       stop                  stopped               disarm
//   stopped               any                   stopped               -
//
// Any other pair leaves the state as it is (a stale timer, say). The pure
// `nextHealth` decides; `KeyStoreHealth` runs its effects.
import type { KeyStore } from './crypto/key-store.js';
import type { Scheduler, Timer } from '../machines/scheduler.js';

/** How often a server whose key store failed checks whether it is back. */
export const KEY_STORE_PROBE_MS = 1_000;

/** A key store, with an optional cheap check (a token's presence) the probe prefers. */
export type ProbedKeyStore = KeyStore & { available?(): Promise<boolean> };

export type HealthState = { readonly kind: 'available' } | { readonly kind: 'unavailable'; readonly probe: 'armed' | 'running' } | { readonly kind: 'stopped' };

export type HealthEvent =
  | { readonly kind: 'failed'; readonly why: string }
  | { readonly kind: 'probe-due' }
  | { readonly kind: 'probe-done'; readonly back: boolean }
  | { readonly kind: 'stop' };

/** What the owner hears: the store went down (with the reason, for the log) or came back. */
export type HealthChange = { readonly available: false; readonly why: string } | { readonly available: true };

export type HealthEffect = { readonly kind: 'changed'; readonly change: HealthChange } | { readonly kind: 'arm-probe' } | { readonly kind: 'run-probe' } | { readonly kind: 'disarm' };

export function nextHealth(state: HealthState, event: HealthEvent): { state: HealthState; effects: HealthEffect[] } {
  const stay = { state, effects: [] };
  if (state.kind === 'stopped') return stay;
  if (event.kind === 'stop') return { state: { kind: 'stopped' }, effects: [{ kind: 'disarm' }] };
  switch (state.kind) {
    case 'available':
      if (event.kind !== 'failed') return stay;
      return { state: { kind: 'unavailable', probe: 'armed' }, effects: [{ kind: 'changed', change: { available: false, why: event.why } }, { kind: 'arm-probe' }] };
    case 'unavailable':
      if (event.kind === 'probe-due' && state.probe === 'armed') return { state: { kind: 'unavailable', probe: 'running' }, effects: [{ kind: 'run-probe' }] };
      if (event.kind === 'probe-done' && state.probe === 'running') {
        return event.back
          ? { state: { kind: 'available' }, effects: [{ kind: 'changed', change: { available: true } }] }
          : { state: { kind: 'unavailable', probe: 'armed' }, effects: [{ kind: 'arm-probe' }] };
      }
      return stay;
  }
}

export interface KeyStoreHealthOptions {
  readonly scheduler: Scheduler;
  /** Resolves true when the store can serve again; a rejection counts as not back. */
  readonly probe: () => Promise<boolean>;
  readonly onChange: (change: HealthChange) => void;
  readonly probeEveryMs?: number;
}

export class KeyStoreHealth {
  private current: HealthState = { kind: 'available' };
  private timer: Timer | undefined;

  constructor(private readonly options: KeyStoreHealthOptions) {}

  get state(): HealthState {
    return this.current;
  }

  get available(): boolean {
    return this.current.kind === 'available';
  }

  /** The store could not serve: `why` is for the log only (it may name a token or a file). */
  failed(why: string): void {
    this.handle({ kind: 'failed', why });
  }

  /** The server closes: no more probes, and a probe still running is ignored when it ends. */
  stop(): void {
    this.handle({ kind: 'stop' });
  }

  private handle(event: HealthEvent): void {
    const { state, effects } = nextHealth(this.current, event);
    this.current = state;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: HealthEffect): void {
    const { scheduler } = this.options;
    switch (effect.kind) {
      case 'changed':
        return this.options.onChange(effect.change);
      case 'arm-probe':
        this.timer = scheduler.after(this.options.probeEveryMs ?? KEY_STORE_PROBE_MS, () => {
          this.timer = undefined;
          this.handle({ kind: 'probe-due' });
        });
        return;
      case 'disarm':
        this.timer?.cancel();
        this.timer = undefined;
        return;
      case 'run-probe':
        void (async () => this.options.probe())().then(
          (back) => this.handle({ kind: 'probe-done', back }),
          () => this.handle({ kind: 'probe-done', back: false }),
        );
        return;
    }
  }
}

/** The probe of a real store: its own presence check if it has one, else whether it can give the issuer key. */
export async function probeKeyStore(store: ProbedKeyStore | undefined): Promise<boolean> {
  if (!store) return true;
  if (store.available) return store.available();
  await store.issuerPublicKey();
  return true;
}
