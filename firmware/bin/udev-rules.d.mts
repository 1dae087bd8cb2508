/** persomux's udev rules for one board file (board/<name>.json). */
export function udevRules(boardFile: string): string;
