// Reading the catalog's JSON APIs; a refused request becomes an ApiError carrying the API's own
// explanation (the `detail` of its problem+json body), which the page shows as it is.

export class ApiError extends Error {
  constructor(message, status) {
    super(message || '');
    this.status = status; // 0 when the server could not be reached
  }
}

/** The JSON body at `url`; throws ApiError on a refusal or a network failure. */
export async function getJson(url, signal) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError('', 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(problemMessage(body, response), response.status);
  return body;
}

function problemMessage(body, response) {
  if (body && typeof body === 'object') {
    const text = body.detail || body.description || body.title;
    if (text) return String(text);
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** The `token` of a STAC page link (`next` or `prev`) in `links`, or ''. */
export function pageToken(links, rel) {
  const found = (links || []).find((link) => link.rel === rel && link.href);
  if (!found) return '';
  return new URL(found.href, window.location.href).searchParams.get('token') || '';
}
