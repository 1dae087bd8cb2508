// The README's worked example: recomputed here independently (HKDF from
// HMAC per RFC 5869, info / AAD / COSE bytes written out by hand, the nonce
// laid out by hand, AES-CCM straight from node:crypto), then opened by the
// router's side.
import { createCipheriv, createHmac } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openMessage, sealMessage, NO_PIV_YET } from '../../src/secure/seal.js';
import { SecureSession } from '../../src/secure/session.js';
import { exampleContexts, workedExample } from '../../src/secure/worked-example.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { coseBody, hex, toHex } from './helpers.js';

const ex = workedExample();

// RFC 5869: PRK = HMAC(salt, IKM); OKM = T(1) | ... with T(i) = HMAC(PRK, T(i-1) | info | i).
function hkdfByHand(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  let t = Buffer.alloc(0);
  let okm = Buffer.alloc(0);
  for (let i = 1; okm.length < length; i++) {
    t = createHmac('sha256', prk).update(Buffer.concat([t, info, Buffer.of(i)])).digest();
    okm = Buffer.concat([okm, t]);
  }
  return okm.subarray(0, length);
}

const ID_CONTEXT = '1111111111111111' + '2222222222222222';
// [id, id_context, 10, type, L]: 85, bstr id, 50 = bstr(16), 0a, "Key" = 634b6579 / "IV" = 624956, 10 = 16 / 0d = 13
const INFO_ROUTER_KEY = `85 4101 50${ID_CONTEXT} 0a 634b6579 10`;
const INFO_SERVER_KEY = `85 4102 50${ID_CONTEXT} 0a 634b6579 10`;
const INFO_COMMON_IV = `85 40 50${ID_CONTEXT} 0a 624956 0d`;
// {"t": "ready", "slots": 4, "ops": ["echo"]}
const PLAINTEXT = 'a3 6174 657265616479 65736c6f7473 04 636f7073 81 646563686f';
// [1, [10], h'02', h'00', h'']
const AAD_ARRAY = '85 01 810a 4102 4100 40';
// ["Encrypt0", h'', bstr(aad_array)]
const AAD = `83 68456e6372797074 30 40 49 ${AAD_ARRAY}`;

const example = suite('worked example (README)');

example('inputs as the brief fixes them', () => {
  assert.is(ex.masterSecret, '0102030405060708090a0b0c0d0e0f10');
  assert.is(ex.masterSalt, '9e7ca92223786340');
  assert.is(ex.routerKid, '01');
  assert.is(ex.serverKid, '02');
  assert.is(ex.idContext, ID_CONTEXT);
  assert.is(ex.piv, '00');
});

example('info, keys and Common IV match an independent HKDF', () => {
  const salt = hex(ex.masterSalt);
  const secret = hex(ex.masterSecret);
  assert.is(ex.infoRouterKey, toHex(hex(INFO_ROUTER_KEY)));
  assert.is(ex.infoServerKey, toHex(hex(INFO_SERVER_KEY)));
  assert.is(ex.infoCommonIv, toHex(hex(INFO_COMMON_IV)));
  assert.is(ex.routerKey, toHex(hkdfByHand(salt, secret, hex(INFO_ROUTER_KEY), 16)));
  assert.is(ex.serverKey, toHex(hkdfByHand(salt, secret, hex(INFO_SERVER_KEY), 16)));
  assert.is(ex.commonIv, toHex(hkdfByHand(salt, secret, hex(INFO_COMMON_IV), 13)));
});

example('plaintext, nonce, AAD, ciphertext and body match an independent computation', () => {
  assert.is(ex.plaintext, toHex(hex(PLAINTEXT)));
  const layout = hex('01 00000000000002 0000000000'); // size of ID, ID padded to 7, piv padded to 5
  const iv = hex(ex.commonIv);
  const nonce = Buffer.from(layout.map((b, i) => b ^ iv[i]!));
  assert.is(ex.nonce, toHex(nonce));
  assert.is(ex.externalAad, toHex(hex(AAD_ARRAY)));
  assert.is(ex.aad, toHex(hex(AAD)));
  const cipher = createCipheriv('aes-128-ccm', hex(ex.serverKey), nonce, { authTagLength: 8 });
  cipher.setAAD(hex(AAD), { plaintextLength: hex(PLAINTEXT).length });
  const ct = Buffer.concat([cipher.update(hex(PLAINTEXT)), cipher.final(), cipher.getAuthTag()]);
  assert.is(ex.ciphertext, toHex(ct));
  assert.is(ex.body, toHex(coseBody('02', '00', toHex(ct))));
});

example('sealMessage gives the same body', () => {
  const { server } = exampleContexts();
  assert.is(toHex(sealMessage(server, hex(ex.plaintext), 0)), ex.body);
});

example('the router opens it (openMessage and SecureSession)', () => {
  const { router } = exampleContexts();
  const opened = openMessage(router, hex(ex.body), NO_PIV_YET);
  assert.ok(opened.ok);
  if (opened.ok) {
    assert.is(toHex(opened.plaintext), toHex(hex(PLAINTEXT)));
    assert.is(opened.piv, 0);
  }
  const got = new SecureSession(router).unseal(hex(ex.body));
  assert.is(got.ok && toHex(got.plaintext), toHex(hex(PLAINTEXT)));
});

example('the frame carries the body (PROTOCOL.md 1)', () => {
  const frame = hex(ex.frame);
  assert.is(frame[frame.length - 1], 0);
  assert.not.ok(frame.subarray(0, -1).includes(0));
  const unframed = decodeFrame(frame.subarray(0, -1), 4096);
  assert.ok(unframed.ok && toHex(unframed.body) === ex.body);
});

example.run();
