// Key check values (GP: the first 3 bytes of AES-ECB(key, 16 x 01)).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEY_CHECK_BYTES, keyCheckValue } from '../../../src/sim/card/key-check.js';
import { hex } from './support.js';

const kcv = suite('keyCheckValue');

// Expected blocks from the OpenSSL command line, not from this code:
//   printf '\x01%.0s' $(seq 16) | openssl enc -aes-128-ecb -K 404142434445464748494a4b4c4d4e4f -nopad | xxd -p
//   -> 504a77e6e457dd861e066f7804281a5f
//   (the same with -aes-256-ecb and the key twice) -> d26086f3f573d1c3749cd7bd92b88154
const GP_DEFAULT = '404142434445464748494a4b4c4d4e4f';

kcv('AES-128: the first 3 bytes of AES-ECB(key, 16 x 01)', () => {
  assert.is(keyCheckValue(hex(GP_DEFAULT)).toString('hex'), '504a77');
});

kcv('AES-256', () => {
  assert.is(keyCheckValue(hex(GP_DEFAULT + GP_DEFAULT)).toString('hex'), 'd26086');
});

kcv('3 bytes, different for different keys', () => {
  const a = keyCheckValue(Buffer.alloc(16, 1));
  const b = keyCheckValue(Buffer.alloc(16, 2));
  assert.is(a.length, KEY_CHECK_BYTES);
  assert.is.not(a.toString('hex'), b.toString('hex'));
});

kcv('a key of another length is refused', () => {
  assert.throws(() => keyCheckValue(Buffer.alloc(15)), RangeError);
});

kcv.run();
