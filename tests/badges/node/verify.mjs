// An independent check of a fairapp Open Badges 3.0 credential: Digital Bazaar's @digitalbazaar/vc with the
// eddsa-rdfc-2022 cryptosuite, offline. Contexts come from fairapp/badges/contexts (the project's bundle)
// plus the security v2 context (from npm) that the verifier frames the controller document with; every other
// URL is refused. Keys come from the controller document given (what <site>/badges/issuer serves), and the
// revocation bit from the status list credential given (<site>/badges/status/<fair>), itself verified.
// Usage: node verify.mjs CREDENTIAL.json CONTROLLER.json [STATUS_LIST.json]
// Prints one JSON line {"verified": bool, "error": "...", "revoked": bool|null} and exits 0 when verified.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import securityContext from '@digitalbazaar/security-context';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, '..', '..', '..', 'fairapp', 'badges', 'contexts');
const json = file => JSON.parse(readFileSync(file, 'utf8'));
const [credentialFile, controllerFile, statusFile] = process.argv.slice(2);
const credential = json(credentialFile);
const controller = json(controllerFile);
const statusList = statusFile ? json(statusFile) : null;

const documents = new Map([
  ['https://www.w3.org/ns/credentials/v2', json(path.join(bundle, 'credentials-v2.jsonld'))],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', json(path.join(bundle, 'ob-v3p0-context-3.0.3.json'))],
  ['https://w3id.org/security/multikey/v1', json(path.join(bundle, 'multikey-v1.jsonld'))],
  [securityContext.constants.SECURITY_CONTEXT_V2_URL, securityContext.contexts.get(securityContext.constants.SECURITY_CONTEXT_V2_URL)],
  [controller.id, controller],
]);
for(const method of controller.verificationMethod) {
  documents.set(method.id, method);
}
if(statusList) {
  documents.set(statusList.id, statusList);
}
const documentLoader = async url => {
  if(!documents.has(url)) {
    throw new Error(`refused to load ${url} (not bundled; no network)`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
};
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  if(!statusList || statusList.id !== entry.statusListCredential) {
    return {verified: false, error: new Error('status list not given')};
  }
  const listCheck = await vc.verifyCredential({credential: statusList, suite, documentLoader});
  if(!listCheck.verified) {
    return {verified: false, error: new Error('status list signature does not verify')};
  }
  const encoded = statusList.credentialSubject.encodedList;
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  const revoked = Boolean(bits[index >> 3] & (0x80 >> (index % 8)));
  checkStatus.revoked = revoked;
  return {verified: !revoked, error: revoked ? new Error('revoked') : undefined};
}
checkStatus.revoked = null;

let result;
try {
  result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
} catch(e) {
  result = {verified: false, error: e};
}
const firstError = result.error ? (result.error.errors ? result.error.errors.map(e => e.message).join('; ')
  : result.error.message) : (result.results || []).filter(r => !r.verified).map(r => r.error && r.error.message).join('; ');
console.log(JSON.stringify({verified: result.verified, error: result.verified ? null : firstError, revoked: checkStatus.revoked}));
process.exit(result.verified ? 0 : 1);
