// Which sysfs GPIO number a BCM pin has: the header's gpiochip is found by
// its label and its base added (FACTS.md: Pi 4 on 6.6 has base 512, Pi 5
// base 571; never 0 on current kernels).
import { PanelUnavailableError } from './driver.js';
import type { SysfsFiles } from './sysfs.js';

export interface GpioChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export const GPIO_DIR = 'class/gpio';

export function findHeaderChip(files: SysfsFiles, labels: readonly string[]): GpioChip {
  if (!files.exists(GPIO_DIR)) {
    throw new PanelUnavailableError('gpio', `${files.where(GPIO_DIR)} does not exist: this kernel has no sysfs GPIO (CONFIG_GPIO_SYSFS); use the led-class backend`);
  }
  const chips = files
    .list(GPIO_DIR)
    .filter((n) => /^gpiochip\d+$/.test(n))
    .map((name) => ({
      name,
      label: files.read(`${GPIO_DIR}/${name}/label`),
      base: Number(files.read(`${GPIO_DIR}/${name}/base`)),
      ngpio: Number(files.read(`${GPIO_DIR}/${name}/ngpio`)),
    }));
  for (const label of labels) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  const found = chips.map((c) => `${c.name} '${c.label}'`).join(', ') || 'none';
  throw new PanelUnavailableError('gpio', `no gpiochip labelled ${labels.map((l) => `'${l}'`).join(' or ')} under ${files.where(GPIO_DIR)} (found: ${found}); is this the board's Raspberry Pi?`);
}
