// What `persomux check` says about the panel: the backend, the board, and
// every way the board does not fit the configuration.
import type { RouterConfig } from '../config/types.js';
import { checkBoard } from './board-check.js';

export function checkPanel(config: RouterConfig): { lines: string[]; ok: boolean } {
  const { backend, board } = config.panel;
  if (!board) return { lines: [`  panel: ${backend}${backend === 'console' ? ' (a lamp per line and server)' : ''}`], ok: true };
  const { problems, notes } = checkBoard(board, config);
  const head = `  panel: ${backend} on board ${board.name} (${board.description})`;
  const noted = notes.map((n) => `  note: ${n}`);
  if (problems.length === 0) return { lines: [head, `  board ${board.name} fits: every line has an LED and a port, no pin used twice`, ...noted], ok: true };
  return { lines: [head, ...noted, ...problems.map((p) => `${config.file}: panel.board: ${p}`)], ok: false };
}
