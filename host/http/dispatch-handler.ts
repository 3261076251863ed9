// Dispatch handlers across undici's two handler APIs. unixAgent() is an
// Agent of the undici package unixsock depends on (6.x), whose dispatch()
// takes the legacy handler (onConnect, onHeaders, onData, onComplete,
// onError, onUpgrade). The global fetch of every Node bundles its own undici:
// Node 20/22 (6.x) pass legacy handlers, Node 24 (7.x) handlers with both
// sets of methods, Node 26 (8.x) handlers with only the controller API
// (onRequestStart, onResponseStart, onResponseData, onResponseEnd,
// onResponseError, onRequestUpgrade). legacyHandler() drives a
// controller-API handler through the legacy calls, so one Agent serves them all.

/** A response's headers or trailers as undici's legacy API hands them: [name, value, name, value, …]. */
type RawHeaders = Buffer[];

type Headers = Record<string, string | string[]>;

/** The controller a controller-API handler receives in each call. */
export class DispatchController {
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  paused = false;
  aborted = false;
  reason: Error | null = null;
  /** The response's headers as received (undici 8's fetch reads them here, byte for byte). */
  rawHeaders: RawHeaders | undefined;
  rawTrailers: RawHeaders | undefined;

  /** @internal */
  started(abort: (reason?: Error) => void): void {
    this.#abort = abort;
  }

  /** @internal */
  headers(raw: RawHeaders, resume: () => void): void {
    this.rawHeaders = raw;
    this.#resume = resume;
  }

  abort(reason?: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? null;
    this.#abort?.(reason);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.#resume?.();
  }
}

/** The methods of a controller-API handler (all optional, as undici calls them). */
export interface ControllerHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void;
  onRequestUpgrade?(controller: DispatchController, statusCode: number, headers: Headers, socket: unknown): void;
  onResponseStart?(controller: DispatchController, statusCode: number, headers: Headers, statusMessage?: string): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: Headers): void;
  onResponseError?(controller: DispatchController, error: Error): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
  onResponseStarted?(): void;
}

/** Raw headers as an object: lower-case names, latin1 values, repeated names as arrays. */
function headerObject(raw: RawHeaders | null | undefined): Headers {
  const headers: Headers = {};
  if (!Array.isArray(raw)) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const prev = Object.hasOwn(headers, name) ? headers[name] : undefined;
    const next = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    // defineProperty: a header named __proto__ stays a header.
    Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/**
 * `handler` as undici 6's dispatch() wants it: a legacy handler (it has
 * onError) as it is; a controller-API handler (it has onResponseError)
 * wrapped; anything else as it is, for dispatch() to refuse.
 */
export function legacyHandler(handler: unknown): unknown {
  if (handler === null || typeof handler !== 'object') return handler;
  const h = handler as ControllerHandler & { onError?: unknown };
  if (typeof h.onError === 'function' || typeof h.onResponseError !== 'function') return handler;
  const controller = new DispatchController();
  const legacy: Record<string, unknown> = {
    onConnect(abort: (reason?: Error) => void, context: unknown) {
      controller.started(abort);
      h.onRequestStart?.(controller, context);
    },
    onError(err: Error) {
      h.onResponseError!(controller, err);
    },
    onUpgrade(statusCode: number, raw: RawHeaders, socket: unknown) {
      controller.headers(raw, () => {});
      h.onRequestUpgrade?.(controller, statusCode, headerObject(raw), socket);
    },
    onHeaders(statusCode: number, raw: RawHeaders, resume: () => void, statusText?: string) {
      controller.headers(raw, resume);
      h.onResponseStart?.(controller, statusCode, headerObject(raw), statusText);
      return !controller.paused;
    },
    onData(chunk: Buffer) {
      h.onResponseData?.(controller, chunk);
      return !controller.paused;
    },
    onComplete(rawTrailers: RawHeaders | null) {
      controller.rawTrailers = rawTrailers ?? [];
      h.onResponseEnd?.(controller, headerObject(rawTrailers));
    },
  };
  if (typeof h.onBodySent === 'function') legacy.onBodySent = (chunk: unknown) => h.onBodySent!(chunk);
  if (typeof h.onRequestSent === 'function') legacy.onRequestSent = () => h.onRequestSent!();
  if (typeof h.onResponseStarted === 'function') legacy.onResponseStarted = () => h.onResponseStarted!();
  return legacy;
}
