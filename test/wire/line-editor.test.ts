// The line editor of ASCII lines (PROTOCOL.md section 4, section 6 reading 11):
// line ends as terminals send them, erasing, and what a terminal is shown.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ASCII_MAX_LINE, LineEditor, type LineEvent } from '../../src/wire/line-editor.js';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const lines = (evs: LineEvent[]): string[] => evs.flatMap((e) => (e.kind === 'line' ? [e.text] : e.kind === 'discard' ? [`discard:${e.reason}`] : []));
const echoOf = (evs: LineEvent[]): string => evs.map((e) => (e.kind === 'echo' ? e.bytes.toString('latin1') : '')).join('');
/** Feeds each string as its own write, as a terminal program does key by key. */
function typed(...writes: string[]): LineEvent[] {
  const ed = new LineEditor();
  return writes.flatMap((w) => ed.push(ascii(w)));
}

const ends = suite('line-editor: line ends');

ends('CR LF, a lone LF and a lone CR each end a line; the CR LF pair ends one', () => {
  assert.equal(lines(typed('REQ 1 echo\r\nPING 2\nPING 3\rPING 4\r\n')), ['REQ 1 echo', 'PING 2', 'PING 3', 'PING 4']);
});

ends('CR and LF in separate writes are one line end, not a line and an empty line', () => {
  assert.equal(typed('PING 1\r', '\n', 'PING 2\r', '\n').map((e) => e.kind), ['echo', 'line', 'echo', 'line']);
  assert.equal(lines(typed('PING 1\r', '\n', 'PING 2\r', '\n')), ['PING 1', 'PING 2']);
});

ends('CR CR and LF CR are two line ends (an empty line between); LF LF too', () => {
  assert.equal(lines(typed('a\r\rb\n\rc\n\n')), ['a', '', 'b', '', 'c', '']);
});

ends('a line comes out at its CR, without waiting for an LF (picocom sends CR only)', () => {
  const ed = new LineEditor();
  assert.equal(lines(ed.push(ascii('REQ 1 echo\r'))), ['REQ 1 echo']);
  assert.equal(lines(ed.push(ascii('\n'))), []);
});

ends('a text split at every place gives the same lines', () => {
  const text = 'REQ 7 echo a=0x01\r\nPING 8\rPING 9\n';
  for (let cut = 0; cut <= text.length; cut++) {
    assert.equal(lines(typed(text.slice(0, cut), text.slice(cut))), ['REQ 7 echo a=0x01', 'PING 8', 'PING 9'], `cut ${cut}`);
  }
});

ends('a line of 1024 bytes is read; a longer one is discarded and the next line is read', () => {
  assert.is(ASCII_MAX_LINE, 1024);
  const fits = 'x'.repeat(1024);
  assert.equal(lines(typed(fits + '\r\n')), [fits]);
  assert.equal(lines(typed('y'.repeat(1025) + '\n' + 'PING 1\r\n')), ['discard:too-long', 'PING 1']);
  assert.equal(lines(typed('z'.repeat(1025) + '\r', '\nPING 2\r\n')), ['discard:too-long', 'PING 2']);
});

ends('a very long line fed in pieces yields one discard', () => {
  const ed = new LineEditor();
  const piece = ascii('abcdefgh'.repeat(8192));
  for (let i = 0; i < 32; i++) assert.equal(lines(ed.push(piece)), []);
  assert.equal(lines(ed.push(ascii('\r\nPING 5\n'))), ['discard:too-long', 'PING 5']);
});

ends.run();

const editing = suite('line-editor: editing');

editing('DEL and Ctrl-H erase one character; erasing an empty line does nothing', () => {
  assert.equal(lines(typed('PINX\x7fG 12\r')), ['PING 12']);
  assert.equal(lines(typed('REQ 1 echp\bo\r')), ['REQ 1 echo']);
  assert.equal(lines(typed('\x7f\x7f\bPING\r')), ['PING']);
  assert.equal(lines(typed('ab\x7f\x7f\x7fc\r')), ['c']);
});

editing('Ctrl-U erases the line typed so far', () => {
  assert.equal(lines(typed('REQ 1 launch', '\x15', 'PING 3\r')), ['PING 3']);
});

editing('a multi-byte UTF-8 character is erased as one', () => {
  const ed = new LineEditor();
  const evs = [...ed.push(Buffer.from('REQ 1 echo n=né', 'utf8')), ...ed.push(ascii('\x7fe\r'))];
  assert.equal(lines(evs), ['REQ 1 echo n=ne']);
});

editing('no control byte reaches a line: other C0 bytes dropped, tab becomes a space, arrow keys and F-keys vanish', () => {
  const [line] = lines(typed('RE\x00Q\x01 1\techo \x1b[A\x1b[1;5Ca=b\x1bOP\x07\r'));
  assert.is(line, 'REQ 1 echo a=b');
  assert.ok(/^[\x20-\x7e]*$/.test(line!));
});

editing('Ctrl-U after an overlong line starts a fresh line', () => {
  assert.equal(lines(typed('x'.repeat(2000), '\x15', 'PING 1\r')), ['PING 1']);
});

editing('reset() forgets a partial line and a pending CR', () => {
  const ed = new LineEditor();
  ed.push(ascii('REQ 1 ec'));
  ed.reset();
  assert.equal(lines(ed.push(ascii('PING 1\n'))), ['PING 1']);
  ed.push(ascii('PING 2\r'));
  ed.reset();
  assert.equal(lines(ed.push(ascii('\n'))), [''], 'after a reset an LF is a line end of its own');
});

editing.run();

const echo = suite('line-editor: what a terminal is shown');

echo('typed characters, then CR LF at the line end, once for a CR LF pair', () => {
  assert.is(echoOf(typed('PI', 'NG', '\r', '\n')), 'PING\r\n');
  assert.is(echoOf(typed('PING\n')), 'PING\r\n');
});

echo('each erase is "\\b \\b"; an erase with nothing to erase shows nothing', () => {
  assert.is(echoOf(typed('ab', '\x7f', '\b', '\x7f', 'c')), 'ab\b \b\b \bc');
  const ed = new LineEditor();
  const evs = [...ed.push(Buffer.from('né', 'utf8')), ...ed.push(ascii('\x7f'))];
  assert.is(Buffer.concat(evs.map((e) => (e.kind === 'echo' ? e.bytes : Buffer.alloc(0)))).toString('utf8'), 'né\b \b', 'the bytes of é go out as typed, and one erase takes them back');
});

echo('Ctrl-U shows one erase per character', () => {
  assert.is(echoOf(typed('abc', '\x15')), 'abc' + '\b \b'.repeat(3));
});

echo('dropped control bytes and characters past 1024 are not shown', () => {
  assert.is(echoOf(typed('a\x01\x1b[Ab')), 'ab');
  assert.is(echoOf(typed('x'.repeat(1030))), 'x'.repeat(1024));
});

echo('the echo of a line comes before the line itself', () => {
  assert.equal(typed('PING 1\r').map((e) => e.kind), ['echo', 'line']);
});

echo.run();
