// LEDs on GPIO outputs through onoff (sysfs GPIO): `new Gpio(n, 'low')`
// exports the pin and makes it an output at 0 in one write, `writeSync`
// lights it, and on close value 0 and `unexport()`. The process toggles
// every blink (sysfs GPIO has no timer). The kernel marks sysfs GPIO
// deprecated: a libgpiod driver can take this one's place behind LedDriver.
//
// onoff hard-codes /sys/class/gpio/, so this driver reads the chip from /sys
// too (a different root would name pins onoff never writes). Everything that
// can be checked is checked before onoff is loaded or a pin exported, so an
// operator reads one exact reason: no sysfs GPIO, no chip with the board's
// label, a BCM pin beyond the chip, no permission on `export`, EBUSY.
//
// onoff is imported on the first open only: its `epoll` addon starts a
// watcher thread when loaded, which machines without GPIO never need.
import { closeSync, constants, openSync } from 'node:fs';
import type { Gpio } from 'onoff';
import { PanelUnavailableError, type Lamp, type LedDriver } from './driver.js';
import { findHeaderChip, GPIO_DIR } from './gpio-chip.js';
import { errnoOf, sysfsAt, type SysfsFiles } from './sysfs.js';

export interface GpioDriverOptions {
  /** Labels of the header's gpiochip, first match wins (from the board file). */
  readonly chipLabels: readonly string[];
}

/** Where onoff writes: fixed by onoff itself. */
const ONOFF_SYSFS = '/sys';

export class GpioDriver implements LedDriver {
  readonly kind = 'gpio';
  private readonly files: SysfsFiles = sysfsAt(ONOFF_SYSFS);
  private readonly pins = new Map<string, { gpio: Gpio; n: number }>();

  constructor(private readonly options: GpioDriverOptions) {}

  async open(lamps: readonly Lamp[]): Promise<void> {
    const chip = findHeaderChip(this.files, this.options.chipLabels);
    for (const lamp of lamps) {
      if (lamp.bcm === undefined) throw new PanelUnavailableError('gpio', `lamp ${lamp.id} has no BCM pin in the board file`);
      if (lamp.bcm >= chip.ngpio) throw new PanelUnavailableError('gpio', `lamp ${lamp.id}: BCM ${lamp.bcm} is beyond ${chip.name}'s ${chip.ngpio} lines`);
    }
    const { Gpio } = await loadOnoff();
    const exportFile = this.files.where(`${GPIO_DIR}/export`);
    if (!Gpio.accessible) {
      const why = openErrno(exportFile);
      throw new PanelUnavailableError('gpio', `cannot open ${exportFile} for writing (${why})${hintFor(why, '')}; no GPIO was exported`);
    }
    for (const lamp of lamps) {
      const n = chip.base + lamp.bcm!;
      const dir = `${GPIO_DIR}/gpio${n}`;
      const wasExported = this.files.exists(dir);
      try {
        // Synchronous, and after a fresh export onoff spins (up to 10000
        // opens of each file) until udev has given the files to group gpio:
        // as long as udev takes per pin; when the rule never runs, 10000
        // refused opens, about 0.3 s here (x86; a Pi is a few times slower),
        // once, then the panel is given up. Acceptable because it happens
        // once, at start, right after router.start(): lines and links are
        // still opening, so at most the first bytes wait that much longer.
        this.pins.set(lamp.id, { gpio: new Gpio(n, 'low'), n });
      } catch (e) {
        const why = errnoOf(e);
        const freshExport = !wasExported && this.files.exists(dir);
        this.giveBack(freshExport ? n : undefined);
        const pin = `GPIO ${n} (BCM ${lamp.bcm} + base ${chip.base} of ${chip.name})`;
        if (!wasExported && !freshExport) {
          throw new PanelUnavailableError('gpio', `cannot export ${pin} for lamp ${lamp.id}: writing ${exportFile} failed with ${why}${hintFor(why, `BCM ${lamp.bcm}`)}`);
        }
        const where = (e as NodeJS.ErrnoException).path ?? this.files.where(dir);
        throw new PanelUnavailableError('gpio', `lamp ${lamp.id}: ${pin} is exported but ${where} failed with ${why}${why === 'EACCES' ? ' (the udev rule that gives exported GPIOs to group gpio did not run)' : ''}`);
      }
    }
  }

  show(): boolean {
    return false;
  }

  level(lamp: Lamp, on: boolean): void {
    const pin = this.pins.get(lamp.id)!;
    try {
      pin.gpio.writeSync(on ? 1 : 0);
    } catch (e) {
      // onoff writes through a descriptor: the error names no file, so this says which.
      throw new Error(`writing ${this.files.where(`${GPIO_DIR}/gpio${pin.n}/value`)} failed with ${errnoOf(e)}`);
    }
  }

  async close(): Promise<void> {
    this.giveBack(undefined);
  }

  /** Every pin to 0 and unexported (a pin left exported by an earlier run too: it is ours now). */
  private giveBack(halfOpen: number | undefined): void {
    for (const { gpio } of this.pins.values()) {
      try {
        gpio.writeSync(0);
      } catch {
        // Closing must go on for the other lamps.
      }
    }
    for (const { gpio } of this.pins.values()) {
      try {
        gpio.unexport(); // onoff ignores a failed unexport write itself
      } catch {
        // The descriptor was closed already: nothing to give back.
      }
    }
    this.pins.clear();
    if (halfOpen !== undefined) {
      // onoff's constructor threw after its export: there is no Gpio to unexport with.
      try {
        this.files.write(`${GPIO_DIR}/unexport`, String(halfOpen));
      } catch {
        // Left exported: the next start takes it over.
      }
    }
  }
}

/** onoff, or why it cannot be loaded (its epoll addon is native, built at install, with no prebuilds). */
async function loadOnoff(): Promise<typeof import('onoff')> {
  try {
    return await import('onoff');
  } catch (e) {
    throw new PanelUnavailableError('gpio', `cannot load onoff: ${(e as Error).message.split('\n')[0]} (its native epoll addon is built by npm install; rebuild it with npm rebuild epoll)`);
  }
}

/** Why a file cannot be opened for writing ('EACCES', 'EROFS', ...): onoff's `accessible` only says that it cannot. */
function openErrno(file: string): string {
  try {
    closeSync(openSync(file, constants.O_WRONLY));
    return 'it opens now';
  } catch (e) {
    return errnoOf(e);
  }
}

function hintFor(why: string, pin: string): string {
  if (why === 'EACCES') return ': the service user needs write access to it (group gpio)';
  if (why === 'EROFS') return ': /sys is read-only for the service (ProtectKernelTunables=yes in its unit?)';
  if (why === 'EBUSY' && pin) return `: another driver holds ${pin} (a gpio-led overlay? then use the led-class backend)`;
  return '';
}
