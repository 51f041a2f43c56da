// The webview side of the protocol: typed post, typed receive, request ids.
import { isToWebview, type FromWebview, type ToWebview } from '../protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
let nextId = 1;

export function post(msg: FromWebview): void {
  api.postMessage(msg);
}

export function requestId(): number {
  return nextId++;
}

export function onMessage(handler: (msg: ToWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    if (isToWebview(e.data)) handler(e.data);
  });
}

export function viewState<T>(): Partial<T> {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Partial<T>) : {};
}

export function saveViewState<T>(s: T): void {
  api.setState(s);
}
