// The `panel` section: which LED backend, and which board file describes the
// hardware. The board file is read here, once, so a mistake in it is a
// configuration error naming `panel.board`.
import type { Board } from '../panel/board.js';
import { BoardError, loadBoard } from '../panel/board.js';
import type { ConfigProblem } from './errors.js';

export const PANEL_BACKENDS = ['gpio', 'led-class', 'console', 'none'] as const;
export type PanelBackend = (typeof PANEL_BACKENDS)[number];

export interface PanelConfig {
  readonly backend: PanelBackend;
  /** Required by gpio and led-class; the console lays its lamps out from it when given. */
  readonly board: Board | undefined;
}

export const NO_PANEL: PanelConfig = { backend: 'none', board: undefined };

export function validatePanel(value: unknown, configDir: string, problems: ConfigProblem[]): PanelConfig | undefined {
  if (value === undefined) return NO_PANEL;
  const fail = (field: string, reason: string): undefined => void problems.push({ field, reason });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('panel', 'must be an object {backend, board}');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'backend' && key !== 'board') fail(`panel.${key}`, 'unknown field (known: backend, board)');
  const backend = o.backend === undefined ? 'none' : PANEL_BACKENDS.find((b) => b === o.backend);
  if (backend === undefined) return fail('panel.backend', `must be one of ${PANEL_BACKENDS.map((b) => JSON.stringify(b)).join(', ')}`);
  if (o.board === undefined) {
    if (backend === 'gpio' || backend === 'led-class') return fail('panel.board', `is missing: the ${backend} backend needs a board file (persomux-pi4, persomux-pi4-16, persomux-pi5, persomux-pi5-16, or a path)`);
    return { backend, board: undefined };
  }
  if (typeof o.board !== 'string' || o.board.length === 0) return fail('panel.board', 'must be a board name or a path to a board file');
  try {
    return { backend, board: loadBoard(o.board, configDir) };
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    return fail('panel.board', e.message.replace(/\n/g, '; '));
  }
}
