// A fake /sys in a scratch directory, with the few kernel reactions the
// led-class driver relies on: an LED's trigger `timer` makes
// delay_on/delay_off, `none` removes them. Every write is recorded in order.
// The gpio chips are here for findHeaderChip; the gpio driver itself writes
// through onoff at /sys and is tested under mock-fs (fake-gpio-kernel.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sysfsAt, type SysfsFiles } from '../../src/panel/sysfs.js';

const errno = (code: string, path: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${path}`), { code });

export class FakeSysfs implements SysfsFiles {
  readonly root = mkdtempSync(join(tmpdir(), 'persomux-sysfs-'));
  readonly writes: [string, string][] = [];
  /** Paths whose writes fail with EACCES (no permission for the service user). */
  readonly denied = new Set<string>();
  private readonly real = sysfsAt(this.root);

  /** A Raspberry Pi 5 on Bookworm: two brcmstb chips, then the header's RP1 at base 571. */
  static pi5(): FakeSysfs {
    const fs = new FakeSysfs();
    fs.chip('gpiochip512', 'gpio-brcmstb@107d508500', 512, 32);
    fs.chip('gpiochip544', 'gpio-brcmstb@107d517c00', 544, 27);
    fs.chip('gpiochip571', 'pinctrl-rp1', 571, 54);
    return fs;
  }

  chip(name: string, label: string, base: number, ngpio: number): void {
    const dir = join(this.root, 'class/gpio', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'label'), `${label}\n`);
    writeFileSync(join(dir, 'base'), `${base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${ngpio}\n`);
  }

  led(name: string, maxBrightness = 1): void {
    const dir = join(this.root, 'class/leds', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'brightness'), '0\n');
    writeFileSync(join(dir, 'max_brightness'), `${maxBrightness}\n`);
    writeFileSync(join(dir, 'trigger'), 'none\n');
  }

  where(rel: string): string {
    return this.real.where(rel);
  }
  exists(rel: string): boolean {
    return this.real.exists(rel);
  }
  read(rel: string): string {
    return this.real.read(rel);
  }
  list(rel: string): string[] {
    return this.real.list(rel);
  }

  write(rel: string, text: string): void {
    if (this.denied.has(rel)) throw errno('EACCES', this.where(rel));
    this.writes.push([rel, text]);
    if (!this.exists(rel)) throw errno('ENOENT', this.where(rel));
    const trigger = /^(class\/leds\/[^/]+)\/trigger$/.exec(rel);
    if (trigger) {
      const dir = join(this.root, trigger[1]!);
      if (text === 'timer') {
        writeFileSync(join(dir, 'delay_on'), '500\n');
        writeFileSync(join(dir, 'delay_off'), '500\n');
      } else {
        rmSync(join(dir, 'delay_on'), { force: true });
        rmSync(join(dir, 'delay_off'), { force: true });
      }
    }
    this.real.write(rel, text);
  }

  /** The content of a file now (its last write), or undefined when it is gone. */
  now(rel: string): string | undefined {
    const p = join(this.root, rel);
    return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
  }

  /** The writes since the last call, and forget them. */
  take(): [string, string][] {
    return this.writes.splice(0);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
