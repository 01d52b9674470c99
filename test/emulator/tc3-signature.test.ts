import {
  buildCanonicalRequest,
  parseAuthorization,
  sha256Hex,
  signTc3Request,
  verifyTc3Request,
} from '../../src/emulator';
import { ApiError } from '../../src/emulator/api-error';

// The official TC3-HMAC-SHA256 example: the `\u` escapes are literal characters of the body.
const OFFICIAL_BODY = String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`;
const OFFICIAL = {
  service: 'cvm',
  timestampSeconds: 1551113065,
  headers: { 'content-type': 'application/json; charset=utf-8', host: 'cvm.tencentcloudapi.com' },
  payload: OFFICIAL_BODY,
};

/** The API error code `run` throws. */
function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ApiError ? error.code : String(error);
  }
  return undefined;
}

describe('TC3-HMAC-SHA256 signer', () => {
  test('the official example body hashes to the documented payload hash', () => {
    expect(sha256Hex(OFFICIAL_BODY)).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
  });

  test('the official example canonical request hashes to the documented value', () => {
    const { canonicalRequest, signedHeaders } = buildCanonicalRequest(OFFICIAL);
    expect(signedHeaders).toBe('content-type;host');
    expect(sha256Hex(canonicalRequest)).toBe(
      '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
  });

  test('the official example keys sign to the documented signature', () => {
    const signed = signTc3Request({
      ...OFFICIAL,
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    });
    expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(signed.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  test('the older document masked keys sign to its documented signature', () => {
    const signed = signTc3Request({
      ...OFFICIAL,
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******',
    });
    expect(signed.signature).toBe('2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c');
  });

  test('header names are lowercased and sorted whatever order they are given in', () => {
    const a = buildCanonicalRequest({
      headers: { Host: 'h', 'Content-Type': 'c', 'X-TC-Action': 'A' },
      payload: '',
    });
    const b = buildCanonicalRequest({
      headers: { 'x-tc-action': 'A', host: 'h', 'content-type': 'c' },
      payload: '',
    });
    expect(a).toEqual(b);
    expect(a.signedHeaders).toBe('content-type;host;x-tc-action');
  });
});

describe('TC3-HMAC-SHA256 verifier', () => {
  const credentials = [
    { secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' },
  ];
  const nowSeconds = OFFICIAL.timestampSeconds + 10;

  function officialRequest(overrides: { host?: string; body?: string } = {}) {
    const signed = signTc3Request({ ...OFFICIAL, ...credentials[0]! });
    return {
      method: 'POST',
      path: '/',
      query: '',
      headers: {
        host: overrides.host ?? 'cvm.tencentcloudapi.com',
        'content-type': OFFICIAL.headers['content-type'],
        'x-tc-timestamp': String(OFFICIAL.timestampSeconds),
        authorization: signed.authorization,
      },
      body: Buffer.from(overrides.body ?? OFFICIAL_BODY),
    };
  }

  test('the official example request verifies', () => {
    expect(
      verifyTc3Request(officialRequest(), { credentials, nowSeconds, clockSkewToleranceSeconds: 300 }),
    ).toEqual({
      secretId: credentials[0]!.secretId,
      service: 'cvm',
    });
  });

  test('a request signed without the port verifies when its Host header carries one (the Node SDK way)', () => {
    const request = officialRequest({ host: 'cvm.tencentcloudapi.com:8443' });
    expect(
      verifyTc3Request(request, { credentials, nowSeconds, clockSkewToleranceSeconds: 300 }).service,
    ).toBe('cvm');
  });

  test('a body changed after signing fails with AuthFailure.SignatureFailure', () => {
    const request = officialRequest({ body: OFFICIAL_BODY.replace('1', '2') });
    expect(
      errorCodeOf(() =>
        verifyTc3Request(request, { credentials, nowSeconds, clockSkewToleranceSeconds: 300 }),
      ),
    ).toBe('AuthFailure.SignatureFailure');
  });

  test('a timestamp beyond the tolerance fails with AuthFailure.SignatureExpire', () => {
    const options = {
      credentials,
      nowSeconds: OFFICIAL.timestampSeconds + 301,
      clockSkewToleranceSeconds: 300,
    };
    expect(errorCodeOf(() => verifyTc3Request(officialRequest(), options))).toBe(
      'AuthFailure.SignatureExpire',
    );
  });

  test('an Authorization header that is not TC3 does not parse', () => {
    expect(parseAuthorization('SKIP')).toBeUndefined();
    expect(
      parseAuthorization('TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00'),
    ).toBeUndefined();
  });
});
