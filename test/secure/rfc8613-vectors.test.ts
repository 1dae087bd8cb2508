// RFC 8613 Appendix C (and the section 5.4 AAD example), byte for byte.
// The values were typed from the RFC text (as quoted in public OSCORE test
// suites, several of which agree); nothing here comes from the code under test.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aadArray, additionalData, encStructure } from '../../src/secure/aad.js';
import { ccmDecrypt, ccmEncrypt } from '../../src/secure/aead.js';
import { deriveContext, kdfInfo } from '../../src/secure/context.js';
import { aeadNonce } from '../../src/secure/nonce.js';
import { encodePiv } from '../../src/secure/piv.js';
import { openMessage, sealMessage } from '../../src/secure/seal.js';
import { coseBody, hex, toHex } from './helpers.js';

const MASTER_SECRET = hex('0102030405060708090a0b0c0d0e0f10');
const MASTER_SALT = hex('9e7ca92223786340');
const ID_CONTEXT = hex('37cbf3210017a2d3');

interface KeyVector {
  name: string;
  salt: Buffer | undefined;
  idContext: Buffer | undefined;
  senderId: string;
  recipientId: string;
  infoSender: string;
  infoRecipient: string;
  infoIv: string;
  senderKey: string;
  recipientKey: string;
  commonIv: string;
  senderNonce: string;
  recipientNonce: string;
}

const keyVectors: KeyVector[] = [
  {
    name: 'C.1.1 client, with Master Salt',
    salt: MASTER_SALT, idContext: undefined, senderId: '', recipientId: '01',
    infoSender: '8540f60a634b657910', infoRecipient: '854101f60a634b657910', infoIv: '8540f60a6249560d',
    senderKey: 'f0910ed7295e6ad4b54fc793154302ff', recipientKey: 'ffb14e093c94c9cac9471648b4f98710',
    commonIv: '4622d4dd6d944168eefb54987c',
    senderNonce: '4622d4dd6d944168eefb54987c', recipientNonce: '4722d4dd6d944169eefb54987c',
  },
  {
    name: 'C.1.2 server, with Master Salt',
    salt: MASTER_SALT, idContext: undefined, senderId: '01', recipientId: '',
    infoSender: '854101f60a634b657910', infoRecipient: '8540f60a634b657910', infoIv: '8540f60a6249560d',
    senderKey: 'ffb14e093c94c9cac9471648b4f98710', recipientKey: 'f0910ed7295e6ad4b54fc793154302ff',
    commonIv: '4622d4dd6d944168eefb54987c',
    senderNonce: '4722d4dd6d944169eefb54987c', recipientNonce: '4622d4dd6d944168eefb54987c',
  },
  {
    name: 'C.2.1 client, without Master Salt',
    salt: undefined, idContext: undefined, senderId: '00', recipientId: '01',
    infoSender: '854100f60a634b657910', infoRecipient: '854101f60a634b657910', infoIv: '8540f60a6249560d',
    senderKey: '321b26943253c7ffb6003b0b64d74041', recipientKey: 'e57b5635815177cd679ab4bcec9d7dda',
    commonIv: 'be35ae297d2dace910c52e99f9',
    senderNonce: 'bf35ae297d2dace910c52e99f9', recipientNonce: 'bf35ae297d2dace810c52e99f9',
  },
  {
    name: 'C.2.2 server, without Master Salt',
    salt: undefined, idContext: undefined, senderId: '01', recipientId: '00',
    infoSender: '854101f60a634b657910', infoRecipient: '854100f60a634b657910', infoIv: '8540f60a6249560d',
    senderKey: 'e57b5635815177cd679ab4bcec9d7dda', recipientKey: '321b26943253c7ffb6003b0b64d74041',
    commonIv: 'be35ae297d2dace910c52e99f9',
    senderNonce: 'bf35ae297d2dace810c52e99f9', recipientNonce: 'bf35ae297d2dace910c52e99f9',
  },
  {
    name: 'C.3.1 client, with ID Context',
    salt: MASTER_SALT, idContext: ID_CONTEXT, senderId: '', recipientId: '01',
    infoSender: '85404837cbf3210017a2d30a634b657910', infoRecipient: '8541014837cbf3210017a2d30a634b657910',
    infoIv: '85404837cbf3210017a2d30a6249560d',
    senderKey: 'af2a1300a5e95788b356336eeecd2b92', recipientKey: 'e39a0c7c77b43f03b4b39ab9a268699f',
    commonIv: '2ca58fb85ff1b81c0b7181b85e',
    senderNonce: '2ca58fb85ff1b81c0b7181b85e', recipientNonce: '2da58fb85ff1b81d0b7181b85e',
  },
  {
    name: 'C.3.2 server, with ID Context',
    salt: MASTER_SALT, idContext: ID_CONTEXT, senderId: '01', recipientId: '',
    infoSender: '8541014837cbf3210017a2d30a634b657910', infoRecipient: '85404837cbf3210017a2d30a634b657910',
    infoIv: '85404837cbf3210017a2d30a6249560d',
    senderKey: 'e39a0c7c77b43f03b4b39ab9a268699f', recipientKey: 'af2a1300a5e95788b356336eeecd2b92',
    commonIv: '2ca58fb85ff1b81c0b7181b85e',
    senderNonce: '2da58fb85ff1b81d0b7181b85e', recipientNonce: '2ca58fb85ff1b81c0b7181b85e',
  },
];

const derivation = suite('RFC 8613 C.1-C.3: security context derivation');

for (const v of keyVectors) {
  const inputs = {
    masterSecret: MASTER_SECRET,
    ...(v.salt ? { masterSalt: v.salt } : {}),
    ...(v.idContext ? { idContext: v.idContext } : {}),
    senderId: hex(v.senderId),
    recipientId: hex(v.recipientId),
  };

  derivation(`${v.name}: info`, () => {
    assert.is(toHex(kdfInfo(hex(v.senderId), v.idContext, 'Key', 16)), v.infoSender);
    assert.is(toHex(kdfInfo(hex(v.recipientId), v.idContext, 'Key', 16)), v.infoRecipient);
    assert.is(toHex(kdfInfo(hex(''), v.idContext, 'IV', 13)), v.infoIv);
  });

  derivation(`${v.name}: Sender Key, Recipient Key, Common IV`, () => {
    const ctx = deriveContext(inputs);
    assert.is(toHex(ctx.senderKey), v.senderKey);
    assert.is(toHex(ctx.recipientKey), v.recipientKey);
    assert.is(toHex(ctx.commonIv), v.commonIv);
  });

  derivation(`${v.name}: nonces for Partial IV 0`, () => {
    const ctx = deriveContext(inputs);
    assert.is(toHex(aeadNonce(hex(v.senderId), hex('00'), ctx.commonIv)), v.senderNonce);
    assert.is(toHex(aeadNonce(hex(v.recipientId), hex('00'), ctx.commonIv)), v.recipientNonce);
  });
}

derivation('an empty Master Salt is the same as none (RFC 8613 3.2 default)', () => {
  const ctx = deriveContext({ masterSecret: MASTER_SECRET, masterSalt: new Uint8Array(0), senderId: hex('00'), recipientId: hex('01') });
  assert.is(toHex(ctx.senderKey), '321b26943253c7ffb6003b0b64d74041'); // C.2.1
});

derivation.run();

// ---------------------------------------------------------------------------
const aad = suite('RFC 8613 5.4: AAD example');

aad('kid h\'00\', Partial IV h\'25\'', () => {
  assert.is(toHex(aadArray(hex('00'), hex('25'))), '8501810a4100412540');
  assert.is(toHex(additionalData(hex('00'), hex('25'))), '8368456e63727970743040498501810a4100412540');
});

aad.run();

// ---------------------------------------------------------------------------
// C.4-C.6: request protection by the client. The RFC's plaintext is the CoAP
// inner message (code GET 0x01, Uri-Path "tv1" as b3747631); it is
// encrypted exactly as a persomux message would be. The RFC puts kid and piv
// into the OSCORE option instead of a COSE header map; the nonce, the AAD and
// the ciphertext are the same.
interface RequestVector {
  name: string;
  salt: Buffer | undefined;
  idContext: Buffer | undefined;
  senderId: string;
  recipientId: string;
  aadArray: string;
  aad: string;
  nonce: string;
  ciphertext: string;
}

const PLAINTEXT_C4 = '01b3747631';
const requestVectors: RequestVector[] = [
  {
    name: 'C.4 (C.1 client context)', salt: MASTER_SALT, idContext: undefined, senderId: '', recipientId: '01',
    aadArray: '8501810a40411440', aad: '8368456e63727970743040488501810a40411440',
    nonce: '4622d4dd6d944168eefb549868', ciphertext: '612f1092f1776f1c1668b3825e',
  },
  {
    name: 'C.5 (C.2 client context, kid h\'00\')', salt: undefined, idContext: undefined, senderId: '00', recipientId: '01',
    aadArray: '8501810a4100411440', aad: '8368456e63727970743040498501810a4100411440',
    nonce: 'bf35ae297d2dace910c52e99ed', ciphertext: '4ed339a5a379b0b8bc731fffb0',
  },
  {
    name: 'C.6 (C.3 client context, with ID Context)', salt: MASTER_SALT, idContext: ID_CONTEXT, senderId: '', recipientId: '01',
    aadArray: '8501810a40411440', aad: '8368456e63727970743040488501810a40411440',
    nonce: '2ca58fb85ff1b81c0b7181b84a', ciphertext: '72cd7273fd331ac45cffbe55c3',
  },
];

const requests = suite('RFC 8613 C.4-C.6: request protection');

for (const v of requestVectors) {
  const client = deriveContext({
    masterSecret: MASTER_SECRET,
    ...(v.salt ? { masterSalt: v.salt } : {}),
    ...(v.idContext ? { idContext: v.idContext } : {}),
    senderId: hex(v.senderId),
    recipientId: hex(v.recipientId),
  });
  const server = deriveContext({
    masterSecret: MASTER_SECRET,
    ...(v.salt ? { masterSalt: v.salt } : {}),
    ...(v.idContext ? { idContext: v.idContext } : {}),
    senderId: hex(v.recipientId),
    recipientId: hex(v.senderId),
  });

  requests(`${v.name}: Partial IV of sequence number 20 is h'14'`, () => {
    assert.is(toHex(encodePiv(20)), '14');
  });

  requests(`${v.name}: aad_array and AAD`, () => {
    const array = aadArray(hex(v.senderId), hex('14'));
    assert.is(toHex(array), v.aadArray);
    assert.is(toHex(encStructure(array)), v.aad);
  });

  requests(`${v.name}: nonce`, () => {
    assert.is(toHex(aeadNonce(hex(v.senderId), hex('14'), client.commonIv)), v.nonce);
  });

  requests(`${v.name}: ciphertext, and back`, () => {
    const ct = ccmEncrypt(client.senderKey, hex(v.nonce), hex(v.aad), hex(PLAINTEXT_C4));
    assert.is(toHex(ct), v.ciphertext);
    const back = ccmDecrypt(server.recipientKey, hex(v.nonce), hex(v.aad), hex(v.ciphertext));
    assert.is(back && toHex(back), PLAINTEXT_C4);
  });

  requests(`${v.name}: sealMessage gives the RFC ciphertext in a hand-built COSE_Encrypt0`, () => {
    const expected = coseBody(v.senderId, '14', v.ciphertext);
    assert.is(toHex(sealMessage(client, hex(PLAINTEXT_C4), 20)), toHex(expected));
  });

  requests(`${v.name}: the peer opens the RFC ciphertext`, () => {
    const opened = openMessage(server, coseBody(v.senderId, '14', v.ciphertext), 19);
    assert.ok(opened.ok);
    if (opened.ok) {
      assert.is(toHex(opened.plaintext), PLAINTEXT_C4);
      assert.is(opened.piv, 20);
    }
  });
}

requests.run();

// ---------------------------------------------------------------------------
// C.7 and C.8: the server's responses to the C.4 request (C.1.2 server
// context). PROTOCOL.md 3 has no responses, but the primitives are the same:
// the AAD names the request's kid h'' and piv h'14'; C.7 reuses the request's
// nonce, C.8 uses the server's own ID h'01' and Partial IV 0.
const responses = suite('RFC 8613 C.7-C.8: response protection (primitives)');
const PLAINTEXT_C7 = '45ff48656c6c6f20576f726c6421'; // 2.05 Content, payload "Hello World!"
const RESPONSE_AAD = '8368456e63727970743040488501810a40411440';
const c1server = deriveContext({ masterSecret: MASTER_SECRET, masterSalt: MASTER_SALT, senderId: hex('01'), recipientId: hex('') });

responses('C.7: the AAD names the request, the nonce is the request\'s', () => {
  assert.is(toHex(additionalData(hex(''), hex('14'))), RESPONSE_AAD);
  const nonce = aeadNonce(hex(''), hex('14'), c1server.commonIv);
  assert.is(toHex(nonce), '4622d4dd6d944168eefb549868');
  assert.is(toHex(ccmEncrypt(c1server.senderKey, nonce, hex(RESPONSE_AAD), hex(PLAINTEXT_C7))), 'dbaad1e9a7e7b2a813d3c31524378303cdafae119106');
});

responses('C.8: the server\'s own Partial IV 0', () => {
  const nonce = aeadNonce(c1server.senderId, encodePiv(0), c1server.commonIv);
  assert.is(toHex(nonce), '4722d4dd6d944169eefb54987c');
  assert.is(toHex(ccmEncrypt(c1server.senderKey, nonce, hex(RESPONSE_AAD), hex(PLAINTEXT_C7))), '4d4c13669384b67354b2b6175ff4b8658c666a6cf88e');
});

responses.run();
