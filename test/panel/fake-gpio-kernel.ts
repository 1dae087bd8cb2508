// sysfs GPIO as onoff sees it, for a process of its own: mock-fs puts a
// /sys/class/gpio tree (a Raspberry Pi 5 by default) in place of the real
// file system, and a thin layer over `fs` adds what mock-fs cannot: the
// kernel's reactions (writing N to `export` makes gpioN/, EBUSY when another
// driver holds the pin; `unexport` removes it; `direction` low makes an
// output at 0), permissions (we run as root, whom mock-fs lets do anything)
// and udev's delay before a fresh export is writable. Every write, whether
// by path or through a descriptor, is recorded in order.
//
// mock-fs hides the real disk, so the packages the driver loads lazily
// (onoff, epoll and theirs) are mapped into the mock from their real place.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import mock from 'mock-fs';

export interface FakeChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** A Raspberry Pi 5 on Bookworm: two brcmstb chips, then the header's RP1 at base 571. */
export const PI5_CHIPS: readonly FakeChip[] = [
  { name: 'gpiochip512', label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
  { name: 'gpiochip544', label: 'gpio-brcmstb@107d517c00', base: 544, ngpio: 27 },
  { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 },
];

const SYS = '/sys/';
const LOADED_LAZILY = ['onoff', 'epoll', 'bindings', 'file-uri-to-path', 'lodash.debounce'];
const require = createRequire(import.meta.url);

const errno = (code: string, path: string, syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, path, syscall });

const pinFiles = (direction: string, value: string): Record<string, string> => ({ direction: `${direction}\n`, value: `${value}\n`, active_low: '0\n', edge: 'none\n' });

export class FakeGpioKernel {
  /** Writes in order, relative to /sys: [`class/gpio/export`, `576`]. Refused opens are not writes. */
  readonly writes: [string, string][] = [];
  /** Files the service user may not open or write (EACCES). */
  readonly denied = new Set<string>();
  /** GPIO numbers another driver holds: exporting them fails with EBUSY. */
  readonly held = new Set<number>();
  /** How many more opens of a file fail with EACCES before udev has made it writable. */
  readonly udevLag = new Map<string, number>();
  /** Value files whose writes fail with EIO (a pin gone bad). */
  readonly broken = new Set<string>();
  /** Opens refused so far (udev lag and denied files). */
  refusedOpens = 0;

  private readonly fds = new Map<number, string>();
  private readonly real = { openSync: fs.openSync, closeSync: fs.closeSync, writeSync: fs.writeSync, writeFileSync: fs.writeFileSync };

  /**
   * `chips` undefined: a kernel without sysfs GPIO (no /sys/class/gpio). `exported`: pins an earlier run left.
   * `missing`: packages left out of the mock (an install whose epoll was never built).
   */
  constructor(options: { chips?: readonly FakeChip[]; exported?: readonly number[]; missing?: readonly string[] } = { chips: PI5_CHIPS }) {
    const packages = Object.fromEntries(LOADED_LAZILY.filter((m) => !options.missing?.includes(m)).map((m) => dirname(require.resolve(`${m}/package.json`))).map((d) => [d, mock.load(d)]));
    const gpio: Record<string, string | Record<string, string>> = { export: '', unexport: '' };
    for (const c of options.chips ?? []) gpio[c.name] = { label: `${c.label}\n`, base: `${c.base}\n`, ngpio: `${c.ngpio}\n` };
    for (const n of options.exported ?? []) gpio[`gpio${n}`] = pinFiles('in', '0');
    mock({ ...packages, '/sys': options.chips ? { class: { gpio } } : {} });
    this.patch();
  }

  /** The content of a file now, or undefined when it is gone. */
  now(rel: string): string | undefined {
    const p = join(SYS, rel);
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').trim() : undefined;
  }

  /** The writes since the last call, and forget them. */
  take(): [string, string][] {
    return this.writes.splice(0);
  }

  /** Puts fs back and the real disk in place. */
  remove(): void {
    Object.assign(fs, this.real);
    syncBuiltinESMExports();
    mock.restore();
  }

  private patch(): void {
    const { real } = this;
    const self = this;
    const relOf = (p: unknown): string | undefined => (typeof p === 'string' && p.startsWith(SYS) ? p.slice(SYS.length) : undefined);
    Object.assign(fs, {
      openSync(path: fs.PathLike, ...rest: unknown[]): number {
        const rel = relOf(path);
        if (rel !== undefined) {
          const lag = self.udevLag.get(rel) ?? 0;
          if (self.denied.has(rel) || lag > 0) {
            if (lag > 0) self.udevLag.set(rel, lag - 1);
            self.refusedOpens++;
            throw errno('EACCES', String(path), 'open');
          }
        }
        const fd = (real.openSync as (...a: unknown[]) => number)(path, ...rest);
        if (rel !== undefined) self.fds.set(fd, rel);
        return fd;
      },
      closeSync(fd: number): void {
        self.fds.delete(fd);
        real.closeSync(fd);
      },
      writeSync(fd: number, buffer: Buffer, ...rest: unknown[]): number {
        const rel = self.fds.get(fd);
        if (rel !== undefined) {
          if (self.broken.has(rel)) throw errno('EIO', `fd ${fd}`, 'write');
          self.writes.push([rel, buffer.toString()]);
        }
        return (real.writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
      },
      writeFileSync(path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]): void {
        const rel = relOf(path);
        if (rel === undefined) return (real.writeFileSync as (...a: unknown[]) => void)(path, data, ...rest);
        self.kernelWrite(rel, String(data));
      },
    });
    syncBuiltinESMExports();
  }

  private kernelWrite(rel: string, text: string): void {
    const { real } = this;
    const at = join(SYS, rel);
    if (this.denied.has(rel)) throw errno('EACCES', at, 'open');
    this.writes.push([rel, text]);
    const gpio = /^class\/gpio\/(export|unexport)$/.exec(rel);
    if (gpio) {
      const dir = join(SYS, 'class/gpio', `gpio${text}`);
      if (gpio[1] === 'export') {
        if (this.held.has(Number(text)) || fs.existsSync(dir)) throw errno('EBUSY', at, 'write');
        fs.mkdirSync(dir);
        for (const [f, content] of Object.entries(pinFiles('in', '0'))) real.writeFileSync(join(dir, f), content);
      } else {
        if (!fs.existsSync(dir)) throw errno('EINVAL', at, 'write');
        fs.rmSync(dir, { recursive: true });
      }
      return;
    }
    if (!fs.existsSync(at)) throw errno('ENOENT', at, 'open');
    if (/^class\/gpio\/gpio\d+\/direction$/.test(rel) && (text === 'low' || text === 'high')) {
      real.writeFileSync(at, 'out\n');
      real.writeFileSync(at.replace(/direction$/, 'value'), text === 'high' ? '1\n' : '0\n');
      return;
    }
    real.writeFileSync(at, text);
  }
}

/** Whether onoff or epoll has been loaded in this process. */
export function onoffLoaded(): boolean {
  return Object.keys(require.cache).some((k) => /node_modules\/(onoff|epoll)\//.test(k));
}
