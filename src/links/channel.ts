// The seam between frames and messages on a server or peer link. Today every
// link is plaintext (`insecure: true`); the protected channel of PROTOCOL.md 3
// (COSE_Encrypt0 under an OSCORE context) will implement this same interface.
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
