// Requests to the vnsdi server. Every URL is relative to the page, which is
// served at <prefix>/viewer/, so the services are one level up: the viewer
// works behind a reverse proxy that adds a path prefix.
import { lang } from './i18n.js';

export const apiBase = new URL('../', window.location.href);
export const viewerBase = new URL('./', window.location.href);

export function apiUrl(path, params = {}) {
  const url = new URL(path, apiBase);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  return url;
}

// Fetch JSON; reject with an Error whose message is the server's own
// problem detail when there is one, and whose `status` is the HTTP status.
export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json', 'Accept-Language': lang() } });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    const error = new Error(detail || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  if (body === null) throw new Error(`${url.pathname}: not JSON`);
  return body;
}

export async function getText(url) {
  const response = await fetch(url, { headers: { 'Accept-Language': lang() } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

// Fetch every page of an OGC API items request, up to `max` features.
// Returns { features, matched, complete }.
export async function getAllItems(collection, params, pageSize, max) {
  const features = [];
  let matched = 0;
  let offset = 0;
  for (;;) {
    const page = await getJson(apiUrl(`collections/${encodeURIComponent(collection)}/items`, {
      ...params, f: 'json', limit: pageSize, offset,
    }));
    matched = page.numberMatched ?? matched;
    const got = page.features || [];
    features.push(...got);
    offset += got.length;
    if (got.length === 0 || offset >= matched) return { features, matched, complete: true };
    if (features.length >= max) return { features, matched, complete: false };
  }
}
