// The files and directories a simulated station creates on every card, in
// order (a directory before what it holds). Each needs its own certificate
// from the data server (PROTOCOL.md 5, `certificate`).

export interface CardFileSpec {
  /** MF: the master file (root directory); DF: a directory; EF: an elementary file. Not sent: for people. */
  readonly kind: 'MF' | 'DF' | 'EF';
  /** The path on the card, components separated by '/'. */
  readonly path: string;
  /** Bytes reserved (a directory's space, a file's size). */
  readonly size: number;
  /** Access conditions, as the card's operating system encodes them. */
  readonly acl: Uint8Array;
}

export const CARD_FILES: readonly CardFileSpec[] = [
  { kind: 'MF', path: '3F00', size: 8192, acl: Uint8Array.of(0x00, 0x11) },
  { kind: 'DF', path: '3F00/7F10', size: 4096, acl: Uint8Array.of(0x00, 0x12) },
  { kind: 'EF', path: '3F00/7F10/EF01', size: 256, acl: Uint8Array.of(0x00, 0xff, 0x01) },
  { kind: 'EF', path: '3F00/7F10/EF02', size: 1024, acl: Uint8Array.of(0x01, 0xff, 0x01) },
];
