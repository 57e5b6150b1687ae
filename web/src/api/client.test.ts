import { describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../test/render';
import { ApiError, errorFromResponse, parseErrorEnvelope, request } from './client';

describe('parseErrorEnvelope', () => {
  it('reads the first error of the envelope', () => {
    const body = {
      errors: [
        { code: 'DisplayException', status: '400', detail: 'These credentials do not match our records.' },
        { code: 'Other', status: '400', detail: 'second' },
      ],
    };
    expect(parseErrorEnvelope(body)).toEqual({
      code: 'DisplayException',
      status: '400',
      detail: 'These credentials do not match our records.',
    });
  });

  it.each([
    ['null', null],
    ['a string', 'oops'],
    ['an object without errors', { message: 'x' }],
    ['an empty errors array', { errors: [] }],
    ['errors that is not an array', { errors: { detail: 'x' } }],
    ['an entry without detail', { errors: [{ code: 'X', status: '500' }] }],
    ['an empty detail', { errors: [{ code: 'X', status: '500', detail: ' ' }] }],
  ])('rejects %s', (_name, body) => {
    expect(parseErrorEnvelope(body)).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  it('uses the envelope detail and code', () => {
    const err = errorFromResponse(422, JSON.stringify({ errors: [{ code: 'ValidationException', status: '422', detail: 'The user field is required.' }] }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.detail).toBe('The user field is required.');
    expect(err.code).toBe('ValidationException');
    expect(err.isNetworkError).toBe(false);
  });

  it('falls back to the status for a non-JSON body', () => {
    const err = errorFromResponse(502, '<html><body>Bad Gateway</body></html>');
    expect(err.status).toBe(502);
    expect(err.detail).toBe('Request failed (HTTP 502)');
  });

  it('falls back to the status for JSON of another shape', () => {
    expect(errorFromResponse(500, '{"message":"Server Error"}').detail).toBe('Request failed (HTTP 500)');
  });

  it('falls back to the status for an empty body', () => {
    expect(errorFromResponse(404, '').detail).toBe('Request failed (HTTP 404)');
  });
});

describe('request', () => {
  it('sends JSON with the expected headers, credentials and the CSRF token', async () => {
    document.cookie = 'XSRF-TOKEN=abc%2Fdef';
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, { ok: true }));
    vi.stubGlobal('fetch', fetchMock);

    const res = await request('POST', '/auth/login', { body: { user: 'a', password: 'b' } });

    expect(res).toEqual({ ok: true });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json', 'X-XSRF-TOKEN': 'abc/def' });
    expect(JSON.parse(init.body as string)).toEqual({ user: 'a', password: 'b' });
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('fetches the CSRF cookie first when there is none', async () => {
    const fetchMock = vi.fn().mockImplementation(async (url: string) => {
      if (url === '/sanctum/csrf-cookie') {
        document.cookie = 'XSRF-TOKEN=fresh';
        return new Response(null, { status: 204 });
      }
      return jsonResponse(200, {});
    });
    vi.stubGlobal('fetch', fetchMock);
    await request('DELETE', '/api/client/account/api-keys/x');
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/sanctum/csrf-cookie', '/api/client/account/api-keys/x']);
    expect((fetchMock.mock.calls[1]![1] as RequestInit).headers).toMatchObject({ 'X-XSRF-TOKEN': 'fresh' });
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('retries once with a fresh token on 419', async () => {
    document.cookie = 'XSRF-TOKEN=stale';
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(419, { errors: [{ code: 'TokenMismatchException', status: '419', detail: 'CSRF token mismatch.' }] }))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
      .mockResolvedValueOnce(jsonResponse(200, { ok: 1 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(request('POST', '/x', { body: {} })).resolves.toEqual({ ok: 1 });
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/x', '/sanctum/csrf-cookie', '/x']);
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('sends raw bodies and reads text answers', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const fetchMock = vi.fn().mockResolvedValueOnce(new Response(null, { status: 204 })).mockResolvedValueOnce(new Response('motd=hi', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await request('POST', '/write', { rawBody: 'a=b', rawType: 'text/plain' });
    expect((fetchMock.mock.calls[0]![1] as RequestInit).body).toBe('a=b');
    expect(((fetchMock.mock.calls[0]![1] as RequestInit).headers as Record<string, string>)['Content-Type']).toBe('text/plain');
    await expect(request('GET', '/contents', { text: true })).resolves.toBe('motd=hi');
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('keeps the field of a validation error', () => {
    const err = errorFromResponse(422, JSON.stringify({ errors: [{ code: 'ValidationException', status: '422', detail: 'The name field is required.', meta: { source_field: 'name', rule: 'required' } }] }));
    expect(err.field).toBe('name');
  });

  it('sends no body or Content-Type without a body', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, {}));
    vi.stubGlobal('fetch', fetchMock);
    await request('GET', '/api/client/account');
    const init = fetchMock.mock.calls[0]?.[1] as RequestInit;
    expect(init.body).toBeUndefined();
    expect(init.headers).toEqual({ Accept: 'application/json' });
  });

  it('throws ApiError with the envelope detail on a non-2xx status', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(401, { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] })),
    );
    const err = await request('GET', '/api/client/account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).detail).toBe('Unauthenticated.');
  });

  it('throws ApiError with the status on a non-JSON error body', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('Bad Gateway', { status: 502 })));
    await expect(request('GET', '/x')).rejects.toMatchObject({ status: 502, detail: 'Request failed (HTTP 502)' });
  });

  it('throws a network ApiError when fetch rejects', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const err = await request('GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(0);
    expect((err as ApiError).isNetworkError).toBe(true);
    expect((err as ApiError).detail).toBe('Cannot reach the panel');
  });

  it('returns undefined for an empty 2xx body', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(null, { status: 204 })));
    await expect(request('DELETE', '/x')).resolves.toBeUndefined();
  });

  it('rethrows an abort untouched', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new DOMException('aborted', 'AbortError')));
    await expect(request('GET', '/x')).rejects.toMatchObject({ name: 'AbortError' });
  });
});
