// The front panel as the composition root starts it: a status model fed by
// the router's events, the backend the configuration names, the lamp test,
// then the live picture. A panel that cannot start is logged, never fatal:
// the lines are the job, the lamps are for people.
import type { PanelConfig } from '../config/panel.js';
import type { Logger } from '../log/logger.js';
import type { RouterEventListener, RouterSnapshot } from '../router/events.js';
import { createStatusModel, type StatusModel } from '../status/model.js';
import { LOCATE_MS } from '../status/patterns.js';
import { lampsOfBoard, lampsOfConfig } from './board.js';
import { ConsoleDriver } from './console-driver.js';
import { PanelUnavailableError, type Lamp, type LedDriver } from './driver.js';
import { GpioDriver } from './gpio-driver.js';
import { LedClassDriver } from './led-class-driver.js';
import { FrontPanel } from './panel.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { sysfsAt, type SysfsFiles } from './sysfs.js';

/** What the panel needs of a router: its status seam. */
export interface PanelSource {
  snapshot(): RouterSnapshot;
  onEvent(listener: RouterEventListener): () => void;
}

export interface PanelEdges {
  readonly scheduler?: Scheduler;
  /** /sys on the box (led-class; the gpio backend's onoff always uses /sys). */
  readonly sysfs?: SysfsFiles;
  /** The console backend's output (stdout) and whether it is a terminal. */
  readonly console?: { write: (text: string) => void; live: boolean };
  readonly version?: string;
  /** Skip the lamp test at start (tests that look at the picture only). */
  readonly noLampTest?: boolean;
}

export interface RunningPanel {
  readonly model: StatusModel;
  /** The backend actually running ('none' when it could not start). */
  readonly backend: string;
  /** Blinks a line's lamp distinctively for 30 s; undefined for an unknown line. */
  locate(line: string): { until: number; ms: number } | undefined;
  stop(): Promise<void>;
}

export function makeDriver(config: PanelConfig, edges: PanelEdges): LedDriver | undefined {
  switch (config.backend) {
    case 'gpio':
      // onoff writes /sys/class/gpio itself: `edges.sysfs` cannot move it.
      return new GpioDriver({ chipLabels: config.board!.chipLabels });
    case 'led-class':
      return new LedClassDriver(edges.sysfs ?? sysfsAt('/sys'));
    case 'console':
      return new ConsoleDriver(edges.console ?? { write: (t) => process.stdout.write(t), live: process.stdout.isTTY === true });
    case 'none':
      return undefined;
  }
}

export function panelLamps(config: PanelConfig, lines: readonly string[], servers: readonly string[]): Lamp[] {
  return config.board ? lampsOfBoard(config.board) : lampsOfConfig(lines, servers);
}

export async function startFrontPanel(config: PanelConfig, router: PanelSource, log: Logger, edges: PanelEdges = {}): Promise<RunningPanel> {
  const scheduler = edges.scheduler ?? realScheduler;
  const snapshot = router.snapshot();
  const model = createStatusModel(snapshot, { startedAt: scheduler.now(), ...(edges.version ? { version: edges.version } : {}) });
  const unsubscribe = router.onEvent((e, now) => model.apply(e, now));
  const driver = makeDriver(config, edges);
  let panel: FrontPanel | undefined;
  if (driver) {
    panel = new FrontPanel({ lamps: panelLamps(config, snapshot.lines.map((l) => l.name), snapshot.servers.map((s) => s.name)), driver, scheduler, view: () => model.view(scheduler.now()), log });
    try {
      await panel.start();
      log.info('panel.started', { backend: driver.kind, ...(config.board ? { board: config.board.name } : {}) });
      if (!edges.noLampTest) void panel.runLampTest();
    } catch (e) {
      if (!(e instanceof PanelUnavailableError)) throw e;
      log.error('panel.unavailable', { backend: driver.kind, reason: e.message });
      panel = undefined;
    }
  }
  return {
    model,
    backend: panel ? driver!.kind : 'none',
    locate(line) {
      const now = scheduler.now();
      if (!model.locate(line, now)) return undefined;
      log.info('panel.locate', { line });
      return { until: now + LOCATE_MS, ms: LOCATE_MS };
    },
    async stop() {
      unsubscribe();
      await panel?.stop();
    },
  };
}
