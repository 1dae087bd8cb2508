// LEDs on GPIO outputs through sysfs: export, direction `low` (an output,
// off, in one write), value 1/0, and on close value 0 and unexport. The
// process toggles every blink (sysfs GPIO has no timer). The kernel marks
// sysfs GPIO deprecated: a libgpiod driver can take this one's place behind
// LedDriver.
import { PanelUnavailableError, type Lamp, type LedDriver } from './driver.js';
import { findHeaderChip, GPIO_DIR } from './gpio-chip.js';
import { errnoOf, type SysfsFiles } from './sysfs.js';

export interface GpioDriverOptions {
  readonly files: SysfsFiles;
  /** Labels of the header's gpiochip, first match wins (from the board file). */
  readonly chipLabels: readonly string[];
  /** Waits between tries while udev makes a fresh export writable (injected: tests need none). */
  readonly pause?: (ms: number) => Promise<void>;
}

/** udev changes a fresh export's group a few ms after the kernel makes it; onoff waits for it too. */
const EXPORT_WAIT = { tries: 50, everyMs: 20 } as const;

export class GpioDriver implements LedDriver {
  readonly kind = 'gpio';
  private readonly numbers = new Map<string, number>();
  private readonly exported: number[] = [];

  constructor(private readonly options: GpioDriverOptions) {}

  async open(lamps: readonly Lamp[]): Promise<void> {
    const { files } = this.options;
    const chip = findHeaderChip(files, this.options.chipLabels);
    for (const lamp of lamps) {
      if (lamp.bcm === undefined) throw new PanelUnavailableError('gpio', `lamp ${lamp.id} has no BCM pin in the board file`);
      if (lamp.bcm >= chip.ngpio) throw new PanelUnavailableError('gpio', `lamp ${lamp.id}: BCM ${lamp.bcm} is beyond ${chip.name}'s ${chip.ngpio} lines`);
      const n = chip.base + lamp.bcm;
      if (!files.exists(`${GPIO_DIR}/gpio${n}`)) {
        try {
          files.write(`${GPIO_DIR}/export`, String(n));
        } catch (e) {
          const why = errnoOf(e);
          const hint = why === 'EACCES' ? ': the service user needs write access to it (group gpio)' : why === 'EBUSY' ? `: another driver holds BCM ${lamp.bcm}` : '';
          throw new PanelUnavailableError('gpio', `cannot export GPIO ${n} (BCM ${lamp.bcm} + base ${chip.base} of ${chip.name}) for lamp ${lamp.id}: writing ${files.where(`${GPIO_DIR}/export`)} failed with ${why}${hint}`);
        }
        this.exported.push(n);
      }
      await this.writeWhenAllowed(`${GPIO_DIR}/gpio${n}/direction`, 'low', lamp);
      this.numbers.set(lamp.id, n);
    }
  }

  show(): boolean {
    return false;
  }

  level(lamp: Lamp, on: boolean): void {
    this.options.files.write(`${GPIO_DIR}/gpio${this.numbers.get(lamp.id)}/value`, on ? '1' : '0');
  }

  async close(): Promise<void> {
    const { files } = this.options;
    for (const n of this.numbers.values()) {
      try {
        files.write(`${GPIO_DIR}/gpio${n}/value`, '0');
      } catch {
        // Closing must go on for the other lamps.
      }
    }
    for (const n of this.exported.splice(0)) {
      try {
        files.write(`${GPIO_DIR}/unexport`, String(n));
      } catch {
        // Already gone (another process unexported it): nothing to give back.
      }
    }
    this.numbers.clear();
  }

  private async writeWhenAllowed(rel: string, text: string, lamp: Lamp): Promise<void> {
    const pause = this.options.pause ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let i = 1; ; i++) {
      try {
        this.options.files.write(rel, text);
        return;
      } catch (e) {
        const why = errnoOf(e);
        if ((why !== 'EACCES' && why !== 'ENOENT') || i >= EXPORT_WAIT.tries) {
          throw new PanelUnavailableError('gpio', `lamp ${lamp.id}: writing ${this.options.files.where(rel)} failed with ${why}${why === 'EACCES' ? ' (the udev rule that gives exported GPIOs to group gpio did not run)' : ''}`);
        }
        await pause(EXPORT_WAIT.everyMs);
      }
    }
  }
}
