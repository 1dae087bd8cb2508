// The front panel: renders the StatusView on lamps, on a timer of its own.
// Blinks are toggled here (phased on the monotonic clock) unless the driver
// keeps them going itself; a line's steady lamp flickers off briefly on
// traffic, at most once per FLICKER_MIN_GAP_MS; the system lamp is always
// toggled here, so a frozen event loop shows a frozen light.
import type { Logger } from '../log/logger.js';
import { FLICKER_MIN_GAP_MS, levelAt } from '../status/patterns.js';
import type { LedPattern, StatusView } from '../status/view.js';
import type { Lamp, LampShow, LedDriver } from './driver.js';
import type { Scheduler } from './scheduler.js';

/** Level updates: fine enough for an 80 ms flash. */
export const TICK_MS = 20;
/** How often the view is taken (patterns and traffic); a tick in between reuses it. */
export const VIEW_EVERY_MS = 100;
/** How long a flicker keeps a steady lamp dark. */
export const FLICKER_OFF_MS = 40;
/** The lamp test: every lamp on, then each in turn, then the real picture. */
export const LAMP_TEST = { allOnMs: 1_000, eachMs: 250 } as const;

interface LampState {
  readonly lamp: Lamp;
  shown: LampShow | undefined;
  delegated: boolean;
  level: boolean | undefined;
  trafficSeen: number | undefined;
  flickerAt: number;
}

export interface PanelOptions {
  readonly lamps: readonly Lamp[];
  readonly driver: LedDriver;
  readonly scheduler: Scheduler;
  /** The picture to show; undefined shows every lamp off (a lamp test by hand). */
  readonly view: () => StatusView | undefined;
  readonly log?: Logger;
}

export class FrontPanel {
  private readonly lamps: LampState[];
  private cancel: (() => void) | undefined;
  private view: StatusView | undefined;
  private viewAt = -Infinity;
  private lampTest: { startedAt: number; done: () => void } | undefined;
  private failed = false;

  constructor(private readonly options: PanelOptions) {
    this.lamps = options.lamps.map((lamp) => ({ lamp, shown: undefined, delegated: false, level: undefined, trafficSeen: undefined, flickerAt: -Infinity }));
  }

  /** Opens the driver (throws PanelUnavailableError) and starts the timer. */
  async start(): Promise<void> {
    await this.options.driver.open(this.options.lamps);
    this.cancel = this.options.scheduler.every(TICK_MS, () => this.tick());
    this.tick();
  }

  /** Every lamp on, then each in turn; resolves when the real picture is back. */
  runLampTest(): Promise<void> {
    return new Promise((done) => {
      this.lampTest = { startedAt: this.options.scheduler.now(), done };
      this.tick();
    });
  }

  /** A clean stop: every lamp off, the driver closed. */
  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.failed) {
      try {
        for (const s of this.lamps) {
          this.options.driver.show(s.lamp, { pattern: 'off', state: 'stopped' }, false);
          this.options.driver.level(s.lamp, false);
        }
        this.options.driver.flush?.(this.options.scheduler.now());
      } catch (e) {
        this.options.log?.warn('panel.stop-failed', { error: (e as Error).message });
      }
    }
    this.lampTest?.done();
    this.lampTest = undefined;
    await this.options.driver.close();
  }

  private tick(): void {
    const now = this.options.scheduler.now();
    try {
      if (this.lampTest) this.lampTestTick(now);
      else this.pictureTick(now);
      this.options.driver.flush?.(now);
    } catch (e) {
      // A lamp that cannot be written must not stop the router: say so once, and stop the panel.
      this.failed = true;
      this.cancel?.();
      this.cancel = undefined;
      this.options.log?.error('panel.write-failed', { backend: this.options.driver.kind, error: (e as Error).message });
    }
  }

  private lampTestTick(now: number): void {
    const elapsed = now - this.lampTest!.startedAt;
    const turn = elapsed < LAMP_TEST.allOnMs ? -1 : Math.floor((elapsed - LAMP_TEST.allOnMs) / LAMP_TEST.eachMs);
    if (turn >= this.lamps.length) {
      const { done } = this.lampTest!;
      this.lampTest = undefined;
      this.viewAt = -Infinity;
      this.pictureTick(now);
      done();
      return;
    }
    this.lamps.forEach((s, i) => {
      const on = turn < 0 || turn === i;
      this.render(s, { pattern: on ? 'on' : 'off', state: 'lamp-test' }, false, now, undefined);
    });
  }

  private pictureTick(now: number): void {
    if (now - this.viewAt >= VIEW_EVERY_MS) {
      this.view = this.options.view();
      this.viewAt = now;
      if (this.view) this.options.driver.caption?.(caption(this.view));
    }
    const v = this.view;
    for (const s of this.lamps) {
      const { show, traffic } = lampShow(s.lamp, v);
      this.render(s, show, s.lamp.role !== 'system', now, traffic);
    }
  }

  private render(s: LampState, show: LampShow, delegate: boolean, now: number, traffic: number | undefined): void {
    const d = this.options.driver;
    if (!s.shown || s.shown.pattern !== show.pattern || s.shown.state !== show.state) {
      s.delegated = d.show(s.lamp, show, delegate);
      s.shown = show;
      if (s.delegated) s.level = undefined;
    }
    if (s.delegated) return;
    let level = levelAt(show.pattern, now);
    if (show.pattern === 'on' && traffic !== undefined) {
      if (traffic !== s.trafficSeen && now - s.flickerAt >= FLICKER_MIN_GAP_MS) {
        s.flickerAt = now;
        s.trafficSeen = traffic;
      }
      if (now - s.flickerAt < FLICKER_OFF_MS) level = false;
    }
    if (level !== s.level) {
      d.level(s.lamp, level);
      s.level = level;
    }
  }
}

function lampShow(lamp: Lamp, v: StatusView | undefined): { show: LampShow; traffic: number | undefined } {
  if (!v) return { show: { pattern: 'off', state: 'no-picture' }, traffic: undefined };
  if (lamp.role === 'system') return { show: { pattern: v.site.pattern, state: v.site.state }, traffic: undefined };
  if (lamp.role === 'server') {
    const s = v.servers.find((x) => x.name === lamp.target);
    return { show: s ? { pattern: s.pattern, state: s.state } : NOT_CONFIGURED, traffic: undefined };
  }
  const l = v.lines.find((x) => x.name === lamp.target);
  if (!l) return { show: NOT_CONFIGURED, traffic: undefined };
  return { show: { pattern: l.pattern, state: l.pattern === 'locate' ? 'locate' : l.state }, traffic: l.lastTrafficAt };
}

const NOT_CONFIGURED: LampShow = { pattern: 'off' as LedPattern, state: 'not-configured' };

function caption(v: StatusView): string {
  const queued = Object.values(v.site.queuedByOp).reduce((a, b) => a + b, 0);
  return `${v.site.router}  ${v.site.state}  cards/h ${v.site.cardsPerHour}  cards ${v.site.cardsTotal}  req/s ${v.site.requestsPerSecond}  queued ${queued}`;
}
