// LEDs the kernel owns (/sys/class/leds/<name>/, made by a
// `dtoverlay=gpio-led` line in the boot config): `brightness`, and for a
// simple blink `trigger` = timer with `delay_on`/`delay_off`, so the kernel
// keeps blinking even while the process is busy. No GPIO numbers involved.
// The kernel recreates delay_on/delay_off owned by root each time the
// trigger becomes `timer`; until a udev rule gives them to the service's
// group, a blink falls back to being toggled by the process.
import { simpleBlink } from '../status/patterns.js';
import { PanelUnavailableError, type Lamp, type LampShow, type LedDriver } from './driver.js';
import { errnoOf, type SysfsFiles } from './sysfs.js';

export const LEDS_DIR = 'class/leds';

export class LedClassDriver implements LedDriver {
  readonly kind = 'led-class';
  private readonly dirs = new Map<string, { dir: string; max: string; timer: boolean }>();

  constructor(private readonly files: SysfsFiles) {}

  async open(lamps: readonly Lamp[]): Promise<void> {
    for (const lamp of lamps) {
      if (!lamp.ledClass) throw new PanelUnavailableError('led-class', `lamp ${lamp.id} has no LED-class name in the board file`);
      const dir = `${LEDS_DIR}/${lamp.ledClass}`;
      if (!this.files.exists(dir)) {
        throw new PanelUnavailableError(
          'led-class',
          `${this.files.where(dir)} does not exist for lamp ${lamp.id}: the boot config needs 'dtoverlay=gpio-led,gpio=<BCM>,label=${lamp.ledClass},trigger=none' (README "Front panel")`,
        );
      }
      const max = this.files.exists(`${dir}/max_brightness`) ? this.files.read(`${dir}/max_brightness`) : '1';
      const entry = { dir, max, timer: false };
      this.dirs.set(lamp.id, entry);
      this.write(lamp, `${dir}/trigger`, 'none');
      this.write(lamp, `${dir}/brightness`, '0');
    }
  }

  show(lamp: Lamp, show: LampShow, delegate: boolean): boolean {
    const entry = this.dirs.get(lamp.id)!;
    const blink = delegate ? simpleBlink(show.pattern) : undefined;
    if (blink) {
      try {
        this.files.write(`${entry.dir}/trigger`, 'timer');
        entry.timer = true;
        this.files.write(`${entry.dir}/delay_on`, String(blink.onMs));
        this.files.write(`${entry.dir}/delay_off`, String(blink.offMs));
        return true;
      } catch (e) {
        if (errnoOf(e) !== 'EACCES') throw e;
        // delay_on/off still root's (the udev rule of firmware/ has not run yet): the process blinks it instead.
      }
    }
    if (entry.timer) {
      this.files.write(`${entry.dir}/trigger`, 'none');
      entry.timer = false;
    }
    return false;
  }

  level(lamp: Lamp, on: boolean): void {
    const entry = this.dirs.get(lamp.id)!;
    this.files.write(`${entry.dir}/brightness`, on ? entry.max : '0');
  }

  async close(): Promise<void> {
    for (const entry of this.dirs.values()) {
      try {
        this.files.write(`${entry.dir}/trigger`, 'none');
        this.files.write(`${entry.dir}/brightness`, '0');
      } catch {
        // Closing goes on for the other lamps.
      }
    }
    this.dirs.clear();
  }

  private write(lamp: Lamp, rel: string, text: string): void {
    try {
      this.files.write(rel, text);
    } catch (e) {
      const why = errnoOf(e);
      throw new PanelUnavailableError('led-class', `lamp ${lamp.id}: writing ${this.files.where(rel)} failed with ${why}${why === 'EACCES' ? ' (the udev rule for the persomux LEDs is missing: see firmware/)' : ''}`);
    }
  }
}
