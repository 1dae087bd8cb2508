// SCP03 session keys and cryptograms, and KDF3 diversification, against
// published vectors only (no expected value here comes from the code under test).
import { createCipheriv } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aesCmac } from '../../../src/dataserver/crypto/aes-cmac.js';
import { cardStaticKeys, sessionKeys } from '../../../src/dataserver/crypto/derivations.js';
import { kdf3, kdf3Via, softwareCmacKey } from '../../../src/dataserver/crypto/kdf.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// ---------------------------------------------------------------------------
// osmocom/pysim tests/unittests/test_globalplatform.py (commit 078ac2bf19d2),
// classes SCP03_Test_AES{128,192,256}_{11,03,33}: the APDUs of a real SCP03
// session per static keyset (KEYSET_AES128/192/256, ENC and MAC keys below),
// copied byte for byte. As in that file's SCP03_Test: host challenge =
// init_upd_cmd[5:-1]; card challenge = init_upd_rsp[13:21]; card cryptogram =
// init_upd_rsp[21:29]; security level = ext_auth_cmd[2]; EXTERNAL AUTHENTICATE
// carries the host cryptogram (ext_auth_cmd[5:13]) and its C-MAC (ext_auth_cmd[13:21]).
// The C-MAC, C-ENC and R-MAC rules used below to reach S-MAC, S-ENC and
// S-RMAC are those of GP Amendment D 6.2.4 to 6.2.6 as pySim implements them
// (pySim/global_platform/scp.py, Scp03SessionKeys and SCP03._wrap_cmd_apdu).
// ---------------------------------------------------------------------------

interface PysimCase {
  readonly name: string;
  readonly enc: string;
  readonly mac: string;
  readonly initUpdCmd: string;
  readonly initUpdRsp: string;
  readonly extAuthCmd: string;
  readonly getEidCmd: string;
  readonly getEidRsp: string;
}

const AES128 = { enc: '000102030405060708090a0b0c0d0e0f', mac: '101112131415161718191a1b1c1d1e1f' };
const AES192 = { enc: '000102030405060708090a0b0c0d0e0f0001020304050607', mac: '101112131415161718191a1b1c1d1e1f1011121314151617' };
const AES256 = {
  enc: '000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f',
  mac: '101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f',
};

const PYSIM: readonly PysimCase[] = [
  {
    name: 'AES128_11',
    ...AES128,
    initUpdCmd: '8050300008b13e5f938fc108c400',
    initUpdRsp: '000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002',
    extAuthCmd: '84821100107d5f5826a993ebc89eea24957fa0b3ce',
    getEidCmd: '84e291000ebf3e035c015a558d036518a2829700',
    getEidRsp: 'bf3e125a1089882119900000000000000000000005971be68992dbbdfa',
  },
  {
    name: 'AES128_03',
    ...AES128,
    initUpdCmd: '80503000088e1552d0513c60f300',
    initUpdRsp: '0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001',
    extAuthCmd: '8482030010fd4721a14d9b07003c451d2f8ae6bb21',
    getEidCmd: '84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00',
    getEidRsp: 'bf3e125a1089882119900000000000000000000005',
  },
  {
    name: 'AES128_33',
    ...AES128,
    initUpdCmd: '8050300008fdf38259a1e0de4400',
    initUpdRsp: '000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003',
    extAuthCmd: '84823300108c36f96bcc00724a4e13ad591d7da3f0',
    getEidCmd: '84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00',
    getEidRsp: 'f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9',
  },
  {
    name: 'AES192_11',
    ...AES192,
    initUpdCmd: '80503100087396430b768b085b00',
    initUpdRsp: '000000000000000000003103708cfc23522ffdbf1e5df5542cac8fd866000003',
    extAuthCmd: '84821100102145ed30b146f5db252fb7e624cec244',
    getEidCmd: '84e291000ebf3e035c015aff42cf801d14394400',
    getEidRsp: 'bf3e125a1089882119900000000000000000000005162fbd33e04940a9',
  },
  {
    name: 'AES192_03',
    ...AES192,
    initUpdCmd: '805031000869c65da8202bf19f00',
    initUpdRsp: '00000000000000000000310370b570a67be38446717729d6dd3d2ec5b1000001',
    extAuthCmd: '848203001065df4f1a356a887905466516d9e5b7c1',
    getEidCmd: '84e2910018d2c6fb477c5d4afe4fd4d21f17eff10d3578ec1774a12a2d00',
    getEidRsp: 'bf3e125a1089882119900000000000000000000005',
  },
  {
    name: 'AES192_33',
    ...AES192,
    initUpdCmd: '80503100089b3f2eef0e8c937400',
    initUpdRsp: '00000000000000000000310370f6bb305a15bae1a68f79fb08212fbed7000002',
    extAuthCmd: '84823300109100bc22d58b45b86a26365ce39ff3cf',
    getEidCmd: '84e29100188f7f946c84f70d17994bc6e8791251bb1bb1bf02cf8de58900',
    getEidRsp: 'c05176c1b6f72aae50c32cbee63b0e95998928fd4dfb2be9f27ffde8c8476f5909b4805cc4039599',
  },
  {
    name: 'AES256_11',
    ...AES256,
    initUpdCmd: '805032000811666d57866c6f5400',
    initUpdRsp: '0000000000000000000032037053ea8847efa7674e41498a4d66cf0dee000003',
    extAuthCmd: '84821100102f2ad190eff2fafc4908996d1cebd310',
    getEidCmd: '84e291000ebf3e035c015af4b680372542b59d00',
    getEidRsp: 'bf3e125a10898821199000000000000000000000058012dd7f01f1c4c1',
  },
  {
    name: 'AES256_03',
    ...AES256,
    initUpdCmd: '8050320008c6066990fc426e1d00',
    initUpdRsp: '000000000000000000003203708682cd81bbd8919f2de3f2664581f118000001',
    extAuthCmd: '848203001077c493b632edadaf865a1e64acc07ce9',
    getEidCmd: '84e29100183ddaa60594963befaada3525b492ede23c2ab2c1ce3afe4400',
    getEidRsp: 'bf3e125a1089882119900000000000000000000005',
  },
  {
    name: 'AES256_33',
    ...AES256,
    initUpdCmd: '805032000897b2055fe58599fd00',
    initUpdRsp: '00000000000000000000320370a8439a22cedf045fa9f1903b2834f26e000002',
    extAuthCmd: '8482330010508a0fd959d2e547c6b33154a6be2057',
    getEidCmd: '84e29100187a5ef717eaf1e135ae92fe54429d0e465decda65f5fe5aea00',
    getEidRsp: 'ea90dbfa648a67c5eb6abc57f8530b97d0cd5647c5e8732016b55203b078dd2ace7f8bc5d1c1cd99',
  },
];

/** The plain GET DATA (EID) command of pySim's SCP03_Test.get_eid_cmd_plain, its data field, and the plain response. */
const GET_EID_DATA = hex('bf3e035c015a');
const GET_EID_RSP_PLAIN = hex('bf3e125a1089882119900000000000000000000005');
const SW_9000 = hex('9000');

function parse(c: PysimCase) {
  const iuCmd = hex(c.initUpdCmd);
  const iuRsp = hex(c.initUpdRsp);
  const ea = hex(c.extAuthCmd);
  return {
    hostChallenge: iuCmd.subarray(5, iuCmd.length - 1),
    cardChallenge: iuRsp.subarray(13, 21),
    cardCryptogram: iuRsp.subarray(21, 29),
    level: ea[2] as number,
    extAuth: ea,
    hostCryptogram: ea.subarray(5, 13),
    extAuthMac: ea.subarray(13, 21),
  };
}

const pysim = suite('SCP03 session keys and cryptograms, pySim test_globalplatform.py');

for (const c of PYSIM) {
  pysim(`${c.name}: card and host cryptograms`, () => {
    const p = parse(c);
    assert.is(p.hostChallenge.length, 8);
    const s = sessionKeys(hex(c.enc), hex(c.mac), p.hostChallenge, p.cardChallenge);
    assert.is(s.cardCryptogram.toString('hex'), p.cardCryptogram.toString('hex'));
    assert.is(s.hostCryptogram.toString('hex'), p.hostCryptogram.toString('hex'));
    assert.is(s.sEnc.length, c.enc.length / 2);
    assert.is(s.sMac.length, c.mac.length / 2);
    assert.is(s.sRmac.length, c.mac.length / 2);
  });

  pysim(`${c.name}: S-MAC gives the C-MAC of EXTERNAL AUTHENTICATE`, () => {
    // Amendment D 6.2.4: C-MAC = CMAC(S-MAC, chaining value || modified header and data), first
    // chaining value 16 x 00; the MACed APDU is ext_auth_cmd without its MAC (pySim calc_cmac).
    const p = parse(c);
    const s = sessionKeys(hex(c.enc), hex(c.mac), p.hostChallenge, p.cardChallenge);
    const mac = aesCmac(s.sMac, Buffer.concat([Buffer.alloc(16), p.extAuth.subarray(0, 13)]));
    assert.is(mac.subarray(0, 8).toString('hex'), p.extAuthMac.toString('hex'));
  });
}

for (const c of PYSIM.filter((x) => parse(x).level === 0x03)) {
  pysim(`${c.name}: S-ENC gives the encrypted data of the first command after authentication`, () => {
    // Amendment D 6.2.6: ICV = AES(S-ENC, counter 1 as a 16-byte block); data padded 80 00..;
    // AES-CBC with S-ENC and that ICV (pySim Scp03SessionKeys._get_icv/_encrypt).
    const p = parse(c);
    const s = sessionKeys(hex(c.enc), hex(c.mac), p.hostChallenge, p.cardChallenge);
    const bits = s.sEnc.length * 8;
    const counter = Buffer.alloc(16);
    counter[15] = 1;
    const ecb = createCipheriv(`aes-${bits}-ecb`, s.sEnc, null).setAutoPadding(false);
    const icv = Buffer.concat([ecb.update(counter), ecb.final()]);
    const padded = Buffer.alloc(16);
    padded.set(GET_EID_DATA);
    padded[GET_EID_DATA.length] = 0x80;
    const cbc = createCipheriv(`aes-${bits}-cbc`, s.sEnc, icv).setAutoPadding(false);
    const encrypted = Buffer.concat([cbc.update(padded), cbc.final()]);
    assert.is(encrypted.toString('hex'), hex(c.getEidCmd).subarray(5, 21).toString('hex'));
  });
}

for (const c of PYSIM.filter((x) => parse(x).level === 0x11)) {
  pysim(`${c.name}: S-RMAC gives the R-MAC of the first response after authentication`, () => {
    // Amendment D 6.2.5: R-MAC = CMAC(S-RMAC, chaining value of the command || data || SW), where
    // that chaining value is the full C-MAC of the GET DATA command, itself chained on the
    // EXTERNAL AUTHENTICATE C-MAC (pySim calc_cmac / calc_rmac).
    const p = parse(c);
    const s = sessionKeys(hex(c.enc), hex(c.mac), p.hostChallenge, p.cardChallenge);
    const chain1 = aesCmac(s.sMac, Buffer.concat([Buffer.alloc(16), p.extAuth.subarray(0, 13)]));
    const cmd = hex(c.getEidCmd);
    const chain2 = aesCmac(s.sMac, Buffer.concat([chain1, cmd.subarray(0, 11)]));
    assert.is(chain2.subarray(0, 8).toString('hex'), cmd.subarray(11, 19).toString('hex'), 'C-MAC of GET DATA');
    const rsp = hex(c.getEidRsp);
    const data = rsp.subarray(0, rsp.length - 8);
    assert.is(data.toString('hex'), GET_EID_RSP_PLAIN.toString('hex'));
    const rmac = aesCmac(s.sRmac, Buffer.concat([chain2, data, SW_9000]));
    assert.is(rmac.subarray(0, 8).toString('hex'), rsp.subarray(rsp.length - 8).toString('hex'));
  });
}

pysim('a challenge that is not 8 bytes is refused', () => {
  assert.throws(() => sessionKeys(hex(AES128.enc), hex(AES128.mac), Buffer.alloc(7), Buffer.alloc(8)), /hostChallenge must be 8 bytes/);
  assert.throws(() => sessionKeys(hex(AES128.enc), hex(AES128.mac), Buffer.alloc(8), Buffer.alloc(16)), /cardChallenge must be 8 bytes/);
});

pysim('static keys of different lengths are refused', () => {
  assert.throws(() => sessionKeys(hex(AES128.enc), hex(AES256.mac), Buffer.alloc(8), Buffer.alloc(8)), /same length/);
});

pysim.run();

// ---------------------------------------------------------------------------
// martinpaljak/GlobalPlatformPro library/src/test/java/pro/javacard/gp/TestSCP03.java,
// testKDF3: scp03_kdf(master, {}, SCP03_KDF_CONSTANTS.get(ENC) || kdd, master.length)
// with SCP03_KDF_CONSTANTS ENC = 00 00 00 01 00 (PlaintextKeys.java), i.e. KDF3 with purpose 01.
// ---------------------------------------------------------------------------

const gpp = suite('KDF3, GlobalPlatformPro TestSCP03.testKDF3');

const KDF3_KDD = hex('D9B1DE5D0362DEDCE4FB');
const KDF3_MASTER = hex('8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD');
const KDF3_ENC = '9AAC5D0B3601F89438A0D9D0B6B256CFB47E6462DFA5228D3420C4AC7C224781'.toLowerCase();

gpp('kdf3 over key bytes', () => {
  assert.is(kdf3(KDF3_MASTER, 0x01, KDF3_KDD).toString('hex'), KDF3_ENC);
});

gpp('kdf3Via, the master key used only through a CMAC callback', async () => {
  const seen: number[] = [];
  const soft = softwareCmacKey(KDF3_MASTER);
  const viaCallback = {
    bytes: 32 as const,
    cmac: (data: Buffer) => {
      seen.push(data[0] as number);
      return soft.cmac(data);
    },
  };
  assert.is((await kdf3Via(viaCallback, 0x01, KDF3_KDD)).toString('hex'), KDF3_ENC);
  assert.equal(seen, [1, 2], 'two CMAC blocks, counters 1 and 2');
});

gpp('cardStaticKeys: K-ENC is KDF3 with purpose 01', async () => {
  // The vector's KDD is 10 bytes, a valid csn length (4 to 16).
  const { kEnc, kMac } = await cardStaticKeys(KDF3_MASTER, KDF3_MASTER, KDF3_KDD);
  assert.is(kEnc.toString('hex'), KDF3_ENC);
  // No published vector for purpose 02; it must at least differ from 01.
  assert.is.not(kMac.toString('hex'), KDF3_ENC);
  assert.is(kMac.length, 32);
});

gpp.run();
