// The seam between frames and messages on a server or peer link: plaintext
// (`insecure: true`), or the protected channel of PROTOCOL.md 3
// (src/secure/session.ts: COSE_Encrypt0 under an OSCORE context).
export interface Channel {
  /** Frame body for one message's plaintext CBOR. */
  seal(plaintext: Uint8Array): Uint8Array;
  /** Plaintext CBOR of one frame body; undefined when the body must be dropped. */
  unseal(body: Uint8Array): Uint8Array | undefined;
}

export const plainChannel: Channel = {
  seal: (plaintext) => plaintext,
  unseal: (body) => body,
};
