// Text lines as a person types them at a terminal (PROTOCOL.md section 4 and
// section 6 reading 11): CR, LF and CR LF each end a line, a CR LF pair ends
// one line even when the CR and the LF arrive in separate writes; DEL and
// Ctrl-H erase one character, Ctrl-U the whole line; every other control
// byte (and a terminal's escape sequence, e.g. an arrow key) is dropped, so
// no control byte ever reaches a request. The editor also says what a
// terminal should be shown (its echo), whether or not the line echoes.
export const ASCII_MAX_LINE = 1024;

export type LineEvent =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'discard'; readonly reason: 'too-long' }
  /** What a terminal shows for the bytes just typed: the characters, "\b \b" per erase, CR LF per line end. */
  | { readonly kind: 'echo'; readonly bytes: Buffer };

const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const DEL = 0x7f;
const CTRL_U = 0x15;
const ESC = 0x1b;
const TAB = 0x09;
const ERASE = Buffer.from('\b \b', 'latin1');
const LINE_END = Buffer.from('\r\n', 'latin1');

/** Inside a terminal escape sequence: after ESC, after ESC [ (CSI, ends at 0x40-0x7e), after ESC O (one more byte). */
type Escape = 'none' | 'esc' | 'csi' | 'ss3';

/** Never holds more than one maximal line. */
export class LineEditor {
  private readonly buffer = Buffer.alloc(ASCII_MAX_LINE);
  private length = 0;
  /** The line passed 1024 bytes: the rest of it is dropped and the line is refused at its end. */
  private overflow = false;
  /** The last byte ended a line with CR: an LF right after it (in this chunk or the next) is the same line end. */
  private afterCr = false;
  private escape: Escape = 'none';

  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = [];
    const echo: Buffer[] = [];
    const flushEcho = (): void => {
      if (echo.length > 0) events.push({ kind: 'echo', bytes: Buffer.concat(echo.splice(0)) });
    };
    for (const byte of chunk) {
      const afterCr = this.afterCr;
      this.afterCr = false;
      if (this.escape !== 'none') {
        this.escape = nextEscape(this.escape, byte);
        continue;
      }
      if (byte === CR || byte === LF) {
        if (byte === LF && afterCr) continue;
        this.afterCr = byte === CR;
        echo.push(LINE_END);
        flushEcho();
        events.push(this.finish());
        continue;
      }
      if (byte === BS || byte === DEL) {
        if (this.eraseChar()) echo.push(ERASE);
        continue;
      }
      if (byte === CTRL_U) {
        const erased = this.eraseLine();
        for (let i = 0; i < erased; i++) echo.push(ERASE);
        continue;
      }
      if (byte === ESC) {
        this.escape = 'esc';
        continue;
      }
      // A tab separates words like a space; other control bytes are dropped.
      const kept = byte === TAB ? 0x20 : byte;
      if (kept < 0x20) continue;
      if (this.add(kept)) echo.push(Buffer.of(kept));
    }
    flushEcho();
    return events;
  }

  reset(): void {
    this.length = 0;
    this.overflow = false;
    this.afterCr = false;
    this.escape = 'none';
  }

  private add(byte: number): boolean {
    if (this.overflow) return false;
    if (this.length === ASCII_MAX_LINE) {
      this.overflow = true;
      return false;
    }
    this.buffer[this.length++] = byte;
    return true;
  }

  /** Erases one character: a UTF-8 sequence as a whole. False when there is nothing to erase. */
  private eraseChar(): boolean {
    if (this.overflow || this.length === 0) return false;
    do this.length--;
    while (this.length > 0 && (this.buffer[this.length]! & 0xc0) === 0x80);
    return true;
  }

  /** Erases the line (also one that overflowed: the person starts again); returns how many characters went. */
  private eraseLine(): number {
    const chars = this.overflow ? 0 : [...this.buffer.toString('utf8', 0, this.length)].length;
    this.length = 0;
    this.overflow = false;
    return chars;
  }

  private finish(): LineEvent {
    const event: LineEvent = this.overflow ? { kind: 'discard', reason: 'too-long' } : { kind: 'line', text: this.buffer.toString('utf8', 0, this.length) };
    this.length = 0;
    this.overflow = false;
    return event;
  }
}

function nextEscape(state: Escape, byte: number): Escape {
  switch (state) {
    case 'esc':
      return byte === 0x5b ? 'csi' : byte === 0x4f ? 'ss3' : 'none';
    case 'csi':
      return byte >= 0x40 && byte <= 0x7e ? 'none' : 'csi';
    case 'ss3':
    case 'none':
      return 'none';
  }
}
